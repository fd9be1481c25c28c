"""The Dagster shell, one folder per domain: the project's defs folder ([tool.dg] in
pyproject.toml), which ``cleanup_assets.definitions.defs_folder`` loads as dg loads one.

Every asset, check, job and sensor at the scope of a module here is one of the location's,
found in that module alone: a module names another's assets by key (``COMMON_DEVICES``) and
its jobs by name (``FINALIZE_DEVICE_SYNC``), never by importing the definition, and a
multi-asset's specs are its own. The modules beside the domain folders (partitions,
resources, policy, run_tags, sync_of_run, decision, sensor_interval) declare no definition:
they are the vocabulary the domain modules share."""
