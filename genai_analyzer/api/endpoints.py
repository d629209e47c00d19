"""Every public endpoint as a typed, documented function over one warehouse (and one copilot).

The Gradio tabs call these same functions for what they show, the CLI calls them for what it
prints, and ``app/routes.py`` registers each method named in ``ENDPOINTS`` under that name, so what
the UI shows, what the API returns and what an export contains come from one call. Methods whose
name ends in ``_frame`` return the DataFrame behind a view (for the UI and exports); the endpoint of
the same name without the suffix returns it as JSON-ready records.

A parameter annotated ``Filters`` stands for the shared filter bar: the API exposes it as the
parameters of ``analysis.filters.FILTER_FIELDS`` (start, end, tiers, statuses, domains, art_styles),
checked against the values this warehouse holds.

Every argument is checked before any query runs (``check_argument``: its type; the methods: its
value, text and limits capped): a bad one is an ``InputError`` (or ``FilterError``) naming it.
Records leave with the thumbnail's URL relative to the app (``thumb_url``), never a server path.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from genai_analyzer.analysis import embedding_job, keyword, queries
from genai_analyzer.analysis import explorer_queries as explore
from genai_analyzer.analysis.clusters import cluster_chart_frame
from genai_analyzer.analysis.copilot.core import Copilot
from genai_analyzer.analysis.export import export_generations
from genai_analyzer.analysis.filters import COMPARE_MODES, FILTER_NAMES, NO_FILTERS, VALUE_FIELDS, Filters
from genai_analyzer.analysis.search import MODES, more_like_this, search
from genai_analyzer.api.ask import AskEndpoints
from genai_analyzer.api.behaviour import BehaviourEndpoints
from genai_analyzer.api.checks import (  # noqa: F401  (re-exported: the app and tests name them here)
    MAX_FILTER_VALUES,
    MAX_ID_CHARS,
    MAX_SELECTION_CHARS,
    MAX_TEXT_CHARS,
    THUMB_ROUTE,
    InputError,
    check_argument,
    check_choice,
    check_count,
    check_id,
    check_text,
    public_record,
    thumb_url,
    type_name,
)
from genai_analyzer.api.clusters import ClusterEndpoints
from genai_analyzer.api.images import ImageEndpoints
from genai_analyzer.api.map import MapEndpoints
from genai_analyzer.api.monitoring import DEFAULT_MAX_Z, DEFAULT_TRAILING_DAYS, MonitoringEndpoints
from genai_analyzer.api.views import ViewEndpoints
from genai_analyzer.core.jsonable import plain, records
from genai_analyzer.core.settings import Settings
from genai_analyzer.warehouse.reader import Warehouse

# Chart name -> the query behind it: the chart on screen, its CSV export and /chart read the same.
# The names stay as published; "daily activity" and "weekly performance" draw the grain that fits
# the data (hours over a 7-hour log; analysis/timegrain.py), named in their frames' ``grain``.
CHART_QUERIES = {
    "daily activity": queries.activity_over_time,
    "outcomes": queries.status_breakdown,
    "latency by hour and tier": queries.latency_by_hour_and_tier,
    "friction by tier": queries.friction_by_tier,
    "weekly performance": queries.performance_over_time,
    "domains": lambda wh, f: queries.label_breakdown(wh, "domain", f),
    "art styles": lambda wh, f: queries.label_breakdown(wh, "art_style", f),
    "complexity": queries.complexity_profile,
    "prompt clusters": lambda wh, f: cluster_chart_frame(wh, "prompt", f),
    "visual clusters": lambda wh, f: cluster_chart_frame(wh, "visual", f),
}

# The charts over time: compare="previous" overlays the previous period of the same length.
# The chart whose days carry the anomaly badges: generations against the trailing days.
ANOMALY_CHART = "daily activity"
TIME_CHARTS = ("daily activity", "latency by hour and tier", "weekly performance")

# Sessions shorter than this are left out of /sessions by default: sorted by friction, a lone
# failed generation would otherwise top the list.
MIN_SESSION_GENERATIONS = 3

# The public endpoints, by api_name (the method of the same name).
ENDPOINTS = (
    "overview",
    "embedding_progress",
    "kpis",
    "timeseries",
    "chart",
    "leaderboard",
    "edits",
    "edit_terms",
    "edit_flow",
    "retention",
    "lifecycle",
    "funnel",
    "alerts",
    "anomalies",
    "search",
    "generation",
    "more_like_this",
    "similar_images",
    "near_duplicates",
    "image_model",
    "images_from_text",
    "image_agreement",
    "map_points",
    "clusters",
    "session",
    "sessions",
    "ask",
    "views",
    "view",
)


class UnknownChart(InputError):
    """A chart name the Analytics tab does not draw."""

    def __init__(self, chart: object):
        super().__init__(
            f"Unknown chart {chart!r}; use one of {', '.join(CHART_QUERIES)}.",
            code="unknown_value",
            field="chart",
            valid=list(CHART_QUERIES),
        )


@dataclass
class Api(
    AskEndpoints,
    BehaviourEndpoints,
    MonitoringEndpoints,
    ViewEndpoints,
    ImageEndpoints,
    ClusterEndpoints,
    MapEndpoints,
):
    """The public API over one read-only warehouse; ``copilot`` answers /ask (an offline one over
    the warehouse when not given)."""

    wh: Warehouse
    copilot: Copilot | None = None
    # image_nsfw at or above which the gallery blurs a thumbnail (None: GENAI_NSFW_BLUR_THRESHOLD)
    nsfw_blur_threshold: float | None = None
    _copilot: Copilot | None = field(default=None, init=False, repr=False)
    # signs the /ask contexts this process returns, so a follow-up can only refine one of them
    _context_key: bytes = field(default_factory=lambda: secrets.token_bytes(32), init=False, repr=False)

    # --- the shared filters ---------------------------------------------------------------------

    def filters(self, **inputs) -> Filters:
        """The filter bar's values checked against this warehouse's own values (an unknown tier is
        an error naming the valid ones, not an empty result). Dates and values are text of at
        most MAX_ID_CHARS characters, and a filter takes at most MAX_FILTER_VALUES values."""
        for name, value in inputs.items():
            if name not in FILTER_NAMES:
                continue
            is_list_field = name in {f.name for f in VALUE_FIELDS}
            if isinstance(value, str):
                check_text(value, name, MAX_SELECTION_CHARS if name == "map_selection" else MAX_ID_CHARS)
            elif value is None or (not is_list_field and isinstance(value, date)):
                continue
            elif not is_list_field or not isinstance(value, list | tuple):
                wanted = "a list of text values" if is_list_field else "a date as text (YYYY-MM-DD)"
                raise InputError(
                    f"{name} must be {wanted}, not {type_name(value)}.", code="invalid_type", field=name
                )
            else:
                if len(value) > MAX_FILTER_VALUES:
                    raise InputError(
                        f"{name} holds {len(value):,} values; the most accepted is {MAX_FILTER_VALUES}.",
                        code="too_long",
                        field=name,
                    )
                for item in value:
                    if not isinstance(item, str):
                        raise InputError(
                            f"{name} must hold text values, not {type_name(item)}.",
                            code="invalid_type",
                            field=name,
                        )
                    check_text(item, name, MAX_ID_CHARS)
        return Filters.from_inputs(**inputs, choices=queries.filter_choices(self.wh))

    def filter_choices(self) -> dict[str, list[str]]:
        """filter name -> the values it can take in this warehouse."""
        return queries.filter_choices(self.wh)

    # --- Overview and Analytics -------------------------------------------------------------------

    def overview(self) -> dict:
        """Headline figures over the whole warehouse: generations, users, sessions, success rate,
        p50/p95 latency, cost, revenue, margin, period, source and simulated columns."""
        return queries.overview_figures(self.wh)

    def embedding_progress(self) -> dict:
        """Which embedding tier semantic search answers with, and the full-quality job's progress:
        tier ("static" or "full"; null without prompt vectors), model, full_model, state (complete,
        running, publishing, stopped, failed, pending or none), done and total (distinct prompts
        with a full-quality vector, and all of them, counted now), share, rate (prompts/s the job
        measured), eta_s (seconds left at that rate), updated_at, error, and line (the same as one
        sentence). docs/enrichment.md (the full tier in the background)."""
        progress = embedding_job.full_tier_progress(self.wh)
        return {**progress, "line": embedding_job.format_progress(progress)}

    def search_tier_line(self) -> str:
        """The Explorer's line under a search by meaning: which tier ranked it, and how far the
        full-quality tier is while the static one answers."""
        return embedding_job.tier_line(embedding_job.full_tier_progress(self.wh))

    def keyword_backend_line(self) -> str:
        """The Explorer's line under a keyword or hybrid search: which backend ranked by BM25
        (bm25s or DuckDB fts), and why not bm25s when fts did."""
        return keyword.backend_line(self.wh)

    def kpis(
        self, filters: Filters, compare: str = "previous", compare_start: str = "", compare_end: str = ""
    ) -> dict:
        """KPIs over the filtered period (dates YYYY-MM-DD; empty = whole range). compare:
        "previous" (the default) adds each KPI's value over the period of equal length that ends the
        day before the start (an empty start or end stands for the data's first or last day), under
        the same filters, and the relative change: {metric: {value, previous, change}};
        "period" does the same against compare_start to compare_end (YYYY-MM-DD, both needed);
        "none" gives {metric: {value}}."""
        compare = check_choice(compare, "compare", COMPARE_MODES, "comparison")
        return plain(queries.kpis(self.wh, filters, compare, compare_start, compare_end))

    def timeseries(
        self, filters: Filters, compare: str = "none", compare_start: str = "", compare_end: str = ""
    ) -> list[dict]:
        """One record per bucket with generations (the Daily activity chart's rows): bucket (its
        start, UTC), grain (hour, day, week or month: the one that fits the filtered span),
        generations, active_users, success_rate, p50/p95 latency, cost, revenue. compare:
        "previous" adds the previous period of the same length, "period" the period compare_start
        to compare_end, its buckets moved onto this period's (its first day on this period's
        first day), with period ("current", "previous" or "compared"), period_start and
        period_end."""
        return records(self.chart_frame("daily activity", filters, compare, compare_start, compare_end))

    def chart_frame(
        self,
        chart: str,
        filters: Filters,
        compare: str = "none",
        compare_start: str = "",
        compare_end: str = "",
    ) -> pd.DataFrame:
        """The data behind one Analytics chart, exactly as the chart draws it (with the compared
        period's rows for compare="previous" or "period", on a time chart)."""
        compare = self.check_chart(chart, compare)
        frame = queries.with_comparison(
            self.wh, filters, CHART_QUERIES[chart], compare, compare_start, compare_end
        )
        return self._flag_anomalies(frame, filters) if chart == ANOMALY_CHART else frame

    def check_chart(self, chart: str, compare: str = "none") -> str:
        """``compare`` checked for ``chart``: an UnknownChart for a chart the tab does not draw, an
        InputError for an unknown comparison or one on a chart not over time."""
        if not isinstance(chart, str) or chart not in CHART_QUERIES:
            raise UnknownChart(chart if not isinstance(chart, str) else chart[:MAX_ID_CHARS])
        compare = check_choice(compare, "compare", COMPARE_MODES, "comparison")
        if compare != "none" and chart not in TIME_CHARTS:
            raise InputError(
                f"The chart {chart!r} has no earlier period to show; compare applies to the charts "
                f"over time ({', '.join(TIME_CHARTS)}).",
                field="compare",
                valid=["none"],
            )
        return compare

    def _flag_anomalies(self, frame: pd.DataFrame, filters: Filters) -> pd.DataFrame:
        """A daily series' days with their generations' robust z-score (``anomaly_z``) against the
        trailing days and whether it is past the alert rules' default (``anomalous``): the badges
        the chart draws and its export carries (docs/alerts.md). Hours, weeks and months have no
        test; a compared period's rows are not tested."""
        if frame.empty or frame.attrs.get("grain") != "day":
            return frame
        days = self.anomalies_frame("generations", filters, DEFAULT_TRAILING_DAYS, DEFAULT_MAX_Z, "both")
        tested = days.set_index(pd.to_datetime(days["day"]))
        current = frame["period"].eq("current") if "period" in frame.columns else frame["bucket"].notna()
        flagged = frame.assign(
            anomaly_z=frame["bucket"].map(tested["z"]).where(current),
            anomalous=frame["bucket"].map(tested["anomalous"]).where(current).fillna(False).astype(bool),
        )
        flagged.attrs = frame.attrs
        return flagged

    def chart(
        self,
        chart: str = "daily activity",
        filters: Filters = NO_FILTERS,
        compare: str = "none",
        compare_start: str = "",
        compare_end: str = "",
    ) -> list[dict]:
        """The data behind one Analytics chart (daily activity, outcomes, latency by hour and tier,
        friction by tier, weekly performance, domains, art styles, complexity, prompt clusters,
        visual clusters: the 15 clusters with the most generations, as /clusters), one record per
        point: the same rows as the chart on screen and its CSV export. The charts over time carry
        their grain (hour, day, week, month) in a grain column; on them compare="previous" adds
        the previous period's rows and compare="period" those of compare_start to compare_end,
        marked by a period column (see /timeseries)."""
        return records(self.chart_frame(chart, filters, compare, compare_start, compare_end))

    # --- Session Explorer ---------------------------------------------------------------------------

    def search_frame(self, query: str, mode: str, filters: Filters, limit: int) -> pd.DataFrame:
        return search(self.wh, query, mode=mode, filters=filters, limit=explore.check_limit(limit))

    def browse_frame(self, query: str, mode: str, filters: Filters, limit: int) -> pd.DataFrame:
        """What the Explorer shows for a search box: the search results, or with no text the latest
        generations passing the filters."""
        if not (query or "").strip():
            return explore.recent_generations(self.wh, filters, explore.check_limit(limit))
        return self.search_frame(query, mode, filters, limit)

    def search(
        self, query: str, mode: str = "hybrid", filters: Filters = NO_FILTERS, limit: int = 24
    ) -> list[dict]:
        """Generations whose prompts best match `query` (at most 2,000 characters), best first.
        mode: hybrid, semantic or keyword; dates YYYY-MM-DD (empty = whole range); limit 1-500.
        One record per generation: rank, score, generation_id, prompt_id, prompt, thumb_url (the
        thumbnail's URL relative to the app, or null), has_image, created_at (ISO), user_id,
        session_id, tier, status, latency_ms, domain, art_style, seed, step, cfg, sampler,
        semantic_tier (the embedding tier that ranked by meaning: static or full; null in keyword
        mode) and keyword_backend (what ranked by BM25: bm25s or fts; null in semantic mode)."""
        query = check_text(query, "query")
        if not query.strip():
            raise InputError("Type something to search for.", code="missing", field="query")
        mode = check_choice(mode, "mode", MODES, "search mode")
        limit = check_count(limit)
        return public_record(records(self.search_frame(query, mode, filters, limit)))

    def generation(self, generation_id: str) -> dict:
        """One generation in full: {generation, prompt, parameters, telemetry, user, session};
        the thumbnail as thumb_url (relative to the app), the image as has_image."""
        generation_id = check_id(generation_id, "generation_id")
        try:
            detail = explore.generation_detail(self.wh, generation_id)
        except explore.NotFoundError as exc:
            raise InputError(str(exc), code="not_found", field="generation_id") from None
        return public_record(plain(detail))

    def more_like_this_frame(self, generation_id: str, filters: Filters, limit: int) -> pd.DataFrame:
        return more_like_this(
            self.wh, generation_id=generation_id, filters=filters, limit=explore.check_limit(limit)
        )

    def more_like_this(self, generation_id: str, limit: int = 24) -> list[dict]:
        """Generations whose prompts are closest in meaning to this generation's prompt (its own
        prompt left out), best first; same records as /search."""
        generation_id = check_id(generation_id, "generation_id")
        limit = check_count(limit)
        if explore.generation_rows(self.wh, [generation_id]).empty:
            raise InputError(
                f"No generation with id {generation_id!r}.", code="not_found", field="generation_id"
            )
        return public_record(records(self.more_like_this_frame(generation_id, Filters(), limit)))

    def session(self, session_id: str) -> dict:
        """A session replayed: {"session": summary (dim_sessions row and tier), "generations": one
        record per generation in order, with seconds_since_previous, changed_params,
        prompt_changed, seed_rerolled and prompt_diff, a list of [op, text] with op in same, added,
        removed against the previous prompt (null for the first generation)}; thumbnails as
        thumb_url (relative to the app)."""
        session_id = check_id(session_id, "session_id")
        try:
            summary, replay = explore.session_with_diffs(self.wh, session_id)
        except explore.NotFoundError as exc:
            raise InputError(str(exc), code="not_found", field="session_id") from None
        return public_record({"session": plain(summary), "generations": plain(records(replay))})

    def sessions_frame(
        self,
        filters: Filters,
        sort_by: str,
        descending: bool,
        limit: int,
        min_generations: int = MIN_SESSION_GENERATIONS,
    ) -> pd.DataFrame:
        return explore.list_sessions(
            self.wh, filters, sort_by, descending=descending, limit=limit, min_generations=min_generations
        )

    def sessions(
        self,
        filters: Filters = NO_FILTERS,
        sort_by: str = "friction",
        descending: bool = True,
        limit: int = 50,
        min_generations: int = MIN_SESSION_GENERATIONS,
    ) -> list[dict]:
        """Sessions with any generation passing the filters and at least min_generations
        generations (default 3; 1 lists every session), sorted by sort_by (friction, duration,
        failures, cost, generations or started). One record per session: session_id, user_id,
        tier, started_at, ended_at, duration_s, n_generations, n_failed, abandoned,
        friction_score, total_cost_usd, first_prompt."""
        sort_by = check_choice(sort_by, "sort_by", explore.SESSION_SORT_KEYS, "sort key")
        limit = check_count(limit)
        min_generations = check_count(min_generations, "min_generations", explore.MAX_MIN_GENERATIONS)
        return records(self.sessions_frame(filters, sort_by, descending, limit, min_generations))

    # --- the Explorer's gallery: one tile per distinct prompt ---------------------------------------

    def blur_threshold(self) -> float:
        """image_nsfw at or above which the gallery blurs a thumbnail until it is clicked."""
        if self.nsfw_blur_threshold is None:
            self.nsfw_blur_threshold = Settings.from_env().nsfw_blur_threshold
        return self.nsfw_blur_threshold

    def _tiles(self, results: pd.DataFrame, filters: Filters) -> pd.DataFrame:
        tiles = explore.prompt_tiles(self.wh, results, filters)
        return tiles.assign(
            nsfw=tiles["image_nsfw"].fillna(0).astype(float) >= self.blur_threshold(), pinned=False
        )

    def gallery_frame(self, query: str, mode: str, filters: Filters, limit: int) -> pd.DataFrame:
        """The Explorer's tiles for a search box: one row per distinct prompt (at most ``limit``),
        best match first, or with no text the prompts generated last. The columns of /search, and
        n_generations (how many generations of the prompt pass the filters: the "x5" badge),
        image_nsfw and nsfw (at or above the blur threshold) of the generation shown, pinned."""
        limit = explore.check_limit(limit)
        if not (query or "").strip():
            results = explore.recent_generations(self.wh, filters, limit, distinct_prompts=True)
        else:
            results = search(self.wh, query, mode=mode, filters=filters, limit=limit, per_prompt=1)
        return self._tiles(results, filters)

    def more_like_this_gallery_frame(self, generation_id: str, filters: Filters, limit: int) -> pd.DataFrame:
        """More like this as tiles: the source generation first (pinned: True), then up to
        ``limit - 1`` other prompts closest in meaning, best first (columns of gallery_frame)."""
        limit = explore.check_limit(limit)
        source = explore.generation_rows(self.wh, [generation_id])
        if source.empty:
            raise explore.NotFoundError(f"No generation with id {generation_id!r}.")
        tiles = [self._tiles(source, filters).assign(pinned=True)]
        if limit > 1:
            similar = more_like_this(
                self.wh, generation_id=generation_id, filters=filters, limit=limit - 1, per_prompt=1
            )
            tiles.append(self._tiles(similar, filters))
        return pd.concat([t for t in tiles if not t.empty], ignore_index=True)

    def prompt_generations_frame(self, prompt_id: str, filters: Filters, limit: int = 50) -> pd.DataFrame:
        """The generations of one prompt passing the filters, oldest first: what a tile opens."""
        return explore.prompt_generations(self.wh, prompt_id, filters, explore.check_limit(limit))

    def has_images(self) -> bool:
        """Whether the warehouse holds any image (a metadata-only build holds none)."""
        return explore.has_images(self.wh)

    # --- exports (not an endpoint: files, not records) ---------------------------------------------

    def export_frame(self, filters: Filters) -> pd.DataFrame:
        """The enriched generations passing the filters, one row per generation, oldest first:
        prompt, labels, clusters when built, session, tier, telemetry (analysis/export.py). What
        `genai-analyzer export` writes and a "download this filtered set" hands over."""
        return export_generations(self.wh, filters)
