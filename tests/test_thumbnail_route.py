"""Thumbnails served by the app's own route, over real HTTP: ``thumbs/<name>``, never a server path.

Records and the Explorer's HTML link ``thumbs/<name relative to the warehouse's thumbnail folder>``;
the route answers the image's bytes, refuses any name that would leave that folder, and sits
behind the app's login when auth is on. Gradio's own file route no longer serves the folder.
"""

from __future__ import annotations

import html
import http.client
import json
import os
import re
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

import pytest

from genai_analyzer.analysis import explorer_queries as explore
from genai_analyzer.app import create_app, explorer_view, launch_kwargs
from genai_analyzer.core.contract import thumb_dir
from genai_analyzer.warehouse.reader import Warehouse
from tests.conftest import serving


def call(url: str, name: str, data: list, headers: dict | None = None) -> tuple[str, object]:
    """(event, payload) of one plain-HTTP call of endpoint ``name`` (POST, then the event stream)."""
    body = json.dumps({"data": data, "session_hash": uuid.uuid4().hex}).encode()
    request = urllib.request.Request(
        f"{url}gradio_api/call/{name}",
        data=body,
        headers={"Content-Type": "application/json", **(headers or {})},
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        event_id = json.load(response)["event_id"]
    stream = urllib.request.Request(f"{url}gradio_api/call/{name}/{event_id}", headers=headers or {})
    with urllib.request.urlopen(stream, timeout=60) as response:
        text = response.read().decode()
    event = re.findall(r"^event: (\S+)", text, re.M)[-1]
    payload = json.loads(re.findall(r"^data: (.*)$", text, re.M)[-1])
    return event, payload


def raw_get(url: str, path: str, headers: dict | None = None) -> tuple[int, bytes]:
    """GET ``path`` exactly as written (no client-side ``..`` folding), as an attacker would send it."""
    parts = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        connection.request("GET", path, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


@pytest.fixture(scope="module")
def served(sample_warehouse):
    with serving(sample_warehouse) as served_app:
        yield served_app


def test_records_carry_a_thumbnail_url_without_any_server_path(served):
    wh, url = served
    server_folder = str(wh.path.resolve().parent)
    # dates, then tiers, statuses, domains, styles, both clusters, then the map selection
    no_filters = [""] * 2 + [None] * 6 + [""]
    event, payload = call(url, "search", ["portrait", "hybrid", *no_filters, 5])
    assert event == "complete", payload
    hits = payload[0]
    urls = [hit["thumb_url"] for hit in hits if hit["thumb_url"]]
    assert urls, hits
    for thumb_url in urls:
        assert re.fullmatch(r"thumbs/[0-9a-f]{2}/[0-9a-f]{20}\.webp", thumb_url), thumb_url
    event, detail = call(url, "generation", [hits[0]["generation_id"]])
    assert event == "complete" and detail[0]["generation"]["thumb_url"] == hits[0]["thumb_url"]
    event, replay = call(url, "session", [hits[0]["session_id"]])
    assert event == "complete" and all(g["thumb_url"].startswith("thumbs/") for g in replay[0]["generations"])
    for answer in (payload, detail, replay):
        text = json.dumps(answer)
        assert server_folder not in text and "gradio_api/file=" not in text and "_thumbs/" not in text


def test_a_thumbnail_url_answers_the_image_bytes(served):
    wh, url = served
    path = wh.scalar("SELECT thumb_path FROM fact_generations WHERE thumb_path IS NOT NULL LIMIT 1")
    thumb_url = explorer_view.thumb_url(path)
    with urllib.request.urlopen(urllib.parse.urljoin(url, thumb_url), timeout=30) as response:
        assert response.status == 200
        assert response.headers["content-type"] == "image/webp"
        assert response.read() == Path(path).read_bytes()


def test_the_explorer_html_links_the_same_route(served):
    wh, url = served
    session_id = wh.scalar(
        "SELECT session_id FROM fact_generations WHERE thumb_path IS NOT NULL "
        "GROUP BY session_id ORDER BY count(*) DESC, session_id LIMIT 1"
    )
    page = explorer_view.replay_html(*explore.session_with_diffs(wh, session_id))
    sources = [html.unescape(s) for s in re.findall(r'<img[^>]* src="([^"]+)"', page)]
    assert sources and all(s.startswith("thumbs/") for s in sources)
    assert str(wh.path.resolve().parent) not in page
    for source in sources[:3]:
        with urllib.request.urlopen(urllib.parse.urljoin(url, source), timeout=30) as response:
            assert response.status == 200 and response.read(12)[8:12] == b"WEBP"


@pytest.mark.parametrize(
    "path",
    [
        "/thumbs/../warehouse.duckdb",
        "/thumbs/../../../../etc/passwd",
        "/thumbs/%2e%2e/warehouse.duckdb",
        "/thumbs/..%2fwarehouse.duckdb",
        "/thumbs/%2Fetc%2Fpasswd",
        "/thumbs/ab/..%5c..%5cwarehouse.duckdb",
        "/thumbs/ab/x.webp%00.png",
    ],
)
def test_a_name_that_leaves_the_thumbnail_folder_is_refused(served, path):
    wh, url = served
    status, body = raw_get(url, path)
    assert status == 400, (path, status, body)
    assert b"DUCK" not in body and b"root:" not in body


def test_a_link_out_of_the_thumbnail_folder_is_refused(served):
    wh, url = served
    folder = thumb_dir(wh.path.resolve())
    link = folder / f"zz-link-{os.getpid()}.webp"
    link.symlink_to(wh.path.resolve())  # points at the warehouse file beside the folder
    try:
        status, body = raw_get(url, f"/thumbs/{link.name}")
    finally:
        link.unlink()
    assert status == 400 and b"DUCK" not in body


def test_gradio_file_route_no_longer_serves_the_thumbnail_folder(served):
    wh, url = served
    path = wh.scalar("SELECT thumb_path FROM fact_generations WHERE thumb_path IS NOT NULL LIMIT 1")
    status, _ = raw_get(url, f"/gradio_api/file={urllib.parse.quote(path)}")
    assert status == 403


def test_with_auth_on_a_thumbnail_needs_the_login(sample_warehouse):
    wh = Warehouse(sample_warehouse)
    demo = create_app(wh)
    demo.launch(prevent_thread_lock=True, quiet=True, auth=("ana", "s3cret"), **launch_kwargs(wh))
    try:
        url = demo.local_url
        path = wh.scalar("SELECT thumb_path FROM fact_generations WHERE thumb_path IS NOT NULL LIMIT 1")
        thumb = "/" + explorer_view.thumb_url(path)
        status, body = raw_get(url, thumb)
        assert status == 401 and b"RIFF" not in body
        assert raw_get(url, "/thumbs/../warehouse.duckdb")[0] == 401  # nothing is said before login
        # a wrong password gets no cookie; the right one does, and the thumbnail is served with it
        login = urllib.parse.urlencode({"username": "ana", "password": "wrong"}).encode()
        with pytest.raises(urllib.error.HTTPError):
            urllib.request.urlopen(f"{url}login", data=login, timeout=30)
        login = urllib.parse.urlencode({"username": "ana", "password": "s3cret"}).encode()
        with urllib.request.urlopen(f"{url}login", data=login, timeout=30) as response:
            cookies = [c.split(";", 1)[0] for c in response.headers.get_all("set-cookie")]
        status, body = raw_get(url, thumb, {"Cookie": "; ".join(cookies)})
        assert status == 200 and body == Path(path).read_bytes()
    finally:
        demo.close()
        wh.close()
