"""The renewal resource: a renewal's row plus its dates in the order's chain and whether it took effect."""
from dataclasses import dataclass
from datetime import datetime

from app.models import Renewal
from app.models.renewal import ACTIVE
from app.services.core.views import RowView
from app.services.lifecycle.chain import ordered, spans


@dataclass(frozen=True)
class RenewalView(RowView):
    """`start`/`end` as the chain dates them now (null while queued); `effective` once `start` has passed."""

    extends = "renewal"
    renewal: Renewal
    start: datetime | None
    end: datetime | None
    effective: bool


def present_renewals(order, renewals: list[Renewal], now: datetime) -> list[RenewalView]:
    """The order's renewals, oldest first, dated by the chain."""
    dated = spans(order, renewals)
    views = []
    for renewal in ordered(renewals):
        span = dated[renewal.id]
        effective = renewal.status == ACTIVE and span.start is not None and span.start <= now
        views.append(RenewalView(renewal, span.start, span.end, effective))
    return views
