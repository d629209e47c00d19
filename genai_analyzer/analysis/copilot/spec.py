"""What the copilot understood of a question: the ``QuerySpec`` the parser fills and the compiler
turns into SQL, its time range, and ``CannotAnswer`` for questions it declines."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from genai_analyzer.core.errors import AnalyzerError

# Questions the copilot answers, offered when it declines one.
EXAMPLES = (
    "show error rate by user tier",
    "top 10 users by revenue",
    "average session length for pro users per day",
    "which art styles got slower last week",
    "what share of sessions end after an nsfw block",
    "p95 latency by hour",
    "generations per week",
)


class CannotAnswer(AnalyzerError):
    """The question cannot be mapped onto the semantic layer; the message says why.

    ``unread`` names the words of the question nothing explained (shown to the user), and
    ``suggestions`` are questions the copilot answers instead."""

    kind = "declined"

    def __init__(self, reason: str, suggestions: tuple[str, ...] = EXAMPLES, *, unread: tuple[str, ...] = ()):
        self.reason = reason
        self.suggestions = tuple(suggestions)
        self.unread = tuple(unread)
        lines = "\n".join(f"- {s}" for s in self.suggestions[:5])
        super().__init__(f"{reason}\n\nQuestions I can answer look like:\n{lines}" if lines else reason)


class NeedsClarification(CannotAnswer):
    """The question has several readings the data can answer: ``readings`` are 2-4 of them, each a
    question the copilot answers as written. Never answered by a guess."""

    kind = "clarify"

    def __init__(self, reason: str, readings: tuple[str, ...]):
        self.readings = tuple(readings)
        super().__init__(reason, ())
        self.args = (f"{reason} Did you mean: " + "; ".join(f"'{r}'" for r in self.readings) + "?",)


class SmallTalk(CannotAnswer):
    """A message that is not a question (thanks, hello): a short polite reply, no query."""

    kind = "smalltalk"


@dataclass
class TimeRange:
    """A window of days: relative ones are resolved against the data's last day at compile time."""

    # last_days | last_week | this_week | last_month | this_month | yesterday | today | month | quarter
    # | this_quarter | last_quarter | between | week_of (the Monday-to-Sunday week holding ``start``)
    # | full_weeks (the last ``n`` whole Monday-to-Sunday weeks) | month_end (a month's last ``n`` days)
    # | days_ending (the ``n`` days ending on ``end``) | before (``end`` left out) | after (``start``
    # left out) | preceding (the ``n`` days before the period ``of``: "the 7 days before that")
    # | data_start (the data's first ``n`` days; ``start`` "full": from its first Monday)
    kind: str
    n: int = 0
    start: str | None = None  # ISO dates for between; the year (or None) for month / quarter
    end: str | None = None
    phrase: str = ""
    of: TimeRange | None = None  # the period a "preceding" one is before (a follow-up's answer before)

    def __post_init__(self):
        if isinstance(self.of, dict):  # read back from a stored answer
            self.of = TimeRange(**self.of)


@dataclass
class QuerySpec:
    metrics: list[str]
    dimensions: list[str] = field(default_factory=list)
    filters: dict[str, list[str]] = field(default_factory=dict)
    time: TimeRange | None = None
    top: int | None = None
    ascending: bool = False  # for top-N: bottom / least / lowest
    compare: bool = False  # this period against the one before it
    compare_direction: str | None = None  # "up" (got slower, grew), "down" (got faster), None
    matched: dict[str, str] = field(default_factory=dict)  # what words mapped to what, for the answer
    guessed: bool = False  # the metric came from embedding similarity, not a synonym
    corrections: dict[str, str] = field(default_factory=dict)  # typo -> the word it was read as
    positions: dict[str, int] = field(default_factory=dict)  # dimension -> where the question names it
    per: str | None = None  # "generations per user": each metric divided by the count of this unit
    # groups of values named apart, by dimension: [label, values]; two or more, one of them several
    # values ("free vs paying users", "enterprise vs everyone else"), make a two-way split
    groups: dict[str, list] = field(default_factory=dict)
    excluded: dict[str, list[str]] = field(default_factory=dict)  # values a negation took out, by dimension
    splits: dict[str, list] = field(default_factory=dict)
    baseline: TimeRange | None = None  # a second period named to compare with ("september vs october")
    dropped: list[str] = field(default_factory=list)  # groupings a follow-up removes ("instead of per tier")
    # [metric or dimension, op, value]: a metric's value per group (HAVING: "tiers with more than 100
    # sessions") or a numeric dimension's per row (WHERE: "generations with more than 50 steps")
    thresholds: list[list] = field(default_factory=list)
    count_of: str | None = None  # "how many users have over 50 generations": the groups that pass, counted
    count_with: list[str] = field(default_factory=list)  # counted with count_of as one value (distinct.py)
    # "asc" | "desc": an order asked for with no limit ("worst first"); "newest": the periods latest
    # first; "names": the groups in alphabetical order (presentation.py)
    sort: str | None = None
    share: bool = False  # "what share of revenue comes from pro": the filtered part over the whole
    whole: str | None = None  # a share among a status rate's cases ("share of errors had CUDA_OOM")
    share_within: list[str] = field(default_factory=list)  # "each style's share within each domain"
    share_among: bool = False  # "what share of pro users' generations ...": the filters keep the whole
    chrono: str | None = None  # "first" | "last": the periods kept in time order ("the first day with ...")
    # "in seconds", "in cents", "percent": times, money or rates in the unit asked (units.py)
    unit: str | None = None
    round_to: int | None = None  # "rounded to 2 decimals" (units.py); -1: "unrounded", said
    counted_rate: bool = False  # "how many sessions ended on a failure": the sessions a share counts
    offset: int = 0  # "the runner-up": the ranked rows skipped before the top N (ranking.py)
    running: str | None = None  # "cumulative" | "rolling:7": figures carried along the periods (running.py)
    # "than the overall error rate": against "overall" | "mean" (of the groups) | "average" (settled by
    # the figure); against_as: "difference" | "points" | "multiple" | "index" | None (side by side);
    # against_keep: [op, factor], the groups kept ("worse than", "at least 1.5 times") (against.py)
    against: str | None = None
    against_as: str | None = None
    against_keep: list | None = None
    bucket: list | None = (
        None  # [dimension, size, unit, ms per unit]: "in 1-second latency buckets" (buckets.py)
    )
    within: list[str] = field(
        default_factory=list
    )  # "the top 2 samplers in each tier": ranked inside (within.py)
    # "how many users never generated an anime image": the units counted are those with no
    # generation of these values, by dimension (value_filters.py); never_of: the unit
    never: dict[str, list[str]] = field(default_factory=dict)
    never_of: str | None = None
    scale: int | None = None  # "errors per 1,000 generations": each figure times 1,000 (scaling.py)
    scale_of: str | None = None  # the unit scaled to: generation | session | user
    ratio: bool = False  # "revenue to cost ratio": the first metric over the second (ratios.py)
    contains: list[str] = field(default_factory=list)  # words the prompt's text contains (prompt_text.py)
    rest: str | None = None  # "top 3 samplers with the rest as one row": the rest's label (lumped.py)
    # "pro vs free and the gap (pro minus free)": "difference" | "ratio", the sides first one first (gaps.py)
    gap: str | None = None
    gap_sides: list[str] = field(default_factory=list)
    gap_shown: list[str] = field(default_factory=list)  # the sides in the order named: the columns
    nested: list[str] | None = None  # ["median", "user"]: each user's figure, then over users (nested.py)
    overlap: bool = False  # "users active in both September and October": seen in each (overlap.py)
    top_share: bool = False  # "what share of revenue comes from the top 10 users": together (lumped.py)
    kept_by: list[str] = field(default_factory=list)  # rates whose cases are the rows (rate_rows.py)
    per_scope: str | None = None  # "every" | "having": the units a count per unit is over (counted_rows.py)

    def said(self, read: str) -> list[str]:
        """The words of the question read as ``read`` (a metric's name, for instance)."""
        return [p for p, n in self.matched.items() if n == read]

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> QuerySpec:
        data = dict(data)
        for key in ("time", "baseline"):
            if data.get(key):
                data[key] = TimeRange(**data[key])
        return cls(**data)
