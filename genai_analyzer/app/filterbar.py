"""The one filter state of the app: a filter bar above the tabs, applied explicitly, kept in the URL.

The bar's inputs are only what a person is typing; what every view shows comes from the *applied*
state (``FilterBar.applied``, the checked values as plain data), which changes only when "Apply
filters" is pressed or a link is opened. So a chart, its CSV export and the Explorer's results
always share one scope, and the chips under the bar say which ("All dates · Tier: pro"). A value
the warehouse cannot use is named under the field that holds it, and the applied state stays as
it was. The applied state is written to the page's query string (``?start=...&tiers=pro``, the
names of ``FILTER_FIELDS``) and read back when a page opens, so a copied link opens the same view;
``tab`` in the query string names the top-level tab.
"""

from __future__ import annotations

import html
import json
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import gradio as gr

from genai_analyzer.analysis.filters import (
    FILTER_FIELDS,
    FILTER_NAMES,
    TEXT_FIELDS,
    VALUE_FIELDS,
    FilterError,
    Filters,
)
from genai_analyzer.api.endpoints import Api

# The views of one Apply run side by side (most skip at once; the Explorer's two compute).
VIEW_POOL = ThreadPoolExecutor(max_workers=4, thread_name_prefix="view")
LABELS = {f.name: f.label for f in FILTER_FIELDS}
DATE_FIELDS = TEXT_FIELDS  # one text value each: the dates and the map selection
# What the bar holds when nothing is chosen: every date, every value.
EMPTY = {name: ("" if name in DATE_FIELDS else []) for name in FILTER_NAMES}

# Writes the applied state (and the open tab) into the address bar without reloading the page.
URL_JS = """
(applied, tab) => {
  if (!window.genaiOpened) return [];  // the page's own link is read by its load event first
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(applied || {})) {
    for (const v of [].concat(value || [])) { if (v) params.append(name, v); }
  }
  if (tab) params.set('tab', tab);
  const query = params.toString();
  const url = window.location.pathname + (query ? '?' + query : '') + window.location.hash;
  window.history.replaceState(null, '', url);
  return [];
}
"""


@dataclass
class FilterBar:
    """The bar's components. ``inputs`` are in FILTER_FIELDS order; ``applied`` holds the applied
    values (``EMPTY``'s shape); ``errors`` holds one message slot per field."""

    inputs: list[gr.components.Component]
    apply: gr.Button
    applied: gr.JSON  # hidden: in the page, so the URL script can read it
    chips: gr.HTML
    pending: gr.HTML
    errors: dict[str, gr.HTML]
    group: gr.Group
    current_tab: gr.Textbox  # hidden: the id of the top tab shown (for the URL script, and lazy views)
    views: list[ShownView] = field(default_factory=list)  # drawn from the applied state (on_shown)
    clear_map: gr.Button | None = None  # shown while a map selection is applied; clears it


def values_of(inputs) -> dict:
    """The inputs' values (in FILTER_FIELDS order) as the applied state's dict."""
    values = dict(zip(FILTER_NAMES, inputs, strict=True))
    return {
        name: (str(values[name] or "").strip() if name in DATE_FIELDS else list(values[name] or []))
        for name in FILTER_NAMES
    }


def filters_of(api: Api, applied: dict | None) -> Filters:
    """The applied state as checked Filters (everything when nothing was applied yet)."""
    return api.filters(**(applied or EMPTY))


def scope_chips(filters: Filters) -> str:
    """The active scope as chips: the date range ("All dates" when open) and each value filter."""
    if filters.start and filters.end:
        days = (filters.end - filters.start).days + 1
        dates = f"{filters.start} – {filters.end} ({days} day{'' if days == 1 else 's'})"
    elif filters.start:
        dates = f"From {filters.start}"
    elif filters.end:
        dates = f"Until {filters.end}"
    else:
        dates = "All dates"
    chips = [dates]
    for spec in VALUE_FIELDS:
        values = getattr(filters, spec.name)
        if values:
            chips.append(f"{spec.label}: {', '.join(values)}")
    if filters.map_selection is not None:
        chips.append(f"Map selection: {filters.map_selection.describe()}")
    if len(chips) == 1:
        chips.append("Every tier, status, domain and style")
    body = "".join(f'<span class="scope-chip">{html.escape(c)}</span>' for c in chips)
    label = '<span class="scope-label">Showing</span>'
    return f'<div class="scope-chips" aria-label="Active filters">{label}{body}</div>'


def describe(filters: Filters) -> str:
    """The scope in one line of plain text (the chips' words), for notes next to results."""
    parts = []
    if filters.start or filters.end:
        parts.append(f"{filters.start or 'the first day'} to {filters.end or 'the last day'}")
    else:
        parts.append("all dates")
    for spec in VALUE_FIELDS:
        values = getattr(filters, spec.name)
        if values:
            parts.append(f"{spec.label.lower()} {', '.join(values)}")
    if filters.map_selection is not None:
        parts.append(f"map selection ({filters.map_selection.describe()})")
    return ", ".join(parts)


def field_error_html(message: str | None) -> str:
    return f'<div class="field-error" role="alert">{html.escape(message)}</div>' if message else ""


def build(api: Api) -> FilterBar:
    """Render the bar (inputs, Apply, per-field messages, chips) into the enclosing Blocks."""
    choices = api.filter_choices()
    errors: dict[str, gr.HTML] = {}
    with gr.Group(elem_id="filter-bar", visible="hidden") as group:  # shown per tab on load
        with gr.Row(equal_height=True):
            with gr.Column(min_width=160):
                start = gr.DateTime(
                    include_time=False, type="string", label=LABELS["start"], info="Empty: the first day"
                )
                errors["start"] = gr.HTML(elem_classes=["field-error-slot"], padding=False)
            with gr.Column(min_width=160):
                end = gr.DateTime(
                    include_time=False, type="string", label=LABELS["end"], info="Empty: the last day"
                )
                errors["end"] = gr.HTML(elem_classes=["field-error-slot"], padding=False)
            with gr.Column(min_width=200):
                tiers = gr.CheckboxGroup(choices["tiers"], label=LABELS["tiers"])
                errors["tiers"] = gr.HTML(elem_classes=["field-error-slot"], padding=False)
            with gr.Column(min_width=200):
                statuses = gr.CheckboxGroup(choices["statuses"], label=LABELS["statuses"])
                errors["statuses"] = gr.HTML(elem_classes=["field-error-slot"], padding=False)
        with gr.Row(equal_height=True):
            domains = _value_dropdown("domains", choices, errors)
            styles = _value_dropdown("art_styles", choices, errors)
            prompt_clusters = _value_dropdown(
                "prompt_clusters", choices, errors,
                info="Prompts close in meaning", elem_id="filter-prompt-clusters",
            )  # fmt: skip
            visual_clusters = _value_dropdown(
                "visual_clusters", choices, errors,
                info="Images that look alike", elem_id="filter-visual-clusters",
            )  # fmt: skip
            with gr.Column(scale=1, min_width=160):
                apply = gr.Button("Apply filters", variant="primary", elem_id="apply-filters")
                clear = gr.Button("Clear", size="sm")
        with gr.Row(equal_height=True):
            chips = gr.HTML(scope_chips(Filters()), elem_id="scope-chips", padding=False)
            # the Map tab's box or lasso: set by the map (app/map_tab.py), cleared here
            clear_map = gr.Button(
                "✕ Clear map selection", size="sm", visible=False, elem_id="clear-map-selection", scale=0
            )
        map_selection = gr.Textbox(visible="hidden", elem_id="filter-map-selection")
        errors["map_selection"] = gr.HTML(elem_classes=["field-error-slot"], padding=False)
        pending = gr.HTML(elem_id="filters-pending", padding=False)
    bar = FilterBar(
        [start, end, tiers, statuses, domains, styles, prompt_clusters, visual_clusters, map_selection],
        apply,
        gr.JSON(None, visible="hidden"),
        chips,
        pending,
        errors,
        group,
        gr.Textbox("overview", visible="hidden"),
        clear_map=clear_map,
    )
    clear.click(
        lambda: [gr.update(value=v or None) for v in EMPTY.values()],
        None,
        bar.inputs,
        api_visibility="private",
        queue=False,
    )
    return bar


def _value_dropdown(name: str, choices: dict, errors: dict, **options) -> gr.Dropdown:
    """One multi-select field of the bar's second row, with its message slot under it."""
    with gr.Column(scale=2, min_width=200):
        box = gr.Dropdown(choices[name], multiselect=True, label=LABELS[name], **options)
        errors[name] = gr.HTML(elem_classes=["field-error-slot"], padding=False)
    return box


def checked(api: Api, values: dict) -> tuple[dict | None, dict[str, str]]:
    """(the values as the new applied state, or None; {field: message}) for what the bar holds."""
    try:
        filters = api.filters(**values)
    except FilterError as exc:
        return None, {exc.field or "start": str(exc)}
    return {
        **values,
        "start": str(filters.start or ""),
        "end": str(filters.end or ""),
    }, {}


def from_query(params) -> dict:
    """The applied state a page's query string names (a starlette QueryParams or a dict of lists)."""
    get = params.getlist if hasattr(params, "getlist") else (lambda k: list(params.get(k, [])))
    values = dict(EMPTY)
    for name in FILTER_NAMES:
        found = [v for v in get(name) if isinstance(v, str)]
        if name in DATE_FIELDS:
            values[name] = found[0] if found else ""
        else:
            values[name] = found
    return values


def wire(
    demo: gr.Blocks, api: Api, bar: FilterBar, tabs: gr.Tabs, tab_list: list, filtered: set[str]
) -> None:
    """Apply, the pending note, and the URL: read when a page opens, written on Apply and on a tab
    change. ``tab_list`` holds (id, gr.Tab) in order; the bar shows on the tabs in ``filtered``.
    Called once every view is built: Apply draws the views registered by ``on_shown``."""
    tab_ids = [tab_id for tab_id, _ in tab_list]
    error_slots = [bar.errors[name] for name in FILTER_NAMES]
    current_tab = bar.current_tab

    _wire_views(api, bar)
    _wire_map_selection(api, bar)

    def pending(applied_now, *inputs):
        typed, applied_now = values_of(inputs), dict(applied_now or EMPTY)
        typed.pop("map_selection"), applied_now.pop("map_selection", None)  # applied when drawn
        if typed == applied_now:
            return ""
        return (
            '<div class="filters-pending">Changed, not applied: press Apply filters to update '
            "what is shown.</div>"
        )

    gr.on(
        [i.change for i in bar.inputs],
        pending,
        [bar.applied, *bar.inputs],
        bar.pending,
        api_visibility="private",
        queue=False,
        show_progress="hidden",
    )

    def opened(request: gr.Request):
        params = request.query_params if request is not None else {}
        values = from_query(params)
        tab = params.get("tab") if hasattr(params, "get") else None
        # Without a tab in the link the page keeps the tab it shows: a tab clicked while the page
        # was still loading is not switched back to the first one when this answer arrives.
        tab = tab if tab in tab_ids else None
        new, problems = checked(api, values)
        messages = [field_error_html(problems.get(name)) for name in FILTER_NAMES]
        applied_now = dict(EMPTY) if new is None else new
        note = (
            '<div class="filters-pending bad">The link\'s filters could not be used (see the field '
            "marked above), so everything is shown.</div>"
            if new is None
            else ""
        )
        shown = values if new is None else new
        inputs = [gr.update(value=(shown[name] or None)) for name in FILTER_NAMES]
        return [
            *inputs,
            applied_now,
            scope_chips(filters_of(api, applied_now)),
            note,
            *messages,
            *(
                (gr.skip(), gr.skip(), gr.skip())
                if tab is None
                else (gr.Tabs(selected=tab), tab, gr.Group(visible=True if tab in filtered else "hidden"))
            ),
        ]

    # The URL is written once the load event has read the link (its request carries the page's query).
    demo.load(
        opened,
        None,
        [*bar.inputs, bar.applied, bar.chips, bar.pending, *error_slots, tabs, current_tab, bar.group],
        api_visibility="private",
    ).then(
        None,
        [bar.applied, current_tab],
        None,
        js=f"(a, t) => {{ window.genaiOpened = true; return ({URL_JS})(a, t); }}",
    )

    # The tab's id is written in the page, in the order of the selects: two round trips' answers (the
    # first tab's own select, sent as the page mounts, and a click) could arrive swapped (CI, stop 40).
    for tab_id, tab in tab_list:
        tab.select(
            None, None, current_tab, js=f"() => {json.dumps(tab_id)}", api_visibility="private", queue=False
        ).then(None, [bar.applied, current_tab], None, js=URL_JS)
    current_tab.change(  # the bar follows the tab's id
        lambda t: gr.Group(visible=True if t in filtered else "hidden"), current_tab, bar.group,
        api_visibility="private", queue=False, trigger_mode="always_last", show_progress="hidden",
    )  # fmt: skip


@dataclass
class ShownView:
    """A view drawn from the applied state while its top tab ``tab_id`` is shown (``on_shown``)."""

    tab_id: str
    fn: object  # fn(applied, shown: bool, *inputs) -> outputs, skipping what it need not draw
    inputs: list
    outputs: list
    progress: bool  # a small timer on its outputs while it computes


def on_shown(
    bar: FilterBar,
    tab_id: str,
    fn,
    inputs: list,
    outputs: list,
    also: tuple = (),
    show_progress: str = "minimal",
) -> None:
    """Draw a view of the top tab ``tab_id`` from the applied state, only while that tab is shown:
    ``fn`` receives the applied state, whether the tab is shown, then ``inputs``, and must skip its
    outputs when the tab is not shown or when it already drew what is asked (the drawn key kept in
    a gr.State among its outputs). So an Apply pressed on one tab does not also compute the views
    of the others (on two cores the hidden Explorer's search took longer than all eight charts of
    the Analytics tab).

    The view is registered on the bar, and ``wire`` runs every registered view in two events: the
    Apply click itself (the views of the shown tab are drawn in the same call that checks and
    applies the filters, so a filter change costs one round trip, not two) and one event on a
    change of the applied state or of the tab (a link opened, a tab opened), where the views of
    other tabs skip. ``also`` are the view's own controls: they run it in an event of its own, one
    call at a time with the newest last. Progress is "minimal" (a small timer, no overlay) or
    "hidden" for views whose own controls show progress."""
    bar.views.append(ShownView(tab_id, fn, list(inputs), list(outputs), show_progress != "hidden"))
    if also:

        def shown(applied, tab, *rest):
            return fn(applied, tab == tab_id, *rest)

        shown.__name__ = shown.__qualname__ = getattr(fn, "__name__", "shown")  # the event's name
        gr.on(
            list(also),
            shown,
            [bar.applied, bar.current_tab, *inputs],
            outputs,
            api_visibility="private",
            trigger_mode="always_last",
            show_progress=show_progress,
        )


def on_view_shown(bar: FilterBar, views: gr.Tabs, label: str, fn, inputs: list, outputs: list) -> None:
    """Wire a view of the Analytics tab's own tabs (``views``; its tab named ``label``): ``fn``
    receives the applied state, whether the view is shown (its tab selected, on the Analytics tab),
    then ``inputs`` whose first is a gr.State of whether its tab is selected, kept here. It runs
    when the view's tab is opened (with progress), and on Apply and when the Analytics tab opens
    (``on_shown``, no progress: it mostly skips)."""
    showing = inputs[0]

    def opened(evt: gr.SelectData) -> bool:
        return evt.value == label

    views.select(opened, None, showing, api_visibility="private").then(
        fn, [bar.applied, *inputs], outputs, api_visibility="private"
    )
    on_shown(
        bar,
        "analytics",
        lambda applied, tab_shown, is_showing, *rest: fn(applied, tab_shown and is_showing, *rest),
        inputs,
        outputs,
        show_progress="hidden",
    )


def _draw_views(views: list[ShownView], applied, tab: str, values: list) -> list:
    """Every view's outputs for ``applied`` with ``tab`` shown (``values``: the views' inputs, in
    order). The views that compute run side by side (the Explorer's gallery and sessions list);
    the others skip at once. A view's error is shown as a warning and leaves that view as it was:
    the filters were valid, so the applied state and the other views still change."""
    jobs, at = [], 0
    for view in views:
        args = values[at : at + len(view.inputs)]
        at += len(view.inputs)
        jobs.append(VIEW_POOL.submit(view.fn, applied, tab == view.tab_id, *args))
    out = []
    for view, job in zip(views, jobs, strict=True):
        try:
            out.extend(job.result())
        except gr.Error as exc:
            gr.Warning(exc.message)
            out.extend([gr.skip()] * len(view.outputs))
    return out


def _wire_views(api: Api, bar: FilterBar) -> None:
    """Apply (check the fields, apply, draw the shown tab's views: one call) and the views' event
    on a change of the applied state or of the shown tab."""
    views = bar.views
    view_inputs = [c for v in views for c in v.inputs]
    view_outputs = [c for v in views for c in v.outputs]
    view_progress = [c for v in views if v.progress for c in v.outputs]  # a small timer on these
    error_slots = [bar.errors[name] for name in FILTER_NAMES]
    n_fields = len(bar.inputs)

    def apply_filters(*values):
        fields, tab, rest = values[:n_fields], values[n_fields], list(values[n_fields + 1 :])
        new, problems = checked(api, values_of(fields))
        messages = [field_error_html(problems.get(name)) for name in FILTER_NAMES]
        if new is None:
            note = '<div class="filters-pending bad">Not applied: fix the field marked above.</div>'
            return [gr.skip(), gr.skip(), note, *messages, *[gr.skip()] * len(view_outputs)]
        head = [new, scope_chips(filters_of(api, new)), "", *messages]
        return head + _draw_views(views, new, tab, rest)

    bar.apply.click(
        apply_filters,
        [*bar.inputs, bar.current_tab, *view_inputs],
        [bar.applied, bar.chips, bar.pending, *error_slots, *view_outputs],
        api_visibility="private",
        show_progress="minimal",
        show_progress_on=[bar.chips, *view_progress],
    ).then(None, [bar.applied, bar.current_tab], None, js=URL_JS)

    def show_views(applied, tab, *values):
        return _draw_views(views, applied, tab, list(values))

    show_views.views = views  # what it draws, by name: the page's glue, as tests call it

    gr.on(
        [bar.applied.change, bar.current_tab.change],
        show_views,
        [bar.applied, bar.current_tab, *view_inputs],
        view_outputs,
        api_visibility="private",
        trigger_mode="always_last",
        show_progress="minimal" if view_progress else "hidden",
        show_progress_on=view_progress or None,
    )


def _wire_map_selection(api: Api, bar: FilterBar) -> None:
    """The map's box or lasso is applied at once: the Map tab's script writes it into the bar's
    hidden ``map_selection`` field (``app/map_tab.py``), whose change applies the applied state
    with that one field changed (the other fields keep their applied values, not what is typed);
    the chip names it, and "Clear map selection" (or the bar's Clear) empties the field, which
    removes it the same way. Every view follows the applied state."""
    field = bar.inputs[FILTER_NAMES.index("map_selection")]
    slot = bar.errors["map_selection"]

    def select(text, applied):
        applied = dict(applied or EMPTY)
        text = (text or "").strip()
        if text == (applied.get("map_selection") or ""):  # already applied (a link, Clear, this call)
            return gr.skip(), gr.skip(), gr.skip(), gr.skip()
        new, problems = checked(api, {**applied, "map_selection": text})
        if new is None:
            message = problems.get("map_selection") or next(iter(problems.values()))
            return gr.skip(), gr.skip(), field_error_html(message), gr.skip()
        return new, scope_chips(filters_of(api, new)), "", ""

    # .change, not .input: the script's synthetic input event updates the value but Gradio 6 sends
    # no input event for it (seen in Chromium); a value Python sets equal to the applied one skips.
    field.change(
        select, [field, bar.applied], [bar.applied, bar.chips, slot, bar.pending], api_visibility="private"
    ).then(None, [bar.applied, bar.current_tab], None, js=URL_JS)
    bar.clear_map.click(lambda: "", None, field, api_visibility="private", queue=False)  # then .change
    bar.applied.change(
        lambda applied: gr.Button(visible=bool((applied or {}).get("map_selection"))),
        [bar.applied],
        bar.clear_map,
        api_visibility="private",
        queue=False,
        show_progress="hidden",
    )
