"""The API layer's endpoints registered in the Gradio app, each under its own name.

``gradio_client`` callers see the parameters of each ``Api`` method, with its ``Filters``
parameter spelled out as the shared filter fields (start, end, tiers, statuses, domains,
art_styles), so one definition (``FILTER_FIELDS``) names them for every endpoint. Every other
argument is checked against its type hint (``check_argument``) before the method runs, and every
error is answered as an error object (``app.errors.api_errors``).

The app also serves the warehouse's thumbnails itself, by name (``thumbnail_route``): records and
the page link ``thumbs/<name>``, never a path on the server.
"""

from __future__ import annotations

import functools
import inspect
import typing
from pathlib import Path, PurePosixPath

import gradio as gr
from gradio.route_utils import API_PREFIX
from starlette.requests import Request
from starlette.responses import FileResponse, PlainTextResponse, Response
from starlette.routing import Route

from genai_analyzer.analysis.filters import FILTER_FIELDS, TEXT_FIELDS, Filters
from genai_analyzer.api.endpoints import ENDPOINTS, THUMB_ROUTE, Api, InputError, check_argument
from genai_analyzer.app.errors import api_errors
from genai_analyzer.core.contract import thumb_dir
from genai_analyzer.core.images import IMAGE_SUFFIXES
from genai_analyzer.warehouse.reader import Warehouse

LOGIN_CHECK = f"{API_PREFIX}/login_check"  # Gradio's own: 200 when a request may see the app

_FILTER_TYPES = {name: str for name in TEXT_FIELDS}  # the dates and the map selection


def _filter_parameters() -> list[inspect.Parameter]:
    return [
        inspect.Parameter(
            f.name,
            inspect.Parameter.POSITIONAL_OR_KEYWORD,
            default="" if f.name in _FILTER_TYPES else None,
            annotation=_FILTER_TYPES.get(f.name, list[str] | None),
        )
        for f in FILTER_FIELDS
    ]


def public(api: Api, name: str):
    """The endpoint ``name`` as Gradio should see it: the method's own parameters, a ``Filters``
    one replaced by the filter fields, which are checked (``Api.filters``) before the call."""
    method = getattr(api, name)
    signature = inspect.signature(method)
    hints = typing.get_type_hints(method)
    filter_param = next((p for p in signature.parameters if hints.get(p) is Filters), None)
    params, annotations = [], {}
    for p in signature.parameters.values():
        if p.name == filter_param:
            for fp in _filter_parameters():
                params.append(fp)
                annotations[fp.name] = fp.annotation
        else:
            params.append(p.replace(annotation=hints.get(p.name, p.annotation)))
            annotations[p.name] = hints.get(p.name, p.annotation)
    annotations["return"] = hints.get("return")
    filter_names = {f.name for f in FILTER_FIELDS}

    @functools.wraps(method)
    def endpoint(*args, **kwargs):
        try:
            bound = inspect.Signature(params).bind(*args, **kwargs)
        except TypeError as exc:
            raise InputError(f"{exc}; the parameters are {', '.join(p.name for p in params)}.",
                             code="invalid_arguments") from None  # fmt: skip
        bound.apply_defaults()
        values = dict(bound.arguments)
        defaults = {p.name: p.default for p in params}
        for key, value in values.items():
            if key not in filter_names:
                if value is None and defaults[key] not in (inspect.Parameter.empty, None):
                    value = defaults[key]  # a plain HTTP caller sends null for "the default"
                values[key] = check_argument(key, value, annotations[key])
        if filter_param is not None:
            values[filter_param] = api.filters(
                **{k: values.pop(k) for k in list(values) if k in filter_names}
            )
        return method(**values)

    endpoint.__signature__ = inspect.Signature(params, return_annotation=annotations["return"])
    endpoint.__annotations__ = annotations
    del endpoint.__wrapped__  # Gradio must read the public signature, not the method's
    return api_errors(endpoint, name)


def register(api: Api) -> None:
    """Register every public endpoint in the enclosing Blocks."""
    for name in ENDPOINTS:
        gr.api(public(api, name), api_name=name)


# --- thumbnails, served by name ------------------------------------------------------------------


def thumbnail_route(wh: Warehouse) -> Route:
    """``GET /thumbs/<name>``: the thumbnail ``<name>`` (relative to ``wh``'s thumbnail folder,
    as ``api.checks.thumb_url`` gives it). Behind the app's login when auth is on (401 otherwise);
    a name that is not a plain relative path inside that folder (``..``, absolute, a backslash, a
    file that is not an image) is refused with 400 before the disk is touched, and one that
    resolves outside the folder (a link) is refused too. Pass it to ``launch`` as
    ``app_kwargs={"routes": [...]}`` (``app.launch_kwargs`` does)."""
    root = thumb_dir(wh.path.resolve())

    async def thumbnail(request: Request) -> Response:
        if not await _signed_in(request):
            return PlainTextResponse("Not authenticated: log in to the app first.", status_code=401)
        name = request.path_params["name"]
        parts = PurePosixPath(name).parts
        if (
            not parts
            or name.startswith("/")
            or "\\" in name
            or "\0" in name
            or any(part in ("..", ".") for part in parts)
            or not name.lower().endswith(IMAGE_SUFFIXES)
        ):
            return PlainTextResponse("Not a thumbnail name.", status_code=400)
        path = (root / Path(*parts)).resolve()
        if not path.is_relative_to(root.resolve()):
            return PlainTextResponse("Not a thumbnail name.", status_code=400)
        if not path.is_file():
            return PlainTextResponse("No such thumbnail.", status_code=404)
        return FileResponse(path, headers={"Cache-Control": "private, max-age=3600"})

    return Route(f"/{THUMB_ROUTE}/{{name:path}}", thumbnail, methods=["GET", "HEAD"], name="thumbnail")


async def _signed_in(request: Request) -> bool:
    """Whether the request may see the app, as Gradio itself decides for its own routes: the same
    request (cookies, headers) asked in-process of Gradio's ``/gradio_api/login_check``, which
    answers 200 without auth, or with auth for a logged-in caller (its cookie, or the app's auth
    dependency), and 401 otherwise. Anything but 200 refuses: a login is never skipped."""
    path = request.scope.get("root_path", "") + LOGIN_CHECK
    scope = {k: v for k, v in request.scope.items() if k not in ("endpoint", "route", "path_params")}
    scope.update(method="GET", path=path, raw_path=path.encode(), query_string=b"")
    statuses: list[int] = []

    async def receive() -> dict:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict) -> None:
        if message["type"] == "http.response.start":
            statuses.append(message["status"])

    await request.app(scope, receive, send)
    return statuses == [200]
