"""The filter bar, as one object shared by search, analytics and the API."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


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
            ("domains", self.domains, "list_contains($domains, p.domain)"),
            ("art_styles", self.art_styles, "list_contains($art_styles, p.art_style)"),
            ("max_nsfw", self.max_nsfw, "coalesce(f.image_nsfw, 0) <= $max_nsfw"),
        ]
        for name, value, clause in pairs:
            if value is not None and value != []:
                clauses.append(clause)
                params[name] = value
        return (" AND ".join(clauses) or "true"), params

    @property
    def active(self) -> bool:
        return self.where()[0] != "true"
