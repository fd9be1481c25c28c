"""Facts the optimization gate judges, read in the finalization's own transaction."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Sequence

from sqlalchemy import and_, exists, false, func, select, true
from sqlalchemy.engine import Connection

from ..schema import (
    billing_period,
    communication_plan_rate_plan,
    device,
    jasper_communication_plan,
)


@dataclass(frozen=True)
class BillingPeriod:
    id: int
    year: int
    month: int


@dataclass
class GateFacts:
    active_before: int = 0
    active_after: int = 0
    billing_periods: dict[int, BillingPeriod | None] = field(default_factory=dict)
    devices_on_plans_without_rate_plan: int = 0
    plans_without_rate_plan: list[str] = field(default_factory=list)


def _next_month(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def find_billing_period(conn: Connection, provider_id: int, today: date) -> BillingPeriod | None:
    """The provider's billing period for this month, else next month (legacy rule)."""
    for month in (today, _next_month(today)):
        row = conn.execute(
            select(billing_period.c.id, billing_period.c.BillYear, billing_period.c.BillMonth)
            .where(billing_period.c.ServiceProviderId == provider_id,
                   billing_period.c.BillYear == month.year,
                   billing_period.c.BillMonth == month.month,
                   billing_period.c.IsDeleted == false())
            .order_by(billing_period.c.id.desc()).limit(1)
        ).first()
        if row is not None:
            return BillingPeriod(row.id, row.BillYear, row.BillMonth)
    return None


def plans_without_rate_plan(conn: Connection, provider_ids: Sequence[int]) -> tuple[int, list[str]]:
    """(live devices, plan names) for the providers' plans with no rate plan association."""
    plan, link = jasper_communication_plan, communication_plan_rate_plan
    unlinked = (
        select(plan.c.ServiceProviderId, plan.c.CommunicationPlanName)
        .where(plan.c.ServiceProviderId.in_(list(provider_ids)), plan.c.IsDeleted == false(),
               ~exists().where(link.c.CommunicationPlanId == plan.c.id,
                               link.c.IsDeleted == false()))
        .subquery("unlinked_plans")
    )
    names = sorted(set(conn.execute(select(unlinked.c.CommunicationPlanName)).scalars()))
    devices = conn.execute(
        select(func.count()).select_from(device).join(unlinked, and_(
            unlinked.c.ServiceProviderId == device.c.ServiceProviderId,
            unlinked.c.CommunicationPlanName == device.c.CommunicationPlan))
        .where(device.c.IsDeleted == false(), device.c.IsActive == true())
    ).scalar_one()
    return devices, names
