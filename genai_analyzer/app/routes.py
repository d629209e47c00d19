"""The API layer's endpoints registered in the Gradio app, each under its own name.

``gradio_client`` callers see the parameters of each ``Api`` method, with its ``Filters``
parameter spelled out as the shared filter fields (start, end, tiers, statuses, domains,
art_styles), so one definition (``FILTER_FIELDS``) names them for every endpoint. Every other
argument is checked against its type hint (``check_argument``) before the method runs, and every
error is answered as an error object (``app.errors.api_errors``).
"""

from __future__ import annotations

import functools
import inspect
import typing

import gradio as gr

from genai_analyzer.analysis.filters import FILTER_FIELDS, Filters
from genai_analyzer.api.endpoints import ENDPOINTS, Api, InputError, check_argument
from genai_analyzer.app.errors import api_errors

_FILTER_TYPES = {"start": str, "end": str}


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
