"""The filter bar, as one value type shared by the Analytics tab, the Explorer, the API, the CLI and
the copilot.

``FILTER_FIELDS`` names the filters once: the API's parameters, the CLI's options and the app's
filter bar are all made from it. ``Filters.from_inputs`` parses and checks what a person or a
caller typed (dates parse, the range is not inverted, values exist in their dimension, with the
valid values named in the error), and ``Filters.where`` compiles the conditions from the semantic
layer's dimension expressions, the same ones the copilot groups and filters by.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from genai_analyzer.analysis import semantic
from genai_analyzer.core.errors import AnalyzerError

# The earliest and latest day a filter may name: generation logs start after 2000, and a far date
# would overflow the previous-period arithmetic of the KPI cards.
MIN_DAY, MAX_DAY = date(2000, 1, 1), date(2199, 12, 31)


@dataclass(frozen=True)
class FilterField:
    """One filter: its parameter name, what a person reads, and the semantic dimension it filters
    (None for the date range)."""

    name: str
    label: str
    dimension: str | None
    option: str  # the command line's option
    help: str


FILTER_FIELDS = (
    FilterField("start", "From", None, "--from", "First day, YYYY-MM-DD (default: the data's first day)."),
    FilterField("end", "To", None, "--to", "Last day, YYYY-MM-DD (default: the data's last day)."),
    FilterField("tiers", "Tier", "tier", "--tier", "Only these user tiers (repeatable)."),
    FilterField("statuses", "Status", "status", "--status", "Only these statuses (repeatable)."),
    FilterField("domains", "Domain", "domain", "--domain", "Only these prompt domains (repeatable)."),
    FilterField("art_styles", "Art style", "art_style", "--style", "Only these art styles (repeatable)."),
    FilterField(
        "prompt_clusters",
        "Prompt cluster",
        "prompt_cluster",
        "--prompt-cluster",
        "Only prompts of these prompt clusters, by name, e.g. '#3 castle, dragon, fantasy' (repeatable).",
    ),
    FilterField(
        "visual_clusters",
        "Visual cluster",
        "visual_cluster",
        "--visual-cluster",
        "Only images of these visual clusters, by name (repeatable).",
    ),
    FilterField(
        "map_selection",
        "Map selection",
        None,
        "--map-selection",
        "Only generations inside a region of the map (docs/map.md): 'prompt:box:x0,x1,y0,y1' or "
        "'visual:lasso:x1,y1,x2,y2,x3,y3,...' (prompt or visual map).",
    ),
)
FILTER_NAMES = tuple(f.name for f in FILTER_FIELDS)
# The fields that hold one text value (the dates, the map selection); the others hold lists.
TEXT_FIELDS = tuple(f.name for f in FILTER_FIELDS if f.dimension is None)
MAP_KINDS = ("prompt", "visual")
MAX_LASSO_POINTS = 200
_FIELD = "map_selection"
# What a view can compare its period with: nothing, the period of equal length just before it
# (``Filters.previous_period``), or a period the user chooses (``compare_start`` to
# ``compare_end``); the ``compare`` argument of /kpis, /timeseries and /chart.
COMPARE_MODES = ("none", "previous", "period")
# The label of the compared rows' ``period`` column and of the overlays, by mode.
COMPARE_LABELS = {"previous": "previous", "period": "compared"}
VALUE_FIELDS = tuple(f for f in FILTER_FIELDS if f.dimension)


class FilterError(AnalyzerError):
    """A filter value that cannot be used: a malformed date, an inverted range, an unknown value.

    ``field`` names the filter; ``valid`` lists the values it can take, where that helps."""

    def __init__(self, message: str, *, field: str | None = None, valid: list[str] | None = None):
        super().__init__(message)
        self.field = field
        self.valid = valid


def parse_day(text: str | date | None, name: str) -> date | None:
    """'2025-09-01' (or a date, or '2025-09-01 00:00:00') -> date; '' or None -> None."""
    if text is None or isinstance(text, date):
        day = text
    elif not isinstance(text, str):
        raise FilterError(
            f"{name} must be a date as text (YYYY-MM-DD), not {type(text).__name__}.", field=name
        )
    else:
        text = text.strip()
        if not text:
            return None
        try:
            day = date.fromisoformat(text[:10]) if len(text) == 10 or text[10:11] in (" ", "T") else None
        except ValueError:
            day = None
        if day is None:
            raise FilterError(f"{name} {text!r} is not a date; use YYYY-MM-DD.", field=name)
    if day is not None and not MIN_DAY <= day <= MAX_DAY:
        raise FilterError(f"{name} {day} is outside {MIN_DAY} to {MAX_DAY}.", field=name)
    return day


def _value_list(value, name: str) -> list[str]:
    """A list of strings from a list, tuple, None or a single string; anything else is an error."""
    if value is None:
        return []
    if isinstance(value, str):
        return [value] if value.strip() else []
    if not isinstance(value, list | tuple):
        raise FilterError(f"{name} must be a list of values, not {type(value).__name__}.", field=name)
    bad = [v for v in value if not isinstance(v, str)]
    if bad:
        raise FilterError(f"{name} must hold text values; got {bad[0]!r}.", field=name)
    return list(dict.fromkeys(v.strip() for v in value if v.strip()))


@dataclass(frozen=True)
class MapSelection:
    """A region of the prompt or visual map (docs/map.md) a box or a lasso drew: the generations
    whose prompt (or image) lies inside it. A box is ``(x0, x1, y0, y1)``; a lasso a polygon of at
    least 3 points, closed from its last point back to its first."""

    kind: str
    shape: str  # "box" or "lasso"
    points: tuple[float, ...]  # box: x0, x1, y0, y1; lasso: x1, y1, x2, y2, ...

    @classmethod
    def parse(cls, text: str | MapSelection | None) -> MapSelection | None:
        """'prompt:box:x0,x1,y0,y1' or 'visual:lasso:x1,y1,x2,y2,x3,y3' -> a MapSelection; '' -> None."""
        if isinstance(text, MapSelection):
            return text
        if text is not None and not isinstance(text, str):
            raise FilterError(f"map_selection must be text, not {type(text).__name__}.", field=_FIELD)
        text = (text or "").strip()
        if not text:
            return None
        usage = "use 'prompt:box:x0,x1,y0,y1' or 'prompt:lasso:x1,y1,x2,y2,x3,y3,...' (or visual:...)"
        parts = text.split(":")
        if len(parts) != 3 or parts[0] not in MAP_KINDS or parts[1] not in ("box", "lasso"):
            raise FilterError(
                f"map_selection {text[:80]!r} is not a map region; {usage}.", field="map_selection"
            )
        try:
            numbers = tuple(float(v) for v in parts[2].split(","))
        except ValueError:
            raise FilterError(
                f"map_selection {text[:80]!r} holds a value that is not a number; {usage}.",
                field="map_selection",
            ) from None
        if not all(math.isfinite(v) for v in numbers):
            raise FilterError("map_selection's coordinates must be finite numbers.", field="map_selection")
        if parts[1] == "box":
            if len(numbers) != 4:
                raise FilterError(
                    f"A map box takes 4 numbers (x0,x1,y0,y1), not {len(numbers)}.", field="map_selection"
                )
            x0, x1, y0, y1 = numbers
            numbers = (min(x0, x1), max(x0, x1), min(y0, y1), max(y0, y1))
        elif len(numbers) % 2 or not 3 <= len(numbers) // 2 <= MAX_LASSO_POINTS:
            raise FilterError(
                f"A map lasso takes 3 to {MAX_LASSO_POINTS} points as x,y pairs; got {len(numbers)} numbers.",
                field="map_selection",
            )
        return cls(parts[0], parts[1], numbers)

    def text(self) -> str:
        return f"{self.kind}:{self.shape}:{','.join(f'{v:g}' for v in self.points)}"

    def describe(self) -> str:
        """'prompt map, box x -1.2 to 3.4, y 0 to 2' / 'visual map, lasso of 12 points'."""
        if self.shape == "box":
            x0, x1, y0, y1 = self.points
            return f"{self.kind} map, box x {x0:.3g} to {x1:.3g}, y {y0:.3g} to {y1:.3g}"
        return f"{self.kind} map, lasso of {len(self.points) // 2} points"

    def condition(self) -> tuple[str, dict]:
        """The SQL condition over fact_generations ``f`` (its ``<kind>_map_x/_y``) and its values.
        A lasso keeps the points an even-odd ray cast finds inside the polygon, after its bounding
        box (which lets most rows out at once)."""
        x, y = f"f.{self.kind}_map_x", f"f.{self.kind}_map_y"
        if self.shape == "box":
            x0, x1, y0, y1 = self.points
            sql = f"{x} BETWEEN $map_x0 AND $map_x1 AND {y} BETWEEN $map_y0 AND $map_y1"
            return sql, {"map_x0": x0, "map_x1": x1, "map_y0": y0, "map_y1": y1}
        xs, ys = list(self.points[0::2]), list(self.points[1::2])
        i, j = "$map_px[i + 1]", "$map_px[(i + 1) % len($map_px) + 1]"
        yi, yj = "$map_py[i + 1]", "$map_py[(i + 1) % len($map_py) + 1]"
        crossing = (
            f"(({yi} > {y}) != ({yj} > {y})) AND ({x} < ({j} - {i}) * ({y} - {yi}) / ({yj} - {yi}) + {i})"
        )
        sql = (
            f"{x} BETWEEN $map_x0 AND $map_x1 AND {y} BETWEEN $map_y0 AND $map_y1 "
            f"AND len(list_filter(range(len($map_px)), i -> {crossing})) % 2 = 1"
        )
        bounds = {"map_x0": min(xs), "map_x1": max(xs), "map_y0": min(ys), "map_y1": max(ys)}
        return sql, {**bounds, "map_px": xs, "map_py": ys}


@dataclass(frozen=True)
class Filters:
    """Filters on generations (date, tier, status, nsfw, visual cluster, a region of the map) and
    prompts (domain, art style, prompt cluster).

    One value for every view: search, the Analytics charts, the Explorer, the API, the CLI.
    """

    start: date | None = None
    end: date | None = None
    tiers: tuple[str, ...] = field(default=())
    statuses: tuple[str, ...] = field(default=())
    domains: tuple[str, ...] = field(default=())
    art_styles: tuple[str, ...] = field(default=())
    prompt_clusters: tuple[str, ...] = field(default=())
    visual_clusters: tuple[str, ...] = field(default=())
    max_nsfw: float | None = None  # keep generations whose image_nsfw is at most this
    map_selection: MapSelection | None = None  # a region of the map (the Map tab's box or lasso)

    def __post_init__(self):
        for spec in VALUE_FIELDS:  # lists given directly become tuples: the value is immutable
            object.__setattr__(self, spec.name, tuple(getattr(self, spec.name) or ()))

    def where(self, grain: str = "generations") -> tuple[str, dict]:
        """SQL conditions over ``grain``'s FROM clause (its aliases), and their bound values."""
        layer = semantic.load()
        clauses, params = [], {}
        date_sql = layer.grains[grain].date_sql
        if self.start is not None:
            clauses.append(f"{date_sql} >= $start")
            params["start"] = self.start
        if self.end is not None:
            clauses.append(f"{date_sql} <= $end")
            params["end"] = self.end
        for spec in VALUE_FIELDS:
            values = getattr(self, spec.name)
            if values:
                clauses.append(layer.dimensions[spec.dimension].condition(grain, param=spec.name))
                params[spec.name] = list(values)
        if self.max_nsfw is not None:
            clauses.append("coalesce(f.image_nsfw, 0) <= $max_nsfw")
            params["max_nsfw"] = self.max_nsfw
        if self.map_selection is not None:
            sql, values = self.map_selection.condition()
            clauses.append(sql)
            params.update(values)
        return (" AND ".join(clauses) or "true"), params

    @property
    def active(self) -> bool:
        return self.where()[0] != "true"

    def dimensions(self) -> set[str]:
        """The semantic dimensions the value filters narrow ("tier", "domain", ...)."""
        return {spec.dimension for spec in VALUE_FIELDS if getattr(self, spec.name)}

    def row_scope(self, grain: str = "generations") -> tuple[str, dict]:
        """The condition keeping one row of ``grain`` in scope, and its bound values. A generation
        is in scope when it passes ``where``; a session when it started within the dates, its
        user's tier is kept, and it holds a generation passing the other filters (status, domain,
        style, clusters, NSFW, map), which a session does not carry itself."""
        if grain == "generations":
            return self.where()
        own, params = Filters(start=self.start, end=self.end, tiers=self.tiers).where(grain)
        rest = replace(self, start=None, end=None, tiers=())
        where, more = rest.where()
        if where == "true":
            return own, params
        source = semantic.load().grains["generations"].from_reading(where)
        sessions = f"s.session_id IN (SELECT f.session_id FROM {source} WHERE {where})"
        return f"{own} AND {sessions}" if own != "true" else sessions, {**params, **more}

    def literal_scope(self, grain: str = "generations") -> str:
        """``row_scope`` with its values written into the SQL as literals: for SQL that is shown
        to people and can be edited and run again as it stands (the copilot's)."""
        return inline(*self.row_scope(grain))

    def previous_period(self, first: date, last: date) -> Filters:
        """The same filters over the period of equal length that ends the day before this one
        starts: what the KPI deltas and the time charts' overlays compare with. An open start or end
        stands for ``first`` or ``last`` (the data's first and last day). 2025-09-29 to 2025-10-12
        (14 days) -> 2025-09-15 to 2025-09-28."""
        start, length = self.start or first, self.days(first, last)
        return replace(self, start=start - timedelta(days=length), end=start - timedelta(days=1))

    def compared_period(
        self,
        first: date,
        last: date,
        compare: str,
        compare_start: str | date | None = None,
        compare_end: str | date | None = None,
    ) -> Filters | None:
        """The same filters over the period ``compare`` names (``COMPARE_MODES``): None for
        "none", ``previous_period`` for "previous", ``compare_start`` to ``compare_end`` (both
        needed, YYYY-MM-DD) for "period". Chosen dates given with another mode are an error rather
        than ignored."""
        start = parse_day(compare_start, "compare_start")
        end = parse_day(compare_end, "compare_end")
        if compare != "period":
            if start or end:
                raise FilterError(
                    'compare_start and compare_end choose the period of compare="period"; with '
                    f"compare={compare!r} they would be ignored.",
                    field="compare_start" if start else "compare_end",
                )
            return self.previous_period(first, last) if compare == "previous" else None
        for name, day in (("compare_start", start), ("compare_end", end)):
            if day is None:
                raise FilterError(
                    f'{name} is needed with compare="period": the chosen period runs from '
                    "compare_start to compare_end (YYYY-MM-DD, both days included).",
                    field=name,
                )
        if start > end:
            raise FilterError(
                f"The compared period starts ({start}) after it ends ({end}).", field="compare_start"
            )
        return replace(self, start=start, end=end)

    def days(self, first: date | None = None, last: date | None = None) -> int:
        """Days in the period, both ends counted; an open start or end stands for ``first`` or
        ``last`` (the data's first and last day)."""
        return ((self.end or last) - (self.start or first)).days + 1

    @classmethod
    def from_inputs(
        cls,
        start: str | date | None = None,
        end: str | date | None = None,
        tiers: list[str] | None = None,
        statuses: list[str] | None = None,
        domains: list[str] | None = None,
        art_styles: list[str] | None = None,
        max_nsfw: float | None = None,
        prompt_clusters: list[str] | None = None,
        visual_clusters: list[str] | None = None,
        map_selection: str | MapSelection | None = None,
        *,
        choices: dict[str, list[str]] | None = None,
    ) -> Filters:
        """Filters from UI, API or CLI values (dates as text, lists possibly None), checked.

        With ``choices`` (filter name -> the values the warehouse holds, ``filter_choices``), a
        value that is not among them is an error naming the valid ones, instead of an empty
        result that looks like no data."""
        filters = cls(
            start=parse_day(start, "start"),
            end=parse_day(end, "end"),
            tiers=tuple(_value_list(tiers, "tiers")),
            statuses=tuple(_value_list(statuses, "statuses")),
            domains=tuple(_value_list(domains, "domains")),
            art_styles=tuple(_value_list(art_styles, "art_styles")),
            prompt_clusters=tuple(_value_list(prompt_clusters, "prompt_clusters")),
            visual_clusters=tuple(_value_list(visual_clusters, "visual_clusters")),
            max_nsfw=max_nsfw,
            map_selection=(
                map_selection
                if isinstance(map_selection, MapSelection)
                else MapSelection.parse(map_selection)
            ),
        )
        if filters.start and filters.end and filters.start > filters.end:
            raise FilterError(f"The start {filters.start} is after the end {filters.end}.", field="start")
        if choices is not None:
            for spec in VALUE_FIELDS:
                valid = list(choices.get(spec.name, []))
                unknown = [v for v in getattr(filters, spec.name) if v not in valid]
                if unknown:
                    raise FilterError(
                        f"{spec.name}: {', '.join(map(repr, unknown))} "
                        f"{'is' if len(unknown) == 1 else 'are'} not in this warehouse; "
                        f"valid values: {', '.join(valid) or '(none)'}.",
                        field=spec.name,
                        valid=valid,
                    )
        return filters


_PARAM = re.compile(r"\$([a-z_][a-z0-9_]*)\b")


def sql_literal(value) -> str:
    """A SQL literal for a bound value: a date, a number, text, or a list of them."""
    if isinstance(value, list | tuple):
        return "[" + ", ".join(sql_literal(v) for v in value) + "]"
    if isinstance(value, date):
        return f"DATE '{value.isoformat()}'"
    return semantic.literal(value)


def inline(sql: str, params: dict) -> str:
    """``sql`` with its bound ``$name`` values written as literals: the copilot's SQL is shown and
    can be edited, so it carries its values (taken from the warehouse's own or checked filters,
    never a question's words). A ``$name`` not in ``params`` is left as it is."""
    return _PARAM.sub(lambda m: sql_literal(params[m.group(1)]) if m.group(1) in params else m.group(0), sql)


NO_FILTERS = Filters()  # immutable: the default of every filtered endpoint
