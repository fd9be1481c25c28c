"""What the location declares, as a snapshot: every asset spec (key, group, owners, tags,
kinds, description, partitions, deps, code version) and every check spec (its asset, name,
description, whether it blocks, partitions, deps) of cleanup_assets.definitions, held byte for
byte to cleanup_tests/golden/asset_specs.json. A change to any of them shows in that file's
diff; CLEANUP_UPDATE_GOLDEN=1 rewrites it. What the runs do with them is tested elsewhere."""

from __future__ import annotations

import json

import dagster as dg

from cleanup_assets.definitions import definitions_from_environment
from cleanup_assets.settings import Settings

KIND_TAG = "dagster/kind/"
# engines_agree exists only where a shadow pass runs (test_settings.py).
SHADOW = {"CLEANUP_SHADOW_ENGINE": "set_based"}


def _partitions(partitions_def) -> str | None:
    """One line: each dimension's name and keys (a dynamic one by its name)."""
    if partitions_def is None:
        return None
    if isinstance(partitions_def, dg.MultiPartitionsDefinition):
        return " × ".join(f"{d.name}: {_partitions(d.partitions_def)}"
                          for d in partitions_def.partitions_defs)
    if isinstance(partitions_def, dg.DynamicPartitionsDefinition):
        return f"dynamic '{partitions_def.name}'"
    if isinstance(partitions_def, dg.StaticPartitionsDefinition):
        return f"[{', '.join(partitions_def.get_partition_keys())}]"
    return repr(partitions_def)


def _assets(defs: dg.Definitions) -> list[dict]:
    return [{
        "key": spec.key.to_user_string(),
        "group": spec.group_name,
        "owners": list(spec.owners),
        "tags": {k: v for k, v in spec.tags.items() if not k.startswith(KIND_TAG)},
        "kinds": sorted(spec.kinds),
        "description": spec.description,
        "partitions": _partitions(spec.partitions_def),
        "deps": sorted(dep.asset_key.to_user_string() for dep in spec.deps),
        "code_version": spec.code_version,
    } for spec in sorted(defs.resolve_all_asset_specs(), key=lambda s: s.key.to_user_string())]


def _checks(defs: dg.Definitions) -> list[dict]:
    graph = defs.resolve_asset_graph()
    found = []
    for key in sorted(graph.asset_check_keys,
                      key=lambda k: (k.asset_key.to_user_string(), k.name)):
        check = graph.get(key)
        found.append({
            "asset": key.asset_key.to_user_string(),
            "name": key.name,
            "description": check.description,
            "blocking": check.blocking,
            "partitions": _partitions(check.partitions_def),
            "deps": sorted(k.to_user_string() for k in check.parent_entity_keys
                           if k != key.asset_key),
        })
    return found


def test_every_asset_and_check_spec_is_the_snapshots(golden):
    plain = definitions_from_environment(Settings({}))
    shadow = definitions_from_environment(Settings(SHADOW))
    snapshot = {"assets": _assets(plain), "checks": _checks(plain)}
    # What a shadow pass adds or changes, beside it.
    snapshot["with CLEANUP_SHADOW_ENGINE=set_based, besides"] = {
        kind: [entry for entry in entries(shadow) if entry not in snapshot[kind]]
        for kind, entries in (("assets", _assets), ("checks", _checks))}

    golden.check("asset_specs.json",
                 json.dumps(snapshot, indent=2, ensure_ascii=False) + "\n")
