"""Running and rolling figures (blind set 38): "cumulative revenue by day", "a day-by-day running
count of generations for September", "month-to-date revenue for October, day by day", "rolling
7-day average of daily generations", "7-day rolling error rate".

Each is the figure per period and, beside it, the same figure carried along the periods in order
(a window over the grouped rows, per value of any other grouping): a count or a total adds up
(``sum(x) OVER (ORDER BY day)``), a rate or an average is pooled over the rows so far or in the
window (its sum over its count, not an average of the periods' rates), and an N-day rolling average
of a count or a total averages the days. A figure that neither adds up nor pools (distinct users,
percentiles, minimums) is declined with the reason: the running count of distinct users is not the
sum of the daily counts. Before these rules the running words were dropped and the plain daily
figure was answered as if it were the running one."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from genai_analyzer.analysis.copilot.spec import CannotAnswer, QuerySpec
from genai_analyzer.analysis.copilot.text import QuestionText
from genai_analyzer.analysis.semantic import SemanticLayer

# "starting from zero on the first of those days": where every running figure starts
FROM_ZERO = (
    r"(?:starting|beginning|counting|starts|begins) (?:from|at) (?:zero|0)(?: on (?:the )?(?:first|start|"
    r"monday|first day)(?: of (?:those|these|the) (?:days|period|window|range|week))?)?"
)
# "to-date": the period-to-date words ("month-to-date", "mtd": shorthand.py), running only along a
# grouping by period ("month-to-date revenue, day by day"); alone, the period's total
CUMULATIVE = (
    r"(?:(?:next to|beside|alongside|along with|plus|with) )?"  # "each day's revenue next to the running ..."
    r"(?:(?:a|the) )?(?:cumulative(?: total| sum| count)?|running (?:total|count|sum|tally)|to-date|"
    r"added up|accumulated|cumulatively)(?: (?:of|for|in))?"
)
_N = r"(\d+)[- ]days?"
_AVG = r"(?: (?:average|mean|avg))?"
_ROLL = r"(?:rolling|moving|trailing)"
ROLLING = (
    rf"(?:(?:a|the) )?(?:{_N} {_ROLL}|{_ROLL} {_N}){_AVG}(?: (?:of|for))?"
    rf"|(?:(?:a|the) )?{_ROLL} (?:average|mean) over (?:the )?(?:last |past )?{_N}"
)
_AVG_SQL = re.compile(r"avg\((.+)\)((?: / \d+)?)", re.S)


# each period's change from the one before, said beside a grouping by that period: "gens per week plus
# the change from the prior week", "each week's revenue and its % change vs the week before", and
# the rewording of "day-over-day change" (periods_over.py); said without such a grouping, the words
# compare two periods (the compiler's comparison) and are left for it
_PERIOD = r"(day|week|month)"
CHANGE = (
    r"(?:(?:and|with|plus|next to|beside|along with) )?(?:(?:the|its|their|each) )?"
    r"(?:(%|percent(?:age)?|pct) )?(?:change|difference|delta|diff|growth|increase|move|movement|"
    r"how much (?:it|they|that) (?:moved|changed))"
    r"(?: in (%|percent(?:age)?))? (?:from|vs\.?|versus|compared (?:with|to)|over|on|against) (?:the )?"
    rf"(?:(?:prior|previous|preceding|last) {_PERIOD}|{_PERIOD} before)"
)
_ABSOLUTE = (
    r"\(?(?:an? )?(?:absolute(?: number| numbers| figures?| terms| change)?|in (?:raw )?numbers)"
    r"(?:,? not (?:in )?(?:%|percent(?:age)?s?))?\)?"
)


@dataclass(frozen=True)
class Running:
    kind: str  # "cumulative" | "rolling" | "change" | "change_pct"
    days: int = 0  # the rolling window, in days
    period: str = ""  # the period a change is from ("week": each week's change from the week before)


def read_running(t: QuestionText, spec: QuerySpec) -> None:
    """The running or rolling words, consumed before the period reads "7-day" or "month-to-date"."""
    for m in t.find(ROLLING):
        days = int(next(g for g in m.groups() if g))
        if days < 2:
            raise CannotAnswer("A rolling window of one day is the daily figure itself: ask for it by day.")
        t.take(m)
        spec.running = f"rolling:{days}"
        spec.matched[m.group(0).strip()] = f"rolling over {days} days"
        return
    for m in t.find(CHANGE):  # every one read: "by day with the change ... how much it moved from ..."
        period = next(g for g in m.groups()[2:] if g)
        grouped = rf"(?:per|by|each|every|a|for each|for every) {period}|{period} by {period}|{period}ly"
        if not t.has(grouped + "|daily"):
            continue  # "the change from the week before" of one figure: two periods compared
        t.seal(m)  # no comparison of two periods: "change" is this figure's
        pct = bool(m.group(1) or m.group(2)) or (spec.running or "").startswith("change_pct")
        spec.running = f"change{'_pct' * pct}:{period}"
        spec.matched[m.group(0).strip()] = f"each {period}'s change from the {period} before" + " in %" * pct
    for said in t.find(_ABSOLUTE) if (spec.running or "").startswith("change:") else ():
        t.take(said)
        spec.matched[said.group(0)] = "the change in the figure's own unit"
    if spec.running:
        return
    for m in t.find(CUMULATIVE):  # "how has revenue added up? the cumulative total": every one read
        t.take(m)
        # "each day's revenue next to the running total": the figure first, the running one beside it
        beside = re.match(r"(?:next to|beside|alongside|along with|plus|with) ", m.group(0))
        spec.running = "cumulative:after" if beside or spec.running == "cumulative:after" else "cumulative"
        spec.matched[m.group(0).strip()] = "running (cumulative)"
    for start in t.find(FROM_ZERO) if spec.running else ():
        t.take(start)
        spec.matched[start.group(0)] = "running from the first day of the period"
    for end in t.find(r"(?:at|by) the end of(?= (?:each|every|the) )") if spec.running else ():
        t.take(end)  # "the cumulative total at the end of each day": the day's running figure
        spec.matched[end.group(0)] = "each period's running figure"


def parse(running: str) -> Running:
    kind, _, days = running.partition(":")
    if kind.startswith("change"):
        return Running(kind, period=days)
    return Running(kind, int(days) if days.isdigit() else 0)


def changes(spec: QuerySpec) -> bool:
    """Whether the running figure is each period's change."""
    return bool(spec.running) and spec.running.startswith("change")


def shown_after(spec: QuerySpec) -> bool:
    """Whether the running figure is shown after the figure it runs (a change; a running total said
    "next to" the figure), not before it (the one the chart draws)."""
    return changes(spec) or spec.running == "cumulative:after"


def lead_in(spec: QuerySpec, first: date) -> date:
    """The first day read for a change over a window: the period before it as well, so that the
    window's first period has its change ("each of the last 7 days and how much it moved from the day
    before": the first day's change is from the day before the window)."""
    if not changes(spec):
        return first
    period = parse(spec.running).period
    if period == "day":
        return first - timedelta(days=1)
    if period == "week":
        return first - timedelta(days=first.weekday() + 7)
    return (first.replace(day=1) - timedelta(days=1)).replace(day=1)


def _change_columns(how: Running, time: str, over: str, metrics) -> list[tuple[str, str]]:
    if how.period != time:
        raise CannotAnswer(
            f"A change from the {how.period} before runs along {how.period}s: ask for the figure by "
            f"{how.period} (it is grouped by {time})."
        )
    if how.kind == "change":
        return [(f"change_{name}", f"{sql} - lag({sql}) {over}") for name, sql in metrics]
    return [
        (f"pct_change_{name}", f"100.0 * ({sql} - lag({sql}) {over}) / nullif(lag({sql}) {over}, 0)")
        for name, sql in metrics
    ]


def _pooled(sql: str) -> tuple[str, str] | None:
    """(the sum, the count) an average is pooled from, or None for a figure that is no average."""
    m = _AVG_SQL.fullmatch(sql.strip())
    if not m or m.group(1).count("(") != m.group(1).count(")"):
        return None
    return f"sum({m.group(1)}){m.group(2)}", f"count({m.group(1)})"


def additive(sql: str) -> bool:
    low = sql.lower().strip()
    return low.startswith(("count(*)", "sum(", "coalesce(sum(")) and "distinct" not in low  # filtered_inside


def filtered_inside(
    spec: QuerySpec, layer: SemanticLayer, grain_name: str, metrics, where: list[str], keep=frozenset()
):
    """(metrics, where) with the value filters moved into each count or total (``count(*) FILTER
    (WHERE ...)``), so that a period with none of the rows still has its row, at 0, and the running
    figure is shown for every day ("a running total of failed generations for each day of last
    week": the days without a failure were missing). Left as they are where a figure has another
    shape. The filters of ``keep`` stay: the sides named ("timeouts for pro vs free users": pro's
    row, at 0, was missing; compiler.py)."""
    conditions = [layer.dimensions[d].condition(grain_name, values=v) for d, v in spec.filters.items()
                  if d not in spec.splits and d not in keep]  # fmt: skip
    conditions = [c for c in conditions if c in where]
    if not conditions:
        return metrics, where
    out, said = [], " AND ".join(conditions)
    for name, sql in metrics:
        m = re.fullmatch(r"(count\(\*\)|sum\((.+)\))(?: FILTER \(WHERE (.+)\))?((?: / \d+)?)", sql.strip())
        if not m or (m.group(2) and m.group(2).count("(") != m.group(2).count(")")):
            return metrics, where
        kept = f"{m.group(3)} AND {said}" if m.group(3) else said
        counted = f"{m.group(1)} FILTER (WHERE {kept})"
        out.append(
            (name, (counted if m.group(1).startswith("count") else f"coalesce({counted}, 0)") + m.group(4))
        )
    return out, [w for w in where if w not in conditions]


def columns(spec: QuerySpec, layer: SemanticLayer, dims, metrics) -> list[tuple[str, str]]:
    """The running or rolling column of each metric: (name, window SQL over the grouped rows)."""
    how = parse(spec.running)
    times = [(d, expr) for d, expr in dims if layer.dimensions[d].time]
    if not times and how.kind == "cumulative":  # "month-to-date revenue": the total so far, one figure
        return []
    if len(times) != 1:
        raise CannotAnswer(
            "A running or rolling figure runs along one period: say which, e.g. 'cumulative revenue by day'."
        )
    (time, order), others = times[0], [expr for d, expr in dims if not layer.dimensions[d].time]
    if how.kind == "rolling" and time != "day":
        raise CannotAnswer(
            f"A {how.days}-day rolling figure runs over days: ask for it by day, not by {time}."
        )
    frame = f" RANGE BETWEEN INTERVAL {how.days - 1} DAYS PRECEDING AND CURRENT ROW" if how.days else ""
    over = f"OVER ({'PARTITION BY ' + ', '.join(others) + ' ' if others else ''}ORDER BY {order}{frame})"
    if how.kind.startswith("change"):
        return _change_columns(how, time, over, metrics)
    out = []
    for name, sql in metrics:
        label = layer.metrics[name].label if name in layer.metrics else name
        if additive(sql):
            column = f"{'avg' if how.kind == 'rolling' else 'sum'}({sql}) {over}"
        elif pooled := _pooled(sql):
            column = f"sum({pooled[0]}) {over} / nullif(sum({pooled[1]}) {over}, 0)"
        else:
            raise CannotAnswer(
                f"The {label} does not add up from one period to the next (a running count of distinct "
                "users is not the sum of the daily counts, nor a running median the median of medians): "
                "ask for it per period, or for a count or a total running."
            )
        prefix = f"rolling_{how.days}d" if how.kind == "rolling" else "running"
        out.append((f"{prefix}_{name}", column))
    return out


def describe(spec: QuerySpec, layer: SemanticLayer) -> str:
    """How the running figure was read, or "" where nothing runs (no period grouped)."""
    if not any(layer.dimensions[d].time for d in spec.dimensions):
        return ""
    how = parse(spec.running)
    if how.kind == "rolling":
        return f"with each day's figure over the {how.days} days ending that day (a rolling figure)"
    if how.kind.startswith("change"):
        unit = " in percent" if how.kind == "change_pct" else ""
        return f"with each {how.period}'s change{unit} from the {how.period} before"
    return "with the running total from the first period (a cumulative figure)"
