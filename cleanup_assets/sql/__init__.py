"""Set-based SQL for each step of a device-sync finalization, as plain functions over a
SQLAlchemy connection. No Dagster here: the assets call these and add metadata."""
