"""Turn the library's typed errors into messages the page and API clients see.

The page shows an error's text (``user_errors``). A public endpoint answers with an error object
(``api_errors``): the caller gets ``{"error": {"code", "message", "field"}}`` (and ``valid``, the
values a field can take, where a value was unknown). Bad input is logged as one line, without a
traceback; anything else is a bug, logged with its traceback and answered with code ``internal``.
"""

from __future__ import annotations

import functools
import logging

import gradio as gr

from genai_analyzer.analysis.explorer_queries import NotFoundError
from genai_analyzer.analysis.filters import FilterError
from genai_analyzer.api.endpoints import InputError
from genai_analyzer.core.errors import AnalyzerError

log = logging.getLogger("genai_analyzer.api")


def user_errors(fn):
    """Re-raise AnalyzerError as gr.Error: shown in the page, sent to gradio_client callers."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except AnalyzerError as exc:
            raise gr.Error(str(exc), print_exception=False) from exc

    return wrapper


def error_object(exc: BaseException) -> dict:
    """{"code", "message", "field"} (and "valid" where known) for an error an endpoint raised."""
    if isinstance(exc, InputError):
        code = exc.code
    elif isinstance(exc, FilterError):
        code = "unknown_value" if exc.valid is not None else "invalid_value"
    elif isinstance(exc, NotFoundError):
        code = "not_found"
    elif isinstance(exc, AnalyzerError):
        code = "invalid_request"
    else:
        code = "internal"
    message = str(exc) if isinstance(exc, AnalyzerError) else (
        f"The server could not answer this request ({type(exc).__name__}); it has been logged."
    )  # fmt: skip
    error = {"code": code, "message": message, "field": getattr(exc, "field", None)}
    if getattr(exc, "valid", None) is not None:
        error["valid"] = list(exc.valid)
    return error


def api_errors(fn, name: str | None = None):
    """Answer any error of ``fn`` with an error object: raised as gr.Error whose message is the
    object, so a plain HTTP caller's error event reads ``{"error": {"code", "message", "field"},
    ...}`` and a gradio_client caller's AppError carries it as ``.message``. Gradio prints no
    traceback for it; this logs one line per bad request."""
    name = name or fn.__name__

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except AnalyzerError as exc:
            error = error_object(exc)
            log.info("/%s: bad input (%s, field %s): %s", name, error["code"], error["field"], _line(error))
            raise gr.Error(error, print_exception=False) from None
        except Exception as exc:  # a bug, not bad input: keep its traceback in the log
            log.exception("/%s failed: %s: %s", name, type(exc).__name__, _line({"message": str(exc)}))
            raise gr.Error(error_object(exc), print_exception=False) from None

    return wrapper


def _line(error: dict, limit: int = 300) -> str:
    text = " ".join(str(error["message"]).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
