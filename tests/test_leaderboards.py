"""Prompt leaderboards: the Wilson interval against published values, and the ranked rows against
an independent pandas computation on real warehouses (the embedded sample, and a small log whose
prompts differ only in case and spacing)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from genai_analyzer.analysis import leaderboards as lb
from genai_analyzer.analysis.filters import Filters
from genai_analyzer.analysis.formatting import format_interval
from genai_analyzer.pipeline.build import BuildRequest, build_warehouse
from genai_analyzer.warehouse.reader import Warehouse
from tests.conftest import make_settings

# --- the Wilson interval ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "successes, trials, low, high",
    [
        # Newcombe (1998), "Two-sided confidence intervals for the single proportion", Table I
        (81, 263, 0.2553, 0.3662),
        (15, 148, 0.0624, 0.1605),
        (0, 20, 0.0, 0.1611),
        (1, 29, 0.0061, 0.1718),
        # at the edges the interval reaches 0 or 1 exactly, and is symmetric about one half
        (10, 10, 0.7225, 1.0),
        (5, 10, 0.2366, 0.7634),
    ],
)
def test_the_wilson_interval_matches_published_values(successes, trials, low, high):
    got = lb.wilson_interval(successes, trials)
    assert got == pytest.approx((low, high), abs=5e-5)
    assert isinstance(got[0], float)


def test_the_wilson_interval_agrees_with_scipy_over_a_grid_and_works_on_arrays():
    stats = pytest.importorskip("scipy.stats")
    ks, ns = np.meshgrid(np.arange(0, 41), np.arange(1, 41))
    ks, ns = ks[ks <= ns], ns[ks <= ns]
    low, high = lb.wilson_interval(ks, ns)
    for k, n, lo, hi in zip(ks, ns, low, high, strict=True):
        expected = stats.binomtest(int(k), int(n)).proportion_ci(method="wilson")
        assert (lo, hi) == pytest.approx((expected.low, expected.high), abs=1e-9)
        assert lo <= k / n <= hi
    assert np.all((low >= 0) & (high <= 1))


def test_the_wilson_interval_of_nothing_is_unknown_and_bad_counts_are_refused():
    assert all(np.isnan(lb.wilson_interval(0, 0)))
    with pytest.raises(ValueError):
        lb.wilson_interval(6, 5)
    with pytest.raises(ValueError):
        lb.wilson_interval(-1, 5)


def test_an_interval_reads_as_a_rate_and_its_bounds_in_whole_percent():
    assert format_interval(0.123, 0.081, 0.172) == "12% (8-17%)"
    assert format_interval(1.0, 0.68, 1.0) == "100% (68-100%)"
    assert format_interval(None, None, None) == "–"


# --- the leaderboard on the embedded sample, recomputed with pandas --------------------------------


@pytest.fixture(scope="module")
def sample_wh(sample_warehouse):
    with Warehouse(sample_warehouse) as wh:
        yield wh


def pandas_leaderboard(wh: Warehouse, key: str, keep=None) -> pd.DataFrame:
    """Per ``key`` counts from the raw tables: re-rolls from each session's previous generation
    (before any filter), abandonment from dim_sessions, the rest by counting; ``keep`` filters."""
    facts = wh.query(
        "SELECT f.*, u.tier, p.prompt, p.prompt_normalized FROM fact_generations f "
        "JOIN dim_users u USING (user_id) JOIN dim_prompts p USING (prompt_id)"
    ).sort_values(["session_id", "session_seq"])
    sessions = wh.query("SELECT session_id, n_generations, abandoned FROM dim_sessions")
    previous = facts.groupby("session_id")[[key, "seed"]].shift()
    facts["reroll"] = (facts[key] == previous[key]) & (facts["seed"] != previous["seed"])
    facts = facts.merge(sessions, on="session_id")
    facts["abandoning"] = (facts["session_seq"] == facts["n_generations"]) & facts["abandoned"]
    facts["success"] = facts["status"] == "success"
    if keep is not None:
        facts = facts[keep(facts)]
    grouped = facts.groupby(key)
    out = pd.DataFrame(
        {
            "generations": grouped.size(),
            "sessions": grouped["session_id"].nunique(),
            "successes": grouped["success"].sum(),
            "rerolls": grouped["reroll"].sum(),
            "abandoned": grouped["abandoning"].sum(),
            "variants": grouped["prompt_id"].nunique(),
        }
    )
    out["failures"] = out["generations"] - out["successes"]
    return out


@pytest.mark.parametrize("metric", list(lb.LEADERBOARD_METRICS))
@pytest.mark.parametrize("direction", lb.DIRECTIONS)
def test_the_leaderboard_ranks_what_pandas_counts_by_the_sure_side_of_the_interval(
    sample_wh, metric, direction
):
    spec = lb.LEADERBOARD_METRICS[metric]
    min_sample = 2 if metric == "abandonment_rate" else 3
    frame = lb.prompt_leaderboard(
        sample_wh, metric=metric, direction=direction, min_sample=min_sample, limit=15
    )
    expected = pandas_leaderboard(sample_wh, "prompt_id")
    eligible = expected[expected[spec.trials] >= min_sample].copy()
    assert frame.attrs["eligible"] == len(eligible) > 15
    # every row's counts and interval, recomputed
    for row in frame.itertuples():
        want = eligible.loc[row.key]
        for column in ("generations", "sessions", "successes", "failures", "rerolls", "abandoned"):
            assert getattr(row, column) == want[column], (row.key, column)
        low, high = lb.wilson_interval(want[spec.count], want[spec.trials])
        assert getattr(row, metric) == pytest.approx(want[spec.count] / want[spec.trials])
        assert (getattr(row, f"{metric}_low"), getattr(row, f"{metric}_high")) == pytest.approx((low, high))
    # the order: highest rates by the lower bound, lowest by the upper bound, ties by rate, trials, key
    eligible["rate"] = eligible[spec.count] / eligible[spec.trials]
    eligible["low"], eligible["high"] = lb.wilson_interval(
        eligible[spec.count].to_numpy(), eligible[spec.trials].to_numpy()
    )
    eligible["key"] = eligible.index
    highest = lb.ranks_highest(metric, direction)
    bound = "low" if highest else "high"
    order = eligible.sort_values(
        [bound, "rate", spec.trials, "key"], ascending=[not highest, not highest, False, True]
    )
    assert frame["key"].tolist() == order["key"].head(15).tolist()
    assert frame["rank"].tolist() == list(range(1, 16))
    assert highest == ((direction == "best") == (metric == "success_rate"))


def test_the_filters_and_the_minimum_sample_decide_which_prompts_are_ranked(sample_wh):
    pro = Filters(tiers=("pro",))
    frame = lb.prompt_leaderboard(sample_wh, pro, metric="reroll_rate", min_sample=2, limit=500)
    expected = pandas_leaderboard(sample_wh, "prompt_id", keep=lambda f: f["tier"] == "pro")
    expected = expected[expected["generations"] >= 2]
    assert sorted(frame["key"]) == sorted(expected.index)
    by_key = frame.set_index("key")
    assert (by_key["rerolls"] == expected.loc[by_key.index, "rerolls"]).all()
    assert (by_key["generations"] == expected.loc[by_key.index, "generations"]).all()
    # a minimum no prompt reaches gives an empty leaderboard, not an error
    assert lb.prompt_leaderboard(sample_wh, min_sample=100_000).empty


def test_the_table_shows_each_rate_with_its_interval_the_ranked_one_first(sample_wh):
    frame = lb.prompt_leaderboard(sample_wh, metric="abandonment_rate", min_sample=2, limit=5)
    table = lb.leaderboard_table(frame, "abandonment_rate")
    assert list(table.columns) == ["#", "Prompt", "Generations", "Sessions", "Abandonment",
                                   "Re-roll rate", "Failure rate", "Success rate"]  # fmt: skip
    for shown, row in zip(table["Abandonment"], frame.itertuples(), strict=True):
        bounds = (row.abandonment_rate, row.abandonment_rate_low, row.abandonment_rate_high)
        rate, low, high = (round(100 * x) for x in bounds)
        assert shown == f"{rate}% ({low}-{high}%)"
    assert table["Prompt"].tolist() == frame["prompt"].tolist()


# --- clusters: the same text but for case and spacing --------------------------------------------

# Three sessions, by hand. u1: "A cat" (error), "a  cat " (success, new seed), "a cat" (success,
# new seed), "a dog" (error: the session ends on a failure). u2, an hour later: "A CAT" timed out,
# then "A CAT" again with the same seed (a retry, not a re-roll) failed: the session ends there.
# u3: "a dog" twice with two seeds, both fine.
LOG = [
    ("u1", "2025-09-01T10:00:00Z", "A cat", "error", 1),
    ("u1", "2025-09-01T10:01:00Z", "a  cat ", "success", 2),
    ("u1", "2025-09-01T10:02:00Z", "a cat", "success", 3),
    ("u1", "2025-09-01T10:03:00Z", "a dog", "error", 4),
    ("u2", "2025-09-01T11:00:00Z", "A CAT", "timeout", 5),
    ("u2", "2025-09-01T11:01:00Z", "A CAT", "error", 5),
    ("u3", "2025-09-01T12:00:00Z", "a dog", "success", 6),
    ("u3", "2025-09-01T12:01:00Z", "a dog", "success", 7),
]


@pytest.fixture(scope="module")
def cluster_wh(tmp_path_factory):
    folder = tmp_path_factory.mktemp("clusters")
    logs = pd.DataFrame(LOG, columns=["user_id", "timestamp", "prompt", "status", "seed"])
    logs["latency_ms"] = 2000
    logs["parameters"] = [json.dumps({"steps": 30}) for _ in range(len(logs))]
    logs.to_parquet(folder / "logs.parquet")
    settings = make_settings(folder)
    build_warehouse(
        settings, BuildRequest(source="logs", path=folder / "logs.parquet", enrich=()), progress=False
    )
    with Warehouse(settings.db_path, extensions=()) as wh:
        yield wh


def test_clusters_join_prompts_that_differ_in_case_and_spacing(cluster_wh):
    frame = lb.prompt_leaderboard(cluster_wh, group="cluster", min_sample=1).set_index("key")
    cat, dog = frame.loc["a cat"], frame.loc["a dog"]
    assert (cat.prompt, cat.variants, cat.generations, cat.sessions, cat.users) == ("A cat", 4, 5, 2, 2)
    # re-rolls: u1's 2nd and 3rd (same cluster, new seed); u2's second keeps its seed
    assert (cat.successes, cat.failures, cat.rerolls, cat.abandoned) == (2, 3, 2, 1)
    assert (dog.variants, dog.generations, dog.sessions, dog.rerolls, dog.abandoned) == (1, 3, 2, 1, 1)
    assert (cat.failure_rate_low, cat.failure_rate_high) == pytest.approx(lb.wilson_interval(3, 5))
    # worst failure rate: "a cat" (3 of 5, lower bound 23%) above "a dog" (1 of 3, 6%)
    worst = lb.prompt_leaderboard(cluster_wh, group="cluster", metric="failure_rate", min_sample=1)
    assert worst["key"].tolist() == ["a cat", "a dog"]
    assert lb.prompt_leaderboard(cluster_wh, group="cluster", min_sample=4)["key"].tolist() == ["a cat"]


def test_exact_prompts_keep_spellings_apart_and_re_roll_only_the_same_text(cluster_wh):
    frame = lb.prompt_leaderboard(cluster_wh, group="prompt", min_sample=1, limit=500)
    by_text = frame.set_index("prompt")
    assert sorted(by_text.index) == sorted({row[2] for row in LOG})
    # "a  cat " after "A cat" is a new prompt, not a re-roll of it
    assert by_text.loc["a  cat ", "rerolls"] == by_text.loc["A cat", "rerolls"] == 0
    shouted = by_text.loc["A CAT"]
    assert (shouted.generations, shouted.failures, shouted.rerolls, shouted.abandoned) == (2, 2, 0, 1)
    assert (shouted.abandonment_rate_low, shouted.abandonment_rate_high) == pytest.approx(
        lb.wilson_interval(1, 1)
    )
    assert by_text.loc["a dog", "rerolls"] == 1


# --- the command line ------------------------------------------------------------------------------


def test_the_cli_prints_the_leaderboard_and_offers_the_modules_choices(sample_warehouse, sample_wh):
    import io

    from click.testing import CliRunner

    from genai_analyzer.cli import leaderboard

    choices = {p.name: list(getattr(p.type, "choices", [])) for p in leaderboard.params}
    assert choices["metric"] == list(lb.LEADERBOARD_METRICS)
    assert (choices["direction"], choices["group"]) == (list(lb.DIRECTIONS), list(lb.GROUPS))
    assert {p.name: p.default for p in leaderboard.params}["min_sample"] == lb.DEFAULT_MIN_SAMPLE
    args = ["--db", str(sample_warehouse), "--metric", "reroll_rate", "--min-sample", "3", "--tier", "pro"]
    result = CliRunner().invoke(leaderboard, [*args, "--csv"])
    assert result.exit_code == 0, result.output
    frame = lb.prompt_leaderboard(
        sample_wh, Filters(tiers=("pro",)), metric="reroll_rate", min_sample=3, limit=20
    )
    expected = lb.leaderboard_table(frame, "reroll_rate")
    printed = pd.read_csv(io.StringIO(result.output), dtype=str, keep_default_na=False)
    assert printed.values.tolist() == expected.astype(str).values.tolist() and len(printed) > 5
    text = CliRunner().invoke(leaderboard, args)
    assert text.exit_code == 0 and "Worst highest re-roll rate first, by the lower bound" in text.output
    bad = CliRunner().invoke(leaderboard, ["--db", str(sample_warehouse), "--tier", "gold"])
    assert bad.exit_code == 1 and "'gold' is not in this warehouse" in bad.output
