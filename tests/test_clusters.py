"""Prompt and visual clusters (docs/clusters.md): the clustering and its labels on hand-made data,
the build's cluster step and marts on the sample warehouse and the real DiffusionDB prompts, and
every way out of them (/clusters, the cluster filters, refinement by cluster, the CLI), each
checked against SQL written here independently."""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from sklearn.metrics import adjusted_rand_score

from genai_analyzer.analysis import refinement
from genai_analyzer.analysis.filters import FilterError
from genai_analyzer.api.endpoints import ENDPOINTS, Api, InputError
from genai_analyzer.cli import main
from genai_analyzer.pipeline import clusters
from genai_analyzer.pipeline.enrich import create_enrich_tables
from genai_analyzer.warehouse.reader import Warehouse
from tests.conftest import shared_path

# --- the clustering, on hand-made data ----------------------------------------------------------


def test_k_grows_with_the_square_root_of_the_items_within_bounds():
    assert [clusters.choose_k(n) for n in (5, 19, 20, 800, 4000, 100_000, 10**6)] == [0, 0, 3, 20, 45, 60, 60]


def _blobs(seed: int = 0, per: int = 40, dim: int = 16) -> tuple[np.ndarray, np.ndarray]:
    """Three tight groups of vectors around orthogonal directions, and which group each is."""
    rng = np.random.default_rng(seed)
    centres = np.eye(dim)[:3] * 10
    truth = np.repeat(np.arange(3), per)
    return centres[truth] + rng.normal(scale=0.3, size=(3 * per, dim)), truth


def test_well_separated_groups_are_found_whatever_the_seed():
    x, truth = _blobs()
    for seed in (0, 1, 2):
        found = clusters.fit_clusters(x, k=3, seed=seed)
        assert adjusted_rand_score(truth, found) == 1.0


def test_the_same_seed_gives_the_same_clusters():
    x = np.random.default_rng(5).normal(size=(300, 8))
    a, b = clusters.fit_clusters(x, k=6, seed=42), clusters.fit_clusters(x, k=6, seed=42)
    assert (a == b).all()


def test_clusters_are_numbered_from_the_largest_and_noise_is_zero():
    raw = np.array([2, 2, 0, 1, 1, 1, -1, 2, 0])  # sizes: 1 -> 3, 2 -> 3, 0 -> 2; ties by first key
    keys = ["a", "b", "c", "d", "e", "f", "g", "h", "i"]
    numbers = clusters.number_clusters(raw, keys)
    assert numbers.tolist() == [1, 1, 3, 2, 2, 2, 0, 1, 3]


def test_labels_are_each_clusters_distinctive_terms_not_the_shared_ones():
    texts = {
        1: ["a castle on a hill, fantasy painting", "dragon over the castle, epic painting", "castle gate"],
        2: ["a cat asleep on a sofa, painting", "kitten and cat playing, oil painting", "cat portrait"],
    }
    terms = clusters.distinctive_terms(texts, top=2)
    assert terms[1][0] == "castle" and terms[2][0] == "cat"
    assert "painting" not in terms[1] + terms[2]  # in every cluster (and a stop word of prompts)


def test_a_cluster_is_named_by_its_number_and_terms():
    assert clusters.cluster_name(3, ["castle", "dragon"]) == "#3 castle, dragon"
    assert clusters.cluster_name(0, []) == clusters.UNCLUSTERED


def _scratch(path, n_prompts: int) -> duckdb.DuckDBPyConnection:
    """A warehouse file with only what the cluster step reads: raw generations and embeddings."""
    con = duckdb.connect(str(path))
    create_enrich_tables(con)
    x, truth = _blobs(per=n_prompts // 3)
    themes = ["castle dragon", "cat kitten", "city neon"]
    rows = [(f"p{i:03d}", f"{themes[t]} number {i}") for i, t in enumerate(truth)]
    con.execute("CREATE SCHEMA raw; CREATE TABLE raw.generations (prompt_id VARCHAR, prompt VARCHAR)")
    con.executemany("INSERT INTO raw.generations VALUES (?, ?)", rows)
    con.executemany(
        "INSERT INTO enrich.prompt_embeddings VALUES (?, 'm', ?)",
        [(key, vector.tolist()) for (key, _), vector in zip(rows, x, strict=True)],
    )
    return con


def test_a_run_on_the_same_items_is_reused_and_a_changed_one_fits_again(tmp_path):
    first = _scratch(tmp_path / "prev.duckdb", 60)
    report = clusters.cluster_kind(first, "prompt", "m", method="kmeans", seed=42)
    assert report["items"] == 60 and report["clusters"] == clusters.choose_k(60) and not report["reused"]
    made = first.execute("SELECT * FROM enrich.prompt_clusters ORDER BY prompt_id").fetchall()
    first.close()

    again = _scratch(tmp_path / "next.duckdb", 60)
    again.execute(f"ATTACH '{tmp_path / 'prev.duckdb'}' AS prev (READ_ONLY)")
    assert clusters.cluster_kind(again, "prompt", "m", seed=42, reuse_prev=True)["reused"]
    assert again.execute("SELECT * FROM enrich.prompt_clusters ORDER BY prompt_id").fetchall() == made
    again.execute("INSERT INTO raw.generations VALUES ('p999', 'one more')")
    again.execute("INSERT INTO enrich.prompt_embeddings VALUES ('p999', 'm', $v)", {"v": [1.0] + [0.0] * 15})
    report = clusters.cluster_kind(again, "prompt", "m", seed=42, reuse_prev=True)
    assert not report["reused"] and report["items"] == 61
    assert again.execute("SELECT count(*) FROM enrich.prompt_clusters").fetchone()[0] == 61


def test_too_few_items_make_no_clusters_and_say_so(tmp_path):
    con = _scratch(tmp_path / "few.duckdb", 18)
    report = clusters.cluster_kind(con, "prompt", "m")
    assert report["clusters"] == 0 and "too few" in report["note"]
    assert con.execute("SELECT count(*) FROM enrich.clusters").fetchone()[0] == 0


# --- the sample warehouse ---------------------------------------------------------------------------


def test_the_build_clusters_every_embedded_prompt_and_image(wh):
    unclustered = wh.scalar(
        "SELECT count(*) FROM dim_prompts WHERE text_embedding IS NOT NULL AND prompt_cluster_id IS NULL"
    )
    embedded = wh.scalar("SELECT count(*) FROM dim_prompts WHERE text_embedding IS NOT NULL")
    assert embedded > 100 and unclustered == 0
    images = wh.scalar("SELECT count(DISTINCT image_path) FROM fact_generations WHERE thumb_path IS NOT NULL")
    assert (
        wh.scalar(
            "SELECT count(DISTINCT image_path) FROM fact_generations WHERE visual_cluster_id IS NOT NULL"
        )
        == images
    )
    sizes = wh.query(
        "SELECT cluster_kind, count(*) AS n, sum(n_items) AS items FROM dim_clusters GROUP BY 1 ORDER BY 1"
    )
    assert sizes.values.tolist() == [
        ["prompt", clusters.choose_k(embedded), embedded],
        ["visual", clusters.choose_k(images), images],
    ]


def test_cluster_sizes_add_up_and_names_are_unique(wh):
    mismatched = wh.scalar(
        """
        SELECT count(*) FROM dim_clusters c
        WHERE c.cluster_kind = 'prompt' AND c.n_items <> (
            SELECT count(*) FROM dim_prompts p WHERE p.prompt_cluster_id = c.cluster_id)
           OR c.cluster_kind = 'visual' AND c.n_generations <> (
            SELECT count(*) FROM fact_generations f WHERE f.visual_cluster_id = c.cluster_id)
        """
    )
    assert mismatched == 0
    assert wh.scalar("SELECT count(*) - count(DISTINCT (cluster_kind, cluster_name)) FROM dim_clusters") == 0
    # largest first
    ordered = wh.query("SELECT n_items FROM dim_clusters WHERE cluster_kind = 'prompt' ORDER BY cluster_id")
    assert ordered["n_items"].is_monotonic_decreasing


def test_a_prompt_clusters_label_words_come_from_its_prompts(wh):
    frame = wh.query(
        """
        SELECT c.cluster_id, c.terms, list(lower(p.prompt)) AS prompts
        FROM dim_clusters c JOIN dim_prompts p ON p.prompt_cluster_id = c.cluster_id
        WHERE c.cluster_kind = 'prompt' GROUP BY ALL
        """
    )
    for terms, prompts in zip(frame["terms"], frame["prompts"], strict=True):
        assert 1 <= len(terms) <= clusters.LABEL_TERMS
        for term in terms:  # every term is in at least a tenth of the cluster's prompts
            assert sum(term in p for p in prompts) >= max(1, len(prompts) // 10), (term, prompts[:3])


def test_representatives_are_members_nearest_the_centroid_with_thumbnails(wh):
    row = wh.query(
        "SELECT cluster_id, representatives, representative_thumbs FROM dim_clusters "
        "WHERE cluster_kind = 'visual' AND cluster_id = 1"
    ).iloc[0]
    members = set(
        wh.query("SELECT image_path FROM fact_generations WHERE visual_cluster_id = 1")["image_path"]
    )
    assert 1 <= len(row.representatives) <= clusters.REPRESENTATIVES
    assert set(row.representatives) <= members and len(row.representative_thumbs) == len(row.representatives)


# --- /clusters and the chart, against SQL written here ----------------------------------------------

GOLD = """
    WITH g AS (
        SELECT f.*, f.{kind}_cluster_id AS cid,
               EXISTS (SELECT 1 FROM fct_prompt_edits e
                       WHERE e.generation_id = f.generation_id AND e.edit_type = 're_roll') AS is_reroll,
               (SELECT s.abandoned AND f.session_seq = s.n_generations FROM dim_sessions s
                WHERE s.session_id = f.session_id) AS abandoned_here
        FROM fact_generations f JOIN dim_users u USING (user_id)
        WHERE f.{kind}_cluster_id IS NOT NULL AND {where}
    )
    SELECT cid, count(*) AS generations,
           sum((status = 'success')::INT) / count(*) AS success_rate,
           sum(is_reroll::INT) / count(*) AS reroll_rate,
           sum(abandoned_here::INT) / count(DISTINCT session_id) AS abandonment_rate,
           sum(cost_usd) / count(*) AS cost_per_generation,
           quantile_cont(latency_ms, 0.95) AS p95
    FROM g GROUP BY cid ORDER BY cid
"""


@pytest.mark.parametrize("kind", ["prompt", "visual"])
@pytest.mark.parametrize("tiers", [[], ["pro"]])
def test_outcomes_per_cluster_are_those_of_sql_written_here(wh, kind, tiers):
    api = Api(wh)
    got = pd.DataFrame(api.clusters(kind, sort="cluster_id", limit=1000, filters=api.filters(tiers=tiers)))
    where = "u.tier IN ('pro')" if tiers else "true"
    gold = wh.query(GOLD.format(kind=kind, where=where))
    assert got["cluster_id"].tolist() == gold["cid"].tolist()
    assert got["generations"].tolist() == gold["generations"].tolist()
    same = ["success_rate", "reroll_rate", "abandonment_rate", "cost_per_generation"]
    for ours, theirs in [*zip(same, same, strict=True), ("p95_latency_ms", "p95")]:
        assert np.allclose(got[ours], gold[theirs]), ours
    assert gold["reroll_rate"].sum() > 0  # the sample re-rolls: the comparison means something
    assert all(u.startswith("thumbs/") for urls in got["thumb_urls"] for u in urls)


def test_clusters_sort_and_limit(wh):
    api = Api(wh)
    worst = api.clusters("prompt", sort="failure_rate", limit=3)
    rates = [r["failure_rate"] for r in api.clusters("prompt", sort="cluster_id", limit=1000)]
    assert len(worst) == 3 and [r["failure_rate"] for r in worst] == sorted(rates, reverse=True)[:3]


def test_clusters_rejects_unknown_arguments_naming_the_valid_ones(wh):
    api = Api(wh)
    with pytest.raises(InputError) as err:
        api.clusters("style")
    assert err.value.code == "unknown_value" and err.value.valid == ["prompt", "visual"]
    with pytest.raises(InputError):
        api.clusters("prompt", sort="name")
    assert "clusters" in ENDPOINTS


def test_the_charts_by_cluster_are_the_largest_clusters_of_clusters(wh):
    api = Api(wh)
    frame = api.chart_frame("visual clusters", api.filters(), "none", "", "")
    top = wh.query(
        "SELECT visual_cluster FROM fact_generations WHERE visual_cluster IS NOT NULL "
        "GROUP BY 1 ORDER BY count(*) DESC, min(visual_cluster_id) LIMIT 15"
    )
    assert frame["cluster"].tolist() == top["visual_cluster"].tolist()
    assert "representative_thumbs" not in frame.columns  # the CSV export holds no server paths


# --- the shared filters ---------------------------------------------------------------------------------


def test_a_cluster_filter_narrows_the_gallery_the_charts_and_the_api(wh):
    api = Api(wh)
    name = api.filter_choices()["prompt_clusters"][0]
    filters = api.filters(prompt_clusters=[name])
    ids = set(
        wh.query("SELECT generation_id FROM fact_generations WHERE prompt_cluster = $n", {"n": name})[
            "generation_id"
        ]
    )
    outcomes = api.chart("outcomes", filters=filters)
    assert sum(r["generations"] for r in outcomes) == len(ids)
    gallery = api.browse_frame("", "hybrid", filters, 500)
    assert len(gallery) and set(gallery["generation_id"]) <= ids
    visual = api.filter_choices()["visual_clusters"][1]
    both = api.filters(prompt_clusters=[name], visual_clusters=[visual])
    expected = wh.scalar(
        "SELECT count(*) FROM fact_generations WHERE prompt_cluster = $p AND visual_cluster = $v",
        {"p": name, "v": visual},
    )
    assert sum(r["generations"] for r in api.chart("outcomes", filters=both)) == expected


def test_an_unknown_cluster_name_is_an_error_naming_the_valid_ones(wh):
    with pytest.raises(FilterError) as err:
        Api(wh).filters(visual_clusters=["#999 nothing"])
    assert err.value.field == "visual_clusters" and err.value.valid


# --- refinement by cluster ----------------------------------------------------------------------------


def test_refinement_by_prompt_cluster_counts_the_edits_of_each_cluster(wh):
    got = refinement.refinement_summary(wh, by="prompt_cluster").set_index("prompt_cluster")
    gold = wh.query(
        """
        SELECT coalesce(f.prompt_cluster, 'unlabelled') AS grp, count(*) AS generations,
               count(e.generation_id) AS edits,
               count(*) FILTER (WHERE e.edit_type = 're_roll') AS rerolls
        FROM fact_generations f LEFT JOIN fct_prompt_edits e USING (generation_id) GROUP BY 1
        """
    ).set_index("grp")
    assert sorted(got.index) == sorted(gold.index)
    joined = got.join(gold.add_suffix("_gold"))
    assert (joined["edits"] == joined["edits_gold"]).all() and (
        joined["rerolls"] == joined["rerolls_gold"]
    ).all()
    assert (joined["generations"] == joined["generations_gold"]).all()


def test_the_edits_endpoint_takes_the_visual_cluster_grouping(wh):
    api = Api(wh)
    mix = pd.DataFrame(api.edits(by="visual_cluster")["edit_types"])
    names = set(
        wh.query("SELECT cluster_name FROM dim_clusters WHERE cluster_kind = 'visual'")["cluster_name"]
    )
    assert set(mix["visual_cluster"]) <= names | {"unlabelled"} and len(set(mix["visual_cluster"])) > 5


# --- the CLI ------------------------------------------------------------------------------------------------


def test_cli_clusters_lists_label_size_and_success_rate(sample_warehouse, wh):
    result = CliRunner().invoke(main, ["clusters", "--db", str(sample_warehouse), "--limit", "3"])
    assert result.exit_code == 0, result.output
    first = wh.query(
        "SELECT cluster_name, n_items, n_generations FROM dim_clusters WHERE cluster_kind = 'prompt' "
        "AND cluster_id = 1"
    ).iloc[0]
    line = next(x for x in result.output.splitlines() if x.strip().startswith(first.cluster_name[:40]))
    success = wh.scalar(
        "SELECT avg((status = 'success')::INT) FROM fact_generations WHERE prompt_cluster_id = 1"
    )
    assert line.split()[-6:-3] == [str(first.n_items), str(first.n_generations), f"{100 * success:.1f}%"]
    assert "3 prompt cluster(s) shown" in result.output


def test_cli_clusters_csv_of_visual_clusters_for_one_tier(sample_warehouse, wh):
    args = [
        "clusters",
        "--kind",
        "visual",
        "--csv",
        "--tier",
        "pro",
        "--limit",
        "1000",
        "--db",
        str(sample_warehouse),
    ]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("cluster_id,cluster,label,items,generations")
    pro = wh.scalar(
        "SELECT count(*) FROM fact_generations f JOIN dim_users u USING (user_id) "
        "WHERE u.tier = 'pro' AND f.visual_cluster_id IS NOT NULL"
    )
    total = sum(int(x) for x in pd.read_csv(pd.io.common.StringIO(result.output))["generations"])
    assert total == pro


# --- the real DiffusionDB prompts ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def real_parts(tmp_path_factory):
    """A warehouse of DiffusionDB parts 1-5 (5,000 real prompts, 5 images), embedded and clustered."""
    from genai_analyzer.pipeline.build import BuildRequest, build_warehouse
    from tests.conftest import make_settings

    path = shared_path("parts_000001-000005")
    settings = make_settings(tmp_path_factory.mktemp("real_clusters"))
    summary = build_warehouse(
        settings,
        BuildRequest(
            source="diffusiondb",
            path=path,
            enrich=("embeddings", "thumbnails", "image_embeddings", "clusters"),
        ),
        progress=False,
    )
    with Warehouse(settings.db_path) as wh:
        yield wh, summary


@pytest.mark.slow
def test_real_prompts_are_clustered_and_the_few_images_too_few_says_so(real_parts):
    wh, summary = real_parts
    report = summary.enrichment["clusters"]
    prompts = wh.scalar("SELECT count(*) FROM dim_prompts WHERE text_embedding IS NOT NULL")
    assert report["prompt"]["items"] == prompts and report["prompt"]["clusters"] == clusters.choose_k(prompts)
    assert report["visual"]["clusters"] == 0 and "too few" in report["visual"]["note"]
    assert (
        wh.scalar(
            "SELECT count(*) FROM dim_prompts WHERE text_embedding IS NOT NULL AND prompt_cluster IS NULL"
        )
        == 0
    )
    labels = wh.query("SELECT label FROM dim_clusters WHERE cluster_kind = 'prompt'")["label"]
    assert labels.str.len().min() > 0 and labels.nunique() == len(labels)
