"""Time grains for the charts over time: which grain fits a span, how a bucket is computed in SQL,
and how the axis of each grain is stepped and labelled.

A time chart draws one bucket per hour, day, week (ISO, from Monday) or month, chosen from the
span of the generations passing the filters, so that a 7-hour log is drawn by the hour and a year
by the week:

======================  =======  ========================
span (last - first)     grain    buckets drawn, at most
======================  =======  ========================
up to 3 days            hour     72 (plus a partial one)
up to 92 days           day      93
up to 2 years (731 d)   week     105
longer                  month    one a month
======================  =======  ========================

A roll-up chart (weekly performance) draws the next coarser grain when the data touch at least
``ROLL_UP_MIN_BUCKETS`` of its buckets (weeks over six weeks of data), and the same grain otherwise
(hours over a 7-hour log, rather than a single day). Buckets are UTC, like ``date_key``.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pandas as pd

GRAINS = ("hour", "day", "week", "month")
# grain -> the longest span it is chosen for (month: anything longer)
GRAIN_SPANS = {"hour": timedelta(days=3), "day": timedelta(days=92), "week": timedelta(days=731)}
ROLL_UP_MIN_BUCKETS = 3
ADJECTIVES = {"hour": "Hourly", "day": "Daily", "week": "Weekly", "month": "Monthly"}
# The bucket each generation falls in, as a TIMESTAMP (UTC), moved forward by $shift_days whole
# days: 0 for the period shown, the period's length for the period before it, so that its buckets
# land on the shown period's axis. The hour comes from the epoch, without a time-zone conversion
# per row (as the semantic layer's hour of day).
BUCKET_SQL = {
    "hour": "epoch_ms((epoch_ms(f.created_at) // 3600000 + 24 * $shift_days) * 3600000)",
    "day": "CAST(f.date_key + $shift_days AS TIMESTAMP)",
    "week": "CAST(date_trunc('week', f.date_key + $shift_days) AS TIMESTAMP)",
    "month": "CAST(date_trunc('month', f.date_key + $shift_days) AS TIMESTAMP)",
}


def grain_for_span(span: timedelta) -> str:
    """The grain for data spanning ``span`` (the table above)."""
    for grain, longest in GRAIN_SPANS.items():
        if span <= longest:
            return grain
    return "month"


def floor(moment: datetime | date, grain: str) -> pd.Timestamp:
    """The start of the bucket of ``grain`` holding ``moment``."""
    ts = pd.Timestamp(moment)
    if grain == "hour":
        return ts.floor("h")
    day = ts.normalize()
    if grain == "week":
        return day - pd.Timedelta(days=day.weekday())
    if grain == "month":
        return day.replace(day=1)
    return day


def next_bucket(start: pd.Timestamp, grain: str) -> pd.Timestamp:
    """The start of the bucket after the one starting at ``start``."""
    steps = {"hour": pd.Timedelta(hours=1), "day": pd.Timedelta(days=1), "week": pd.Timedelta(days=7)}
    return start + steps[grain] if grain in steps else start + pd.DateOffset(months=1)


def buckets_between(grain: str, first: datetime | date, last: datetime | date) -> int:
    """How many buckets of ``grain`` the moments from ``first`` to ``last`` touch."""
    a, b = floor(first, grain), floor(last, grain)
    if grain == "month":
        return (b.year - a.year) * 12 + b.month - a.month + 1
    size = {"hour": pd.Timedelta(hours=1), "day": pd.Timedelta(days=1), "week": pd.Timedelta(days=7)}[grain]
    return int((b - a) / size) + 1


def rolled_up(grain: str, first: datetime | date, last: datetime | date) -> str:
    """The grain one step coarser than ``grain`` when the data touch at least ROLL_UP_MIN_BUCKETS
    of its buckets; ``grain`` otherwise."""
    if grain == GRAINS[-1]:
        return grain
    coarser = GRAINS[GRAINS.index(grain) + 1]
    return coarser if buckets_between(coarser, first, last) >= ROLL_UP_MIN_BUCKETS else grain
