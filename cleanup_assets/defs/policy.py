"""What every asset of the location carries, applied once: where the definitions are
assembled (definitions.py, ``Definitions.map_resolved_asset_specs``) each asset gets the
group, the owners (the UI's Catalog -> Owner) and the location's tags. A spec states only
what is its own, through ``device_sync_asset``: its key, description, deps, kinds, code
version, its stage, and the (integration, tenant) partitions every asset has."""

import dagster as dg

from .partitions import device_sync_partitions

GROUP = "device_sync"
OWNERS = ["team:device-sync"]
LOCATION_TAGS = {"domain": "device-sync", "legacy": "AltaworxJasperGetDevicesCleanup"}


def device_sync_asset(key: dg.AssetKey | str, *, stage: str, **attributes) -> dg.AssetSpec:
    """An asset of one (integration, tenant) partition. ``stage``: upstream, finalize, report
    or handover (the ``stage`` tag, filterable in the catalog)."""
    return dg.AssetSpec(key, partitions_def=device_sync_partitions, tags={"stage": stage},
                        **attributes)


def with_policy(spec: dg.AssetSpec) -> dg.AssetSpec:
    """``spec`` in the location's group, with its owners and tags (its own stage kept)."""
    return spec.replace_attributes(
        group_name=GROUP, owners=OWNERS,
        tags={"domain": LOCATION_TAGS["domain"], **spec.tags, "legacy": LOCATION_TAGS["legacy"]})
