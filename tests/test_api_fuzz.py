"""Every public endpoint fed generated input through the real server over HTTP.

Each answer must be a valid result or an error object ``{"code", "message", "field"}`` (a field
where one applies, the valid values where a value was unknown); never ``{"error": null}``, never an
``internal`` error, and the server logs no traceback for any of it.
"""

from __future__ import annotations

import collections
import inspect
import json
import logging
import time
import urllib.error
import urllib.request
import uuid

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from genai_analyzer.analysis import (
    alert_rules,
    clusters,
    cohorts,
    funnel,
    images,
    queries,
    refinement,
    semantic,
)
from genai_analyzer.analysis.explorer_queries import SESSION_SORT_KEYS
from genai_analyzer.analysis.leaderboards import LEADERBOARD_METRICS
from genai_analyzer.analysis.search import MODES
from genai_analyzer.api.endpoints import CHART_QUERIES, ENDPOINTS, MAX_TEXT_CHARS, Api
from genai_analyzer.app import explorer_view
from genai_analyzer.app.routes import public
from tests.conftest import serving

FIELD_CODES = {
    "invalid_type",
    "invalid_value",
    "unknown_value",
    "too_long",
    "missing",
    "invalid_context",
    "not_found",
}
# What the property test saw (inputs, results, errors by code), for docs/reliability.md.
SEEN: collections.Counter = collections.Counter()


class Served:
    """The app over HTTP, with each endpoint's parameter names (in order) and real ids."""

    def __init__(self, wh, url):
        self.wh, self.url = wh, url
        api = Api(wh)
        self.params = {name: list(inspect.signature(public(api, name)).parameters) for name in ENDPOINTS}
        self.session_hash = uuid.uuid4().hex
        self.generation_ids = wh.query("SELECT generation_id FROM fact_generations LIMIT 20")[
            "generation_id"
        ].tolist()
        self.session_ids = wh.query("SELECT session_id FROM dim_sessions LIMIT 20")["session_id"].tolist()
        self.choices = queries.filter_choices(wh)
        self.days = [str(d) for d in wh.query("SELECT DISTINCT date_key FROM fact_generations")["date_key"]]

    def call(self, name: str, arguments: dict, extra: list = ()) -> tuple[str, object]:
        """(event, data) of one call: "complete" with the result, or "error" with the payload.
        Arguments not given are sent as null (the default); ``extra`` values follow the last one."""
        data = [arguments.get(p) for p in self.params[name]] + list(extra)
        body = json.dumps({"data": data, "session_hash": self.session_hash}, allow_nan=False).encode()
        request = urllib.request.Request(
            f"{self.url}gradio_api/call/{name}", data=body, headers={"Content-Type": "application/json"}
        )
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                event_id = json.load(response)["event_id"]
        except urllib.error.HTTPError as exc:  # refused before the endpoint ran
            return "http_error", {"status": exc.code, "body": exc.read().decode(errors="replace")}
        # read the stream line by line up to its last event: a stream the server keeps open with
        # heartbeats after an error (a result it could not serialize) fails at a deadline, not never
        deadline, event, payload = time.monotonic() + 180, None, None
        with urllib.request.urlopen(f"{self.url}gradio_api/call/{name}/{event_id}", timeout=60) as response:
            for raw in response:
                line = raw.decode().rstrip("\n")
                if line.startswith("event: "):
                    event = line[len("event: ") :]
                elif line.startswith("data: "):
                    payload = json.loads(line[len("data: ") :])
                    if event in ("complete", "error"):
                        break
                assert time.monotonic() < deadline, f"{name}: no result after 180 s (last event {event!r})"
        return event, payload


@pytest.fixture(scope="module")
def served(sample_warehouse):
    with serving(sample_warehouse) as (wh, url):
        yield Served(wh, url)


def check_answer(served: Served, name: str, arguments: dict, event: str, payload, seen=None) -> dict | None:
    """Assert the answer is a result or a well-formed error object; return the error, if any."""
    seen = collections.Counter() if seen is None else seen
    seen["inputs"] += 1
    assert event in ("complete", "error"), (name, arguments, event, payload)
    if event == "complete":
        seen["results"] += 1
        assert isinstance(payload, list) and len(payload) == 1, payload
        assert isinstance(payload[0], dict | list)
        text = json.dumps(payload[0])
        assert '"thumb_path"' not in text and '"image_path"' not in text, "server paths leaked"
        assert str(served.wh.path.resolve().parent) not in text, "a server path leaked"
        return None
    seen["errors"] += 1
    assert isinstance(payload, dict) and payload.get("error") is not None, (name, arguments, payload)
    error = payload["error"]
    assert isinstance(error, dict) and set(error) >= {"code", "message", "field"}, error
    assert error["code"] != "internal", (name, arguments, error)
    assert isinstance(error["message"], str) and error["message"].strip(), error
    assert len(error["message"]) < 3_000, "an error must not echo a huge input"
    if error["code"] in FIELD_CODES:
        assert error["field"] in served.params[name], (name, arguments, error)
    if error["code"] == "unknown_value":
        assert isinstance(error.get("valid"), list) and error["valid"], error
    seen[f"code:{error['code']}"] += 1
    return error


# --- what a caller might send -------------------------------------------------------------------

junk = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=30),
    st.lists(st.one_of(st.integers(), st.text(max_size=10)), max_size=4),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=3),
)
long_text = st.integers(min_value=MAX_TEXT_CHARS + 1, max_value=50_000).map(lambda n: "x" * n)


def mostly(good, bad):
    """``good`` six times in seven: most calls are valid but for one or two arguments."""
    return st.one_of(*[good] * 6, bad)


def text_like(good):
    return mostly(good, st.one_of(st.text(max_size=60), long_text, junk))


def dates(served):
    return mostly(
        st.one_of(st.just(""), st.sampled_from(served.days)),
        st.one_of(
            st.sampled_from(
                ["0001-01-01", "9999-12-31", "1999-12-31", "2200-01-01", "2022-02-30", "14/08/2022"]
            ),
            st.dates().map(str),
            st.text(max_size=12),
            junk,
        ),
    )


def value_lists(values):
    return mostly(
        st.one_of(st.none(), st.lists(st.sampled_from(values), max_size=3), st.sampled_from(values)),
        st.one_of(
            st.lists(st.text(max_size=12), max_size=3),
            st.integers(min_value=101, max_value=300).map(lambda n: ["free"] * n),
            junk,
        ),
    )


limits = mostly(
    st.integers(min_value=1, max_value=30),
    st.one_of(
        st.integers(min_value=-(10**20), max_value=10**20),
        st.floats(allow_nan=False, allow_infinity=False),
        junk,
    ),
)


def filter_arguments(served):
    return st.fixed_dictionaries(
        {},
        optional={
            "start": dates(served),
            "end": dates(served),
            "tiers": value_lists(served.choices["tiers"]),
            "statuses": value_lists(served.choices["statuses"]),
            "domains": value_lists(served.choices["domains"]),
            "art_styles": value_lists(served.choices["art_styles"]),
            "prompt_clusters": value_lists(served.choices["prompt_clusters"] or ["#1 none"]),
            "visual_clusters": value_lists(served.choices["visual_clusters"] or ["#1 none"]),
            "map_selection": text_like(
                st.sampled_from(["", "prompt:box:-5,20,-5,20", "visual:lasso:0,0,9,0,4,9", "prompt:box:1"])
            ),
        },
    )


def arguments_for(served, name: str):
    ids = st.sampled_from(served.generation_ids)
    own = {
        "kpis": {"compare": text_like(st.sampled_from(["none", "previous"]))},
        "timeseries": {},
        "overview": {},
        "embedding_progress": {},
        "chart": {"chart": text_like(st.sampled_from(list(CHART_QUERIES)))},
        "leaderboard": {
            "metric": text_like(st.sampled_from(list(LEADERBOARD_METRICS))),
            "direction": text_like(st.sampled_from(["worst", "best"])),
            "group": text_like(st.sampled_from(["prompt", "cluster"])),
            "min_sample": limits,
            "limit": limits,
        },
        "edits": {"by": text_like(st.sampled_from(list(refinement.GROUPS)))},
        "edit_terms": {
            "change": text_like(st.sampled_from(list(refinement.TERM_CHANGES))),
            "by": text_like(st.sampled_from(list(refinement.GROUPS))),
            "min_edits": limits,
            "limit": limits,
        },
        "edit_flow": {"steps": limits},
        "retention": {
            "by": text_like(st.sampled_from(list(cohorts.GROUPS))),
            "cohort": text_like(st.sampled_from(list(cohorts.COHORTS))),
        },
        "lifecycle": {"by": text_like(st.sampled_from(list(cohorts.GROUPS)))},
        "funnel": {
            "by": text_like(st.sampled_from(list(funnel.GROUPS))),
            "period": text_like(st.sampled_from(list(funnel.PERIODS))),
        },
        "alerts": {"day": dates(served)},
        "anomalies": {
            "metric": text_like(st.sampled_from(list(semantic.load().metrics))),
            "trailing_days": limits,
            "max_z": mostly(st.floats(min_value=0.5, max_value=10), junk),
            "direction": text_like(st.sampled_from(alert_rules.DIRECTIONS)),
        },
        "search": {
            "query": text_like(st.sampled_from(["cat", "city at night", "portrait", "a"])),
            "mode": text_like(st.sampled_from(MODES)),
            "limit": limits,
        },
        "generation": {"generation_id": text_like(ids)},
        "more_like_this": {"generation_id": text_like(ids), "limit": limits},
        "similar_images": {"generation_id": text_like(ids), "limit": limits},
        "near_duplicates": {"page": limits, "page_size": limits},
        "image_model": {},
        "images_from_text": {
            "query": text_like(st.sampled_from(["red sunset over water", "cat", ""])),
            "limit": limits,
        },
        "image_agreement": {
            "group": text_like(st.sampled_from(list(images.AGREEMENT_GROUPS))),
            "min_generations": limits,
        },
        "map_points": {
            "kind": text_like(st.sampled_from(["prompt", "visual"])),
            "color": text_like(st.sampled_from(["cluster", "domain", "art_style", "status", "tier", "cost"])),
            "cap": limits,
        },
        "clusters": {
            "kind": text_like(st.sampled_from(list(clusters.KINDS))),
            "sort": text_like(st.sampled_from(list(clusters.SORTS))),
            "limit": limits,
        },
        "session": {"session_id": text_like(st.sampled_from(served.session_ids))},
        "sessions": {
            "sort_by": text_like(st.sampled_from(list(SESSION_SORT_KEYS))),
            "descending": mostly(st.booleans(), junk),
            "limit": limits,
            "min_generations": limits,
        },
        "ask": {
            "question": text_like(st.sampled_from(["generations by tier", "error rate by day", "hello"])),
            "context": mostly(
                st.none(), st.one_of(junk, st.fixed_dictionaries({"spec": junk, "sql": st.text(max_size=20)}))
            ),
        },
        "views": {},
        "view": {"name": text_like(st.sampled_from(["Pro outcomes", "By tier", ""]))},
    }[name]
    # sent as null when left out: rare
    required = {"query", "generation_id", "session_id", "question", "name"}
    base = st.fixed_dictionaries(
        {k: v for k, v in own.items() if k in required},
        optional={k: v for k, v in own.items() if k not in required},
    )
    if any(p == "tiers" for p in served.params[name]):
        return st.tuples(base, filter_arguments(served)).map(lambda pair: {**pair[0], **pair[1]})
    return base


def test_thumbnail_urls_come_from_one_helper_and_name_no_server_path():
    from genai_analyzer.api import endpoints

    path = "/srv/data/warehouse_thumbs/ab/ab12 x.webp"
    assert explorer_view.thumb_url(path) == endpoints.thumb_url(path) == "thumbs/ab/ab12%20x.webp"
    assert explorer_view.thumb_url(None) is None


# --- a few representative bad inputs (fast) ------------------------------------------------------


@pytest.mark.parametrize(
    "name, arguments, code, field",
    [
        ("kpis", {"start": "0001-01-01"}, "invalid_value", "start"),
        ("kpis", {"end": "9999-12-31"}, "invalid_value", "end"),
        ("kpis", {"tiers": ["platinum"]}, "unknown_value", "tiers"),
        ("kpis", {"start": 20220813}, "invalid_type", "start"),
        ("kpis", {"statuses": {"a": 1}}, "invalid_type", "statuses"),
        ("chart", {"chart": "pie"}, "unknown_value", "chart"),
        ("kpis", {"compare": "yesterday"}, "unknown_value", "compare"),
        ("leaderboard", {"metric": "fun"}, "unknown_value", "metric"),
        ("leaderboard", {"direction": "up"}, "unknown_value", "direction"),
        ("leaderboard", {"min_sample": 0}, "invalid_value", "min_sample"),
        ("chart", {"chart": ["outcomes"]}, "invalid_type", "chart"),
        ("alerts", {"day": "1999-12-31"}, "invalid_value", "day"),
        ("anomalies", {"metric": "speed"}, "unknown_value", "metric"),
        ("anomalies", {"max_z": -1}, "invalid_value", "max_z"),
        ("search", {"query": "x" * 50_000}, "too_long", "query"),
        ("search", {"query": "cat", "limit": -5}, "invalid_value", "limit"),
        ("search", {"query": "cat", "limit": 10**12}, "invalid_value", "limit"),
        ("search", {"query": "cat", "limit": [3]}, "invalid_type", "limit"),
        ("search", {"query": "cat", "mode": "fuzzy"}, "unknown_value", "mode"),
        ("search", {"query": {"q": 1}}, "invalid_type", "query"),
        ("generation", {"generation_id": "no-such-id"}, "not_found", "generation_id"),
        ("more_like_this", {"generation_id": 12}, "invalid_type", "generation_id"),
        ("session", {"session_id": ""}, "missing", "session_id"),
        ("sessions", {"sort_by": "nonsense"}, "unknown_value", "sort_by"),
        ("sessions", {"min_generations": 0}, "invalid_value", "min_generations"),
        ("ask", {"question": "q" * 50_000}, "too_long", "question"),
        (
            "ask",
            {"question": "generations by tier", "context": {"spec": {}, "sql": "SELECT 1"}},
            "invalid_context",
            "context",
        ),
        ("ask", {"question": "generations by tier", "context": "yesterday"}, "invalid_type", "context"),
        ("view", {"name": "no such view"}, "not_found", "name"),
        ("view", {"name": ["a"]}, "invalid_type", "name"),
        ("view", {"name": "v" * 81}, "too_long", "name"),
    ],
)
def test_bad_input_is_an_error_object_naming_the_field(served, caplog, capfd, name, arguments, code, field):
    caplog.set_level(logging.INFO, logger="genai_analyzer.api")
    event, payload = served.call(name, arguments)
    error = check_answer(served, name, arguments, event, payload)
    assert error is not None and (error["code"], error["field"]) == (code, field), error
    if code == "unknown_value":
        assert error["valid"]
    assert "Traceback" not in capfd.readouterr().err
    lines = [r for r in caplog.records if r.name == "genai_analyzer.api"]
    assert len(lines) == 1 and lines[0].exc_info is None and "\n" not in lines[0].getMessage()


def test_results_carry_relative_thumbnail_urls_not_server_paths(served):
    event, payload = served.call("search", {"query": "portrait", "limit": 5})
    assert event == "complete"
    hits = payload[0]
    assert hits and all("thumb_path" not in h and "image_path" not in h for h in hits)
    urls = [h["thumb_url"] for h in hits if h["thumb_url"]]
    assert urls and all(u.startswith("thumbs/") and str(served.wh.path.parent) not in u for u in urls)
    event, payload = served.call("generation", {"generation_id": hits[0]["generation_id"]})
    assert event == "complete" and payload[0]["generation"]["thumb_url"] == hits[0]["thumb_url"]


def test_an_ask_context_is_accepted_only_as_returned(served):
    event, first = served.call("ask", {"question": "generations by tier"})
    assert event == "complete" and first[0]["context"]
    context = first[0]["context"]
    event, follow = served.call("ask", {"question": "now only for pro users", "context": context})
    assert event == "complete" and not follow[0]["refused"], follow
    forged = {**context, "sql": "SELECT 'injected'"}
    event, payload = served.call("ask", {"question": "now only for pro users", "context": forged})
    assert event == "error" and payload["error"]["code"] == "invalid_context"


# --- the property test ---------------------------------------------------------------------------

EXAMPLES_PER_ENDPOINT = 210  # 27 endpoints: 5,670 inputs


@pytest.mark.slow
@pytest.mark.parametrize("name", ENDPOINTS)
def test_any_input_gets_a_result_or_an_error_object(served, caplog, capfd, name):
    caplog.set_level(logging.INFO)
    real_context = served.call("ask", {"question": "generations by tier"})[1][0]["context"]

    @settings(
        max_examples=EXAMPLES_PER_ENDPOINT,
        deadline=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(
        arguments=arguments_for(served, name),
        context=st.sampled_from(["drawn", "returned", "edited"]),
        extra=mostly(st.just([]), st.lists(junk, min_size=1, max_size=3)),
    )
    def one_call(arguments, context, extra):
        if name == "ask" and context != "drawn":  # a context the server returned, or one edited
            edit = {"sql": "SELECT 'injected'"} if context == "edited" else {}
            arguments = {**arguments, "context": {**real_context, **edit}}
        event, payload = served.call(name, arguments, extra)
        check_answer(served, name, arguments, event, payload, SEEN)

    one_call()
    captured = capfd.readouterr()
    assert "Traceback" not in captured.err and "Traceback" not in captured.out
    assert not [r for r in caplog.records if r.exc_info], "a traceback was logged"
    assert not [r for r in caplog.records if "Traceback" in r.getMessage()]
    SEEN["tracebacks"] += 0
    print(f"\nafter /{name}: {dict(sorted(SEEN.items()))}")
