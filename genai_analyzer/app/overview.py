"""Overview tab: what the tool is, and live headline figures from the warehouse."""

from __future__ import annotations

import gradio as gr

from genai_analyzer import queries
from genai_analyzer.warehouse import Warehouse

INTRO = """
**GenAI Session Analyzer** shows how people use a text-to-image generator: who generates what,
in which sessions, how prompts get refined, where generation fails or is slow, and what it costs
and earns. Sessions come from real activity (a user's generations with no gap over 30 minutes);
latency, failures, cost and revenue are simulated where the source lacks them (see
`docs/simulation.md`).
"""


def kpi_cards_html(fig: dict) -> str:
    """The headline figures as bordered cards."""
    cards = [
        ("Generations", f"{fig['generations']:,}"),
        ("Users", f"{fig['active_users']:,}"),
        ("Sessions", f"{fig['sessions']:,}"),
        ("Success rate", f"{100 * fig['success_rate']:.1f}%"),
        ("p95 latency", f"{fig['p95_latency_ms'] / 1000:.1f} s"),
        ("Margin", f"${fig['margin_usd']:,.2f}"),
    ]
    body = "".join(
        f'<div class="kpi"><div class="kpi-label">{k}</div><div class="kpi-value">{v}</div></div>'
        for k, v in cards
    )
    return f'<div class="kpi-row">{body}</div>'


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


def build(demo: gr.Blocks, wh: Warehouse) -> None:
    """Render the tab into the enclosing Blocks; register its public API endpoint."""
    gr.Markdown(INTRO)
    cards = gr.HTML()
    source = gr.Markdown()

    def load():
        fig = queries.overview_figures(wh)
        return kpi_cards_html(fig), source_markdown(fig)

    demo.load(load, outputs=[cards, source], api_visibility="private")

    def overview() -> dict:
        """Headline figures over the whole warehouse: generations, users, sessions, success rate,
        p50/p95 latency, cost, revenue, margin, period, source and simulated columns."""
        return queries.overview_figures(wh)

    gr.api(overview, api_name="overview")
