"""The filter bar, as one value type shared by the Analytics tab, the Explorer, the API, the CLI and
the copilot.

``FILTER_FIELDS`` names the filters once: the API's parameters, the CLI's options and the app's
filter bar are all made from it. ``Filters.from_inputs`` parses and checks what a person or a
caller typed (dates parse, the range is not inverted, values exist in their dimension, with the
valid values named in the error), and ``Filters.where`` compiles the conditions from the semantic
layer's dimension expressions, the same ones the copilot groups and filters by.
"""

from __future__ import annotations

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
)
FILTER_NAMES = tuple(f.name for f in FILTER_FIELDS)
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
class Filters:
    """Filters on generations (date, tier, status, nsfw, visual cluster) and prompts (domain, art
    style, prompt cluster).

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
        return (" AND ".join(clauses) or "true"), params

    @property
    def active(self) -> bool:
        return self.where()[0] != "true"

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


NO_FILTERS = Filters()  # immutable: the default of every filtered endpoint
