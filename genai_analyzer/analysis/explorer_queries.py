"""The explorer's query layer: one generation in full, one session replayed, sessions listed,
and the gallery's tiles (one per distinct prompt, with how often it was generated).

Same conventions as ``queries``: one function per question, one SQL statement each, values always
bound parameters. Only names from fixed whitelists (sort keys) are ever formatted into SQL.
"""

from __future__ import annotations

import difflib
import re

import pandas as pd

from genai_analyzer.analysis.filters import Filters
from genai_analyzer.analysis.queries import from_filtered
from genai_analyzer.core.errors import AnalyzerError
from genai_analyzer.warehouse.reader import Warehouse

MAX_LIMIT = 500
MAX_MIN_GENERATIONS = 10_000

# Parameters a user sets on purpose; the seed is reported apart (seed_rerolled) because most
# front ends draw a new one on every request, so listing it as "changed" would say nothing.
TRACKED_PARAMS = ("step", "cfg", "sampler", "width", "height")

# list_sessions sort key -> dim_sessions column (whitelist: the only text formatted into its SQL)
SESSION_SORT_KEYS = {
    "friction": "s.friction_score",
    "duration": "s.duration_s",
    "failures": "s.n_failed",
    "cost": "s.total_cost_usd",
    "generations": "s.n_generations",
    "started": "s.started_at",
}

# generation_detail: section -> (key, SQL expression) over f, p, u, s
DETAIL_SECTIONS: dict[str, list[tuple[str, str]]] = {
    "generation": [
        ("generation_id", "f.generation_id"),
        ("created_at", "f.created_at"),
        ("source", "f.source"),
        ("thumb_path", "f.thumb_path"),
        ("image_path", "f.image_path"),
    ],
    "prompt": [
        ("prompt_id", "f.prompt_id"),
        ("text", "p.prompt"),
        ("n_words", "p.n_words"),
        ("domain", "p.domain"),
        ("art_style", "p.art_style"),
        ("complexity_score", "p.complexity_score"),
        ("n_generations", "p.n_generations"),
        ("n_users", "p.n_users"),
    ],
    "parameters": [
        ("seed", "f.seed"),
        ("step", "f.step"),
        ("cfg", "f.cfg"),
        ("sampler", "f.sampler"),
        ("width", "f.width"),
        ("height", "f.height"),
        ("model", "f.model"),
    ],
    "telemetry": [
        ("status", "f.status"),
        ("error_code", "f.error_code"),
        ("queue_ms", "f.queue_ms"),
        ("latency_ms", "f.latency_ms"),
        ("gpu_seconds", "f.gpu_seconds"),
        ("cost_usd", "f.cost_usd"),
        ("revenue_usd", "f.revenue_usd"),
        ("image_nsfw", "f.image_nsfw"),
        ("prompt_nsfw", "f.prompt_nsfw"),
    ],
    "user": [
        ("user_id", "f.user_id"),
        ("tier", "u.tier"),
        ("is_known", "u.is_known"),
        ("signup_at", "u.signup_at"),
        ("n_sessions", "u.n_sessions"),
        ("n_generations", "u.n_generations"),
    ],
    "session": [
        ("session_id", "f.session_id"),
        ("seq", "f.session_seq"),
        ("n_generations", "s.n_generations"),
        ("started_at", "s.started_at"),
        ("ended_at", "s.ended_at"),
        ("duration_s", "s.duration_s"),
        ("n_failed", "s.n_failed"),
        ("abandoned", "s.abandoned"),
        ("friction_score", "s.friction_score"),
        ("total_cost_usd", "s.total_cost_usd"),
    ],
}


class ExploreError(AnalyzerError):
    """An explorer request that cannot be answered as asked (unknown sort key, bad limit)."""


class NotFoundError(ExploreError):
    """No generation or session with the given id."""


def check_limit(limit: int | float, maximum: int = MAX_LIMIT, *, what: str = "limit") -> int:
    """``limit`` as an int in [1, maximum]; anything else is an ExploreError."""
    if isinstance(limit, bool):
        raise ExploreError(f"The {what} must be a whole number, not {limit!r}.")
    try:
        value = int(limit)
    except (TypeError, ValueError, OverflowError):  # OverflowError: infinity
        raise ExploreError(f"The {what} must be a whole number, not {str(limit)[:40]!r}.") from None
    if not 1 <= value <= maximum:
        raise ExploreError(f"The {what} must be between 1 and {maximum}, not {value}.")
    return value


def generation_detail(wh: Warehouse, generation_id: str) -> dict:
    """One generation in full (grain: one generation).

    {"generation": ids, time, paths; "prompt": text and labels; "parameters": seed ... model;
    "telemetry": status ... nsfw scores; "user": id, tier ...; "session": id, position, summary}.
    Values are plain Python (timestamps as timezone-aware datetimes, NULL as None).
    """
    columns = ", ".join(
        f'{expr} AS "{section}.{key}"' for section, pairs in DETAIL_SECTIONS.items() for key, expr in pairs
    )
    row = wh.row(
        f"""
        SELECT {columns}
        FROM fact_generations f
        JOIN dim_users u USING (user_id)
        JOIN dim_sessions s USING (session_id)
        LEFT JOIN dim_prompts p USING (prompt_id)
        WHERE f.generation_id = $generation_id
        """,
        {"generation_id": generation_id},
    )
    if not row:
        raise NotFoundError(f"No generation with id {generation_id!r}.")
    detail: dict[str, dict] = {section: {} for section in DETAIL_SECTIONS}
    for name, value in row.items():
        section, key = name.split(".", 1)
        detail[section][key] = value
    return detail


def session_summary(wh: Warehouse, session_id: str) -> dict:
    """One session's dim_sessions row plus its user's tier (grain: one session)."""
    row = wh.row(
        "SELECT s.*, u.tier FROM dim_sessions s JOIN dim_users u USING (user_id) "
        "WHERE s.session_id = $session_id",
        {"session_id": session_id},
    )
    if not row:
        raise NotFoundError(f"No session with id {session_id!r}.")
    return row


def session_replay(wh: Warehouse, session_id: str) -> pd.DataFrame:
    """The session's generations in order (grain: one generation of the session, by seq).

    Columns: seq, generation_id, created_at, seconds_since_previous (None for the first),
    thumb_path, prompt, previous_prompt, status, error_code, latency_ms, seed, step, cfg, sampler,
    width, height, changed_params (list of the TRACKED_PARAMS that differ from the previous
    generation), prompt_changed (the prompt text differs from the previous one), seed_rerolled
    (same prompt as the previous generation, new seed: the user drew again). The first generation
    has nothing to compare with: no changed params, both flags False.
    """
    changes = ", ".join(
        f"CASE WHEN prev_{name} IS DISTINCT FROM {name} THEN '{name}' END" for name in TRACKED_PARAMS
    )
    lags = ", ".join(f"lag(f.{name}) OVER w AS prev_{name}" for name in TRACKED_PARAMS)
    frame = wh.query(
        f"""
        WITH g AS (
            SELECT f.session_seq AS seq, f.generation_id, f.created_at, f.thumb_path, f.prompt_id,
                   p.prompt, f.status, f.error_code, f.latency_ms, f.seed, f.step, f.cfg, f.sampler,
                   f.width, f.height,
                   lag(f.generation_id) OVER w IS NOT NULL AS has_prev,
                   lag(f.created_at) OVER w AS prev_created_at,
                   lag(p.prompt) OVER w AS previous_prompt,
                   lag(f.prompt_id) OVER w AS prev_prompt_id,
                   lag(f.seed) OVER w AS prev_seed,
                   {lags}
            FROM fact_generations f
            LEFT JOIN dim_prompts p USING (prompt_id)
            WHERE f.session_id = $session_id
            WINDOW w AS (ORDER BY f.session_seq)
        )
        SELECT seq, generation_id, created_at,
               epoch(created_at - prev_created_at) AS seconds_since_previous,
               thumb_path, prompt, previous_prompt, status, error_code, latency_ms,
               seed, step, cfg, sampler, width, height,
               CASE WHEN has_prev THEN [x FOR x IN [{changes}] IF x IS NOT NULL]
                    ELSE []::VARCHAR[] END AS changed_params,
               has_prev AND prompt_id IS DISTINCT FROM prev_prompt_id AS prompt_changed,
               has_prev AND prompt_id IS NOT DISTINCT FROM prev_prompt_id
                   AND seed IS DISTINCT FROM prev_seed AS seed_rerolled
        FROM g
        ORDER BY seq
        """,
        {"session_id": session_id},
    )
    if frame.empty:
        raise NotFoundError(f"No session with id {session_id!r}.")
    # DuckDB hands lists over as numpy arrays; plain lists compare and serialize simply.
    frame["changed_params"] = frame["changed_params"].map(list)
    return frame


def session_with_diffs(wh: Warehouse, session_id: str) -> tuple[dict, pd.DataFrame]:
    """(summary, replay) of a session, the replay with a ``prompt_diff`` column: the [op, text]
    pieces of each prompt against the previous one (None for the first generation)."""
    summary = session_summary(wh, session_id)
    replay = session_replay(wh, session_id)
    replay["prompt_diff"] = [
        prompt_diff(prev, cur) if position else None
        for position, (prev, cur) in enumerate(zip(replay["previous_prompt"], replay["prompt"], strict=True))
    ]
    return summary, replay


# A token is a run of characters without whitespace or commas, or a comma on its own: SD prompts
# are comma-separated phrases, so a comma is a boundary worth keeping visible in a diff.
_TOKEN = re.compile(r"([^\s,]+|,)(\s*)")


DIFF_MAX_TOKENS = 2_000


def prompt_diff(previous: str, current: str) -> list[tuple[str, str]]:
    """Word-level diff of two prompts: [(op, text)] with op in 'same', 'added', 'removed'.

    Words and commas are compared exactly (case-sensitive); each piece of text keeps the
    whitespace that followed it, so joining the 'same' and 'added' texts gives ``current`` and
    joining the 'same' and 'removed' texts gives ``previous`` (outer whitespace stripped).
    Neighbouring pieces with the same op are merged; a replacement is its removal followed by
    its addition.
    """
    old = _TOKEN.findall((previous or "").strip())
    new = _TOKEN.findall((current or "").strip())
    # The common start and end are matched in linear time; the word diff runs on the middle only,
    # and is quadratic, so a middle longer than DIFF_MAX_TOKENS words on both sides is shown as
    # removed and added whole (still a true diff, just not the smallest): two 130 KB prompts would
    # otherwise take seconds.
    head = 0
    while head < min(len(old), len(new)) and old[head] == new[head]:
        head += 1
    tail = 0
    while tail < min(len(old), len(new)) - head and old[-1 - tail] == new[-1 - tail]:
        tail += 1
    middle_old, middle_new = old[head : len(old) - tail], new[head : len(new) - tail]
    if min(len(middle_old), len(middle_new)) > DIFF_MAX_TOKENS:
        pieces = [
            ("same", old[:head]),
            ("removed", middle_old),
            ("added", middle_new),
            ("same", old[len(old) - tail :]),
        ]
        out: list[tuple[str, str]] = []
        for op, tokens in pieces:
            text = "".join(word + space for word, space in tokens)
            if text:
                out.append((op, text))
        return out
    # autojunk off: long engineered prompts repeat words like "and", which must still match
    matcher = difflib.SequenceMatcher(a=[w for w, _ in old], b=[w for w, _ in new], autojunk=False)
    out = []

    def emit(op: str, tokens: list[tuple[str, str]]) -> None:
        text = "".join(word + space for word, space in tokens)
        if not text:
            return
        if out and out[-1][0] == op:
            out[-1] = (op, out[-1][1] + text)
        else:
            out.append((op, text))

    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            for (word, old_space), (_, new_space) in zip(old[i1:i2], new[j1:j2], strict=True):
                if old_space == new_space:
                    emit("same", [(word, new_space)])
                else:  # "art by" -> "art, by": the word is the same, the space after it is not
                    emit("same", [(word, "")])
                    emit("removed", [("", old_space)])
                    emit("added", [("", new_space)])
        else:  # replace, delete, insert
            emit("removed", old[i1:i2])
            emit("added", new[j1:j2])
    return out


def list_sessions(
    wh: Warehouse,
    filters: Filters | None = None,
    sort_by: str = "friction",
    *,
    descending: bool = True,
    limit: int = 50,
    min_generations: int = 1,
) -> pd.DataFrame:
    """Sessions with any generation passing the filters, sorted (grain: one session).

    Columns: session_id, user_id, tier, started_at, ended_at, duration_s, n_generations,
    n_failed, abandoned, friction_score, total_cost_usd, first_prompt. The figures are the whole
    session's (dim_sessions), not only its generations that pass the filters. Only sessions of at
    least ``min_generations`` generations are listed (1: all), so that sorting by friction does
    not put one-generation failures on top. Ties are broken by session_id so the order is stable.
    """
    if sort_by not in SESSION_SORT_KEYS:
        raise ExploreError(f"Unknown sort key {sort_by!r}; use one of {', '.join(SESSION_SORT_KEYS)}.")
    min_generations = check_limit(min_generations, MAX_MIN_GENERATIONS, what="minimum number of generations")
    where, params = (filters or Filters()).where()
    direction = "DESC" if descending else "ASC"
    return wh.query(
        f"""
        SELECT s.session_id, s.user_id, u.tier, s.started_at, s.ended_at, s.duration_s,
               s.n_generations, s.n_failed, s.abandoned, s.friction_score, s.total_cost_usd,
               fp.prompt AS first_prompt
        FROM dim_sessions s
        JOIN dim_users u USING (user_id)
        LEFT JOIN fact_generations first_gen
               ON first_gen.session_id = s.session_id AND first_gen.session_seq = 1
        LEFT JOIN dim_prompts fp ON fp.prompt_id = first_gen.prompt_id
        WHERE s.session_id IN (SELECT f.session_id {from_filtered(where)})
          AND s.n_generations >= $min_generations
        ORDER BY {SESSION_SORT_KEYS[sort_by]} {direction} NULLS LAST, s.session_id
        LIMIT $limit
        """,
        {**params, "limit": check_limit(limit), "min_generations": min_generations},
    )


# The columns of a search result (search.RESULT_SQL), rank and score left NULL.
RESULT_COLUMNS = """NULL::BIGINT AS rank, NULL::DOUBLE AS score, f.generation_id, f.prompt_id, p.prompt,
               f.thumb_path, f.image_path, f.created_at, f.user_id, f.session_id, u.tier, f.status,
               f.latency_ms, p.domain, p.art_style, f.seed, f.step, f.cfg, f.sampler"""


def recent_generations(
    wh: Warehouse, filters: Filters | None = None, limit: int = 24, *, distinct_prompts: bool = False
) -> pd.DataFrame:
    """The latest generations passing the filters, newest first (grain: one generation).

    Same columns as ``search.search`` results, with rank and score left NULL: the explorer shows
    these before anything is searched for. With ``distinct_prompts``, only each prompt's latest
    generation: ``limit`` rows are ``limit`` different prompts.
    """
    where, params = (filters or Filters()).where()
    latest = (
        "QUALIFY row_number() OVER (PARTITION BY f.prompt_id ORDER BY f.created_at DESC, f.generation_id) = 1"
        if distinct_prompts
        else ""
    )
    return wh.query(
        f"""
        SELECT {RESULT_COLUMNS}
        {from_filtered(where, RESULT_COLUMNS)}
        {latest}
        ORDER BY f.created_at DESC, f.generation_id
        LIMIT $limit
        """,
        {**params, "limit": check_limit(limit)},
    )


def generation_rows(wh: Warehouse, generation_ids: list[str]) -> pd.DataFrame:
    """The given generations with the columns of a search result, in the order given (grain: one
    generation; unknown ids are left out)."""
    return wh.query(
        f"""
        SELECT {RESULT_COLUMNS}
        FROM (SELECT unnest($ids::VARCHAR[]) AS generation_id,
                     generate_subscripts($ids::VARCHAR[], 1) AS position) AS wanted
        JOIN fact_generations f USING (generation_id)
        JOIN dim_users u USING (user_id)
        LEFT JOIN dim_prompts p USING (prompt_id)
        ORDER BY wanted.position
        """,
        {"ids": list(generation_ids)},
    )


# --- the gallery: one tile per distinct prompt ------------------------------------------------


def group_by_prompt(results: pd.DataFrame) -> pd.DataFrame:
    """One row per distinct prompt of ``results`` (search results or recent generations), in the
    order of each prompt's first row, which stands for the prompt; ``n_shown`` counts the rows of
    the prompt in ``results``. Pure pandas: the gallery's grouping."""
    if results.empty:
        return results.assign(n_shown=pd.Series(dtype="int64"))
    n_shown = results.groupby("prompt_id", sort=False, dropna=False)["generation_id"].transform("size")
    return results.assign(n_shown=n_shown).drop_duplicates("prompt_id").reset_index(drop=True)


def prompt_tiles(wh: Warehouse, results: pd.DataFrame, filters: Filters | None = None) -> pd.DataFrame:
    """The gallery's tiles (grain: one distinct prompt): ``group_by_prompt(results)`` with
    n_generations, how many generations of the prompt pass the filters (at least the one shown:
    the "x5" badge), and image_nsfw of the generation shown on the tile."""
    tiles = group_by_prompt(results)
    if tiles.empty:
        return tiles.assign(n_generations=pd.Series(dtype="int64"), image_nsfw=pd.Series(dtype="float64"))
    where, params = (filters or Filters()).where()
    counts = wh.query(
        f"""
        WITH shown AS (
            SELECT unnest($prompt_ids::VARCHAR[]) AS prompt_id, unnest($generation_ids::VARCHAR[]) AS shown_id
        ), passing AS (
            SELECT f.prompt_id, count(*) AS n
            {from_filtered(where, "f.prompt_id")} AND f.prompt_id IN (SELECT prompt_id FROM shown)
            GROUP BY f.prompt_id
        )
        SELECT s.shown_id AS generation_id, greatest(coalesce(passing.n, 0), 1) AS n_generations,
               g.image_nsfw
        FROM shown s
        JOIN fact_generations g ON g.generation_id = s.shown_id
        LEFT JOIN passing ON passing.prompt_id = s.prompt_id
        """,
        {
            **params,
            "prompt_ids": tiles["prompt_id"].tolist(),
            "generation_ids": tiles["generation_id"].tolist(),
        },
    )
    return tiles.merge(counts, on="generation_id", how="left")


def prompt_generations(
    wh: Warehouse, prompt_id: str, filters: Filters | None = None, limit: int = 50
) -> pd.DataFrame:
    """The generations of one prompt passing the filters, oldest first (grain: one generation):
    what a gallery tile with an "x5" badge opens. Columns: generation_id, created_at, session_id,
    user_id, status, error_code, latency_ms, seed, thumb_path, image_nsfw."""
    where, params = (filters or Filters()).where()
    columns = """f.generation_id, f.created_at, f.session_id, f.user_id, f.status, f.error_code,
               f.latency_ms, f.seed, f.thumb_path, f.image_nsfw"""
    return wh.query(
        f"""
        SELECT {columns}
        {from_filtered(where, columns)} AND f.prompt_id = $prompt_id
        ORDER BY f.created_at, f.generation_id
        LIMIT $limit
        """,
        {**params, "prompt_id": prompt_id, "limit": check_limit(limit)},
    )


def has_images(wh: Warehouse) -> bool:
    """Whether any generation of the warehouse has a thumbnail (a metadata-only build has none)."""
    return bool(wh.scalar("SELECT count(thumb_path) > 0 FROM fact_generations"))
