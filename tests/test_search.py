"""Prompt search on a real warehouse: the 5,000 DiffusionDB rows of 2M parts 1-5, with embeddings.

One warehouse is built for the module (about 4,300 distinct prompts embedded with
all-MiniLM-L6-v2; the model is loaded once and shared by the build and the queries). The labelled
query set in tests/data/search_queries.json measures ranking quality per mode with nDCG@10.
"""

from __future__ import annotations

import json
import math
import re
import shutil
from datetime import timedelta
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from genai_analyzer.analysis import search as search_module
from genai_analyzer.analysis.search import Filters, SearchError, more_like_this, search
from genai_analyzer.analysis.vector_search import vector_choice
from genai_analyzer.cli import main
from genai_analyzer.core.contract import keyword_index_root, vector_index_root
from genai_analyzer.pipeline.build import BuildRequest, build_warehouse
from genai_analyzer.warehouse.reader import Warehouse
from tests.conftest import make_settings, shared_path

# A 5,000-prompt build with embeddings (about 40 s): in the full suite only. The fast lane reaches
# search through the Explorer and API tests on the small sample.
pytestmark = pytest.mark.slow

QUERY_SET = Path(__file__).parent / "data" / "search_queries.json"
MODES = ("semantic", "keyword", "hybrid")
HNSW_INDEX = "dim_prompts_embedding_hnsw"


@pytest.fixture(scope="module")
def embedder():
    """The query embedder search() itself caches, so the model loads once for the whole module."""
    from genai_analyzer.models.embeddings import DEFAULT_MODEL

    return search_module._embedder_for(DEFAULT_MODEL)


@pytest.fixture(scope="module")
def built(tmp_path_factory, embedder):
    """(settings, build summary) of the warehouse built from parts 1-5 with embeddings."""
    path = shared_path("parts_000001-000005")
    settings = make_settings(tmp_path_factory.mktemp("search"))
    with pytest.MonkeyPatch.context() as mp:
        # The build makes its own Embedder; hand it the already loaded one instead.
        mp.setattr("genai_analyzer.models.embeddings.Embedder", lambda *a, **k: embedder)
        summary = build_warehouse(
            settings, BuildRequest(source="diffusiondb", path=path, enrich=("embeddings",)), progress=False
        )
    return settings, summary


@pytest.fixture(scope="module")
def wh(built):
    with Warehouse(built[0].db_path) as warehouse:
        yield warehouse


def _prompt_id(wh: Warehouse, fragment: str) -> str:
    """The id of the one prompt containing ``fragment``."""
    ids = wh.query(
        "SELECT prompt_id FROM dim_prompts WHERE lower(prompt) LIKE $f", {"f": f"%{fragment}%"}
    ).prompt_id
    assert len(ids) == 1, f"expected one prompt containing {fragment!r}, found {len(ids)}"
    return ids[0]


def _top_prompts(frame: pd.DataFrame, n: int) -> list[str]:
    return list(dict.fromkeys(frame["prompt_id"]))[:n]


# --- the build made what search needs --------------------------------------------------------


def test_build_embeds_every_prompt_and_makes_both_indexes(built, wh):
    _, summary = built
    # the prompt vectors in the exact index beside the warehouse instead of an HNSW index
    assert summary.indexes == {"hnsw": False, "fts": True, "vectors": True, "bm25s": True}
    n_prompts = wh.scalar("SELECT count(*) FROM dim_prompts")
    assert wh.scalar("SELECT count(text_embedding) FROM dim_prompts") == n_prompts > 4000
    assert summary.enrichment["embeddings"]["dim"] == 384


def test_results_are_ranked_generations_with_their_prompts(wh, embedder):
    frame = search(wh, "a castle on a hill", mode="hybrid", limit=12, per_prompt=2, embedder=embedder)
    assert 0 < len(frame) <= 12
    assert frame["rank"].is_monotonic_increasing
    assert frame.groupby("prompt_id").size().max() <= 2
    assert {"generation_id", "prompt_id", "prompt", "score", "tier", "status", "thumb_path"} <= set(frame)


# --- meaning, exact terms --------------------------------------------------------------------

# (a short fragment identifying one real prompt, a paraphrase sharing at most one word with it)
PARAPHRASES = [
    ("attacked by many little sharks", "sharks swarming around an ocean liner"),
    ("hedgehog in a canoe", "hedgehog paddling a little boat across a lake"),
]


@pytest.mark.parametrize("mode", ["semantic", "hybrid"])
@pytest.mark.parametrize(("fragment", "paraphrase"), PARAPHRASES)
def test_paraphrase_finds_the_known_prompt_in_the_top_5(wh, embedder, mode, fragment, paraphrase):
    target = _prompt_id(wh, fragment)
    frame = search(wh, paraphrase, mode=mode, limit=5, per_prompt=1, embedder=embedder)
    assert target in _top_prompts(frame, 5)


# A paraphrase sharing no word with its prompt ("a tortoise jumping through a flaming hoop").
PURE = ("tortoise jumping through a flaming hoop", "turtle leaping through a ring of fire")


def test_paraphrase_with_no_shared_word_is_first_in_semantic_mode(wh, embedder):
    frame = search(wh, PURE[1], mode="semantic", limit=5, per_prompt=1, embedder=embedder)
    assert _top_prompts(frame, 1) == [_prompt_id(wh, PURE[0])]


@pytest.mark.xfail(
    strict=True,
    reason="search.py weakness: hybrid fuses every BM25 hit for 'ring'/'fire' with equal weight, and "
    "prompts in both 200-deep lists outrank the semantic first hit (see docs/benchmarks.md)",
)
def test_paraphrase_with_no_shared_word_is_in_the_hybrid_top_5(wh, embedder):
    frame = search(wh, PURE[1], mode="hybrid", limit=5, per_prompt=1, embedder=embedder)
    assert _prompt_id(wh, PURE[0]) in _top_prompts(frame, 5)


@pytest.mark.parametrize("term", ["coruscant", "seahawks", "berlusconi"])
def test_keyword_mode_finds_exactly_the_prompts_with_a_rare_term(wh, term):
    having = set(
        wh.query("SELECT prompt_id FROM dim_prompts WHERE prompt ILIKE $t", {"t": f"%{term}%"}).prompt_id
    )
    assert 1 <= len(having) <= 5
    frame = search(wh, term, mode="keyword", limit=5, per_prompt=1)
    assert set(frame["prompt_id"]) == having


def test_keyword_mode_ranks_every_prompt_with_a_rare_name_above_the_rest(wh):
    n = wh.scalar("SELECT count(*) FROM dim_prompts WHERE prompt ILIKE '%mcquarrie%'")
    frame = search(wh, "ralph mcquarrie", mode="keyword", limit=n + 5, per_prompt=1)
    assert ["mcquarrie" in p.lower() for p in frame["prompt"]] == [True] * n + [False] * (len(frame) - n)


def test_keyword_query_with_no_matching_word_is_empty(wh):
    assert search(wh, "xylophonequux", mode="keyword").empty


# --- filters ---------------------------------------------------------------------------------


def _rows(wh: Warehouse, frame: pd.DataFrame) -> pd.DataFrame:
    """The returned generations with the columns the filters read."""
    cur = wh.cursor()
    try:
        cur.register("hits", frame[["generation_id"]])
        return cur.execute(
            "SELECT f.generation_id, f.date_key, f.status, f.image_nsfw, u.tier FROM hits "
            "JOIN fact_generations f USING (generation_id) JOIN dim_users u USING (user_id)"
        ).df()
    finally:
        cur.close()


@pytest.fixture(scope="module")
def values(wh):
    """Filter values present in (and absent from) this warehouse."""
    tiers = set(wh.query("SELECT DISTINCT tier FROM dim_users").tier)
    statuses = wh.query("SELECT status, count(*) AS n FROM fact_generations GROUP BY 1 ORDER BY n").status
    days = wh.query("SELECT min(date_key) AS lo, max(date_key) AS hi FROM fact_generations").iloc[0]
    return {
        "tier": sorted(tiers)[0],
        "absent_tier": next(t for t in ("enterprise", "pro", "free") if t not in tiers),
        "rare_status": statuses.iloc[0],  # the least common status: the selective case
        "absent_status": next(
            s for s in ("nsfw_blocked", "cancelled", "error", "success") if s not in set(statuses)
        ),
        "lo": pd.Timestamp(days.lo).date(),
        "hi": pd.Timestamp(days.hi).date(),
    }


def test_an_empty_tuple_is_no_filter(wh):
    everything = search(wh, "robots", mode="keyword")
    assert len(search(wh, "robots", mode="keyword", filters=Filters(tiers=()))) == len(everything)


def _check(frame, rows, predicate):
    assert not frame.empty
    assert len(rows) == len(frame)
    assert rows.apply(predicate, axis=1).all()


@pytest.mark.parametrize("mode", MODES)
def test_tier_filter(wh, embedder, values, mode):
    f = Filters(tiers=[values["tier"]])
    frame = search(wh, "portrait of a woman", mode=mode, filters=f, embedder=embedder)
    _check(frame, _rows(wh, frame), lambda r: r.tier == values["tier"])


@pytest.mark.parametrize("mode", MODES)
def test_status_filter(wh, embedder, values, mode):
    status = values["rare_status"]
    frame = search(
        wh, "portrait of a woman", mode=mode, filters=Filters(statuses=[status]), embedder=embedder
    )
    _check(frame, _rows(wh, frame), lambda r: r.status == status)


@pytest.mark.parametrize("mode", MODES)
def test_date_range_filter(wh, embedder, values, mode):
    start = values["lo"] + timedelta(days=3)
    end = start + timedelta(days=1)
    f = Filters(start=start, end=end)
    frame = search(wh, "a dragon", mode=mode, filters=f, limit=50, embedder=embedder)
    rows = _rows(wh, frame)
    _check(frame, rows, lambda r: start <= pd.Timestamp(r.date_key).date() <= end)
    assert frame["created_at"].dt.date.between(start, end).all()


@pytest.mark.parametrize("mode", MODES)
def test_max_nsfw_filter(wh, embedder, mode):
    # Parts 1-5 carry no nsfw scores (image_nsfw is NULL): search counts a missing score as 0.
    f = Filters(max_nsfw=0.5)
    frame = search(wh, "a dragon", mode=mode, filters=f, embedder=embedder)
    _check(frame, _rows(wh, frame), lambda r: pd.isna(r.image_nsfw) or r.image_nsfw <= 0.5)


NOTHING = ["tier", "status", "after_the_data", "inverted_range", "max_nsfw"]


def _nothing(kind: str, values: dict) -> Filters:
    return {
        "tier": lambda: Filters(tiers=[values["absent_tier"]]),
        "status": lambda: Filters(statuses=[values["absent_status"]]),
        "after_the_data": lambda: Filters(start=values["hi"] + timedelta(days=1)),
        "inverted_range": lambda: Filters(start=values["hi"], end=values["lo"]),
        "max_nsfw": lambda: Filters(max_nsfw=-1),
    }[kind]()


@pytest.mark.parametrize("kind", NOTHING)
@pytest.mark.parametrize("mode", MODES)
def test_a_filter_that_matches_nothing_gives_an_empty_frame(wh, embedder, values, mode, kind):
    frame = search(wh, "portrait of a woman", mode=mode, filters=_nothing(kind, values), embedder=embedder)
    assert isinstance(frame, pd.DataFrame) and frame.empty
    assert {"generation_id", "prompt_id", "prompt", "score"} <= set(frame)


def test_filters_combine(wh, embedder, values):
    f = Filters(tiers=[values["tier"]], statuses=["success"], start=values["lo"], end=values["lo"])
    frame = search(wh, "robots", mode="hybrid", filters=f, limit=30, embedder=embedder)
    _check(
        frame,
        _rows(wh, frame),
        lambda r: (
            r.tier == values["tier"]
            and r.status == "success"
            and pd.Timestamp(r.date_key).date() == values["lo"]
        ),
    )


def test_selective_filter_still_fills_the_semantic_results(wh, embedder, values):
    # The rare status passes few of the approximate candidates: search falls back to exact search
    # among the generations that pass, so the page is still full.
    status = values["rare_status"]
    n_pass = wh.scalar("SELECT count(*) FROM fact_generations WHERE status = $s", {"s": status})
    frame = search(
        wh, "a cat", mode="semantic", filters=Filters(statuses=[status]), limit=20, embedder=embedder
    )
    assert len(frame) == min(20, n_pass)


# --- more like this --------------------------------------------------------------------------


def test_more_like_this_returns_similar_prompts_without_the_source(wh):
    source = _prompt_id(wh, "robots creating new robots in a long factory line")
    frame = more_like_this(wh, prompt_id=source, limit=10, per_prompt=1)
    assert len(frame) == 10
    assert source not in set(frame["prompt_id"])
    assert frame["rank"].is_monotonic_increasing and frame["score"].is_monotonic_decreasing
    assert sum("robot" in p.lower() for p in frame["prompt"]) >= 8


def test_more_like_this_by_generation_id_uses_that_generation_prompt(wh):
    source = _prompt_id(wh, "robots creating new robots in a long factory line")
    generation = wh.scalar(
        "SELECT min(generation_id) FROM fact_generations WHERE prompt_id = $p", {"p": source}
    )
    by_generation = more_like_this(wh, generation_id=generation, limit=10, per_prompt=1)
    by_prompt = more_like_this(wh, prompt_id=source, limit=10, per_prompt=1)
    assert list(by_generation["prompt_id"]) == list(by_prompt["prompt_id"])
    assert generation not in set(by_generation["generation_id"])


def test_more_like_this_applies_filters(wh, values):
    source = _prompt_id(wh, "robots creating new robots in a long factory line")
    status = values["rare_status"]
    frame = more_like_this(wh, prompt_id=source, filters=Filters(statuses=[status]), limit=5)
    _check(frame, _rows(wh, frame), lambda r: r.status == status)
    assert more_like_this(wh, prompt_id=source, filters=Filters(max_nsfw=-1)).empty


# --- bad input -------------------------------------------------------------------------------


@pytest.mark.parametrize("query", ["", "   ", None])
def test_empty_query_is_a_search_error(wh, query):
    with pytest.raises(SearchError, match="Type something"):
        search(wh, query, mode="keyword")


def test_unknown_mode_is_a_search_error(wh):
    with pytest.raises(SearchError, match="Unknown search mode"):
        search(wh, "a cat", mode="fuzzy")


def test_more_like_this_bad_ids_are_search_errors(wh):
    with pytest.raises(SearchError, match="No generation"):
        more_like_this(wh, generation_id="no-such-generation")
    with pytest.raises(SearchError, match="unknown"):
        more_like_this(wh, prompt_id="no-such-prompt")
    with pytest.raises(SearchError, match="Give a prompt_id"):
        more_like_this(wh)


# --- indexes persist in the file -------------------------------------------------------------


def _semantic_sql(wh: Warehouse, query_vector) -> list[tuple[str, dict]]:
    """The statements search() runs in semantic mode, captured from Warehouse.query and .rows."""
    seen = []

    def spy(original):
        def run(sql, params=None):
            seen.append((sql, params))
            return original(sql, params)

        return run

    wh.query, wh.rows = spy(wh.query), spy(wh.rows)
    try:
        search(wh, "a lighthouse on the sea", mode="semantic", embedder=_Fixed(query_vector))
    finally:
        del wh.query, wh.rows
    return [(sql, params) for sql, params in seen if "array_cosine_distance" in sql]


class _Fixed:
    def __init__(self, vector):
        self.vector = vector

    def embed(self, texts):
        return [self.vector for _ in texts]


@pytest.fixture(scope="module")
def before_reopen(built, embedder):
    """Results of every mode in one session on the file, which is then closed."""
    with Warehouse(built[0].db_path) as first:
        return {
            mode: search(first, "a lighthouse by the sea at night", mode=mode, embedder=embedder)
            for mode in MODES
        }


def test_indexes_persist_across_reopening(built, before_reopen, embedder, tmp_path):
    # DuckDB shares one database instance among connections to the same path in a process, and
    # the module's Warehouse is still open: open a byte copy of the file (with the keyword and
    # vector indexes beside it) so that everything, indexes included, is read back from disk.
    copy = tmp_path / "reopened.duckdb"
    shutil.copyfile(built[0].db_path, copy)
    shutil.copytree(keyword_index_root(built[0].db_path), keyword_index_root(copy))  # bm25s's, beside
    shutil.copytree(vector_index_root(built[0].db_path), vector_index_root(copy))  # the vectors'
    with Warehouse(copy) as reopened:
        indexes = reopened.query("SELECT index_name FROM duckdb_indexes()")
        assert HNSW_INDEX not in set(indexes.index_name)
        assert vector_choice(reopened).name == "exact-i8"
        assert (
            reopened.scalar("SELECT count(*) FROM duckdb_tables() WHERE schema_name = 'fts_main_dim_prompts'")
            >= 4
        )
        for mode, before in before_reopen.items():
            after = search(reopened, "a lighthouse by the sea at night", mode=mode, embedder=embedder)
            pd.testing.assert_frame_equal(after, before)
            assert not after.empty


def test_semantic_search_reads_no_vector_from_duckdb(built, embedder):
    # The vector index beside the warehouse ranks by meaning: DuckDB only fetches the page.
    with Warehouse(built[0].db_path) as reopened:
        vector = embedder.embed(["a lighthouse on the sea"])[0]
        assert _semantic_sql(reopened, vector) == []
        assert not search(reopened, "a lighthouse on the sea", mode="semantic", embedder=_Fixed(vector)).empty


def test_every_cursor_of_the_warehouse_searches_with_the_tuned_ef_search(built):
    # vss ignores the index's ef_search option at query time; a SESSION setting would not reach
    # the cursors that queries run on.
    from genai_analyzer.warehouse.duck import HNSW_EF_SEARCH

    with Warehouse(built[0].db_path) as reopened:
        value = reopened.scalar("SELECT value FROM duckdb_settings() WHERE name = 'hnsw_ef_search'")
        assert int(value) == HNSW_EF_SEARCH != 64  # 64 is vss's default


def test_a_filtered_page_looks_its_candidates_up_by_key(built, tmp_path):
    # A filtered search joins its 200-240 candidate prompts to their generations (search._results);
    # DuckDB pushes a join's keys into the other table's scan, where the lookup indexes find them,
    # only up to dynamic_or_filter_threshold keys (50 by default: a sequential scan of every
    # generation at 240). Every connection of the warehouse, cursors too, raises it. A byte copy,
    # because connections to one path in a process share the instance and its GLOBAL settings.
    from genai_analyzer.analysis.search import RESULT_SQL
    from genai_analyzer.core.contract import JOIN_PUSHDOWN_KEYS

    copy = tmp_path / "plan.duckdb"
    shutil.copyfile(built[0].db_path, copy)
    with Warehouse(copy) as reopened:
        cursor = reopened.cursor()
        value = cursor.execute("SELECT current_setting('dynamic_or_filter_threshold')").fetchone()[0]
        assert int(value) == JOIN_PUSHDOWN_KEYS >= 240
        ids = [r[0] for r in reopened.rows("SELECT prompt_id FROM dim_prompts ORDER BY prompt_id LIMIT 240")]
        assert len(ids) == 240
        where, params = Filters(tiers=("pro",)).where()
        sql = "EXPLAIN ANALYZE " + RESULT_SQL.format(where=where, per_prompt=4, limit=24)
        params = {"ids": ids, "scores": [0.5] * 240, "ranks": list(range(1, 241)), **params}
        plans = {}
        for threshold in (JOIN_PUSHDOWN_KEYS, 50):
            reopened.query(f"SET GLOBAL dynamic_or_filter_threshold = {threshold}")
            plans[threshold] = reopened.query(sql, params).iloc[0, 1]
        # fact_generations and dim_prompts by key with the setting; both scanned without it
        assert plans[JOIN_PUSHDOWN_KEYS].count("Index Scan") == 2, plans[JOIN_PUSHDOWN_KEYS]
        assert plans[50].count("Index Scan") == 0, plans[50]


# --- ranking quality on the labelled query set -----------------------------------------------


def _relevant(rule: dict, prompt: str) -> bool:
    text = (prompt or "").lower()
    return (
        (not rule["any"] or any(re.search(p, text) for p in rule["any"]))
        and all(re.search(p, text) for p in rule["all"])
        and not any(re.search(p, text) for p in rule["none"])
    )


@pytest.fixture(scope="module")
def labelled():
    return json.loads(QUERY_SET.read_text())["queries"]


def test_query_set_is_well_formed(wh, labelled):
    assert len(labelled) >= 20
    assert {q["kind"] for q in labelled} == {"paraphrase", "exact", "mixed"}
    assert len({q["id"] for q in labelled}) == len(labelled)
    prompts = wh.query("SELECT prompt FROM dim_prompts").prompt
    for q in labelled:
        for pattern in q["relevant"]["any"] + q["relevant"]["all"] + q["relevant"]["none"]:
            re.compile(pattern)
        assert q["relevant"]["any"] or q["relevant"]["all"], q["id"]
        assert any(_relevant(q["relevant"], p) for p in prompts), f"{q['id']} matches no prompt"


def _ndcg_at_10(gains: list[bool], n_relevant: int) -> float:
    dcg = sum(1 / math.log2(i + 2) for i, g in enumerate(gains[:10]) if g)
    ideal = sum(1 / math.log2(i + 2) for i in range(min(10, n_relevant)))
    return dcg / ideal


def test_hybrid_ranks_better_than_either_mode_alone(wh, embedder, labelled):
    """Mean nDCG@10 (binary relevance, ideal = all relevant prompts first) over the query set."""
    prompts = wh.query("SELECT prompt FROM dim_prompts").prompt
    ndcg = {m: {} for m in MODES}
    precision = {m: {} for m in MODES}
    for q in labelled:
        n_relevant = sum(_relevant(q["relevant"], p) for p in prompts)
        for mode in MODES:
            frame = search(wh, q["query"], mode=mode, limit=10, per_prompt=1, embedder=embedder)
            gains = [_relevant(q["relevant"], p) for p in frame["prompt"]]
            ndcg[mode][q["id"]] = _ndcg_at_10(gains, n_relevant)
            precision[mode][q["id"]] = sum(gains) / 10
    mean = {m: sum(v.values()) / len(v) for m, v in ndcg.items()}
    print("\nmean nDCG@10 / P@10 over", len(labelled), "queries")
    for mode in MODES:
        by_kind = {
            kind: sum(ndcg[mode][q["id"]] for q in labelled if q["kind"] == kind)
            / sum(q["kind"] == kind for q in labelled)
            for kind in ("paraphrase", "exact", "mixed")
        }
        kinds = "  ".join(f"{k} {v:.3f}" for k, v in by_kind.items())
        p10 = sum(precision[mode].values()) / len(labelled)
        print(f"  {mode:<9} nDCG@10 {mean[mode]:.3f}  P@10 {p10:.3f}  ({kinds})")
    assert mean["hybrid"] > mean["semantic"]
    assert mean["hybrid"] > mean["keyword"]


# --- the command line ------------------------------------------------------------------------


def test_cli_search_prints_ranked_matches(built):
    db = str(built[0].db_path)
    result = CliRunner().invoke(
        main, ["search", "coruscant", "--mode", "keyword", "--limit", "3", "--db", db]
    )
    assert result.exit_code == 0, result.output
    first = result.output.splitlines()[0]
    assert first.lstrip().startswith("1.") and "coruscant" in first.lower()
    assert "generation " in result.output


def test_cli_search_hybrid_with_filters(built):
    db = str(built[0].db_path)
    result = CliRunner().invoke(
        main, ["search", "a cat in space", "--status", "success", "--limit", "5", "--db", db]
    )
    assert result.exit_code == 0, result.output
    lines = [line for line in result.output.splitlines() if line.strip().startswith("generation ")]
    assert len(lines) == 5 and all(" success " in line for line in lines)


def test_cli_search_with_no_match_says_so(built):  # hybrid, the CLI default
    db = str(built[0].db_path)
    result = CliRunner().invoke(main, ["search", "robots", "--from", "2100-01-01", "--db", db])
    assert result.exit_code == 0
    assert "no matches" in result.output


def test_cli_search_names_the_valid_values_of_an_unknown_filter_value(built):
    db = str(built[0].db_path)
    result = CliRunner().invoke(main, ["search", "robots", "--status", "no-such-status", "--db", db])
    assert result.exit_code == 1
    assert "'no-such-status' is not in this warehouse; valid values:" in result.output
    assert "success" in result.output


def test_cli_search_errors_are_one_line(built):
    db = str(built[0].db_path)
    result = CliRunner().invoke(main, ["search", "  ", "--db", db])
    assert result.exit_code == 1
    assert "error: Type something" in result.output
    bad_mode = CliRunner().invoke(main, ["search", "cat", "--mode", "fuzzy", "--db", db])
    assert bad_mode.exit_code == 2


def test_concurrent_semantic_searches_do_not_crash_the_process(wh, embedder):
    # Searches from many threads at once (the app serves several users): each gets its own answer
    # (vss 1.5.5 HNSW scans on several threads crashed DuckDB; the int8 scan needs no lock).
    from concurrent.futures import ThreadPoolExecutor

    queries = ["a dragon", "portrait of a woman", "a castle on a hill", "cyberpunk city"] * 6
    with ThreadPoolExecutor(max_workers=8) as pool:
        frames = list(pool.map(lambda q: search(wh, q, mode="semantic", embedder=embedder), queries))
    assert all(not f.empty for f in frames)
    alone = search(wh, "a dragon", mode="semantic", embedder=embedder)
    pd.testing.assert_frame_equal(frames[0], alone)


def test_a_plain_semantic_search_reads_only_the_prompts_it_shows(wh, embedder):
    """Unfiltered semantic search asks the index for ``limit`` prompts instead of 10x as many:
    the page must be exactly the first ``limit`` rows of the deep search."""
    from genai_analyzer.analysis.search import _fuse, _results, _semantic_ranks

    for query in ("a castle on a hill at sunset", "portrait of an old sailor", "neon city street"):
        page = search(wh, query, mode="semantic", limit=12, embedder=embedder)
        vector = embedder.embed([query])[0]
        none = Filters()
        deep = _results(wh, _fuse([_semantic_ranks(wh, vector, none, 240)]), none, 12, 4)
        assert list(page["generation_id"]) == list(deep["generation_id"])
        assert len(page) == 12


def test_an_unfiltered_hybrid_page_comes_from_its_first_fused_prompts(wh, embedder):
    """Without filters every prompt has a generation to show, so search passes only the first
    ``limit`` fused prompts to the result statement: the page must equal the one drawn from all."""
    from genai_analyzer.analysis.search import _fuse, _keyword_ranks, _results, _semantic_ranks

    none = Filters()
    for query in ("a castle on a hill at sunset", "portrait of an old sailor, oil painting", "cat"):
        page = search(wh, query, mode="hybrid", limit=10, per_prompt=2, embedder=embedder)
        vector = embedder.embed([query])[0]
        fused = _fuse([_semantic_ranks(wh, vector, none, 200), _keyword_ranks(wh, query, none, 200)])
        assert len(fused) > 10
        everything = _results(wh, fused, none, 10, 2)
        assert set(page.pop("semantic_tier")) == {"full"}  # the tier that ranked it: MiniLM's vectors
        assert set(page.pop("keyword_backend")) == {"bm25s"}  # the index the build made beside it
        pd.testing.assert_frame_equal(page, everything)


@pytest.mark.parametrize(
    "query",
    [
        "castle",
        "a portrait of a woman, oil painting by greg rutkowski",
        "Cyberpunk CITY at night!!",
        "café über naïve",  # accents are stripped by the index's tokenizer
        "trending on artstation 8 k",
        "the of and",  # stop words only: no term in the index
        "zzqxv",  # no such word
        "dragons dragon DRAGON",  # one stem, repeated in the query
    ],
)
def test_keyword_ranking_gives_fts_match_bm25_scores(wh, query):
    """search's BM25 statement sums the build's per-term weights (enrich.steps.BM25_POSTINGS) for
    the query's terms; its scores must be those of the fts extension's own match_bm25 for every
    prompt it returns, and it must miss none."""
    from genai_analyzer.analysis.search import _keyword_ranks

    ours = pd.DataFrame(_keyword_ranks(wh, query, Filters(), 5000), columns=["prompt_id", "score"])
    theirs = wh.query(
        "SELECT prompt_id, score FROM (SELECT prompt_id, fts_main_dim_prompts.match_bm25(prompt_id, $q) "
        "AS score FROM dim_prompts) WHERE score IS NOT NULL",
        {"q": query},
    )
    assert set(ours.prompt_id) == set(theirs.prompt_id)
    merged = ours.merge(theirs, on="prompt_id", suffixes=("", "_fts"))
    assert (merged.score - merged.score_fts).abs().max() < 1e-9 if len(merged) else True
    assert list(ours.score.round(9)) == sorted(ours.score.round(9), reverse=True)
    # the same order every time, ties by prompt_id, whatever order the sums were taken in
    again = _keyword_ranks(wh, query, Filters(), 5000)
    assert [pid for pid, _ in again] == list(ours.prompt_id)


def test_keyword_ranking_with_filters_keeps_only_prompts_that_pass_them(wh, values):
    from genai_analyzer.analysis.search import _keyword_ranks

    tier = values["tier"]
    filters = Filters(tiers=[tier])
    ranked = pd.DataFrame(_keyword_ranks(wh, "portrait", filters, 200), columns=["prompt_id", "score"])
    assert len(ranked) > 0
    passing = set(
        wh.query(
            "SELECT DISTINCT prompt_id FROM fact_generations JOIN dim_users USING (user_id) WHERE tier = $t",
            {"t": tier},
        ).prompt_id
    )
    assert set(ranked.prompt_id) <= passing


def test_the_build_indexes_the_keys_search_fetches_a_page_by(wh):
    """ART indexes on the prompt keys: at 175k generations DuckDB then reads a page's prompts and
    generations by key instead of scanning both tables (docs/benchmarks.md, App); on a table this
    small it still scans, so the plan is checked by the benchmark, the indexes here."""
    indexes = wh.query("SELECT table_name, expressions FROM duckdb_indexes() ORDER BY ALL")
    assert [tuple(r) for r in indexes.itertuples(index=False)] == [
        ("dim_prompts", "[prompt_id]"),
        ("fact_generations", "[prompt_id]"),  # and no HNSW index: the vectors are beside the file
    ]
