"""Validated staging: carrier staging rows, normalized, checked, and split into accepted
rows (``CleanupStagedDevice``) and rejected rows with their reason (``CleanupStagingReject``).

Every staged row ends up in exactly one of the two: staged = accepted + rejected.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

from sqlalchemy import (
    Integer,
    String,
    and_,
    case,
    delete,
    exists,
    func,
    insert,
    literal,
    null,
    or_,
    select,
    update,
)
from sqlalchemy.engine import Connection
from sqlalchemy.sql import ColumnElement, Select

from ..registry import Integration
from ..schema import (
    DEVICE_DATE_ATTRIBUTES,
    DEVICE_TEXT_ATTRIBUTES,
    staged_device,
    staging_reject,
    staging_tables,
)
from .dialect import has_non_digit, text_length, trimmed, try_timestamp

ICCID_LENGTHS = (19, 20)  # ITU-T E.118
DUPLICATE_REASON = "duplicate ICCID in this sync (the latest staging row was kept)"


@dataclass
class ValidationCounts:
    staged: int = 0
    accepted: int = 0
    rejected: int = 0
    reasons: dict[str, int] = field(default_factory=dict)
    # Rows that differed from the devices' accepted rows and were validated (the rest were
    # the same text as before); earlier rows they replaced.
    differing: int = 0
    superseded: int = 0
    accepted_per_provider: dict[int, int] = field(default_factory=dict)


def normalized_staging(
    integration: Integration, provider_ids: Sequence[int], *, trim: bool = True
) -> Select:
    """The integration's staging rows of ``provider_ids``, with normalized column names.

    Text is trimmed (blank -> NULL) unless ``trim`` is false; dates stay text here so that
    validation can say which ones do not parse.
    """
    clean = trimmed if trim else (lambda column: column)
    main = staging_tables[integration.staging_table]
    columns = {name: clean(main.c[col]) for name, col in integration.staging_columns.items()}
    source = main
    if integration.detail is not None:
        main_col, detail_col = integration.detail.on
        table = staging_tables[integration.detail.table]
        # The latest detail row per subscriber, so a repeated detail row cannot fan out.
        latest = func.row_number().over(
            partition_by=(table.c.ServiceProviderId, table.c[detail_col]),
            order_by=table.c.ID.desc(),
        )
        ranked = (
            select(table, latest.label("DetailPosition"))
            .where(table.c.ServiceProviderId.in_(list(provider_ids)))
            .subquery("detail_ranked")
        )
        detail = select(ranked).where(ranked.c.DetailPosition == 1).subquery("detail")
        source = main.outerjoin(
            detail,
            and_(
                detail.c[detail_col] == main.c[main_col],
                detail.c.ServiceProviderId == main.c.ServiceProviderId,
            ),
        )
        columns.update(
            {name: clean(detail.c[col]) for name, col in integration.detail.columns.items()}
        )
    attributes = [*DEVICE_TEXT_ATTRIBUTES, *DEVICE_DATE_ATTRIBUTES]
    return (
        select(
            main.c.ID.label("StagingId"),
            main.c.ServiceProviderId,
            *[columns.get(name, null()).label(name) for name in attributes],
        )
        .select_from(source)
        .where(main.c.ServiceProviderId.in_(list(provider_ids)))
    )


def _defect(row) -> case:
    """The first thing wrong with a normalized staging row (dates already parsed), or NULL."""
    iccid = row.ICCID
    low, high = ICCID_LENGTHS
    whens = [
        (iccid.is_(None), "missing ICCID"),
        (has_non_digit(iccid), "ICCID has a non-digit character"),
        (~text_length(iccid).between(low, high), f"ICCID is not {low}-{high} digits long"),
    ]
    for name, length in DEVICE_TEXT_ATTRIBUTES.items():
        if name != "ICCID":
            whens.append((text_length(row[name]) > length, f"{name} longer than {length} characters"))
    for name in DEVICE_DATE_ATTRIBUTES:
        whens.append(
            (and_(row[name].isnot(None), row[f"Parsed{name}"].is_(None)),
             f"{name} is not a valid date")
        )
    return case(*whens, else_=null())


def _computed_once(query: Select, fence: bool) -> Select:
    """Keep the database from inlining this subquery's expressions into every place that
    uses them (SQLite and PostgreSQL both would, trimming each value once per use).
    ``OFFSET 0`` is the documented fence on both; SQL Server computes them once anyway."""
    return query.offset(0) if fence else query


def _duplicated_iccids(integration: Integration, providers: list[int]) -> Select:
    """ICCIDs staged more than once for one provider in this sync (normally none)."""
    rows = normalized_staging(integration, providers).subquery("all_staged")
    return (
        select(rows.c.ICCID)
        .where(rows.c.ICCID.isnot(None))
        .group_by(rows.c.ServiceProviderId, rows.c.ICCID)
        .having(func.count() > 1)
    )


def _same_text(stored: ColumnElement, staged: ColumnElement) -> ColumnElement:
    """Stored (trimmed) text equals staged text once trimmed. Staged text usually needs no
    trimming, so the plain comparison decides most rows without computing the trim."""
    return or_(stored == staged, stored.is_not_distinct_from(trimmed(staged)))


def validated_staging(
    integration: Integration,
    provider_ids: Sequence[int],
    *,
    skip_unchanged: bool = False,
    fence: bool = False,
):
    """Normalized staging with parsed dates and a ``Defect`` column: NULL for good rows.

    With ``skip_unchanged``, rows equal to the device's accepted row in
    ``CleanupStagedDevice`` are left out: they were valid when accepted and are the same
    text now, so neither validation nor the merge has anything to do with them. They are
    compared before anything is trimmed or parsed. Every copy of an ICCID staged twice is
    kept, so that duplicates are always judged.
    """
    providers = list(provider_ids)
    attributes = [*DEVICE_TEXT_ATTRIBUTES, *DEVICE_DATE_ATTRIBUTES]
    if skip_unchanged:
        raw = normalized_staging(integration, providers, trim=False).subquery("raw_staging")
        cache = staged_device.alias("accepted")
        unchanged = exists().where(
            cache.c.ServiceProviderId == raw.c.ServiceProviderId,
            cache.c.ICCID == trimmed(raw.c.ICCID),
            *[_same_text(cache.c[name], raw.c[name]) for name in DEVICE_TEXT_ATTRIBUTES
              if name != "ICCID"],
            *[_same_text(cache.c[f"{name}Text"], raw.c[name]) for name in DEVICE_DATE_ATTRIBUTES],
            cache.c.ICCID.not_in(_duplicated_iccids(integration, providers)),
        )
        normalized = select(
            raw.c.StagingId, raw.c.ServiceProviderId,
            *[trimmed(raw.c[name]).label(name) for name in attributes],
        ).where(~unchanged)
    else:
        normalized = normalized_staging(integration, providers)
    rows = _computed_once(normalized, fence).subquery("staged")
    parsed = _computed_once(
        select(rows, *[try_timestamp(rows.c[name]).label(f"Parsed{name}")
                       for name in DEVICE_DATE_ATTRIBUTES]),
        fence,
    ).subquery("parsed")
    return select(parsed, _defect(parsed.c).label("Defect")).subquery("validated")


def validate_staging(
    conn: Connection, integration: Integration, provider_ids: Sequence[int], sync_id: int
) -> ValidationCounts:
    """Validate the providers' staging into ``CleanupStagedDevice``; record the rejects.

    ``CleanupStagedDevice`` holds each device's latest accepted row. A sync writes only the
    rows that differ from it (all of them on a first sync, about the changed share on a
    resync), judges them, lets the latest valid copy of a duplicated ICCID win, replaces the
    devices' earlier rows and moves the rejected rows to ``CleanupStagingReject``. Rows of
    devices the carrier no longer lists are dropped by the merge (``drop_unlisted``).
    """
    providers = list(provider_ids)
    fence = conn.dialect.name in ("sqlite", "postgresql")
    counts = ValidationCounts()
    staging = staging_tables[integration.staging_table]
    per_provider = dict(
        conn.execute(
            select(staging.c.ServiceProviderId, func.count())
            .where(staging.c.ServiceProviderId.in_(providers))
            .group_by(staging.c.ServiceProviderId)
        ).all()
    )
    validated = validated_staging(integration, providers, skip_unchanged=True, fence=fence)
    counts.differing = conn.execute(
        insert(staged_device).from_select(
            ["SyncId", "ServiceProviderId", "StagingId", *DEVICE_TEXT_ATTRIBUTES,
             *DEVICE_DATE_ATTRIBUTES, *[f"{name}Text" for name in DEVICE_DATE_ATTRIBUTES],
             "Reason"],
            select(
                literal(sync_id, Integer),
                validated.c.ServiceProviderId,
                validated.c.StagingId,
                *[validated.c[name] for name in DEVICE_TEXT_ATTRIBUTES],
                *[validated.c[f"Parsed{name}"] for name in DEVICE_DATE_ATTRIBUTES],
                *[validated.c[name] for name in DEVICE_DATE_ATTRIBUTES],
                validated.c.Defect,
            ),
        )
    ).rowcount
    _reject_earlier_duplicates(conn, sync_id)
    counts.superseded = _drop_superseded_rows(conn, providers, sync_id)

    this_sync = staged_device.c.SyncId == sync_id
    rejected_here = and_(this_sync, staged_device.c.Reason.isnot(None))
    counts.rejected = conn.execute(
        insert(staging_reject).from_select(
            ["SyncId", "ServiceProviderId", "StagingTable", "StagingId", "ICCID", "Reason"],
            select(
                staged_device.c.SyncId,
                staged_device.c.ServiceProviderId,
                literal(integration.staging_table, String),
                staged_device.c.StagingId,
                staged_device.c.ICCID,
                staged_device.c.Reason,
            ).where(rejected_here),
        )
    ).rowcount
    conn.execute(delete(staged_device).where(rejected_here))
    rejected_per_provider = dict(
        conn.execute(
            select(staging_reject.c.ServiceProviderId, func.count())
            .where(staging_reject.c.SyncId == sync_id)
            .group_by(staging_reject.c.ServiceProviderId)
        ).all()
    )
    counts.reasons = dict(
        conn.execute(
            select(staging_reject.c.Reason, func.count())
            .where(staging_reject.c.SyncId == sync_id)
            .group_by(staging_reject.c.Reason)
        ).all()
    )
    counts.staged = sum(per_provider.values())
    counts.accepted_per_provider = {
        p: per_provider.get(p, 0) - rejected_per_provider.get(p, 0) for p in providers
    }
    counts.accepted = sum(counts.accepted_per_provider.values())
    if counts.staged != counts.accepted + counts.rejected:  # a bug here must never lose rows
        raise AssertionError(
            f"validation lost rows: staged {counts.staged} != accepted {counts.accepted} "
            f"+ rejected {counts.rejected}"
        )
    return counts


def _reject_earlier_duplicates(conn: Connection, sync_id: int) -> int:
    """Of one device's valid rows in this sync, the latest staging row wins; the earlier
    ones are rejected as duplicates. Only ICCIDs with several valid rows are looked at."""
    valid_here = and_(staged_device.c.SyncId == sync_id, staged_device.c.Reason.is_(None))
    later = staged_device.alias("later")
    repeated = (
        select(staged_device.c.ICCID)
        .where(valid_here)
        .group_by(staged_device.c.ServiceProviderId, staged_device.c.ICCID)
        .having(func.count() > 1)
    )
    return conn.execute(
        update(staged_device)
        .where(
            valid_here,
            staged_device.c.ICCID.in_(repeated),
            exists().where(
                later.c.SyncId == sync_id,
                later.c.Reason.is_(None),
                later.c.ServiceProviderId == staged_device.c.ServiceProviderId,
                later.c.ICCID == staged_device.c.ICCID,
                later.c.StagingId > staged_device.c.StagingId,
            ),
        )
        .values(Reason=DUPLICATE_REASON)
    ).rowcount


def _drop_superseded_rows(conn: Connection, providers: list[int], sync_id: int) -> int:
    """A device's row from an earlier sync gives way to this sync's row (kept or rejected)."""
    newer = staged_device.alias("newer")
    # The IN list lets the database look up only this sync's ICCIDs (by the SP/ICCID index)
    # instead of testing every accepted row; EXISTS then matches the provider exactly.
    this_sync_iccids = select(newer.c.ICCID).where(newer.c.SyncId == sync_id)
    return conn.execute(
        delete(staged_device).where(
            staged_device.c.ServiceProviderId.in_(providers),
            staged_device.c.ICCID.in_(this_sync_iccids),
            staged_device.c.SyncId != sync_id,
            exists().where(
                newer.c.SyncId == sync_id,
                newer.c.ServiceProviderId == staged_device.c.ServiceProviderId,
                newer.c.ICCID == staged_device.c.ICCID,
            ),
        )
    ).rowcount


def drop_unlisted(
    conn: Connection, integration: Integration, provider_ids: Sequence[int], sync_id: int,
    accepted_per_provider: dict[int, int],
) -> int:
    """Full-list syncs: drop the accepted rows of devices this sync's staging no longer lists.

    After validation a provider's rows are this sync's accepted devices plus the unlisted
    ones, so a count says whether there are any; only then is the staging searched.
    """
    providers = [
        p for p in provider_ids
        if _accepted_rows(conn, p) > accepted_per_provider.get(p, 0)
    ]
    if not providers:
        return 0
    listed = normalized_staging(integration, providers).subquery("listed")
    return conn.execute(
        delete(staged_device).where(
            staged_device.c.ServiceProviderId.in_(providers),
            staged_device.c.SyncId != sync_id,
            ~exists().where(
                listed.c.ServiceProviderId == staged_device.c.ServiceProviderId,
                listed.c.ICCID == staged_device.c.ICCID,
            ),
        )
    ).rowcount


def _accepted_rows(conn: Connection, provider: int) -> int:
    return conn.execute(
        select(func.count()).where(staged_device.c.ServiceProviderId == provider)
    ).scalar_one()
