"""Facts the optimization gate judges, and the billing period the handover names.

The billing period comes from the legacy procedure
``usp_Service_Provider_Get_Bill_Period_Day_And_Hour @ServiceProviderId, @BillMonth, @BillYear``
(BillingPeriodHelper.cs:11-54 in TealLambdas) on databases that have it, else from the
``BillingPeriod`` table by the same rule: this month, else next month (F:483-498).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Sequence

from sqlalchemy import and_, false, func, select, true
from sqlalchemy.engine import Connection

from ..schema import billing_period, comm_plan_rate_plan, device
from .dialect import trim_spaces
from .procedures import procedure_call, run_procedure

BILL_PERIOD_PROCEDURE = "usp_Service_Provider_Get_Bill_Period_Day_And_Hour"


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


def billing_period_for(conn: Connection, provider_id: int, year: int, month: int, *,
                       use_procedure: bool) -> BillingPeriod | None:
    """The provider's billing period for one month, or None (the legacy's ``Id == 0``)."""
    if use_procedure:
        result = run_procedure(conn, procedure_call(BILL_PERIOD_PROCEDURE, {
            "ServiceProviderId": provider_id, "BillMonth": month, "BillYear": year},
            returns_rows=True))
        period_id = last_period_id(result)
    else:
        period_id = conn.execute(
            select(func.max(billing_period.c.Id))
            .where(billing_period.c.ServiceProviderId == provider_id,
                   billing_period.c.BillYear == year, billing_period.c.BillMonth == month,
                   billing_period.c.IsDeleted == false())
        ).scalar()
    # The legacy message names the month it asked for (F:483-489, 533-545).
    return BillingPeriod(int(period_id), year, month) if period_id else None


def last_period_id(result) -> int | None:
    """BillingPeriodHelper.cs:28-46: every row is read and the LAST non-NULL ``Id`` kept;
    ``Id`` found by ``GetOrdinal`` (exact name, else ignoring case: a column ``ID`` is
    read). A result with rows but no such column is an error saying so (the legacy throws),
    never "no billing period"."""
    if not result:
        return None
    position = result.ordinal("Id")
    found = None
    for row in result.rows:  # bounded: a procedure's result, a row or two
        if row[position] is not None:
            found = row[position]
    return found


def find_billing_period(conn: Connection, provider_id: int, today: date, *,
                        use_procedure: bool) -> BillingPeriod | None:
    """This month's billing period, else next month's (a new provider's first), else None."""
    for month in (today, _next_month(today)):
        found = billing_period_for(conn, provider_id, month.year, month.month,
                                   use_procedure=use_procedure)
        if found is not None:
            return found
    return None


def plans_without_rate_plan(conn: Connection, provider_ids: Sequence[int]) -> tuple[int, list[str]]:
    """(live devices, plan names) of the providers' plans that carrier optimization skips: no
    rate plans in ``vwJasperCommPlan_RatePlan`` — what the optimization reads
    (AWSFunctionBase.cs:621, QueueCarrierPlanOptimization.cs:470) — or no row there at all."""
    view = comm_plan_rate_plan
    usable = select(view.c.CommunicationPlanName).where(
        view.c.ServiceProviderId.in_(list(provider_ids)),
        view.c.RatePlanIds.isnot(None), trim_spaces(view.c.RatePlanIds) != "")
    unlinked = and_(device.c.ServiceProviderId.in_(list(provider_ids)),
                    device.c.IsDeleted == false(), device.c.IsActive == true(),
                    device.c.CommunicationPlan.isnot(None),
                    device.c.CommunicationPlan.not_in(usable))
    per_plan = conn.execute(select(device.c.CommunicationPlan, func.count())
                            .where(unlinked).group_by(device.c.CommunicationPlan)).all()
    devices = sum(count for _, count in per_plan)  # bounded: one row per plan in use
    return devices, sorted(name for name, _ in per_plan)  # bounded: as above

