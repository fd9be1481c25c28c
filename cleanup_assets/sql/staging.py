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
    func,
    insert,
    literal,
    null,
    select,
)
from sqlalchemy.engine import Connection
from sqlalchemy.sql import Select

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


def normalized_staging(integration: Integration, provider_ids: Sequence[int]) -> Select:
    """The integration's staging rows of ``provider_ids``, with normalized column names.

    Text is trimmed (blank -> NULL); dates stay text here so that validation can say which
    ones do not parse.
    """
    main = staging_tables[integration.staging_table]
    columns = {name: trimmed(main.c[col]) for name, col in integration.staging_columns.items()}
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
            {name: trimmed(detail.c[col]) for name, col in integration.detail.columns.items()}
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


def validated_staging(integration: Integration, provider_ids: Sequence[int]):
    """Normalized staging with parsed dates and a ``Reason`` column: NULL for accepted rows.

    Each date is parsed once. Duplicates are judged among otherwise valid rows only, so that
    a later malformed copy never costs the device its valid one.
    """
    rows = normalized_staging(integration, provider_ids).subquery("staged")
    parsed = select(
        rows, *[try_timestamp(rows.c[name]).label(f"Parsed{name}") for name in DEVICE_DATE_ATTRIBUTES]
    ).subquery("parsed")
    checked = select(parsed, _defect(parsed.c).label("Defect")).subquery("checked")
    position = func.row_number().over(
        partition_by=(checked.c.ServiceProviderId, checked.c.ICCID, checked.c.Defect.is_(None)),
        order_by=checked.c.StagingId.desc(),
    )
    ranked = select(checked, position.label("Position")).subquery("ranked")
    reason = func.coalesce(
        ranked.c.Defect,
        case((ranked.c.Position > 1, DUPLICATE_REASON), else_=null()),
    )
    return select(ranked, reason.label("Reason")).subquery("validated")


def validate_staging(
    conn: Connection, integration: Integration, provider_ids: Sequence[int], sync_id: int
) -> ValidationCounts:
    """Replace the providers' validated staging with this sync's, and record the rejects.

    One validation pass writes every staged row with its reason; the rejected rows (few)
    then move to the rejects table.
    """
    providers = list(provider_ids)
    validated = validated_staging(integration, providers)
    counts = ValidationCounts()
    conn.execute(delete(staged_device).where(staged_device.c.ServiceProviderId.in_(providers)))
    counts.staged = conn.execute(
        insert(staged_device).from_select(
            ["SyncId", "ServiceProviderId", "StagingId", *DEVICE_TEXT_ATTRIBUTES,
             *DEVICE_DATE_ATTRIBUTES, "Reason"],
            select(
                literal(sync_id, Integer),
                validated.c.ServiceProviderId,
                validated.c.StagingId,
                *[validated.c[name] for name in DEVICE_TEXT_ATTRIBUTES],
                *[validated.c[f"Parsed{name}"] for name in DEVICE_DATE_ATTRIBUTES],
                validated.c.Reason,
            ),
        )
    ).rowcount

    rejected_here = and_(staged_device.c.SyncId == sync_id, staged_device.c.Reason.isnot(None))
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
    counts.accepted = conn.execute(
        select(func.count()).where(staged_device.c.SyncId == sync_id)
    ).scalar_one()
    counts.reasons = dict(
        conn.execute(
            select(staging_reject.c.Reason, func.count())
            .where(staging_reject.c.SyncId == sync_id)
            .group_by(staging_reject.c.Reason)
        ).all()
    )
    if counts.staged != counts.accepted + counts.rejected:  # a bug here must never lose rows
        raise AssertionError(
            f"validation lost rows: staged {counts.staged} != accepted {counts.accepted} "
            f"+ rejected {counts.rejected}"
        )
    return counts
