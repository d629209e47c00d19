"""Prompt leaderboards: which prompts (or prompt clusters) people re-roll, fail on, give up on, or
get what they asked for, ranked with a Wilson 95% interval so that a prompt tried twice does not
top a list by luck.

A row is one prompt (``group="prompt"``: one exact text, ``dim_prompts.prompt_id``) or one cluster
(``group="cluster"``: the texts equal but for case and spacing, ``dim_prompts.prompt_normalized``),
counted over the generations that pass the shared filters. Its rates, each a count out of trials:

- **re-roll rate**: re-rolls / generations. A re-roll is a generation whose session's previous
  generation had the same prompt (the same cluster, for clusters) and another seed: the user drew
  again (the Session Explorer's ``seed_rerolled``). The previous generation counts whether or not
  it passes the filters.
- **failure rate**: generations that did not succeed (error, timeout, nsfw_blocked) / generations.
- **abandonment**: abandoned sessions / sessions. A session counts for a prompt when one of the
  prompt's generations in it passes the filters; it was abandoned on the prompt when the prompt was
  the session's last generation and that generation failed (``dim_sessions.abandoned``: the
  session ended without a success), and that generation passes the filters.
- **success rate**: successful generations / generations.

Only rows with at least ``min_sample`` trials of the ranked rate (generations; sessions for
abandonment) are ranked. Ranking is by the interval, never the bare rate, and always on the side
that the data make sure of: a list of the highest rates is sorted by the interval's lower bound
(descending), a list of the lowest by its upper bound (ascending). So "best" success rate ranks by
the lower bound and "worst" by the upper bound; for failure, abandonment and re-rolls, where a high
rate is bad, "worst" is the highest (lower bound) and "best" the lowest (upper bound).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from genai_analyzer.analysis import semantic
from genai_analyzer.analysis.filters import Filters
from genai_analyzer.analysis.formatting import format_interval
from genai_analyzer.analysis.queries import GENERATIONS
from genai_analyzer.warehouse.reader import Warehouse

Z_95 = 1.959963984540054  # the standard normal's 97.5th percentile: a two-sided 95% interval


def wilson_interval(successes, trials, z: float = Z_95):
    """The Wilson score interval of a proportion: (low, high) for ``successes`` out of ``trials``,
    as floats, or as arrays for arrays. It stays inside [0, 1] and is honest for small samples and
    rates near 0 or 1, where the normal approximation is not (0 of 10 -> 0% to 28%). (nan, nan)
    where trials is 0."""
    k = np.asarray(successes, dtype=float)
    n = np.asarray(trials, dtype=float)
    if np.any(k < 0) or np.any(k > n):
        raise ValueError("successes must be between 0 and trials")
    with np.errstate(divide="ignore", invalid="ignore"):
        p = k / n
        z2 = z * z
        denominator = 1 + z2 / n
        centre = (p + z2 / (2 * n)) / denominator
        half = z * np.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / denominator
        low = np.where(k == 0, 0.0, np.clip(centre - half, 0.0, 1.0))
        high = np.where(k == n, 1.0, np.clip(centre + half, 0.0, 1.0))
    low, high = np.where(n > 0, low, np.nan), np.where(n > 0, high, np.nan)
    if low.ndim == 0:
        return float(low), float(high)
    return low, high


@dataclass(frozen=True)
class RateMetric:
    """A rate a leaderboard ranks by: ``count`` out of ``trials`` (column names of the frame)."""

    name: str
    label: str
    count: str
    trials: str
    higher_is_better: bool


_LABELS = semantic.load().metrics
LEADERBOARD_METRICS = {
    m.name: m
    for m in (
        RateMetric("reroll_rate", "Re-roll rate", "rerolls", "generations", higher_is_better=False),
        RateMetric("failure_rate", _LABELS["failure_rate"].label, "failures", "generations", False),
        RateMetric("abandonment_rate", "Abandonment", "abandoned", "sessions", higher_is_better=False),
        RateMetric("success_rate", _LABELS["success_rate"].label, "successes", "generations", True),
    )
}
DIRECTIONS = ("worst", "best")
GROUPS = ("prompt", "cluster")
# Fewer trials than this and a rate's interval is too wide to rank by (5 of 5 is 57% to 100%).
DEFAULT_MIN_SAMPLE = 5
DEFAULT_LIMIT = 25
MAX_MIN_SAMPLE = 100_000

# One row per prompt or cluster passing the filters, with at least $min_sample trials. The keys
# with enough generations are found first (a necessary condition for enough sessions too), so the
# previous generation, the session's end and the distinct counts are looked up for those rows only:
# at 1M generations most prompts are used once or twice. {source} and {where}: the filtered
# generations (the shared filters); {trials}: the ranked rate's trials.
_SQL = """
WITH clusters AS (SELECT prompt_id, hash(prompt_normalized) AS cluster FROM dim_prompts),
passing AS (
    SELECT f.generation_id, f.session_id, f.session_seq, f.user_id, f.status, f.created_at,
           f.prompt_id, f.seed, {key} AS key
    FROM {source} {key_join} WHERE {where}
),
eligible AS (SELECT key FROM passing GROUP BY key HAVING count(*) >= $min_sample),
steps AS (
    SELECT r.*, {prev_key} AS prev_key, g.seed AS prev_seed, r.session_seq = s.n_generations AS is_last
    FROM passing r SEMI JOIN eligible USING (key)
    JOIN dim_sessions s ON s.session_id = r.session_id
    LEFT JOIN fact_generations g ON g.session_id = r.session_id AND g.session_seq = r.session_seq - 1
    {prev_join}
),
ranked AS (
    SELECT key,
           arg_min(prompt_id, (created_at, prompt_id)) AS first_prompt_id,
           count(DISTINCT prompt_id) AS variants,
           count(*) AS generations,
           count(DISTINCT session_id) AS sessions,
           count(DISTINCT user_id) AS users,
           count(*) FILTER (WHERE status = 'success') AS successes,
           count(*) FILTER (WHERE status <> 'success') AS failures,
           count(*) FILTER (WHERE key = prev_key AND seed IS DISTINCT FROM prev_seed) AS rerolls,
           count(*) FILTER (WHERE is_last AND status <> 'success') AS abandoned
    FROM steps GROUP BY key HAVING {trials} >= $min_sample
)
SELECT {shown_key} AS key, p.prompt, r.* EXCLUDE (key, first_prompt_id)
FROM ranked r JOIN dim_prompts p ON p.prompt_id = r.first_prompt_id
"""
# group -> the SQL pieces of its key: a prompt's id, or for a cluster a 64-bit hash of its
# normalized text (joined and grouped as a number, not as long text; shown as the text).
_GROUP_SQL = {
    "prompt": {
        "key": "f.prompt_id",
        "key_join": "",
        "prev_key": "g.prompt_id",
        "prev_join": "",
        "shown_key": "r.key",
    },
    "cluster": {
        "key": "k.cluster",
        "key_join": "JOIN clusters k ON k.prompt_id = f.prompt_id",
        "prev_key": "gk.cluster",
        "prev_join": "LEFT JOIN clusters gk ON gk.prompt_id = g.prompt_id",
        "shown_key": "p.prompt_normalized",
    },
}
_TRIALS_SQL = {"generations": "count(*)", "sessions": "count(DISTINCT session_id)"}


def ranks_highest(metric: str, direction: str) -> bool:
    """Whether a list of ``direction`` ("worst" or "best") by ``metric`` shows its highest rates."""
    return (direction == "best") == LEADERBOARD_METRICS[metric].higher_is_better


def ranking_rule(metric: str, direction: str, min_sample: int = DEFAULT_MIN_SAMPLE) -> str:
    """How a list is ranked, in words, for the page and the command line."""
    spec = LEADERBOARD_METRICS[metric]
    if ranks_highest(metric, direction):
        order = f"highest {spec.label.lower()} first, by the lower bound of its 95% interval"
    else:
        order = f"lowest {spec.label.lower()} first, by the upper bound of its 95% interval"
    return f"{direction.capitalize()} {order}; at least {min_sample:,} {spec.trials} each."


def prompt_leaderboard(
    wh: Warehouse,
    filters: Filters | None = None,
    *,
    metric: str = "failure_rate",
    direction: str = "worst",
    group: str = "prompt",
    min_sample: int = DEFAULT_MIN_SAMPLE,
    limit: int = DEFAULT_LIMIT,
) -> pd.DataFrame:
    """One row per prompt (or cluster) with at least ``min_sample`` trials of ``metric``, ranked
    as the module says, the first ``limit`` of them (grain: one prompt or cluster).

    Columns: rank, key (prompt_id, or the normalized text of a cluster), prompt (a cluster's
    earliest spelling), variants (distinct spellings), generations, sessions, users, successes,
    failures, rerolls, abandoned, and for each rate of LEADERBOARD_METRICS the rate and its Wilson
    bounds (``<rate>_low``, ``<rate>_high``). ``attrs["eligible"]``: rows that had enough trials.
    """
    if metric not in LEADERBOARD_METRICS or direction not in DIRECTIONS or group not in GROUPS:
        raise ValueError(f"unknown leaderboard: {metric!r}, {direction!r}, {group!r}")
    spec = LEADERBOARD_METRICS[metric]
    where, params = (filters or Filters()).where()
    source = GENERATIONS.from_reading(where)
    sql = _SQL.format(**_GROUP_SQL[group], source=source, where=where, trials=_TRIALS_SQL[spec.trials])
    frame = wh.query(sql, {**params, "min_sample": int(min_sample)})
    for rate in LEADERBOARD_METRICS.values():
        frame[rate.name] = frame[rate.count] / frame[rate.trials]
        frame[f"{rate.name}_low"], frame[f"{rate.name}_high"] = wilson_interval(
            frame[rate.count].to_numpy(), frame[rate.trials].to_numpy()
        )
    if ranks_highest(metric, direction):
        keys, ascending = [f"{metric}_low", metric], [False, False]
    else:
        keys, ascending = [f"{metric}_high", metric], [True, True]
    ranked = frame.sort_values([*keys, spec.trials, "key"], ascending=[*ascending, False, True])
    ranked = ranked.head(limit).reset_index(drop=True)
    ranked.insert(0, "rank", range(1, len(ranked) + 1))
    ranked.attrs["eligible"] = len(frame)
    return ranked


def leaderboard_table(frame: pd.DataFrame, metric: str, group: str = "prompt") -> pd.DataFrame:
    """The leaderboard as people read it (what the app shows and exports, and the CLI prints):
    rank, the prompt, the counts, and each rate with its interval, "12% (8-17%)", the ranked
    rate first."""
    rates = [metric, *(m for m in LEADERBOARD_METRICS if m != metric)]
    table = pd.DataFrame(
        {
            "#": frame["rank"],
            "Same-text group" if group == "cluster" else "Prompt": frame["prompt"],
            **({"Spellings": frame["variants"]} if group == "cluster" else {}),
            "Generations": frame["generations"],
            "Sessions": frame["sessions"],
            **{
                LEADERBOARD_METRICS[m].label: [
                    format_interval(v, lo, hi)
                    for v, lo, hi in zip(frame[m], frame[f"{m}_low"], frame[f"{m}_high"], strict=True)
                ]
                for m in rates
            },
        }
    )
    return table
