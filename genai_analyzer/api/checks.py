"""What a caller may send the API, checked before any query runs: the caps, the argument checks
and the error they raise, and how records leave (``thumb_url`` relative to the app, never a server
path). ``api/endpoints.py`` applies them; ``app/routes.py`` turns an ``InputError`` into the error
object ``{"error": {"code", "message", "field", "valid"}}``."""

from __future__ import annotations

import types
import typing
from urllib.parse import quote

from genai_analyzer.analysis import explorer_queries as explore
from genai_analyzer.core.errors import AnalyzerError
from genai_analyzer.pipeline.thumbnails import thumb_name

# The caps on what a caller may send.
MAX_TEXT_CHARS = 2_000  # a search query or a question
MAX_ID_CHARS = 200  # a generation or session id, a date, one filter value
MAX_SELECTION_CHARS = 4000  # a map selection: a lasso of up to 200 points (filters.MAX_LASSO_POINTS)
MAX_FILTER_VALUES = 100  # values in one filter list
# Where the running app serves the warehouse's thumbnails, by name (app/routes.thumbnail_route),
# relative to the app's URL: the page sets <base href="./">, so it also works under a root path.
# The app's HTML uses it too.
THUMB_ROUTE = "thumbs"


class InputError(AnalyzerError):
    """An argument an endpoint cannot use. ``code`` says what is wrong (invalid_type,
    invalid_value, unknown_value, too_long, missing, invalid_context, not_found), ``field`` names
    the argument and ``valid`` lists the values it can take, where that helps."""

    def __init__(self, message: str, *, code="invalid_value", field: str | None = None, valid=None):
        super().__init__(message)
        self.code = code
        self.field = field
        self.valid = valid


def thumb_url(path: str | None) -> str | None:
    """The URL, relative to the app, that the running app serves the thumbnail at ``path`` at:
    ``thumbs/<its name relative to the warehouse's thumbnail folder>``, no server path in it. The
    one helper for the app's HTML and the API's records; None without a thumbnail (None, an empty
    string, or a frame's missing value such as NaN)."""
    return f"{THUMB_ROUTE}/{quote(thumb_name(path))}" if isinstance(path, str) and path else None


def public_record(value):
    """A record (or a list or nested dict of them) as a caller sees it: ``thumb_path`` becomes
    ``thumb_url`` (relative to the app) and ``image_path`` becomes ``has_image``."""
    if isinstance(value, list):
        return [public_record(v) for v in value]
    if not isinstance(value, dict):
        return value
    out = {}
    for key, item in value.items():
        if key == "thumb_path":
            out["thumb_url"] = thumb_url(item if isinstance(item, str) else None)
        elif key == "image_path":
            out["has_image"] = isinstance(item, str) and bool(item)
        else:
            out[key] = public_record(item)
    return out


# --- checking what a caller sends ---------------------------------------------------------------

_TYPE_WORDS = {
    str: "text",
    int: "a whole number",
    float: "a number",
    bool: "true or false",
    dict: "an object",
}


def type_name(value: object) -> str:
    return {str: "text", bool: "a boolean", int: "a number", float: "a number", dict: "an object",
            list: "a list", type(None): "null"}.get(type(value), type(value).__name__)  # fmt: skip


def check_argument(name: str, value, annotation):
    """``value`` as the type ``annotation`` asks for (str, int, float, bool, dict, or one of them
    or None), or an InputError naming ``name``. A whole float passes as an int, and a number as a
    float; nothing else is converted."""
    options = typing.get_args(annotation) if isinstance(annotation, types.UnionType) else (annotation,)
    if value is None:
        if type(None) in options:
            return None
        raise InputError(f"{name} is required.", code="missing", field=name)
    for option in options:
        origin = typing.get_origin(option) or option
        if origin is bool and isinstance(value, bool):
            return value
        if isinstance(value, bool):
            continue
        if origin is int:
            if isinstance(value, int):
                return value
            if isinstance(value, float) and value.is_integer():
                return int(value)
        elif origin is float and isinstance(value, int | float):
            return float(value)
        elif origin in (str, dict, list) and isinstance(value, origin):
            return value
    wanted = " or ".join(
        _TYPE_WORDS.get(typing.get_origin(o) or o, str(o)) for o in options if o is not type(None)
    )
    raise InputError(f"{name} must be {wanted}, not {type_name(value)}.", code="invalid_type", field=name)


def check_text(value: str, name: str, maximum: int = MAX_TEXT_CHARS) -> str:
    """Text of at most ``maximum`` characters."""
    if not isinstance(value, str):
        raise InputError(f"{name} must be text, not {type_name(value)}.", code="invalid_type", field=name)
    if len(value) > maximum:
        raise InputError(
            f"{name} is {len(value):,} characters long; the most accepted is {maximum:,}.",
            code="too_long",
            field=name,
        )
    return value


def check_id(value: str, name: str) -> str:
    """A generation or session id: non-empty text of at most MAX_ID_CHARS characters."""
    value = check_text(value, name, MAX_ID_CHARS).strip()
    if not value:
        raise InputError(f"{name} is required.", code="missing", field=name)
    return value


def check_choice(value: str, name: str, valid, what: str | None = None) -> str:
    """One of ``valid``, or an error naming them (``what`` the thing chosen, in words)."""
    valid = list(valid)
    if not isinstance(value, str) or value not in valid:
        shown = repr(value[:MAX_ID_CHARS]) if isinstance(value, str) else type_name(value)
        raise InputError(
            f"Unknown {what or name} {shown}; use one of {', '.join(valid)}.",
            code="unknown_value" if isinstance(value, str) else "invalid_type",
            field=name,
            valid=valid,
        )
    return value


def check_count(value, name: str = "limit", maximum: int = explore.MAX_LIMIT) -> int:
    """A whole number in [1, maximum], or an error naming the argument and the range."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InputError(
            f"{name} must be a whole number from 1 to {maximum}, not {type_name(value)}.",
            code="invalid_type",
            field=name,
        )
    if isinstance(value, float) and not value.is_integer():
        raise InputError(f"{name} must be a whole number from 1 to {maximum}, not {value!r}.", field=name)
    if not 1 <= value <= maximum:
        shown = int(value) if abs(value) < 1e18 else value
        raise InputError(f"{name} must be from 1 to {maximum}, not {shown}.", field=name)
    return int(value)
