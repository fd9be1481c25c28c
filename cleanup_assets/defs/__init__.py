"""Dagster definitions, one folder per domain; assembled in ``cleanup_assets.definitions``."""
