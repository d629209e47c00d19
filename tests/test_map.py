"""The map: UMAP coordinates made by the build, the points query, the map selection filter."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from genai_analyzer.analysis.filters import FilterError, Filters, MapSelection
from genai_analyzer.api.endpoints import Api, InputError
from genai_analyzer.pipeline import projection


def _blobs(n_per: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(3, 64)) * 4
    labels = np.repeat(np.arange(3), n_per)
    return (centres[labels] + rng.normal(size=(3 * n_per, 64))).astype(np.float32), labels


def test_the_projection_is_fitted_on_a_sample_places_every_row_and_repeats_with_its_seed():
    vectors, labels = _blobs(60)
    coords, fitted = projection.project(vectors, seed=7, fit_max=120)
    again, fitted_again = projection.project(vectors, seed=7, fit_max=120)
    assert coords.shape == (180, 2) and np.isfinite(coords).all()
    assert fitted.sum() == 120 and (~fitted).sum() == 60  # 60 placed by transform
    assert np.array_equal(fitted, fitted_again) and np.allclose(coords, again)
    # the three groups stay apart: each point is nearer its own group's centre than the others'
    centres = np.stack([coords[labels == k].mean(axis=0) for k in range(3)])
    nearest = np.argmin(((coords[:, None, :] - centres[None]) ** 2).sum(axis=2), axis=1)
    assert (nearest == labels).mean() > 0.95


def test_the_fit_sample_is_all_items_up_to_the_cap_then_a_seeded_sample():
    assert list(projection.fit_sample(5, seed=1, fit_max=10)) == [0, 1, 2, 3, 4]
    sample = projection.fit_sample(1000, seed=1, fit_max=100)
    assert len(sample) == len(set(sample)) == 100
    assert np.array_equal(sample, projection.fit_sample(1000, seed=1, fit_max=100))
    assert not np.array_equal(sample, projection.fit_sample(1000, seed=2, fit_max=100))


@pytest.fixture(scope="module")
def api(wh):
    return Api(wh)


def test_the_build_places_every_clustered_prompt_and_image_and_records_its_run(wh):
    runs = wh.query("SELECT kind, n_items, n_fitted, method FROM enrich.map_runs ORDER BY kind")
    assert list(runs["kind"]) == ["prompt", "visual"]
    placed = {
        "prompt": wh.scalar("SELECT count(*) FROM enrich.prompt_map"),
        "visual": wh.scalar("SELECT count(*) FROM enrich.visual_map"),
    }
    for row in runs.itertuples():
        assert row.n_items == placed[row.kind] > 0
        assert row.n_fitted == min(row.n_items, projection.FIT_MAX)
    assert (
        wh.scalar("SELECT count(*) FROM dim_prompts WHERE prompt_cluster_id IS NOT NULL AND map_x IS NULL")
        == 0
    )
    assert (
        wh.scalar(
            "SELECT count(*) FROM fact_generations "
            "WHERE visual_cluster_id IS NOT NULL AND visual_map_x IS NULL"
        )
        == 0
    )
    # fact_generations carries its prompt's coordinates
    assert (
        wh.scalar(
            "SELECT count(*) FROM fact_generations f JOIN dim_prompts p USING (prompt_id) "
            "WHERE f.prompt_map_x IS DISTINCT FROM p.map_x"
        )
        == 0
    )


def test_map_points_are_the_filtered_generations_the_sql_here_counts_sampled_above_the_cap(api, wh):
    filters = api.filters(statuses=["success"])
    expected = wh.scalar(
        "SELECT count(*) FROM fact_generations WHERE status = 'success' AND prompt_map_x IS NOT NULL"
    )
    found = api.map_points(kind="prompt", color="tier", cap=100_000, filters=filters)
    assert found["total"] == found["shown"] == expected and found["rate"] == 1
    tiers = dict(
        wh.rows("SELECT f.generation_id, u.tier FROM fact_generations f JOIN dim_users u USING (user_id)")
    )
    assert all(p["color"] == tiers[p["generation_id"]] for p in found["points"])
    small = api.map_points(kind="prompt", color="tier", cap=50, filters=filters)
    assert small["shown"] == 50 and small["total"] == expected
    assert small["rate"] == pytest.approx(50 / expected, abs=1e-6)
    assert small["points"] == api.map_points(kind="prompt", color="tier", cap=50, filters=filters)["points"]
    # the labels sit at each cluster's median point
    label = found["labels"][0]
    median = wh.scalar(
        "SELECT median(prompt_map_x) FROM fact_generations "
        "WHERE status = 'success' AND prompt_cluster_id = $c",
        {"c": label["cluster_id"]},
    )
    assert label["x"] == pytest.approx(median)


def _inside(xs, ys, px, py) -> np.ndarray:
    """Even-odd ray casting, written here independently of the SQL."""
    inside = np.zeros(len(xs), dtype=bool)
    n = len(px)
    for i in range(n):
        j = (i + 1) % n
        crosses = (py[i] > ys) != (py[j] > ys)
        with np.errstate(divide="ignore", invalid="ignore"):
            at = (px[j] - px[i]) * (ys - py[i]) / (py[j] - py[i]) + px[i]
        inside ^= crosses & (xs < at)
    return inside


def test_a_box_and_a_lasso_on_the_map_narrow_the_other_views_to_the_points_inside(api, wh):
    frame = wh.query("SELECT generation_id, prompt_map_x AS x, prompt_map_y AS y FROM fact_generations")
    x0, x1 = np.percentile(frame["x"], [20, 70])
    y0, y1 = np.percentile(frame["y"], [10, 80])
    box = api.filters(map_selection=f"prompt:box:{x1},{x0},{y0},{y1}")  # corners in any order
    in_box = frame[frame["x"].between(x0, x1) & frame["y"].between(y0, y1)]
    assert 0 < len(in_box) < len(frame)
    assert api.kpis(filters=box, compare="none")["generations"]["value"] == len(in_box)
    triangle = [(x0, y0), (x1, y0), ((x0 + x1) / 2, y1)]
    text = "prompt:lasso:" + ",".join(f"{v}" for p in triangle for v in p)
    lasso = api.filters(map_selection=text)
    px, py = np.array([p[0] for p in triangle]), np.array([p[1] for p in triangle])
    expected = _inside(frame["x"].to_numpy(), frame["y"].to_numpy(), px, py).sum()
    assert 0 < expected < len(in_box)
    assert api.kpis(filters=lasso, compare="none")["generations"]["value"] == expected
    # the visual map follows a prompt-map selection; the prompt map shows it as a shape instead
    assert api.map_points(kind="visual", filters=box, cap=100_000)["total"] == len(in_box)
    assert api.map_points(kind="prompt", filters=box, cap=100_000)["total"] == len(frame)


def test_a_malformed_map_selection_is_named():
    for bad in ("prompt:box:1,2,3", "faces:box:0,1,0,1", "prompt:lasso:0,0,1,1", "prompt:box:a,b,c,d",
                "prompt:box:0,inf,0,1"):  # fmt: skip
        with pytest.raises(FilterError) as raised:
            Filters.from_inputs(map_selection=bad)
        assert raised.value.field == "map_selection"
    assert MapSelection.parse("visual:box:3,1,4,2").points == (1, 3, 2, 4)
    assert Filters.from_inputs(map_selection="").map_selection is None


def test_map_points_reject_an_unknown_colour_or_kind(api):
    with pytest.raises(InputError):
        api.map_points(color="mood")
    with pytest.raises(InputError):
        api.map_points(kind="audio")


def test_projecting_the_sample_again_gives_the_builds_coordinates_and_reports_its_counts(
    sample_warehouse, sample_settings, tmp_path
):
    import shutil

    import duckdb

    copy = tmp_path / "copy.duckdb"
    shutil.copy(sample_warehouse, copy)
    con = duckdb.connect(str(copy))
    try:
        model, n_prompts = con.execute(
            "SELECT model, n_items FROM enrich.map_runs WHERE kind = 'prompt'"
        ).fetchone()
        built = con.execute("SELECT prompt_id, x, y FROM enrich.prompt_map ORDER BY prompt_id").fetchall()
        report = projection.project_kind(con, "prompt", model, seed=sample_settings.seed)
        again = con.execute("SELECT prompt_id, x, y FROM enrich.prompt_map ORDER BY prompt_id").fetchall()
        distinct = con.execute("SELECT count(DISTINCT prompt_id) FROM raw.generations").fetchone()[0]
    finally:
        con.close()
    assert again == built  # the same items and seed: the same map, in another process
    assert n_prompts == distinct  # every prompt of the sample is placed
    assert report == {
        "items": n_prompts, "fitted": n_prompts, "transformed": 0, "sample_rate": 1.0, "reused": False,
        "placed": n_prompts,
    }  # fmt: skip


def test_the_map_draws_generations_without_a_thumbnail(api, wh):
    """Real DiffusionDB parts without their images: most generations have no thumbnail, and a frame
    holds that as None or NaN; the map still draws every point, with no image for those."""
    from genai_analyzer.analysis.map_figure import map_figure
    from genai_analyzer.api.checks import thumb_url

    found = api.map_points_data("prompt", api.filters(), "cluster", 100_000)
    points = found.points.copy()
    points["thumb_path"] = points["thumb_path"].astype(object)
    points.loc[points.index[0], "thumb_path"] = float("nan")
    points.loc[points.index[1], "thumb_path"] = None
    kept = points["thumb_path"].iloc[2]
    fig = map_figure(replace(found, points=points), thumb_url)
    drawn = {c[0]: c[2] for trace in fig.data if trace.customdata is not None for c in trace.customdata}
    assert len(drawn) == len(points)
    assert drawn[points["generation_id"].iloc[0]] == drawn[points["generation_id"].iloc[1]] == ""
    assert drawn[points["generation_id"].iloc[2]] == thumb_url(kept) != ""


def test_cluster_labels_that_would_cover_a_larger_clusters_label_are_left_out():
    import pandas as pd

    from genai_analyzer.analysis.map_figure import LABEL_BOX, apart

    labels = pd.DataFrame(
        {
            "name": ["big", "on top of big", "beside big", "below big", "far"],
            "x": [0.0, 0.05, 2.0, 0.0, 9.0],
            "y": [0.0, 0.01, 0.0, 1.0, 9.0],
            "generations": [50, 40, 30, 20, 10],
        }
    )
    kept = apart(labels, [0.0, 10.0], [0.0, 10.0])
    # 'on top of big' is within one label's room (LABEL_BOX of the 10-wide axes) of 'big'
    assert LABEL_BOX[0] * 10 > 0.05 and LABEL_BOX[1] * 10 > 0.01
    assert kept["name"].tolist() == ["big", "beside big", "below big", "far"]
    assert apart(labels.iloc[:0], [0.0, 1.0], [0.0, 1.0]).empty


def test_labels_near_an_edge_run_inwards_from_their_cluster(api):
    # a label centred on a cluster at the map's left edge was cut at 390 px ("' sci, container")
    from genai_analyzer.analysis.map_figure import label_anchor, map_figure
    from genai_analyzer.api.checks import thumb_url

    assert [label_anchor(x, [0.0, 10.0]) for x in (0.5, 2.4, 5.0, 7.6, 9.9)] == [
        "left",
        "left",
        "center",
        "right",
        "right",
    ]
    fig = map_figure(api.map_points_data("prompt", api.filters(), "cluster", 100_000), thumb_url)
    x_range = list(fig.layout.xaxis.range)
    assert fig.layout.annotations
    y_range = list(fig.layout.yaxis.range)
    for note in fig.layout.annotations:
        assert note.xanchor == label_anchor(note.x, x_range), note.text
        # a centre outside the shown range is drawn at its edge (a far island pulls a median out)
        assert x_range[0] <= note.x <= x_range[1] and y_range[0] <= note.y <= y_range[1], note.text


def test_labels_are_kept_apart_as_they_are_drawn():
    # a label on the left third runs right from its centre: it covers a centred label 1.7 away,
    # which two centred labels 1.7 apart (wider than LABEL_BOX's 1.6) would not
    import pandas as pd

    from genai_analyzer.analysis.map_figure import apart

    labels = pd.DataFrame(
        {"name": ["left third", "middle"], "x": [3.3, 5.0], "y": [5.0, 5.0], "generations": [9, 8]}
    )
    assert apart(labels, [0.0, 10.0], [0.0, 10.0])["name"].tolist() == ["left third"]
    labels["x"] = [4.0, 5.7]  # both centred now: 1.7 apart, both kept
    assert apart(labels, [0.0, 10.0], [0.0, 10.0])["name"].tolist() == ["left third", "middle"]
