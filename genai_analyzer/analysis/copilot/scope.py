"""The app's filter bar as the copilot's outer scope (docs/copilot.md, "Within the filter bar").

An answer asked under applied ``Filters`` covers only the rows the filters keep; what the question
itself says (a period, a tier) narrows further inside that scope. The scope is written into the
answer's SQL, in the open: each mart of rows the SQL reads (``fact_generations``, ``dim_sessions``)
is shadowed by a CTE of the same name holding only the rows in scope, so every part of the query
(a comparison's two periods, a share's whole, a subquery) sees the same rows, the SQL shown is the
SQL that ran, and it still runs as written when copied. A question that contradicts the scope
("free users" while the bar keeps pro) gets the intersection, empty, and the reading says so.

SQL the semantic layer did not write (a behaviour answer over the prompt-edit marts, an approved
answer reading them, the language model's) is scoped only when every table it reads is one the
scope can narrow; otherwise the reading says that the filter bar does not apply to it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import sqlglot
from sqlglot import exp

from genai_analyzer.analysis import semantic
from genai_analyzer.analysis.filters import VALUE_FIELDS, Filters
from genai_analyzer.analysis.formatting import plural
from genai_analyzer.warehouse.reader import Warehouse

# The marts whose rows the scope narrows, with the grain whose rows they are (in CTE order: the
# sessions' condition reads the real fact_generations, so their CTE comes before its shadow).
SCOPED_TABLES = {"dim_sessions": ("sessions", "s"), "fact_generations": ("generations", "f")}
# Marts joined to those rows for their columns: they add no rows of their own to a scoped query.
LOOKUP_TABLES = frozenset({"dim_users", "dim_prompts", "dim_date"})
_RECURSIVE = re.compile(r"^\s*WITH\s+RECURSIVE\b", re.I)
_WITH = re.compile(r"^\s*WITH\s+", re.I)


@dataclass(frozen=True)
class Scope:
    """Applied filters and their plain words ("tier pro, 2025-09-20 to 2025-10-03")."""

    filters: Filters
    text: str

    @property
    def within(self) -> str:
        return f"within the filter bar: {self.text}"

    @property
    def all_dates(self) -> str:
        """What a question naming no period covers within the scope."""
        dated = self.filters.start or self.filters.end
        return "all dates the filter bar keeps" if dated else "all dates"

    def reading(self, how: str, asked: dict, layer, window, previous, splits=()) -> str:
        """``how`` (a reading) with the scope and where the question meets it (``conflicts``)."""
        return "; ".join([how, self.within, *conflicts(asked, self.filters, layer, window, previous, splits)])

    @property
    def not_applied(self) -> str:
        return f"the filter bar ({self.text}) does not apply to this answer"


def scope_of(wh: Warehouse, filters: Filters | None) -> Scope | None:
    """The scope of ``filters``, or None when they keep every row (nothing changes then)."""
    if filters is None or not filters.active:
        return None
    return Scope(filters, describe(wh, filters))


def describe(wh: Warehouse, filters: Filters) -> str:
    """The filters in plain words, the map selection as the generations it holds: "tier pro,
    2025-09-20 to 2025-10-03, 2,310 generations selected on the prompt map"."""
    parts = [
        f"{spec.label.lower()} {', '.join(getattr(filters, spec.name))}"
        for spec in VALUE_FIELDS
        if getattr(filters, spec.name)
    ]
    if filters.start and filters.end:
        parts.append(f"{filters.start} to {filters.end}")
    elif filters.start or filters.end:
        parts.append(f"from {filters.start}" if filters.start else f"until {filters.end}")
    if filters.max_nsfw is not None:
        parts.append(f"NSFW score at most {filters.max_nsfw:g}")
    if (selection := filters.map_selection) is not None:
        condition, params = selection.condition()
        count = wh.scalar(f"SELECT count(*) FROM fact_generations f WHERE {condition}", params)
        shape = "a box" if selection.shape == "box" else "a lasso"
        parts.append(
            f"{plural(int(count or 0), 'generation')} selected on the {selection.kind} map ({shape})"
        )
    return ", ".join(parts)


def tables_read(sql: str) -> set[str] | None:
    """The tables ``sql`` reads (its own CTEs left out), or None when it does not parse."""
    try:
        tree = sqlglot.parse_one(sql, read="duckdb")
    except sqlglot.errors.ParseError:
        return None
    ctes = {cte.alias_or_name.lower() for cte in tree.find_all(exp.CTE)}
    return {t.name.lower() for t in tree.find_all(exp.Table) if t.name.lower() not in ctes}


def scoped_sql(sql: str, filters: Filters, *, strict: bool = True) -> str | None:
    """``sql`` reading only the rows in scope: a CTE named after each scoped mart it reads, over
    that mart's rows passing the filters, put before the query (and its own CTEs). With ``strict``
    (SQL the semantic layer did not write), None when it reads a table the scope cannot narrow or
    none it can; None too for a recursive query, whose CTEs see themselves."""
    tables = tables_read(sql)
    if tables is None or _RECURSIVE.match(sql):
        return None
    shadowed = [name for name in SCOPED_TABLES if name in tables]
    if not shadowed or (strict and tables - set(SCOPED_TABLES) - LOOKUP_TABLES):
        return None
    layer = semantic.load()
    ctes = []
    for name in shadowed:
        grain, alias = SCOPED_TABLES[name]
        condition = filters.literal_scope(grain)
        source = layer.grains[grain].from_reading(condition)
        body = f"SELECT {alias}.* FROM {source}\n  WHERE {condition}"
        ctes.append(f"{name} AS (  -- the filter bar's scope\n  {body}\n)")
    head = "WITH " + ",\n".join(ctes)
    if _WITH.match(sql):
        return f"{head},\n{_WITH.sub('', sql, count=1)}"
    return f"{head}\n{sql}"


def clip(bounds, filters: Filters):
    """A period cut to the filters' dates: what the rows of a scoped answer cover (``bounds`` as
    it is when there is no overlap, or no period)."""
    if not bounds:
        return bounds
    low, high = max(bounds[0], filters.start or bounds[0]), min(bounds[1], filters.end or bounds[1])
    return (low, high) if low <= high else bounds


def conflicts(
    asked_values: dict, filters: Filters, layer: semantic.SemanticLayer, window, previous, splits=()
) -> list[str]:
    """Where the question and the scope meet, in plain words: values (``asked_values``, dimension
    -> values the question keeps) or periods it asks for that the scope leaves out (the answer
    holds only the intersection: empty when there is none). ``splits``: dimensions split in two."""
    notes = []
    for spec_field in VALUE_FIELDS:
        kept = getattr(filters, spec_field.name)
        dim = spec_field.dimension
        if not kept or not asked_values.get(dim):
            continue
        label = layer.dimensions[dim].label.lower()
        asked = [str(v) for v in asked_values[dim]]
        both = [v for v in asked if v in kept]
        if dim in splits:
            notes.append(f"the split by {label} counts only {', '.join(kept)}, the filter bar's {label}")
        elif not both:
            notes.append(
                f"the question asks for {label} {', '.join(asked)} but the filter bar keeps {label} "
                f"{', '.join(kept)} only: no row is both, so the answer is empty"
            )
        elif len(both) < len(asked):
            left = [v for v in asked if v not in kept]
            notes.append(f"{label} {', '.join(left)} left out by the filter bar")
    if filters.start or filters.end:
        for name, bounds in (("the question's period", window), ("the compared period", previous)):
            if not bounds:
                continue
            if (filters.start and filters.start > bounds[1]) or (filters.end and filters.end < bounds[0]):
                notes.append(
                    f"{name}, {bounds[0]} to {bounds[1]}, is outside the filter bar's dates: "
                    "no row is in both, so it is empty"
                )
            elif (cut := clip(bounds, filters)) != tuple(bounds):
                notes.append(f"{name} is cut to {cut[0]} to {cut[1]} by the filter bar's dates")
    return notes


def scope_answer_sql(sql: str, how: str, scope: Scope | None, *, strict: bool = True) -> tuple[str, str]:
    """SQL the semantic parser did not compile (a behaviour or approved answer) narrowed to the
    scope where every table it reads can be (``strict``; or, for a funnel's sessions, every mart of
    rows it reads), and its reading saying which."""
    if scope is None:
        return sql, how
    narrowed = scoped_sql(sql, scope.filters, strict=strict)
    if narrowed is None:
        return sql, f"{how}; {scope.not_applied}: it reads tables the filter bar does not narrow"
    return narrowed, f"{how}; {scope.within}"


def scope_note(scope: Scope | None, applied: bool) -> str:
    """The answer's ``scope`` field: the filter bar it was asked within, or that it does not apply."""
    if scope is None:
        return ""
    return scope.within if applied else scope.not_applied


def behaviour_sql(found, scope: Scope | None, layer: semantic.SemanticLayer) -> tuple[str, str]:
    """A behaviour answer's SQL and reading within ``scope``: a funnel's sessions narrowed as the
    funnel view narrows them, with the tiers it asks for met against the scope's. Any other
    behaviour answer (prompt edits, ideas, retention, the lifecycle) is not narrowed, and the
    reading says so: narrowing the rows it reads would not be what the Refinement and Cohorts
    views show under the same filters (a cohort's weeks run over all the data there)."""
    if scope is None:
        return found.sql, found.reading
    if not found.sessions_only:
        views = "the Analytics tab's Refinement and Cohorts views apply it to these figures"
        return found.sql, f"{found.reading}; {scope.not_applied}: it is answered over all the data ({views})"
    sql, how = scope_answer_sql(found.sql, found.reading, scope, strict=False)
    if sql == found.sql:
        return sql, how
    how = found.reading.replace("; all dates", f"; {scope.all_dates}")
    return sql, scope.reading(how, {"tier": found.tiers}, layer, None, None)
