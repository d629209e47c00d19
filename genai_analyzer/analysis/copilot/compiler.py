"""QuerySpec → one readable DuckDB SELECT over the semantic layer's definitions.

Periods become dates in day_ranges.py, against the data's own last day. Filter values are literals
taken from the warehouse's own values, quoted; the SQL is shown to the user and can be edited and run
again.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta

from genai_analyzer.analysis.copilot import (
    against,
    buckets,
    firsts,
    gaps,
    lumped,
    nested,
    overlap,
    prompt_text,
    rate_rows,
    ratios,
    running,
)
from genai_analyzer.analysis.copilot.counted_rows import ONE_TOTAL, varying_within
from genai_analyzer.analysis.copilot.day_ranges import refuse_outside_data, resolve
from genai_analyzer.analysis.copilot.scaling import scaled
from genai_analyzer.analysis.copilot.shares import count_sql, share_sql, whole_condition
from genai_analyzer.analysis.copilot.spec import CannotAnswer, QuerySpec
from genai_analyzer.analysis.copilot.units import expressed, in_unit, refuse_unshown
from genai_analyzer.analysis.copilot.vocabulary import UNIT_COUNTS
from genai_analyzer.analysis.copilot.within import partition
from genai_analyzer.analysis.semantic import SemanticLayer, literal


@dataclass
class Compiled:
    sql: str
    grain: str
    dimensions: list[str]
    metrics: list[str]  # result column names of the metrics, in order
    window: tuple[date, date] | None
    previous_window: tuple[date, date] | None = None


def compile_spec(
    spec: QuerySpec, layer: SemanticLayer, last_day: date, first_day: date | None = None
) -> Compiled:
    """The SELECT answering ``spec`` (a period wholly before ``first_day``, the data's first day, is
    refused, as one after ``last_day`` is)."""
    if spec.nested:  # "the median of each user's success rate": per user, then over users (nested.py)
        nested.check(layer, spec)
        per_unit = compile_spec(nested.inner(spec), layer, last_day, first_day)
        dims = [d for d in per_unit.dimensions if d != spec.nested[1]]
        sql, names = nested.wrap(spec, layer, per_unit.sql, dims, per_unit.metrics)
        return Compiled(sql, per_unit.grain, dims, names, per_unit.window)
    if spec.gap:  # "pro vs free and the gap between them": both sides' rows, then one row (gaps.py)
        sides = compile_spec(replace(spec, gap=None), layer, last_day, first_day)
        sql, names = gaps.wrap(spec, sides.sql, sides.dimensions, sides.metrics)
        return Compiled(sql, sides.grain, [], names, sides.window)
    grain_name = layer.metrics[spec.metrics[0]].grain
    if spec.never_of:  # the units counted by their generations (value_filters.py)
        grain_name = "generations"
    grain = layer.grains[grain_name]
    for d in spec.dimensions:
        if layer.dimensions[d].unit:  # one generation's latency: a group per millisecond
            raise CannotAnswer(
                f"Grouping by the {layer.dimensions[d].label} gives a group per {layer.dimensions[d].unit}; "
                "ask for the generations above or below a value, e.g. 'how many generations took longer "
                "than 5 seconds'."
            )
    spec = replace(spec, dimensions=buckets.grouped(spec))  # by the bucket, not each value in it
    inside = partition(spec, spec.dimensions)  # "the top 2 samplers in each tier" (within.py)
    if spec.within and not inside:  # "for each tier" with nothing else ranked: a plain grouping
        spec = replace(spec, dimensions=[*spec.within, *(d for d in spec.dimensions if d not in spec.within)])
    grouped = [*inside, *(d for d in spec.dimensions if d not in inside)]
    dims = [(d, _split(spec, d, layer.dimensions[d].expression(grain_name))) for d in grouped]
    if spec.bucket:  # "in 1-second latency buckets": the bucket each row falls in (buckets.py)
        dims.insert(0, buckets.column(spec, layer, grain_name))
    metrics = [(m, layer.metrics[m].sql) for m in spec.metrics]
    if spec.counted_rate:  # "how many sessions ended on a failure": the rows the share counts
        metrics = [(f"{m}_count", count_sql(sql)) for m, sql in metrics]
    if spec.per:
        metrics = _per_unit(spec, layer, metrics, grain_name)
    metrics = in_unit(spec, layer, metrics)  # "in seconds"
    metrics = scaled(spec, layer, metrics)  # "per 1,000 generations"
    ratios.check(layer, spec)
    if spec.ratio:  # "revenue to cost ratio": one column, the first figure over the second
        (a, a_sql), (b, b_sql) = metrics
        metrics = [(ratios.column(a, b), f"({a_sql}) / nullif({b_sql}, 0)")]
    every = varying_within(spec) if spec.per_scope == "every" else []  # counted, not kept (_per_unit)
    conditions = [
        layer.dimensions[d].condition(grain_name, values=values)
        for d, values in spec.filters.items()
        if not any(g[2:] for g in spec.splits.get(d, []))  # "pro vs the rest": every row is on a side
        and d not in every
    ]
    conditions += _threshold_conditions(spec, layer, grain_name)
    conditions += [rate_rows.condition(layer, name) for name in spec.kept_by]  # "sessions that failed"
    # "by error code": only the failed generations have one (the layer's only_for)
    conditions += [f"{expr} IS NOT NULL" for d, expr in dims if only_for(spec, layer, d)]
    if spec.contains:  # "generations whose prompt mentions 'dragon'"
        conditions.append(
            prompt_text.condition(spec.contains, layer.dimensions["prompt"].expression(grain_name))
        )
    # "which tiers cost more than 0.3 cents per generation": the threshold is on the figure as divided
    # (it compared the total cost: blind set 32)
    divided = {
        n.removesuffix(f"_per_{spec.per}"): sql
        for n, sql in metrics
        if spec.per and n.endswith(f"_per_{spec.per}")
    }
    having = [
        f"{divided.get(name, layer.metrics[name].sql)} {op} {value}"
        for name, op, value, group in spec.thresholds
        if name in layer.metrics and (group is None or group in spec.dimensions)
    ]
    window = resolve(spec.time, last_day, first_day) if spec.time else None
    if spec.never_of:  # "how many users never generated an anime image"
        refuse_unshown(spec, "a count of units that never did something")
        return _never(spec, layer, grain_name, conditions, window)
    restated = spec.compare and spec.baseline and spec.baseline.kind == "between" == spec.time.kind
    # "the first week of October (Oct 1-7)": one period, said twice
    if restated and resolve(spec.baseline, last_day, first_day) == window:
        spec = replace(spec, compare=False, baseline=None)  # one period, said twice
    refuse_outside_data(window, first_day, last_day)
    if spec.compare:
        refuse_unshown(spec, "a comparison of two periods", layer)
        if spec.running or inside:
            raise CannotAnswer(
                "A running figure or a ranking inside each group, with a comparison of two periods, is "
                "more than I can read in one question: ask for one of them."
            )
        if having:
            raise CannotAnswer(
                "A threshold on groups and a comparison of two periods together is more than I can read "
                "in one question; ask for the groups that pass in one period at a time."
            )
        if window is None:
            raise CannotAnswer("A comparison needs a period, e.g. 'which art styles got slower last week'.")
        reads = [*(expr for _, expr in dims), *(sql for _, sql in metrics), *conditions, grain.date_sql]
        from_sql = grain.from_reading(*reads)
        baseline = resolve(spec.baseline, last_day, first_day) if spec.baseline else None
        if baseline == window:  # "last 7 days vs the previous 7 days": the period before, as default
            baseline = None
        if baseline and baseline[0] > window[0]:
            window, baseline = baseline, window  # the earlier period is the one compared with
        for bounds in (window, baseline):  # "q2 vs q3" when the data starts in q3
            refuse_outside_data(bounds, first_day, last_day, compared=True)
        if spec.overlap and spec.metrics != ["active_users"]:  # a follow-up changed the figure
            raise CannotAnswer("Seen in both periods is counted for users only: ask for the users.")
        if spec.overlap:  # "users active in both September and October" (overlap.py)
            before = baseline or _period_before(window)
            user_key = layer.dimensions["user"].expression(grain_name)
            from_sql = grain.from_reading(*reads, "u.is_known")
            sql = overlap.compiled(from_sql, grain.date_sql, dims, conditions, (before, window), user_key)
            return Compiled(sql, grain_name, [d for d, _ in dims], [overlap.COLUMN], window, before)
        return _compare(
            spec, from_sql, grain.date_sql, dims, metrics, conditions, window, grain_name, baseline
        )
    where = list(conditions)
    if spec.rest or spec.top_share:  # "top 3 samplers with the rest as one row" (lumped.py)
        sql, shown, names = lumped.compiled(spec, layer, grain, grain_name, dims, metrics, where, window)
        return Compiled(sql, grain_name, shown, names, window)
    shared_over = False  # a share taken within groups or periods: a window over them (PARTITION BY)
    if spec.share:  # the part the filters keep, over the whole (shares.py)
        times = [expr for d, expr in dims if layer.dimensions[d].time or d in spec.share_within]
        whole = whole_condition(layer, spec)
        among = spec.share_among  # the filters (and a status's cases) keep the whole
        if among and whole:  # "the share among failed generations by tier": the cases, divided by tier
            where, whole = [*where, whole], None
        part = [] if among else where  # "of pro users' generations": the filters keep the whole
        shared_over = bool(times) and not part  # each group over the sum of its period's (share_sql)
        metrics = [(f"{name}_share", share_sql(spec, sql, part, times, whole)) for name, sql in metrics]
        where = where if among else []
    runs, sides = [], {d for d in dims_named(spec) if len(spec.filters[d]) >= 2}
    if sides and not (spec.running or spec.top or spec.share or spec.thresholds or spec.count_of or inside):
        # "how many timeouts for pro vs free users": every side named has its row, at 0 when it has none
        metrics, where = running.filtered_inside(spec, layer, grain_name, metrics, where, keep=sides)
    if spec.running:  # "cumulative revenue by day": the figure carried along the periods (running.py)
        refuse_unshown(spec, "a running figure")
        if spec.top or spec.sort or spec.share or inside or spec.count_of:
            raise CannotAnswer("A running figure with a ranking, an order or a share is more than I can read "
                               "in one question: ask for the running figure alone.")  # fmt: skip
        metrics, where = running.filtered_inside(spec, layer, grain_name, metrics, where)
        runs = running.columns(spec, layer, dims, metrics)
    metrics = expressed(spec, layer, metrics)  # "as a percentage", "rounded to 2 decimals"
    if spec.top:  # a ranking names values: rows with none ("the most common error code") are no value
        ranked = [(d, expr) for d, expr in dims if not layer.dimensions[d].time and d not in spec.splits]
        ranked = [(d, expr) for d, expr in ranked if d not in inside]
        where += [f"{expr} IS NOT NULL" for _, expr in ranked]
    if window:  # a change over a window reads the period before it too (running.lead_in)
        first = running.lead_in(spec, window[0])
        where.insert(0, f"{grain.date_sql} BETWEEN DATE '{first}' AND DATE '{window[1]}'")
    select = [f"{expr} AS {name}" for name, expr in dims] + [f"{sql} AS {name}" for name, sql in metrics]
    if runs:  # the running figure first: the one the chart draws and the summary reads; a change after
        at = len(select) if running.shown_after(spec) else len(dims)
        select[at:at] = [f"{sql} AS {name}" for name, sql in runs]
    # a window over the groups names them in GROUP BY (GROUP BY ALL fails on a PARTITION BY of them)
    over_groups = bool(runs or inside or shared_over)
    if spec.against:  # "which tiers fail more often than overall" (against.py)
        base, keep, over = against.columns(spec, layer, grain_name, metrics[0], dims, where)
        select += [f"{sql} AS {name}" for name, sql in base]
        metrics, over_groups = metrics + base, over_groups or over
        if keep and not over:
            having.append(keep)
    if spec.count_of:  # "how many users have over 50 generations": the groups that pass, counted
        select = [f"{expr} AS {name}" for name, expr in dims]
    lines = [f"SELECT {', '.join(select)}", f"FROM {grain.from_reading(*select, *where, *having)}"]
    if where:
        lines.append("WHERE " + "\n  AND ".join(where))
    if dims:  # a window over the groups takes them named (running.py, against.py, within.py)
        lines.append("GROUP BY " + (", ".join(expr for _, expr in dims) if over_groups else "ALL"))
    if having:
        lines.append("HAVING " + "\n  AND ".join(having))
    if spec.against and keep and over:  # "days above the daily average": the mean of the groups
        lines.append(f"QUALIFY {keep}")
    if window and running.changes(spec) and runs:  # the period read before the window, not shown
        lines.append(f"QUALIFY {next(e for d, e in dims if layer.dimensions[d].time)} >= DATE '{window[0]}'")
    if spec.count_of:
        refuse_unshown(spec, "a count of groups")
        if inside:
            raise CannotAnswer("A ranking inside each group and a count of groups together is more than I "
                               "can read in one question; ask for one of them.")  # fmt: skip
        return _count_groups(spec, lines, [d for d, _ in dims], grain_name, window)
    if inside:  # ranked inside each group, ties kept (within.py)
        return _ranked_within(spec, lines, dims, metrics, grain_name, window, len(inside))
    if dims:  # a histogram's buckets in their order (buckets.py)
        lines.append(
            "ORDER BY " + (f"{dims[0][0]}, " if spec.bucket else "") + _order(spec, layer, metrics[0][0])
        )
    if spec.top and dims:  # "the runner-up": the rows ranked before it skipped
        lines.append(f"LIMIT {int(spec.top)}" + (f" OFFSET {int(spec.offset)}" if spec.offset else ""))
    # the columns in the order selected (the baseline's are in metrics; a change comes after its figure)
    shown = [metrics, runs] if running.shown_after(spec) else [runs, metrics]
    names = [m for part in shown for m, _ in part]
    return Compiled("\n".join(lines), grain_name, [d for d, _ in dims], names, window)


def _ranked_within(
    spec: QuerySpec, lines, dims, metrics: list[tuple[str, str]], grain_name: str, window, n: int
) -> Compiled:
    """The top N of the ranked groupings inside each of the first ``n`` groupings (``spec.within``):
    a rank per partition, ties kept, the places before ``spec.offset`` skipped (``lines`` group by the
    groupings named: QUALIFY does not take GROUP BY ALL)."""
    direction, (first_metric, first_sql) = "ASC" if spec.ascending else "DESC", metrics[0]
    keys = ", ".join(expr for _, expr in dims[:n])
    rank = f"rank() OVER (PARTITION BY {keys} ORDER BY {first_sql} {direction})"
    places = f"BETWEEN {int(spec.offset) + 1} AND {int(spec.offset) + int(spec.top)}"
    order = [*(d for d, _ in dims[:n]), f"{first_metric} {direction}", *(d for d, _ in dims[n:])]
    lines += [f"QUALIFY {rank} {places}", f"ORDER BY {', '.join(order)}"]
    return Compiled("\n".join(lines), grain_name, [d for d, _ in dims], [m for m, _ in metrics], window)


def only_for(spec: QuerySpec, layer: SemanticLayer, dimension: str) -> str:
    """The rows a grouping names values of, where the others have none by definition (the layer's
    ``only_for``: "failed generations" for the error code); "" when every row can have one, or when
    the question already names the values (a filter, a split) or asks for a share of all rows. The
    compiler leaves the other rows out by this, and the reading says so by it."""
    if (
        spec.share
        or dimension in spec.splits
        or dimension in spec.filters
        or dimension not in layer.dimensions
    ):
        return ""  # (a bucket of a number has a value on every row: buckets.py)
    return layer.dimensions[dimension].only_for


def _threshold_conditions(spec: QuerySpec, layer: SemanticLayer, grain_name: str) -> list[str]:
    """WHERE conditions of the thresholds: a numeric dimension per row ("more than 50 steps"), or
    the rows of the groups whose metric passes when they are not the question's groups."""
    out = []
    for name, op, value, group in spec.thresholds:
        if name in layer.dimensions:
            expr = layer.dimensions[name].expression(grain_name)
            if expr is None:  # "sessions with more than 50 steps": steps are the generations'
                raise CannotAnswer(
                    f"The {layer.dimensions[name].label} is a value of each generation, not of {grain_name}; "
                    f"ask about the generations with it."
                )
            out.append(f"{expr} {op} {value}")
        elif group is not None and group not in spec.dimensions:
            key, sql = layer.dimensions[group].expression(grain_name), layer.metrics[name].sql
            source = layer.grains[grain_name].from_reading(key, sql)
            out.append(f"{key} IN (SELECT {key} FROM {source} GROUP BY ALL HAVING {sql} {op} {value})")
    return out


def _count_groups(spec: QuerySpec, lines: list[str], dims: list[str], grain_name: str, window) -> Compiled:
    """The groups of ``spec.count_of`` that pass the thresholds, counted (per other grouping)."""
    outer = [d for d in dims if d not in (spec.count_of, *spec.count_with)]
    name = "_".join([spec.count_of, *spec.count_with, "count"])
    inner = "\n  ".join(lines)
    sql = [f"SELECT {', '.join([*outer, f'count(*) AS {name}'])}", f"FROM (\n  {inner}\n) AS passing"]
    if outer and spec.top:  # "top 5 users by number of distinct prompts": ranked (it listed every user)
        order = f"{name} {'ASC' if spec.ascending else 'DESC'}, {', '.join(outer)}"
        sql += ["GROUP BY ALL", f"ORDER BY {order}", f"LIMIT {int(spec.top)}"]
    elif outer:
        sql += ["GROUP BY ALL", f"ORDER BY {', '.join(outer)}"]
    return Compiled("\n".join(sql), grain_name, outer, [name], window)


# units counted by a figure of the layer rather than by their distinct values
_COUNTED_BY = {"gpu_hour": "gpu_hours", "successful_generation": "successful_generations"}


def _per_unit(spec: QuerySpec, layer: SemanticLayer, metrics, grain_name: str) -> list[tuple[str, str]]:
    """Each metric divided by the number of units ("revenue per user"): defined for totals and
    counts only; a rate or an average per user would be another question."""
    if grain_name != "generations" or spec.per not in (
        "user",
        "session",
        "generation",
        "day",
        "gpu_hour",
        "successful_generation",
    ):
        raise CannotAnswer(
            f"I can divide figures of generations by users, sessions, generations or days, not per "
            f"{spec.per}."
        )
    # the count a unit divides by: its dimension's distinct values, or the rows for a generation
    if spec.per in _COUNTED_BY:  # "margin per GPU hour": over the GPU hours it took; "cost per
        # successful image": over the generations that succeeded (the layer's own figures)
        unit_count = f"({layer.metrics[_COUNTED_BY[spec.per]].sql})"
    else:
        unit_key = layer.dimensions[spec.per].expression(grain_name) if spec.per != "generation" else None
        unit_count = f"count(DISTINCT {unit_key})" if unit_key else "count(*)"
    out = []
    per_at = spec.positions.get("per")
    before = [(spec.positions.get(f"metric:{n}", -1), n) for n, _ in metrics]
    before = [n for at, n in before if per_at is not None and at < per_at]
    # "cost and revenue per image": each figure said before "per" is divided, but the unit's own
    # count ("active users and generations per user": the users are not divided by themselves)
    own = {**UNIT_COUNTS, "generation": "generations"}.get(spec.per)
    divided = {n for n in before if n != own} if len(metrics) > 1 and before else None
    varying = varying_within(spec)
    every = bool(varying) and spec.per_scope == "every"  # the filter moves into each count (FILTER)
    for name, sql in metrics:
        if every and (divided is not None and name not in divided or not ONE_TOTAL.fullmatch(sql)):
            # the WHERE clause no longer holds the filter: a figure it could not move into would lose it
            raise CannotAnswer(
                f"Counting {spec.per}s with none as zero is read for one count or total per {spec.per} "
                f"(errors, prompt edits, cost): ask for {layer.metrics[name].label} on its own.",
                unread=(f"per {spec.per}",),
            )
        if divided is not None and name not in divided:  # "active users and generations per user"
            out.append((name, sql))
            continue
        if name == "generations" and spec.per == "generation":  # "generations per generation" is 1
            raise CannotAnswer(
                "A count of generations per generation is always 1: say which figure you want per "
                "image (cost per image, GPU hours per image, ...)."
            )
        if name == own and not (spec.filters or spec.thresholds):  # "sessions per session" is 1
            raise CannotAnswer(
                f"A count of {spec.per}s per {spec.per} is always 1: say which figure you want per "
                f"{spec.per} (generations, prompt edits, cost, ...)."
            )
        if every:  # "errors per session, counting sessions with none as zero": the rows counted, every unit
            kept = " AND ".join(
                layer.dimensions[d].condition(grain_name, values=spec.filters[d]) for d in varying
            )
            out.append((f"{name}_per_{spec.per}", f"{sql} FILTER (WHERE {kept}) / nullif({unit_count}, 0)"))
            continue
        if sql.lower().startswith("count(") and varying and spec.per_scope != "having":
            # "errors per session": over every session, or over the sessions that had an error?
            label = layer.dimensions[varying[0]].label
            raise CannotAnswer(
                f"A count of the rows of one {label} per {spec.per} could be over every {spec.per} or "
                f"over the {spec.per}s that have such rows, two different figures: ask for the count "
                f"and the number of {spec.per}s side by side, or per {spec.per} without the {label}.",
                unread=(f"per {spec.per}",),
            )
        if not sql.lower().startswith(("count(", "sum(")):
            raise CannotAnswer(
                f"'{layer.metrics[name].label} per {spec.per}' is not defined: only totals and counts "
                f"(generations, users, cost, revenue, GPU hours) can be divided per {spec.per}."
            )
        # "margin per user": the whole difference is divided, not its second term
        total = f"({sql})" if " - " in sql or " + " in sql else sql
        out.append((f"{name}_per_{spec.per}", f"{total} / nullif({unit_count}, 0)"))
    return out


def dims_named(spec: QuerySpec) -> list[str]:
    """The groupings whose values the question names side by side ("pro vs free")."""
    named = [d for d in spec.dimensions if d in spec.filters and d not in spec.splits]
    return [d for d in named if d not in spec.excluded]


def _split(spec: QuerySpec, dim: str, expr: str) -> str:
    """A dimension's expression, or for a two-way split the group each value belongs to."""
    groups = spec.splits.get(dim)
    if not groups:
        return expr
    whens = " ".join(
        f"WHEN {expr} IN ({', '.join(literal(v) for v in values)}) THEN {literal(label)}"
        for label, values, *rest in groups
        if not rest
    )
    rest = [g[0] for g in groups if g[2:]]  # the rest: every other row, rows with no value too
    return f"CASE {whens}" + (f" ELSE {literal(rest[0])}" if rest else "") + " END"


def _order(spec: QuerySpec, layer: SemanticLayer, first_metric: str | None = None) -> str:
    first_metric = first_metric or spec.metrics[0]
    time_dims = [d for d in spec.dimensions if layer.dimensions[d].time and d not in spec.splits]
    other = [d for d in spec.dimensions if d not in time_dims]  # an hour split's sides are categories
    if spec.chrono:  # "the first day with more than 150 generations" (firsts.py)
        return firsts.order(spec, time_dims, other)
    if spec.top:
        direction = "ASC" if spec.ascending else "DESC"
        return ", ".join([f"{first_metric} {direction}", *time_dims, *other])
    if spec.sort in ("newest", "names"):  # "newest day first", "alphabetically" (presentation.py)
        newest = [f"{d} DESC" for d in time_dims] if spec.sort == "newest" else time_dims
        return ", ".join([*newest, *other] if time_dims and spec.sort == "newest" else [*other, *newest])
    if spec.sort:  # "worst first", "sorted from highest to lowest"
        return ", ".join([f"{first_metric} {spec.sort.upper()}", *time_dims, *other])
    if time_dims:
        return ", ".join([*time_dims, *other])
    return ", ".join([f"{first_metric} DESC", *other])


def _period_before(window: tuple[date, date]) -> tuple[date, date]:
    """As many days as ``window``, ending the day before it: what a period is compared with by default."""
    days = (window[1] - window[0]).days + 1
    return window[0] - timedelta(days=days), window[0] - timedelta(days=1)


def _compare(
    spec, from_sql, date_sql, dims, metrics, conditions, window, grain_name, baseline=None
) -> Compiled:
    previous = baseline or _period_before(window)
    name, sql = metrics[0]
    keys = [d for d, _ in dims]

    def period(bounds) -> str:
        where = [f"{date_sql} BETWEEN DATE '{bounds[0]}' AND DATE '{bounds[1]}'", *conditions]
        select = [f"{expr} AS {d}" for d, expr in dims] + [f"{sql} AS value"]
        group = " GROUP BY ALL" if dims else ""
        return f"SELECT {', '.join(select)} FROM {from_sql} WHERE {' AND '.join(where)}{group}"

    # A plain comparison keeps every value seen in either period (a count or a total is 0 where the
    # value had no rows; a rate or an average has no value there). "Which ... grew / got slower"
    # asks about values that have both periods; the reading says so (explain.describe).
    both = spec.compare_direction in ("up", "down")
    join_kind = "JOIN" if both else "FULL JOIN"
    join = (
        f"{join_kind} previous_period p USING ({', '.join(keys)})" if keys else "CROSS JOIN previous_period p"
    )
    additive = sql.lower().startswith(("count(", "sum(")) and not both
    before, after = ("coalesce(p.value, 0)", "coalesce(c.value, 0)") if additive else ("p.value", "c.value")
    pct = ["change_pct"] if spec.unit == "percent" else []  # "in dollars and in percent" (units.py)
    direction = "ASC" if spec.compare_direction == "down" else "DESC"
    order = f"change {direction} NULLS LAST"
    keep = {"up": f"WHERE {after} - {before} > 0", "down": f"WHERE {after} - {before} < 0"}.get(
        spec.compare_direction or "", ""
    )
    columns = [*keys, f"{before} AS {name}_before", f"{after} AS {name}", f"{after} - {before} AS change"]
    columns += [f"100.0 * ({after} - {before}) / nullif({before}, 0) AS {p}" for p in pct]
    lines = [
        f"WITH current_period AS ({period(window)}),",
        f"previous_period AS ({period(previous)})",
        "SELECT " + ", ".join(columns),
        f"FROM current_period c {join}" + (f"\n{keep}" if keep and keys else ""),
        f"ORDER BY {order}" + (f" LIMIT {int(spec.top)}" if spec.top and keys else ""),
    ]
    names = [f"{name}_before", name, "change", *pct]
    return Compiled("\n".join(lines), grain_name, keys, names, window, previous)


def _never(spec: QuerySpec, layer: SemanticLayer, grain_name: str, conditions: list[str], window) -> Compiled:
    """The units (``spec.never_of``) whose generations, among those passing the other filters and
    the period, hold none of ``spec.never``'s values, counted."""
    grain = layer.grains[grain_name]
    key = layer.dimensions[spec.never_of].expression(grain_name)
    named = " OR ".join(layer.dimensions[d].condition(grain_name, values=v) for d, v in spec.never.items())
    where = [f"{key} IS NOT NULL", *conditions]
    if window:
        where.insert(0, f"{grain.date_sql} BETWEEN DATE '{window[0]}' AND DATE '{window[1]}'")
    metric = spec.metrics[0]
    sql = "\n".join(
        [
            f"SELECT count(*) AS {metric}",
            f"FROM (SELECT {key} AS unit FROM {grain.from_reading(key, named, *where)}",
            "  WHERE " + "\n    AND ".join(where),
            f"  GROUP BY {key}",
            f"  HAVING count(*) FILTER (WHERE {named}) = 0) AS units",
        ]
    )
    return Compiled(sql, grain_name, [], [metric], window)
