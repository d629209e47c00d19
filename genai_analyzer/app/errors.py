"""Turn the library's typed errors into messages the page and API clients see."""

from __future__ import annotations

import functools

import gradio as gr

from genai_analyzer.core.errors import AnalyzerError


def user_errors(fn):
    """Re-raise AnalyzerError as gr.Error: shown in the page, sent to gradio_client callers."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except AnalyzerError as exc:
            raise gr.Error(str(exc)) from exc

    return wrapper
