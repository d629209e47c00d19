"""SQL Copilot tab: a chat that answers with a safe read-only query, its table, a chart and a reading.

The SQL of the last answer sits in an editor under the chat; the user can change it and run it
again through the same safety checks. A question is answered within the app's applied filter bar
(its outer scope, written into the answer's SQL); SQL run from the editor runs as written, outside
the filter bar. ``/ask`` is the same thing for API clients.
"""

from __future__ import annotations

import html
from collections.abc import Callable

import gradio as gr
import pandas as pd

from genai_analyzer.analysis.copilot.core import Answer, Copilot
from genai_analyzer.analysis.copilot.spec import EXAMPLES
from genai_analyzer.analysis.formatting import format_value, metric_kind, plural
from genai_analyzer.analysis.plotting import empty
from genai_analyzer.api.endpoints import Api
from genai_analyzer.app.errors import user_errors
from genai_analyzer.app.filterbar import FilterBar, filters_of

CSS = """
.cp-backend { color: #94a3b8; font-size: 0.8rem; }
#copilot-sql-note { color: #94a3b8; font-size: 0.85rem; }
"""


MAX_CHIPS = 4


def _message(answer: Answer) -> str:
    """The assistant's chat message: the reading, then where the answer came from."""
    text = html.escape(answer.explanation).replace("\n", "<br>")
    if answer.refused:
        return text
    rows = plural(len(answer.rows), "row")
    cut = ", cut at the row limit" if answer.truncated else ""
    where = f"{rows}{cut} · {answer.backend} · {answer.elapsed_ms:.0f} ms"
    return f'{text}<br><span class="cp-backend">{where}</span>'


def answer_table(answer: Answer):
    """The result table as people read it (rates as %, money, seconds: the shared formatter);
    hidden when there is none (a refusal), not an empty grid. The API keeps full precision."""
    if not answer.columns:
        return gr.Dataframe(value=None, visible=False)
    frame = pd.DataFrame(answer.rows, columns=answer.columns)
    for column in frame.columns:
        kind = metric_kind(column)
        if kind != "number" and pd.api.types.is_numeric_dtype(frame[column]):
            frame[column] = [format_value(v, kind) for v in frame[column]]
        elif pd.api.types.is_float_dtype(frame[column]):
            frame[column] = [format_value(v, "number") for v in frame[column]]
    return gr.Dataframe(value=frame, visible=True)


def _saved_table(copilot: Copilot) -> pd.DataFrame:
    """The approved answers, newest first: question, how it was read, when."""
    rows = [(a["question"], a["reading"], a["approved_at"][:16]) for a in copilot.memory.all()]
    return pd.DataFrame(rows, columns=["question", "read as", "saved (UTC)"])


def _chips(answer: Answer) -> list:
    """Clickable readings (a clarifying question), suggested follow-ups, or questions to ask instead."""
    labels = (answer.clarify or answer.suggestions)[:MAX_CHIPS]
    return [gr.Button(value=label, visible=True) for label in labels] + [
        gr.Button(visible=False) for _ in range(MAX_CHIPS - len(labels))
    ]


def answer_figure(answer: Answer):
    if answer.figure is not None:
        return answer.figure
    title = "No chart for this answer" if not answer.refused else "No answer"
    return empty(title, "A chart appears when the result has a label and a number per row.")


SQL_NOTE = (
    "**Run this SQL** runs the editor's SQL as written, outside the filter bar: it is never "
    "rewritten. An answer's SQL carries the scope it was asked under in its first lines."
)


def build(
    demo: gr.Blocks,
    copilot: Copilot,
    pin: Callable | None = None,
    *,
    bar: FilterBar | None = None,
    api: Api | None = None,
) -> None:
    """Render the tab into the enclosing Blocks (/ask is the API layer's, through app/routes.py).
    ``pin(name, question, sql)`` (``Api.pin_answer``) pins an answer to the Dashboard tab. With the
    filter ``bar`` (and the ``api`` that checks its values), questions are answered within its
    applied state."""
    gr.Markdown(
        "Ask about the warehouse in plain words. Answers are read-only SQL over the star schema, "
        "checked before they run, within the filter bar above; edit the SQL below and run it "
        "again if you like."
    )
    chat = gr.Chatbot(height=380, label="SQL Copilot", buttons=["copy"], elem_id="copilot-chat")
    with gr.Row(equal_height=True):
        question = gr.Textbox(
            placeholder="e.g. error rate by tier last week",
            show_label=False,
            scale=5,
            elem_id="copilot-question",
        )
        send = gr.Button("Ask", variant="primary", scale=1)
    context = gr.State(None)
    chip_context = gr.State(None)  # what a chip is asked with: the answer's context for follow-ups
    with gr.Row(elem_id="copilot-chips"):
        chips = [gr.Button(visible=False, size="sm", elem_classes=["cp-chip"]) for _ in range(MAX_CHIPS)]
    gr.Examples([[q] for q in EXAMPLES], inputs=[question], label="Try")
    sql = gr.Code(language="sql", label="SQL (editable)", interactive=True, lines=6)
    gr.Markdown(SQL_NOTE, elem_id="copilot-sql-note")
    with gr.Row():
        run = gr.Button("Run this SQL")
        approve = gr.Button("Mark this answer right", elem_id="copilot-approve", interactive=False)
        pin_name = gr.Textbox(
            placeholder="Name on the dashboard (empty: the question)",
            show_label=False,
            elem_id="copilot-pin-name",
            visible=pin is not None,
        )
        pin_button = gr.Button(
            "Pin to dashboard", elem_id="copilot-pin", interactive=False, visible=pin is not None
        )
    last = gr.State(None)  # the last answer, as the API gives it: what "Mark this answer right" keeps
    with gr.Row():
        table = gr.Dataframe(
            label="Result", interactive=False, max_height=420, scale=1, elem_id="copilot-result"
        )
        plot = gr.Plot(show_label=False, scale=1)
    with gr.Accordion("Saved questions (answers marked right)", open=False):
        saved = gr.Dataframe(
            value=_saved_table(copilot), interactive=False, elem_id="copilot-saved", wrap=True
        )

    applied = [bar.applied] if bar is not None and api is not None else []

    @user_errors
    def answer(text, history, ctx, current_sql, *scope):
        filters = filters_of(api, scope[0]) if scope else None
        reply = copilot.ask(text, ctx, filters)
        turn = [{"role": "user", "content": text}, {"role": "assistant", "content": _message(reply)}]
        history = [*(history or []), *turn]
        # a clarifying question's context holds its readings and the context before it: a typed
        # reply or a chip picks a reading, asked as a follow-up of what came before (clarified.py)
        new_context = reply.context if not reply.refused or reply.kind == "clarify" else ctx
        # a declined question keeps the SQL editor as it was: the user's work is never wiped
        shown_sql = reply.sql or current_sql or ""
        follow = reply.context if reply.kind in ("answer", "clarify") else None
        # an answer within the filter bar is not saved as the question's answer (core.approve)
        can_approve = gr.Button(
            interactive=reply.backend == "semantic" and not reply.refused and not reply.scope
        )
        can_pin = gr.Button(interactive=bool(reply.sql) and not reply.refused)
        return [
            history, "", new_context, shown_sql, answer_table(reply), answer_figure(reply), follow,
            reply.to_api(), can_approve, can_pin, *_chips(reply),
        ]  # fmt: skip

    @user_errors
    def run_edited(code, history):
        reply = copilot.run_sql(code or "")
        turn = [
            {"role": "user", "content": f"Run this SQL:\n```sql\n{code or ''}\n```"},
            {"role": "assistant", "content": _message(reply)},
        ]  # its own exchange, never merged into the previous answer's bubble
        return [*(history or []), *turn], answer_table(reply), answer_figure(reply)

    @user_errors
    def approve_last(answer_fields, history):
        copilot.approve(Answer(**answer_fields))
        note = {
            "role": "assistant",
            "content": f"Saved: '{html.escape(answer_fields['question'])}' will be answered this way again.",
        }
        return [*(history or []), note], _saved_table(copilot), gr.Button(interactive=False)

    approve.click(approve_last, [last, chat], [chat, saved, approve], api_visibility="private")

    @user_errors
    def pin_last(answer_fields, name, history):
        # the last answer as it was given: its question and the SQL that answered it
        question = answer_fields["question"]
        view = pin((name or "").strip() or question[:80], question, answer_fields["sql"])
        note = {
            "role": "assistant",
            "content": f"Pinned to the Dashboard as '{html.escape(view.name)}': its SQL runs again, "
            "through the same checks, each time the dashboard is drawn.",
        }
        return [*(history or []), note], "", gr.Button(interactive=False)

    if pin is not None:
        pin_button.click(
            pin_last, [last, pin_name, chat], [chat, pin_name, pin_button], api_visibility="private"
        )

    outputs = [chat, question, context, sql, table, plot, chip_context, last, approve, pin_button, *chips]
    for trigger in (send.click, question.submit):
        trigger(answer, [question, chat, context, sql, *applied], outputs, api_visibility="private")
    for chip in chips:
        # a chip is asked as if typed, with the context the answer offered it under
        chip.click(answer, [chip, chat, chip_context, sql, *applied], outputs, api_visibility="private")
    run.click(run_edited, [sql, chat], [chat, table, plot], api_visibility="private")
