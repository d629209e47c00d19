"""The Session Explorer: its query layer against pandas, and its tab served for real.

Everything runs on the enriched sample warehouse (embeddings, labels, thumbnails). The query
functions are checked against independent pandas computations over plain table reads; the
endpoints are called through gradio_client and checked against direct calls of the query layer.
"""

from __future__ import annotations

import html
import json
import re
import urllib.error
import urllib.parse
import urllib.request
from datetime import date, datetime

import gradio as gr
import pandas as pd
import pytest
from gradio_client import Client

from genai_analyzer.analysis import explorer_queries as explore
from genai_analyzer.analysis import images
from genai_analyzer.analysis.explorer_queries import ExploreError, NotFoundError
from genai_analyzer.analysis.filters import Filters
from genai_analyzer.analysis.search import more_like_this, search
from genai_analyzer.app import create_app, explorer, explorer_view, launch_kwargs
from genai_analyzer.core.errors import AnalyzerError
from genai_analyzer.warehouse.reader import Warehouse

PARAMS = ["step", "cfg", "sampler", "width", "height"]


@pytest.fixture(scope="module")
def wh(sample_warehouse):
    with Warehouse(sample_warehouse) as warehouse:
        yield warehouse


@pytest.fixture(scope="module")
def generations(wh) -> pd.DataFrame:
    """Every generation with its prompt text, read plainly."""
    return wh.query(
        "SELECT f.*, p.prompt, u.tier FROM fact_generations f "
        "JOIN dim_prompts p USING (prompt_id) JOIN dim_users u USING (user_id)"
    )


@pytest.fixture(scope="module")
def expected_replays(generations) -> pd.DataFrame:
    """What session_replay should say, computed with pandas: previous row within each session."""
    g = generations.sort_values(["session_id", "session_seq"]).reset_index(drop=True)
    prev = g.groupby("session_id")[["created_at", "prompt_id", "seed", *PARAMS]].shift(1)
    has_prev = prev["prompt_id"].notna()
    g["seconds_since_previous"] = (g["created_at"] - prev["created_at"]).dt.total_seconds()
    g["changed_params"] = [
        [name for name in PARAMS if has_prev[i] and prev.at[i, name] != g.at[i, name]] for i in g.index
    ]
    g["prompt_changed"] = has_prev & (prev["prompt_id"] != g["prompt_id"])
    g["seed_rerolled"] = has_prev & (prev["prompt_id"] == g["prompt_id"]) & (prev["seed"] != g["seed"])
    return g


# --- session_replay --------------------------------------------------------------------------


def test_every_session_replays_in_order_with_the_pandas_change_flags(wh, expected_replays):
    for session_id, expected in expected_replays.groupby("session_id"):
        got = explore.session_replay(wh, session_id)
        assert got["seq"].tolist() == list(range(1, len(expected) + 1))
        assert got["generation_id"].tolist() == expected["generation_id"].tolist()
        assert got["prompt"].tolist() == expected["prompt"].tolist()
        assert got["changed_params"].tolist() == expected["changed_params"].tolist()
        assert got["prompt_changed"].tolist() == expected["prompt_changed"].tolist()
        assert got["seed_rerolled"].tolist() == expected["seed_rerolled"].tolist()
        assert got["seconds_since_previous"].iloc[1:].tolist() == pytest.approx(
            expected["seconds_since_previous"].iloc[1:].tolist()
        )
        assert pd.isna(got["seconds_since_previous"].iloc[0])
        assert got["previous_prompt"].iloc[1:].tolist() == expected["prompt"].iloc[:-1].tolist()
    # the sample has every kind of change, so the flags above were really exercised
    assert expected_replays["prompt_changed"].sum() > 50
    assert expected_replays["seed_rerolled"].sum() > 50
    assert expected_replays["changed_params"].map(len).gt(0).sum() > 10


def test_replay_columns_and_first_generation(wh, expected_replays):
    session_id = expected_replays["session_id"].value_counts().index[0]
    replay = explore.session_replay(wh, session_id)
    for column in ["seq", "created_at", "seconds_since_previous", "thumb_path", "prompt", "status"]:
        assert column in replay
    for column in ["error_code", "latency_ms", "seed", "step", "cfg", "sampler", "width", "height"]:
        assert column in replay
    first = replay.iloc[0]
    assert first["changed_params"] == [] and not first["prompt_changed"] and not first["seed_rerolled"]


def test_unknown_ids_are_typed_errors(wh):
    with pytest.raises(NotFoundError, match="No session"):
        explore.session_replay(wh, "no-such-session")
    with pytest.raises(NotFoundError, match="No session"):
        explore.session_summary(wh, "no-such-session")
    with pytest.raises(NotFoundError, match="No generation") as info:
        explore.generation_detail(wh, "no-such-generation")
    assert isinstance(info.value, AnalyzerError)


# --- generation_detail -----------------------------------------------------------------------


def test_generation_detail_gathers_the_generation_its_user_and_session(wh, generations):
    row = generations[generations["status"] != "success"].iloc[0]
    detail = explore.generation_detail(wh, row["generation_id"])
    assert set(detail) == {"generation", "prompt", "parameters", "telemetry", "user", "session"}
    assert detail["prompt"]["text"] == row["prompt"]
    assert detail["parameters"]["seed"] == row["seed"] and detail["parameters"]["cfg"] == row["cfg"]
    assert detail["telemetry"]["status"] == row["status"]
    assert detail["telemetry"]["error_code"] == row["error_code"]
    assert detail["telemetry"]["latency_ms"] == row["latency_ms"]
    assert detail["user"]["user_id"] == row["user_id"] and detail["user"]["tier"] == row["tier"]
    assert detail["session"]["session_id"] == row["session_id"]
    assert detail["session"]["seq"] == row["session_seq"]
    in_session = generations[generations["session_id"] == row["session_id"]]
    assert detail["session"]["n_generations"] == len(in_session)
    assert detail["session"]["n_failed"] == int((in_session["status"] != "success").sum())
    assert detail["generation"]["thumb_path"] == row["thumb_path"]


# --- prompt_diff -----------------------------------------------------------------------------


def test_prompt_diff_on_known_prompts():
    assert explore.prompt_diff("a cat, oil painting", "a cat, watercolor painting, by greg rutkowski") == [
        ("same", "a cat, "),
        ("removed", "oil "),
        ("added", "watercolor "),
        ("same", "painting"),
        ("added", ", by greg rutkowski"),
    ]
    assert explore.prompt_diff(
        "portrait of a knight, trending on artstation, 8k", "portrait of a knight, 8k"
    ) == [("same", "portrait of a knight, "), ("removed", "trending on artstation, "), ("same", "8k")]
    assert explore.prompt_diff("a dog", "a dog") == [("same", "a dog")]
    assert explore.prompt_diff("", "a dog") == [("added", "a dog")]
    assert explore.prompt_diff("a dog", "") == [("removed", "a dog")]
    assert explore.prompt_diff("", "") == []
    # case matters: "Cat" is another word than "cat"
    assert explore.prompt_diff("a cat", "a Cat") == [("same", "a "), ("removed", "cat"), ("added", "Cat")]


def test_prompt_diff_rebuilds_both_prompts_of_every_edit_in_the_sample(expected_replays):
    edits = expected_replays[expected_replays["prompt_changed"]]
    previous = expected_replays.groupby("session_id")["prompt"].shift(1)[edits.index]
    for old, new in zip(previous, edits["prompt"], strict=True):
        diff = explore.prompt_diff(old, new)
        assert {op for op, _ in diff} <= {"same", "added", "removed"}
        assert "".join(t for op, t in diff if op != "removed") == new.strip()
        assert "".join(t for op, t in diff if op != "added") == old.strip()
        assert any(op != "same" for op, _ in diff)


# --- list_sessions ---------------------------------------------------------------------------


SORT_COLUMNS = {
    "friction": "friction_score",
    "duration": "duration_s",
    "failures": "n_failed",
    "cost": "total_cost_usd",
    "generations": "n_generations",
    "started": "started_at",
}


@pytest.mark.parametrize("sort_by", list(SORT_COLUMNS))
@pytest.mark.parametrize("descending", [True, False])
def test_list_sessions_sorts_like_pandas(wh, sort_by, descending):
    sessions = wh.query("SELECT * FROM dim_sessions")
    column = SORT_COLUMNS[sort_by]
    # the key descending or ascending, ties by session id ascending
    expected = sessions.sort_values("session_id").sort_values(column, ascending=not descending, kind="stable")
    got = explore.list_sessions(wh, sort_by=sort_by, descending=descending, limit=500)
    assert got["session_id"].tolist() == expected["session_id"].tolist()
    top = explore.list_sessions(wh, sort_by=sort_by, descending=descending, limit=7)
    assert top["session_id"].tolist() == expected["session_id"].tolist()[:7]


def test_list_sessions_columns_and_first_prompt(wh, generations):
    got = explore.list_sessions(wh, limit=500)
    for column in ["session_id", "user_id", "tier", "started_at", "duration_s", "n_generations"]:
        assert column in got
    for column in ["n_failed", "friction_score", "total_cost_usd", "first_prompt"]:
        assert column in got
    first = generations[generations["session_seq"] == 1].set_index("session_id")
    assert got["first_prompt"].tolist() == first.loc[got["session_id"], "prompt"].tolist()
    assert got["tier"].tolist() == first.loc[got["session_id"], "tier"].tolist()
    assert got["friction_score"].is_monotonic_decreasing


def test_list_sessions_keeps_sessions_with_a_generation_passing_the_filters(wh, generations):
    days = sorted(generations["date_key"].unique())
    start, end = pd.Timestamp(days[3]).date(), pd.Timestamp(days[8]).date()
    filters = Filters(start=start, end=end, tiers=["pro", "enterprise"], statuses=["success"])
    day = pd.to_datetime(generations["date_key"]).dt.date
    passing = generations[
        (day >= start)
        & (day <= end)
        & generations["tier"].isin(["pro", "enterprise"])
        & (generations["status"] == "success")
    ]
    got = explore.list_sessions(wh, filters, "cost", limit=500)
    assert 0 < len(got) < generations["session_id"].nunique()
    assert set(got["session_id"]) == set(passing["session_id"])
    assert got["total_cost_usd"].is_monotonic_decreasing

    failed_only = explore.list_sessions(wh, Filters(statuses=["error", "timeout", "nsfw_blocked"]), limit=500)
    assert set(failed_only["session_id"]) == set(
        generations.loc[generations["status"] != "success", "session_id"]
    )
    assert (failed_only["n_failed"] > 0).all()


def test_list_sessions_refuses_unknown_sort_keys_and_bad_limits(wh):
    with pytest.raises(ExploreError, match="Unknown sort key 'latency'"):
        explore.list_sessions(wh, sort_by="latency")
    with pytest.raises(ExploreError, match="between 1 and"):
        explore.list_sessions(wh, limit=0)
    with pytest.raises(ExploreError, match="whole number"):
        explore.list_sessions(wh, limit="many")


def test_recent_generations_are_newest_first_and_filtered(wh, generations):
    got = explore.recent_generations(wh, Filters(tiers=["free"]), limit=10)
    expected = generations[generations["tier"] == "free"].sort_values(
        ["created_at", "generation_id"], ascending=[False, True]
    )
    assert got["generation_id"].tolist() == expected["generation_id"].head(10).tolist()
    assert set(got.columns) >= {"generation_id", "prompt", "thumb_path", "status", "session_id"}


# --- the tab, served -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def served(wh):
    demo = create_app(wh)  # the whole app, as served
    demo.launch(prevent_thread_lock=True, quiet=True, **launch_kwargs(wh))
    yield demo, demo.local_url
    demo.close()


@pytest.fixture(scope="module")
def client(served):
    return Client(served[1], verbose=False)


def _json_clean(value) -> bool:
    """True when value serializes as strict JSON (no NaN) and holds no datetimes."""
    json.dumps(value, allow_nan=False)
    return True


@pytest.mark.parametrize("mode", ["keyword", "hybrid", "semantic"])
def test_search_endpoint_returns_the_query_layer_results(wh, client, mode):
    got = client.predict(query="cyberpunk city at night", mode=mode, limit=12, api_name="/search")
    expected = search(wh, "cyberpunk city at night", mode=mode, limit=12)
    assert len(got) == len(expected) > 0
    assert [r["generation_id"] for r in got] == expected["generation_id"].tolist()
    assert [r["score"] for r in got] == pytest.approx(expected["score"].tolist())
    assert _json_clean(got)
    assert datetime.fromisoformat(got[0]["created_at"]) == expected["created_at"].iloc[0]


def test_search_endpoint_applies_filters(wh, client):
    got = client.predict(
        query="portrait", mode="keyword", tiers=["free"], statuses=["success"], limit=50, api_name="/search"
    )
    expected = search(
        wh, "portrait", mode="keyword", filters=Filters(tiers=["free"], statuses=["success"]), limit=50
    )
    assert [r["generation_id"] for r in got] == expected["generation_id"].tolist()
    assert got and {r["tier"] for r in got} == {"free"} and {r["status"] for r in got} == {"success"}


def test_search_endpoint_and_note_say_which_keyword_backend_ranked(client, served):
    """bm25s ranks by keywords on the sample (its index is built beside it); a search by meaning
    alone names no keyword backend, and its note says nothing of one."""
    for mode, expected in (("keyword", {"bm25s"}), ("hybrid", {"bm25s"}), ("semantic", {None})):
        got = client.predict(query="cyberpunk city at night", mode=mode, limit=6, api_name="/search")
        assert got and {r["keyword_backend"] for r in got} == expected
    run_search = _glue(served[0], "run_search")
    assert "Keywords ranked by bm25s" in run_search(_applied(), True, "golden hour", "hybrid", 6, None)[3]
    assert "Keywords ranked" not in run_search(_applied(), True, "golden hour", "semantic", 6, None)[3]


def test_search_errors_reach_the_client(client):
    with pytest.raises(Exception, match="Type something"):
        client.predict(query="  ", api_name="/search")
    with pytest.raises(Exception, match="Unknown search mode"):
        client.predict(query="cat", mode="fuzzy", api_name="/search")


def test_more_like_this_endpoint(wh, client, generations):
    generation_id = generations.sort_values("generation_id")["generation_id"].iloc[0]
    got = client.predict(generation_id=generation_id, limit=8, api_name="/more_like_this")
    expected = more_like_this(wh, generation_id=generation_id, limit=8)
    assert [r["generation_id"] for r in got] == expected["generation_id"].tolist()
    assert len(got) == 8 and _json_clean(got)
    own = generations.set_index("generation_id").at[generation_id, "prompt_id"]
    assert own not in {r["prompt_id"] for r in got}


def test_session_endpoint_replays_with_prompt_diffs(wh, client, expected_replays):
    session_id = (
        expected_replays.loc[expected_replays["prompt_changed"], "session_id"].value_counts().index[0]
    )
    got = client.predict(session_id=session_id, api_name="/session")
    assert _json_clean(got)
    summary = explore.session_summary(wh, session_id)
    assert got["session"]["session_id"] == session_id
    assert got["session"]["friction_score"] == pytest.approx(summary["friction_score"])
    assert got["session"]["tier"] == summary["tier"]
    assert datetime.fromisoformat(got["session"]["started_at"]) == summary["started_at"]
    replay = explore.session_replay(wh, session_id)
    records = got["generations"]
    assert [r["generation_id"] for r in records] == replay["generation_id"].tolist()
    assert [r["changed_params"] for r in records] == replay["changed_params"].tolist()
    assert records[0]["prompt_diff"] is None and records[0]["seconds_since_previous"] is None
    for record, previous in zip(records[1:], records[:-1], strict=True):
        expected = explore.prompt_diff(previous["prompt"], record["prompt"])
        assert [tuple(piece) for piece in record["prompt_diff"]] == expected
        assert any(op != "same" for op, _ in record["prompt_diff"]) == record["prompt_changed"]


def test_generation_endpoint(wh, client, generations):
    generation_id = generations["generation_id"].iloc[5]
    got = client.predict(generation_id=generation_id, api_name="/generation")
    expected = explore.generation_detail(wh, generation_id)
    assert got["prompt"]["text"] == expected["prompt"]["text"]
    assert got["session"]["session_id"] == expected["session"]["session_id"]
    assert datetime.fromisoformat(got["generation"]["created_at"]) == expected["generation"]["created_at"]
    assert _json_clean(got)


def test_sessions_endpoint_sorts_and_filters_like_the_query_layer(wh, client, generations):
    days = sorted(generations["date_key"].unique())
    start, end = str(pd.Timestamp(days[2]).date()), str(pd.Timestamp(days[9]).date())
    got = client.predict(
        start=start,
        end=end,
        tiers=["free"],
        sort_by="duration",
        limit=20,
        min_generations=1,
        api_name="/sessions",
    )
    expected = explore.list_sessions(
        wh,
        Filters(start=date.fromisoformat(start), end=date.fromisoformat(end), tiers=["free"]),
        "duration",
        limit=20,
    )
    assert [r["session_id"] for r in got] == expected["session_id"].tolist()
    assert [r["duration_s"] for r in got] == expected["duration_s"].tolist()
    assert _json_clean(got) and len(got) == 20
    # by default /sessions leaves out sessions of fewer than 3 generations
    default = client.predict(sort_by="friction", limit=50, api_name="/sessions")
    assert default and min(r["n_generations"] for r in default) >= 3
    assert [r["session_id"] for r in default] == explore.list_sessions(
        wh, sort_by="friction", limit=50, min_generations=3
    )["session_id"].tolist()
    ascending = client.predict(sort_by="failures", descending=False, limit=5, api_name="/sessions")
    assert [r["n_failed"] for r in ascending] == sorted(r["n_failed"] for r in ascending)


def test_unknown_ids_and_sort_keys_are_clear_errors_through_the_api(client):
    with pytest.raises(Exception, match="No session with id"):
        client.predict(session_id="nope", api_name="/session")
    with pytest.raises(Exception, match="No generation with id"):
        client.predict(generation_id="nope", api_name="/generation")
    with pytest.raises(Exception, match="Unknown sort key"):
        client.predict(sort_by="latency", api_name="/sessions")


def test_replay_thumbnails_are_served_and_nothing_else_is(wh, served, expected_replays):
    _, url = served
    session_id = expected_replays["session_id"].value_counts().index[0]
    page = explorer.replay_html(*explore.session_with_diffs(wh, session_id))
    sources = [html.unescape(s) for s in re.findall(r'<img[^>]* src="([^"]+)"', page)]
    assert len(sources) == len(explore.session_replay(wh, session_id))
    with urllib.request.urlopen(urllib.parse.urljoin(url, sources[0])) as response:
        assert response.status == 200
        assert response.headers["content-type"] == "image/webp"
        assert response.read(12)[8:12] == b"WEBP"
    assert all(s.startswith("thumbs/") for s in sources)  # the app's own route, no server path
    # Gradio's file route serves neither the warehouse file nor the thumbnails by their paths
    for path in (wh.path.resolve(), explore.session_replay(wh, session_id)["thumb_path"].iloc[0]):
        file_route = "gradio_api/file=" + urllib.parse.quote(str(path))
        with pytest.raises(urllib.error.HTTPError) as info:
            urllib.request.urlopen(urllib.parse.urljoin(url, file_route))
        assert info.value.code == 403


# --- the UI glue (private), called as the page calls it --------------------------------------


def _glue(demo: gr.Blocks, name: str):
    """The page's handler ``name``: an event's function, or a view drawn from the applied state
    (filterbar.on_shown: run by the Apply and show_views events, not an event of its own)."""
    shown = [f for f in demo.fns.values() if f.name == "show_views"]
    views = [v.fn for v in shown[0].fn.views if v.fn.__name__ == name] if shown else []
    if views:  # called as fn(applied, whether its tab is shown, *its inputs)
        return views[0]
    fns = [f for f in demo.fns.values() if f.name == name]
    assert fns, f"no event handler or view named {name}"
    assert all(f.api_visibility == "private" for f in fns)
    return fns[0].fn


def _applied(**overrides) -> dict:
    """The filter bar's applied state (app/filterbar.py), as the page holds it."""
    values = {"start": "", "end": "", "tiers": [], "statuses": [], "domains": [], "art_styles": []}
    values.update(overrides)
    return values


def test_ui_opens_on_the_latest_prompts_and_shows_an_empty_state(served, wh):
    demo, _ = served
    run_search = _glue(demo, "run_search")  # (applied, its tab shown, text, mode, n, drawn key)
    gallery, ids, scope, note, detail, *_ = run_search(_applied(), True, "", "hybrid", 12, None)
    assert gallery.value.count(" data-index=") == 12 == len(ids) and gallery.visible
    assert ids == explore.recent_generations(wh, limit=12, distinct_prompts=True)["generation_id"].tolist()
    assert "The latest 12 prompts" in note and detail == explorer.EMPTY_DETAIL
    assert scope == Filters()

    gallery, ids, _, note, *_ = run_search(_applied(), True, "zzzqqxx", "keyword", 12, None)
    assert gallery.visible is False and ids == []
    assert "Nothing matches" in note and "ex-empty" in note

    # computed only while the Explorer is shown, and not again for what it already shows
    key = run_search(_applied(), True, "kraken", "keyword", 6, None)[-1]
    for answer in (
        run_search(_applied(), False, "kraken", "keyword", 6, None),
        run_search(_applied(), True, "kraken", "keyword", 6, key),
    ):
        assert all(out == {"__type__": "update"} for out in answer)  # gr.skip(): nothing redrawn
    assert run_search(_applied(tiers=["pro"]), True, "kraken", "keyword", 6, key)[-1] != key


def test_ui_a_search_made_while_the_tab_draws_wins_over_that_draw(served, monkeypatch):
    """Opening the Explorer draws the latest prompts; when the user searches before that draw has
    ended, the draw must not land after the search and replace its results: it is dropped. The
    browser numbers its searches and every event carries the number it had when it was sent.
    Without a search in between, the draw shows as usual."""
    from genai_analyzer.api.endpoints import Api

    demo, _ = served
    run_search, search_now = _glue(demo, "run_search"), _glue(demo, "search_now")
    page = {"searches": 0}  # the highest search number the server has seen for this page
    searches = []
    latest = Api.gallery_frame

    def user_searches_meanwhile(api, text, mode, filters, n):
        if not text and not searches:  # the tab's draw is running: the user searches now (search 1)
            searches.append(search_now(_applied(), "kraken", "keyword", 6, 1, page))
        return latest(api, text, mode, filters, n)

    monkeypatch.setattr(Api, "gallery_frame", user_searches_meanwhile)
    draw = run_search(_applied(), True, "", "hybrid", 6, None, 0, page)
    assert all(out == {"__type__": "update"} for out in draw)  # dropped: nothing redrawn
    (search,) = searches
    assert "kraken" in search[3] and page == {"searches": 1}
    again = run_search(_applied(), True, "", "hybrid", 6, None, 1, page)  # sent after search 1: drawn
    assert "The latest 6 prompts" in again[3]


def test_ui_a_draw_sent_before_a_search_but_run_after_it_is_dropped(served):
    """Under load the queue can start the tab's draw after a search the user asked for later; the
    draw still carries the older search number and is dropped, so the search's results stay."""
    demo, _ = served
    run_search, search_now = _glue(demo, "run_search"), _glue(demo, "search_now")
    page = {"searches": 0}
    search = search_now(_applied(), "kraken", "keyword", 6, 1, page)
    assert "kraken" in search[3] and page == {"searches": 1}
    late = run_search(_applied(), True, "", "hybrid", 6, None, 0, page)
    assert all(out == {"__type__": "update"} for out in late)
    # an older search's number never lowers the page's count
    search_now(_applied(), "castle", "keyword", 6, 0, page)
    assert page == {"searches": 1}


def test_ui_images_like_this_is_usable_only_for_a_generation_whose_image_has_a_vector(
    sample_warehouse, tmp_path
):
    """A tile without an image vector (a failed generation, or an image that could not be read, as
    on the real DiffusionDB parts) has nothing for "Images like this" to start from: its button
    stays disabled instead of failing on click. A copy of the sample loses one image's vector."""
    import shutil

    import duckdb

    from genai_analyzer.warehouse.duck import load_extensions

    copy = tmp_path / "one_image_unread.duckdb"
    shutil.copy(sample_warehouse, copy)
    with duckdb.connect(str(copy)) as con:
        load_extensions(con)  # the image vectors carry an HNSW index
        without, with_vector = (
            row[0]
            for row in con.execute(
                "SELECT f.generation_id FROM fact_generations f "
                f"JOIN {images.IMAGE_EMBEDDINGS} i USING (image_path) ORDER BY f.generation_id LIMIT 2"
            ).fetchall()
        )
        con.execute(
            f"DELETE FROM {images.IMAGE_EMBEDDINGS} WHERE image_path = "
            "(SELECT image_path FROM fact_generations WHERE generation_id = ?)",
            [without],
        )
    with Warehouse(copy) as changed:
        assert images.has_image_embedding(changed, with_vector)
        assert not images.has_image_embedding(changed, without)
        demo = create_app(changed)
        for generation_id, usable in ((with_vector, True), (without, False)):
            event = gr.SelectData(None, {"index": 0, "value": generation_id})
            outputs = _glue(demo, "select_tile")([generation_id], None, event)
            _, selected, more, visual, open_replay, *_ = outputs
            assert selected == generation_id and more.interactive and open_replay.interactive
            assert visual.interactive is usable


def test_ui_selecting_a_tile_shows_its_detail_and_opens_its_session(served, wh):
    demo, _ = served
    _, ids, scope, *_ = _glue(demo, "run_search")(_applied(), True, "kraken", "keyword", 6, None)
    event = gr.SelectData(None, {"index": 2, "value": ids[2]})
    page, selected, more, visual, open_replay, *_ = _glue(demo, "select_tile")(ids, scope, event)
    detail = explore.generation_detail(wh, ids[2])
    assert selected == ids[2] and more.interactive and open_replay.interactive
    assert visual.interactive == images.has_image_embedding(wh, ids[2])
    assert html.escape(detail["prompt"]["text"]) in page and detail["user"]["tier"] in page

    replay, tabs = _glue(demo, "replay_of_generation")(selected)
    assert tabs.selected == "replay"
    assert detail["session"]["session_id"] in replay
    assert replay.count('class="ex-card') == detail["session"]["n_generations"]


def test_ui_sessions_table_rows_open_their_replay(served, wh):
    demo, _ = served
    sessions = _glue(demo, "refresh_sessions")  # (applied, its tab shown, sort, desc, min, n, drawn key)
    table, note, _ = sessions(_applied(), True, "failures", True, 1, 10, None)
    expected = explore.list_sessions(wh, sort_by="failures", limit=10)
    assert table.value["data"][0][-1] == expected["session_id"].iloc[0]
    assert "10 sessions" in note
    row = table.value["data"][3]
    replay, tabs = _glue(demo, "select_session")(
        gr.SelectData(None, {"index": [3, 0], "value": None, "row_value": row})
    )
    assert expected["session_id"].iloc[3] in replay and tabs.selected == "replay"

    # a domain no generation has in this period: the filters are valid and match nothing
    later = _applied(start="2100-01-01", end="2100-01-02")
    table, note, _ = sessions(later, True, "cost", True, 3, 10, None)
    assert table.visible is False and "No sessions match" in note

    # a domain the warehouse does not hold is an error naming the valid ones, not an empty table
    with pytest.raises(gr.Error, match="not in this warehouse; valid values: .*portrait"):
        sessions(_applied(domains=["no-such-domain"]), True, "cost", True, 3, 10, None)


def test_replay_marks_prompt_edits_and_parameter_changes(wh, expected_replays):
    edited = expected_replays[expected_replays["prompt_changed"]]
    changed = expected_replays[expected_replays["changed_params"].map(len) > 0]
    for session_id in {edited["session_id"].iloc[0], changed["session_id"].iloc[0]}:
        page = explorer.replay_html(*explore.session_with_diffs(wh, session_id))
        rows = expected_replays[expected_replays["session_id"] == session_id]
        if rows["prompt_changed"].any():
            assert "<ins>" in page or "<del>" in page
        for params in rows["changed_params"]:
            for name in params:
                assert f"{name} " in page and "→" in page


# --- the gallery: one tile per distinct prompt -----------------------------------------------


def test_group_by_prompt_keeps_each_prompts_first_row_in_order():
    results = pd.DataFrame(
        {
            "generation_id": ["g1", "g2", "g3", "g4", "g5", "g6"],
            "prompt_id": ["a", "b", "a", "c", "b", "a"],
            "prompt": ["cat", "dog", "cat", "owl", "dog", "cat"],
        }
    )
    tiles = explore.group_by_prompt(results)
    assert tiles["generation_id"].tolist() == ["g1", "g2", "g4"]
    assert tiles["prompt_id"].tolist() == ["a", "b", "c"]
    assert tiles["n_shown"].tolist() == [3, 2, 1]
    assert explore.group_by_prompt(results.iloc[:0]).empty


def test_prompt_tiles_count_each_prompts_generations_passing_the_filters(wh, generations):
    filters = Filters(tiers=["free"])
    results = explore.recent_generations(wh, filters, limit=60)
    tiles = explore.prompt_tiles(wh, results, filters)
    assert tiles["prompt_id"].is_unique and len(tiles) == results["prompt_id"].nunique()
    free = generations[generations["tier"] == "free"]
    expected = free.groupby("prompt_id").size()
    assert tiles["n_generations"].tolist() == [expected[p] for p in tiles["prompt_id"]]
    shown_nsfw = generations.set_index("generation_id")["image_nsfw"]
    assert tiles["image_nsfw"].tolist() == pytest.approx([shown_nsfw[g] for g in tiles["generation_id"]])


def test_gallery_shows_one_tile_per_prompt_with_its_count_and_the_nsfw_flag(wh, generations):
    from genai_analyzer.api.endpoints import Api

    api = Api(wh, nsfw_blur_threshold=0.5)
    tiles = api.gallery_frame("", "hybrid", Filters(), 24)
    assert len(tiles) == 24 and tiles["prompt_id"].is_unique
    counts = generations.groupby("prompt_id").size()
    assert tiles["n_generations"].tolist() == [counts[p] for p in tiles["prompt_id"]]
    assert tiles["nsfw"].tolist() == (tiles["image_nsfw"].fillna(0) >= 0.5).tolist()
    # a prompt generated several times is one tile, whatever the search
    repeated = counts[counts >= 3].index[0]
    text = generations.loc[generations["prompt_id"] == repeated, "prompt"].iloc[0]
    found = api.gallery_frame(text, "keyword", Filters(), 12)
    assert found["prompt_id"].is_unique
    assert found.loc[found["prompt_id"] == repeated, "n_generations"].item() == counts[repeated]
    page = explorer.tiles_html(found)
    assert f"x{counts[repeated]}</span>" in page


def test_more_like_this_pins_its_source_first(wh, generations):
    from genai_analyzer.api.endpoints import Api

    source = generations.sort_values("generation_id")["generation_id"].iloc[0]
    tiles = Api(wh).more_like_this_gallery_frame(source, Filters(), 8)
    assert tiles["generation_id"].iloc[0] == source and tiles["pinned"].tolist() == [True] + [False] * 7
    assert tiles["prompt_id"].is_unique
    assert 'class="ex-tile pinned selected' in explorer.tiles_html(tiles)
    with pytest.raises(NotFoundError):
        Api(wh).more_like_this_gallery_frame("nope", Filters(), 8)


def test_prompt_generations_are_the_prompts_generations_oldest_first(wh, generations):
    prompt_id = generations["prompt_id"].value_counts().index[0]
    got = explore.prompt_generations(wh, prompt_id)
    expected = generations[generations["prompt_id"] == prompt_id].sort_values(["created_at", "generation_id"])
    assert got["generation_id"].tolist() == expected["generation_id"].tolist()
    listed = explorer_view.generations_html(got, got["generation_id"].iloc[0], threshold=2.0)
    assert listed.count(" data-gen=") == len(got) > 1 and "ex-gen current" in listed


def test_captions_are_cut_at_word_boundaries_and_tiles_keep_the_full_prompt():
    prompt = "a futuristic city at night, neon lights, rain, highly detailed, octane render, " * 3
    cut = explorer_view.caption(prompt)
    assert cut.endswith("…") and len(cut) <= explorer_view.CAPTION_CHARS + 1
    head = cut[:-1]
    assert prompt.startswith(head) and prompt[len(head)] in " ,"
    assert explorer_view.caption("short prompt") == "short prompt"
    assert explorer_view.caption("   ") == "(empty prompt)"
    tiles = pd.DataFrame(
        [
            {
                "generation_id": "g1", "prompt_id": "p1", "prompt": prompt, "thumb_path": "/t/1.webp",
                "status": "success", "n_generations": 5, "nsfw": True, "pinned": False,
                "created_at": pd.Timestamp("2025-01-01"), "session_id": "s1", "domain": "city",
                "art_style": "digital art",
            }
        ]
    )  # fmt: skip
    page = explorer.tiles_html(tiles)
    assert f'title="{html.escape(prompt.strip())}"' in page
    assert 'class="ex-tile nsfw"' in page and "x5</span>" in page
    assert f'<span class="ex-caption">{html.escape(cut)}</span>' in page
    cards = explorer.tiles_html(tiles, images=False)
    assert html.escape(prompt.strip()) in cards and 'data-session="s1"' in cards and "<img" not in cards
    assert "city · digital art" in cards


def test_list_sessions_leaves_out_short_sessions(wh, generations):
    sessions = generations.groupby("session_id").size()
    got = explore.list_sessions(wh, sort_by="friction", limit=500, min_generations=3)
    assert set(got["session_id"]) == set(sessions[sessions >= 3].index)
    assert (got["n_generations"] >= 3).all()
    everything = explore.list_sessions(wh, sort_by="friction", limit=500)
    assert len(everything) == len(sessions) > len(got)
    with pytest.raises(ExploreError, match="minimum number of generations"):
        explore.list_sessions(wh, min_generations=0)


def test_ui_sessions_list_keeps_to_the_minimum_length(served):
    demo, _ = served
    table, note, _ = _glue(demo, "refresh_sessions")(_applied(), True, "friction", True, 4, 50, None)
    assert min(row[2] for row in table.value["data"]) >= 4 and "of at least 4 generations" in note


def test_without_images_the_explorer_shows_prompt_cards_and_the_overview_says_so(users_1k_warehouse):
    from genai_analyzer.app import overview

    with Warehouse(users_1k_warehouse) as metadata_only:
        assert not explore.has_images(metadata_only)
        demo = create_app(metadata_only)
        search = _glue(demo, "run_search")
        gallery, ids, _, note, *_ = search(_applied(), True, "", "keyword", 12, None)
        assert len(ids) == 12 and gallery.value.count('<div class="ex-pcard"') == 12
        assert "<img" not in gallery.value and "no images" in note
        first = explore.generation_detail(metadata_only, ids[0])
        assert html.escape(first["prompt"]["text"].strip()) in gallery.value  # the full prompt
        assert f'data-session="{first["session"]["session_id"]}"' in gallery.value
        # the card's session link opens the replay
        event = gr.SelectData(None, {"index": 0, "value": ids[0], "session": first["session"]["session_id"]})
        *_, replay, tabs = _glue(demo, "select_tile")(ids, None, event)
        assert tabs.selected == "replay" and first["session"]["session_id"] in replay
        absent = overview.showcase_html(pd.DataFrame(), images=False)
        assert "Images are absent" in absent


def test_the_diff_of_two_huge_prompts_is_bounded_and_still_rebuilds_both():
    """Two 130 KB prompts that differ all through: the middle is shown removed and added whole
    (the word diff is quadratic), and the diff still rebuilds both prompts exactly."""
    import random

    rng = random.Random(1)
    words = [f"w{rng.randint(0, 5000)}" for _ in range(24_000)]
    previous = " ".join(words)
    current = "same start " + " ".join(w if rng.random() > 0.1 else "x" for w in words) + " same end"
    previous = "same start " + previous + " same end"
    assert len(previous) > 130_000
    diff = explore.prompt_diff(previous, current)
    assert [op for op, _ in diff] == ["same", "removed", "added", "same"]
    assert "".join(text for op, text in diff if op != "removed").strip() == current
    assert "".join(text for op, text in diff if op != "added").strip() == previous
