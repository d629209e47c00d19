"""SQL Copilot tab: a chat that answers with a safe read-only query, its table, a chart and a reading.

The SQL of the last answer sits in an editor under the chat; the user can change it and run it
again through the same safety checks. ``/ask`` is the same thing for API clients.
"""

from __future__ import annotations

import html

import gradio as gr
import pandas as pd

from genai_analyzer.analysis.copilot.core import Answer, Copilot
from genai_analyzer.analysis.copilot.spec import EXAMPLES
from genai_analyzer.analysis.plotting import empty
from genai_analyzer.app.errors import user_errors

CSS = """
.cp-backend { color: #94a3b8; font-size: 0.8rem; }
"""


def _message(answer: Answer) -> str:
    """The assistant's chat message: the reading, then where the answer came from."""
    text = html.escape(answer.explanation).replace("\n", "<br>")
    if answer.refused:
        return text
    rows = f"{len(answer.rows)} row{'s' if len(answer.rows) != 1 else ''}"
    cut = ", cut at the row limit" if answer.truncated else ""
    where = f"{rows}{cut} · {answer.backend} · {answer.elapsed_ms:.0f} ms"
    return f'{text}<br><span class="cp-backend">{where}</span>'


def _table(answer: Answer):
    """The result table; hidden when there is none (a refusal), not an empty grid."""
    if not answer.columns:
        return gr.Dataframe(value=None, visible=False)
    return gr.Dataframe(value=pd.DataFrame(answer.rows, columns=answer.columns), visible=True)


def _figure(answer: Answer):
    if answer.figure is not None:
        return answer.figure
    title = "No chart for this answer" if not answer.refused else "No answer"
    return empty(title, "A chart appears when the result has a label and a number per row.")


def build(demo: gr.Blocks, copilot: Copilot) -> None:
    """Render the tab into the enclosing Blocks (/ask is the API layer's, through app/routes.py)."""
    gr.Markdown(
        "Ask about the warehouse in plain words. Answers are read-only SQL over the star schema, "
        "checked before they run; edit the SQL below and run it again if you like."
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
    gr.Examples([[q] for q in EXAMPLES], inputs=[question], label="Try")
    sql = gr.Code(language="sql", label="SQL (editable)", interactive=True, lines=6)
    run = gr.Button("Run this SQL")
    with gr.Row():
        table = gr.Dataframe(
            label="Result", interactive=False, max_height=420, scale=1, elem_id="copilot-result"
        )
        plot = gr.Plot(show_label=False, scale=1)

    @user_errors
    def answer(text, history, ctx):
        reply = copilot.ask(text, ctx)
        turn = [{"role": "user", "content": text}, {"role": "assistant", "content": _message(reply)}]
        history = [*(history or []), *turn]
        new_context = reply.context if not reply.refused else ctx
        return history, "", new_context, reply.sql or "", _table(reply), _figure(reply)

    @user_errors
    def run_edited(code, history):
        reply = copilot.run_sql(code or "")
        note = {"role": "assistant", "content": "Edited SQL: " + _message(reply)}
        return [*(history or []), note], _table(reply), _figure(reply)

    outputs = [chat, question, context, sql, table, plot]
    for trigger in (send.click, question.submit):
        trigger(answer, [question, chat, context], outputs, api_visibility="private")
    run.click(run_edited, [sql, chat], [chat, table, plot], api_visibility="private")
