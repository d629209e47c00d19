"""Overview tab: what the tool is, and live headline figures from the warehouse."""

from __future__ import annotations

import html
import importlib.metadata

import gradio as gr

from genai_analyzer.analysis import keyword, queries, vector_search
from genai_analyzer.analysis.formatting import format_metric, metric_label
from genai_analyzer.api.endpoints import Api
from genai_analyzer.app import diagrams, explorer_view
from genai_analyzer.core.errors import AnalyzerError
from genai_analyzer.pipeline.build import STEPS
from genai_analyzer.warehouse import datamodel
from genai_analyzer.warehouse.reader import Warehouse

INTRO = """
**GenAI Session Analyzer** shows how people use a text-to-image generator: who generates what,
in which sessions, how prompts get refined, where generation fails or is slow, and what it costs
and earns. Sessions come from real activity (a user's generations with no gap over 30 minutes);
latency, failures, cost and revenue are simulated where the source lacks them (see
`docs/simulation.md`).
"""


def kpi_cards_html(fig: dict) -> str:
    """The headline figures as bordered cards."""
    names = ("generations", "active_users", "sessions", "success_rate", "p95_latency_ms", "margin_usd")
    cards = [(metric_label(n, short=True), format_metric(n, fig[n], compact=True)) for n in names]
    body = "".join(
        f'<div class="kpi"><div class="kpi-label">{k}</div><div class="kpi-value">{v}</div></div>'
        for k, v in cards
    )
    return f'<div class="kpi-wrap"><div class="kpi-row n{len(cards)}">{body}</div></div>'


def source_markdown(fig: dict) -> str:
    synthetic = (
        " This is the **embedded synthetic sample**: generated data, not real users."
        if fig["synthetic"]
        else ""
    )
    simulated = ", ".join(f"`{c}`" for c in fig["simulated_columns"]) or "none"
    return (
        f"**Source:** {fig['source']}.{synthetic}  \n"
        f"**Period:** {fig['first_generation'][:16]} to {fig['last_generation'][:16]} UTC.  \n"
        f"**Simulated columns:** {simulated}.  \n"
        f"**Built:** {fig['built_at']}."
    )


def alerts_markdown(api: Api) -> str:
    """The alert rules that fire on the data's last day, one line each, or "No alert fires on <day>
    (N rules checked)"; checks without enough history to judge are named after them."""
    try:
        result = api.alerts()
    except AnalyzerError as exc:  # a bad GENAI_ALERTS file must not take the Overview down
        return f"### Alerts\nAlerts not checked: {html.escape(str(exc))}"
    fired = [f"- **{f['rule']}**: {f['reason']}" for f in result["findings"] if f["fired"]]
    unjudged = [f"- {f['reason']}" for f in result["findings"] if f["status"] == "not enough history"]
    lines = "\n".join(html.escape(line) for line in fired + unjudged)
    return (
        f"### Alerts on {result['day']}\n{result['summary']} (`genai-analyzer check`, `/alerts`).\n\n{lines}"
    )


TABS_GUIDE = """
### How to read it
- **Analytics**: KPI cards against the previous period of equal length (or a period you choose),
  then daily activity (anomalous days marked), failures, latency, friction, weekly money, prompt
  labels and complexity, and what fails, gets re-rolled or abandoned by prompt cluster (prompts close
  in meaning) and visual cluster (images that look alike). One filter bar drives every chart; each
  chart's data exports as CSV.
- **Analytics, Leaderboards**: prompts, or groups of the same text but for case and
  spacing, ranked by re-rolls, failures, abandonment or success, each rate with its 95% confidence
  interval; the ranking trusts only what the interval is sure of, so a prompt tried twice cannot
  top it by luck.
- **Analytics, Refinement**: how people edit a prompt until they keep an image: edit types and
  what follows them, the flow of sessions through edits, the terms added and removed.
- **Analytics, Cohorts**: the session funnel, weekly retention by first-seen week and the users'
  weekly lifecycle.
- **Session Explorer**: search prompts by meaning or by words, open any generation, replay its
  session step by step with the prompt changes highlighted, and find more like it.
- **API**: every figure on these pages is also a typed endpoint (`/overview`, `/kpis`,
  `/timeseries`, `/leaderboard`, `/edits`, `/funnel`, `/alerts`, `/search`, `/session`, ...)
  callable with `gradio_client`; see the README.
"""

STACK = (
    ("duckdb", "warehouse engine, with the vss (HNSW) and fts (BM25) extensions"),
    ("numkong", "the exact int8 scan of the prompt vectors (search by meaning)"),
    ("dbt-core", "star schema models and data tests (dbt-duckdb adapter)"),
    ("sentence-transformers", "prompt embeddings (all-MiniLM-L6-v2, offline)"),
    ("onnxruntime", "runs the embedding model exported to ONNX (the default backend)"),
    ("gradio", "this app and its API"),
    ("plotly", "charts"),
    ("pandas", "results between the warehouse and the page"),
)


IMAGES_ABSENT = (
    '<div class="empty-state images-absent"><b>Images are absent from this warehouse.</b> Its source '
    "has no image files (for example DiffusionDB metadata without the images, or logs without them), "
    "so there are no thumbnails: the Session Explorer shows each prompt in full as a card, with its "
    "status, labels and session, and every figure and chart works as usual.</div>"
)


def showcase_html(frame, *, images: bool = True) -> str:
    """A refinement session from the data: thumbnails in order with their prompts (or, when the
    warehouse has no images at all, a note saying so)."""
    if not images:
        return IMAGES_ABSENT
    if frame.empty:
        return (
            '<div class="empty-state">No session here has two or more thumbnails, so there is no '
            "refinement to show (see the Enrichment section for how many thumbnails there are; "
            "<code>genai-analyzer build</code> without <code>--skip thumbnails</code> makes them).</div>"
        )
    cards = "".join(
        f'<figure class="ov-shot"><img src="{explorer_view.thumb_url(row.thumb_path)}" '
        f'alt="generation {row.session_seq}" loading="lazy"/><figcaption><b>#{row.session_seq}</b> '
        f'{html.escape(_cut(row.prompt))} <span class="ov-status">{html.escape(row.status)}</span>'
        "</figcaption></figure>"
        for row in frame.itertuples()
    )
    first = frame.iloc[0]
    return (
        f'<div class="ov-shots">{cards}</div><div class="ov-caption">Session '
        f"<code>{first.session_id}</code> of user <code>{html.escape(str(first.user_id))}</code>: the "
        "session in this warehouse with the most distinct prompts. Open it in the Session Explorer to "
        "replay every step.</div>"
    )


def _cut(text, n: int = 110) -> str:
    text = text or ""
    return text if len(text) <= n else text[: n - 1].rstrip() + "…"


def derivation_markdown(info: dict) -> str:
    """How sessions, telemetry and friction are derived, with this build's settings."""
    simulated = info.get("simulated_columns", {})
    sim = ", ".join(f"`{c}`" for c, n in simulated.items() if n) or "nothing"
    return f"""
### How the figures are derived
- **Sessions** are cut from real activity: a user's generations in time order, with a new session
  after a gap of more than **{info.get("session_gap_minutes")} minutes** and at most
  **{info.get("session_max_hours")} hours** per session. Rows without a user are one-generation
  sessions (`docs/sessions.md`).
- **Telemetry** (queue and run time, status and error codes, GPU seconds, cost, revenue) is taken
  from the source where it has it and **simulated** only where it does not, from seeded hashes
  (seed **{info.get("seed")}**): the same data and seed give the same warehouse. Here simulated: {sim}.
  Queue time follows the real hourly load and the tier's priority; run time follows steps, image
  size and sampler; an image is blocked when its real NSFW score is above
  **{info.get("nsfw_block_threshold")}** (`docs/simulation.md`).
- **Friction** (0 to 1) scores how hard a session was: 0.35 × share of failed generations,
  0.20 × retries after a failure, 0.20 × waiting, 0.25 × ending on a failure.
"""


def enrichment_markdown(wh: Warehouse, info: dict, visual: dict | None = None) -> str:
    """What the enrichment steps added to this warehouse; ``visual``: ``Api.near_duplicate_summary``."""
    counts = queries.enrichment_counts(wh)
    enrich = info.get("enrichment", {})
    indexes = info.get("indexes", {})
    model = enrich.get("embeddings", {}).get("model", "none")
    absent = " **Images are absent**: the source has no image files." if not counts["thumbs"] else ""
    labeller = enrich.get("labels", {}).get("labeller", "none")
    return f"""
### Enrichment
- **Embeddings**: {counts["embedded"]:,} of {counts["prompts"]:,} distinct prompts, model `{model}`,
  for search by meaning. {vector_search.backend_line(wh)}
- **Keyword index**: BM25 over the prompts ({built(indexes.get("fts"))}).
  {keyword.backend_line(wh)}
- **Labels**: domain, art style and a 1-10 complexity score for {counts["labelled"]:,} prompts,
  by `{labeller}` (`docs/labels.md`).
- **Thumbnails**: {counts["thumbs"]:,} generations have one.{absent}
{visual_markdown(visual)}"""


def built(ok) -> str:
    return "built" if ok else "not built"


TIER_REFRESH_S = 10  # while the static tier answers, the Overview's tier line refreshes this often


def tier_markdown(progress: dict) -> str:
    """The Overview's line on the embedding tier search answers with and the full tier's progress
    (``Api.embedding_progress``)."""
    return f"- **Search tier**: {progress['line']} (`docs/enrichment.md`)."


def tier_outputs(api: Api) -> tuple:
    """The tier line, and its timer: running while the static tier answers, stopped after."""
    progress = api.embedding_progress()
    return tier_markdown(progress), gr.Timer(active=progress["tier"] == "static")


def visual_markdown(visual: dict | None) -> str:
    """Visual similarity's line of the Overview: images with a vector, near-duplicate groups."""
    if not visual or not visual.get("vectors"):
        return "- **Visual similarity**: no image embeddings in this warehouse (`docs/images.md`).\n"
    groups, dup_images, bits = visual["groups"], visual["images"], visual["max_bits"]
    if visual.get("kind") == "clip":  # an image-text model the user supplied (GENAI_IMAGE_MODEL)
        model = (
            f"- **Image embeddings**: {visual['vectors']:,} images embedded with the CLIP model "
            f'**{html.escape(str(visual.get("label")))}** (GENAI_IMAGE_MODEL), for "Images like this", '
            "the Explorer's *images* search mode (text to image) and the prompt-image agreement "
            "score (`/image_agreement`).\n"
        )
    else:
        model = (
            f"- **Visual similarity**: {visual['vectors']:,} images have an image embedding "
            '(EfficientNet-Lite0, ImageNet), for "Images like this" in the Explorer.\n'
        )
    return model + (
        f"- **Near-duplicates**: {groups:,} group{'' if groups == 1 else 's'} of {dup_images:,} "
        f"{explorer_view.near_duplicate_rule(bits)} (`docs/images.md`).\n"
    )


def data_model_html(wh: Warehouse) -> str:
    """The star schema drawn from the dbt docs, then every column with its warehouse type."""
    models = datamodel.mart_models()
    types = queries.column_types(wh)
    sections = []
    for model in models:
        rows = "".join(
            f"<tr><td><code>{c.name}</code></td><td>{types.get(model.name, {}).get(c.name, '')}</td>"
            f"<td>{html.escape(c.description)}</td><td>{html.escape(', '.join(c.tests))}</td></tr>"
            for c in model.columns
        )
        sections.append(
            f'<details class="ov-model"><summary><code>{model.name}</code>: {html.escape(model.description)}'
            f"</summary><table><thead><tr><th>column</th><th>type</th><th>description</th><th>data tests</th>"
            f"</tr></thead><tbody>{rows}</tbody></table></details>"
        )
    return diagrams.data_model_svg(models, datamodel.relationships()) + "".join(sections)


def architecture_html() -> str:
    surfaces = ("Overview", "Analytics", "Session Explorer", "SQL Copilot", "API (gradio_client)", "CLI")
    steps = [f"{step} (DuckLake)" if step == "publish" else step for step in STEPS]  # that target only
    return diagrams.architecture_svg(("DiffusionDB", "Embedded sample", "Team logs"), steps, surfaces)


def stack_markdown() -> str:
    lines = []
    for package, role in STACK:
        try:
            version = importlib.metadata.version(package)
        except importlib.metadata.PackageNotFoundError:
            version = "not installed"
        lines.append(f"- **{package}** {version}: {role}")
    return "### Tech stack\n" + "\n".join(lines)


def build(demo: gr.Blocks, api: Api) -> None:
    wh = api.wh
    """Render the tab into the enclosing Blocks; register its public API endpoint."""
    gr.Markdown(INTRO)
    cards = gr.HTML()
    source = gr.Markdown()
    alerts = gr.Markdown(elem_id="overview-alerts")
    gr.Markdown(TABS_GUIDE)
    gr.Markdown("### The data: one session, step by step")
    showcase = gr.HTML()
    derivation = gr.Markdown()
    enrichment = gr.Markdown()
    tier = gr.Markdown(elem_id="overview-tier")
    tier_timer = gr.Timer(TIER_REFRESH_S, active=False)
    gr.Markdown("### Architecture")
    gr.HTML(architecture_html())
    gr.Markdown(
        "### Data model\nDrawn from the dbt models' documentation and the warehouse's own column "
        "types; open a table for its columns."
    )
    gr.HTML(data_model_html(wh))
    gr.Markdown(stack_markdown())

    def load():
        fig = api.overview()
        info = wh.build_info()
        return (
            kpi_cards_html(fig),
            source_markdown(fig),
            showcase_html(queries.showcase_session(wh), images=api.has_images()),
            derivation_markdown(info),
            enrichment_markdown(wh, info, api.near_duplicate_summary()),
            alerts_markdown(api),
            *tier_outputs(api),
        )

    outputs = [cards, source, showcase, derivation, enrichment, alerts, tier, tier_timer]
    demo.load(load, outputs=outputs, api_visibility="private")
    tier_timer.tick(lambda: tier_outputs(api), outputs=[tier, tier_timer], api_visibility="private")
