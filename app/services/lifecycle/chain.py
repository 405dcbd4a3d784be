"""Validity with renewals: where the first period and each renewal start and end (pure; a leaf).

The first period is docs/domain.md §4.2 (start = the seller's actual start time, else acceptance; end =
start + period). Each active renewal starts where the one before ends, also when that end has passed
(grace or retention: the guide's §4.3.1.1 starts the new period at the original expiry). While the first
period is unknown (supervision unfinished) every renewal is queued: no dates yet."""
from dataclasses import dataclass
from datetime import datetime

import isodate

from app.models.renewal import ACTIVE


@dataclass(frozen=True)
class Span:
    start: datetime | None = None
    end: datetime | None = None


def add_period(moment: datetime | None, period: str | None) -> datetime | None:
    if moment is None or not period:
        return None
    try:
        return moment + isodate.parse_duration(period)
    except (ValueError, OverflowError):  # a row stored before periods were bounded must not break listings
        return None


def first_period(order) -> Span:
    """The order's own period: unknown until supervision completed (accepted_at), none unless periodic."""
    billing = order.billing or {}
    if billing.get("mode") != "periodic" or not billing.get("period") or order.accepted_at is None:
        return Span()
    start = order.actual_start_time or order.accepted_at
    return Span(start, add_period(start, billing.get("period")))


def ordered(renewals) -> list:
    return sorted(renewals, key=lambda r: r.seq)


def spans(order, renewals) -> dict[str, Span]:
    """renewal id -> its dates; only active renewals are stacked (a refunded period no longer counts)."""
    cursor = first_period(order).end
    found = {}
    for renewal in ordered(renewals):
        if renewal.status != ACTIVE:
            found[renewal.id] = Span(renewal.start, renewal.end)
            continue
        end = add_period(cursor, renewal.period)
        found[renewal.id] = Span(cursor, end)
        cursor = end
    return found


def validity(order, renewals=()) -> Span:
    """The order's validity: its first period's start, and the end of its last active renewal."""
    first = first_period(order)
    active = [r for r in ordered(renewals) if r.status == ACTIVE]
    if not active or first.end is None:
        return first
    return Span(first.start, spans(order, renewals)[active[-1].id].end)


def segment_start(order, renewals) -> datetime | None:
    """Where the period that ends at validity's end began (reminders count back within it)."""
    active = [r for r in ordered(renewals) if r.status == ACTIVE]
    if not active:
        return first_period(order).start
    return spans(order, renewals)[active[-1].id].start
