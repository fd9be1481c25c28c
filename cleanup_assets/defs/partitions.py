"""Partitions: carrier integration (static) × tenant (dynamic).

A tenant key is the legacy ``TenantId`` in decimal (names are neither unique, stable nor
key-safe). Keys are limited to ``[A-Za-z0-9_-]``: Dagster silently drops multi-partition
keys containing ``|`` and UI backfills break on commas.
"""

from __future__ import annotations

import re
from typing import Iterable

import dagster as dg

from ..registry import INTEGRATION_KEYS, get_integration

TENANT_PARTITIONS_NAME = "tenant"

integration_partitions = dg.StaticPartitionsDefinition(list(INTEGRATION_KEYS))
tenant_partitions = dg.DynamicPartitionsDefinition(name=TENANT_PARTITIONS_NAME)
device_sync_partitions = dg.MultiPartitionsDefinition(
    {"integration": integration_partitions, "tenant": tenant_partitions}
)


TENANT_KEY_PATTERN = re.compile(r"^[A-Za-z0-9_-]+$")


class InvalidPartitionKey(ValueError):
    pass


def tenant_id_from_key(tenant_key: str) -> int:
    """A tenant partition key is the legacy ``TenantId`` in decimal (names are neither
    unique, stable nor safe as partition keys; ids are all three)."""
    if not tenant_key.isdigit():
        raise InvalidPartitionKey(
            f"tenant partition key {tenant_key!r} is not a TenantId: tenant keys are the numeric "
            "legacy Tenant.id; `cleanup-assets register-tenants` adds the valid ones")
    return int(tenant_key)


def validate_tenant_key(key: str) -> str:
    """The key itself, or a clear error saying what a tenant key must look like."""
    if not isinstance(key, str) or not TENANT_KEY_PATTERN.match(key):
        raise InvalidPartitionKey(
            f"invalid tenant partition key {key!r}: only letters, digits, '_' and '-' are allowed"
        )
    tenant_id_from_key(key)  # and it must be a TenantId
    return key


def partition_key(integration_key: str, tenant_key: str) -> dg.MultiPartitionKey:
    get_integration(integration_key)
    validate_tenant_key(tenant_key)
    return dg.MultiPartitionKey({"integration": integration_key, "tenant": tenant_key})


def split_partition_key(key: str | dg.MultiPartitionKey) -> tuple[str, str]:
    """(integration, tenant) from a run's partition key, validated."""
    if isinstance(key, dg.MultiPartitionKey):
        dims = key.keys_by_dimension
    else:  # "integration|tenant": keys are sorted by dimension name
        integration_key, _, tenant_key = str(key).partition("|")
        dims = {"integration": integration_key, "tenant": tenant_key}
    get_integration(dims["integration"])
    return dims["integration"], validate_tenant_key(dims["tenant"])


def add_tenant_partitions(instance: dg.DagsterInstance, keys: Iterable[str]) -> list[str]:
    """Add the tenants not yet known to the instance; returns those added."""
    wanted = [validate_tenant_key(str(k)) for k in keys]
    known = set(instance.get_dynamic_partitions(TENANT_PARTITIONS_NAME))
    new = sorted(set(wanted) - known, key=lambda k: (len(k), k))
    if new:
        instance.add_dynamic_partitions(TENANT_PARTITIONS_NAME, new)
    return new
