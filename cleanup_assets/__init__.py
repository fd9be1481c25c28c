"""cleanup_assets: the Dagster code location that finalizes carrier device syncs."""
