"""The filter bar, as one object shared by search, analytics and the API."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from genai_analyzer.errors import AnalyzerError


class FilterError(AnalyzerError):
    """A filter value that cannot be used (a malformed date, an inverted range)."""


def parse_day(text: str | date | None, name: str) -> date | None:
    """'2025-09-01' (or a date, or '2025-09-01 00:00:00') -> date; '' or None -> None."""
    if text is None or isinstance(text, date):
        return text
    text = str(text).strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        raise FilterError(f"{name} {text!r} is not a date; use YYYY-MM-DD.") from None


@dataclass
class Filters:
    """Filters on generations (date, tier, status, nsfw) and prompts (domain, art style).

    One object for every view: search, the Analytics charts, the API.
    """

    start: date | None = None
    end: date | None = None
    tiers: list[str] = field(default_factory=list)
    statuses: list[str] = field(default_factory=list)
    domains: list[str] = field(default_factory=list)
    art_styles: list[str] = field(default_factory=list)
    max_nsfw: float | None = None  # keep generations whose image_nsfw is at most this

    def where(self) -> tuple[str, dict]:
        """SQL conditions over fact_generations f, dim_users u, dim_prompts p, and their values."""
        clauses, params = [], {}
        pairs = [
            ("start", self.start, "f.date_key >= $start"),
            ("end", self.end, "f.date_key <= $end"),
            ("tiers", self.tiers, "list_contains($tiers, u.tier)"),
            ("statuses", self.statuses, "list_contains($statuses, f.status)"),
            ("domains", self.domains, "list_contains($domains, f.domain)"),
            ("art_styles", self.art_styles, "list_contains($art_styles, f.art_style)"),
            ("max_nsfw", self.max_nsfw, "coalesce(f.image_nsfw, 0) <= $max_nsfw"),
        ]
        for name, value, clause in pairs:
            if value is not None and not (isinstance(value, list | tuple) and len(value) == 0):
                clauses.append(clause)
                params[name] = value
        return (" AND ".join(clauses) or "true"), params

    @property
    def active(self) -> bool:
        return self.where()[0] != "true"

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
    ) -> Filters:
        """Filters from UI or API values: dates as text, lists possibly None; checked."""
        filters = cls(
            start=parse_day(start, "start"),
            end=parse_day(end, "end"),
            tiers=list(tiers or []),
            statuses=list(statuses or []),
            domains=list(domains or []),
            art_styles=list(art_styles or []),
            max_nsfw=max_nsfw,
        )
        if filters.start and filters.end and filters.start > filters.end:
            raise FilterError(f"The start {filters.start} is after the end {filters.end}.")
        return filters
