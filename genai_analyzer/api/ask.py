"""The SQL Copilot endpoint: /ask answers a question with one checked read-only query.

A mixin of ``api.endpoints.Api`` (which registers ``ask`` in ``ENDPOINTS`` and holds the fields named
below). A follow-up passes back the previous answer's ``context``; this process signs every context
it returns (HMAC over its JSON with a key made at start), so a caller can only refine an answer this
server gave, never smuggle SQL or a made-up interpretation in through the context.
"""

from __future__ import annotations

import hashlib
import hmac
import json

from genai_analyzer.analysis.copilot.core import Copilot
from genai_analyzer.analysis.filters import NO_FILTERS, Filters
from genai_analyzer.api.checks import InputError, check_text, type_name
from genai_analyzer.warehouse.reader import Warehouse


class AskEndpoints:
    """/ask over ``self.wh`` with ``self.copilot`` (an offline one over the warehouse when None)."""

    # Api gives these fields
    wh: Warehouse
    copilot: Copilot | None
    _context_key: bytes

    @property
    def sql_copilot(self) -> Copilot:
        if self.copilot is None:
            self.copilot = Copilot(self.wh)
        return self.copilot

    def ask(self, question: str, context: dict | None = None, filters: Filters = NO_FILTERS) -> dict:
        """Answer a question about the warehouse with a safe read-only query. Pass the previous
        answer's ``context`` to ask a follow-up ("now only for pro users"). The filters (the filter
        bar's fields) are the answer's outer scope: what the question says narrows within them.
        Returns question, sql, columns, rows, truncated, explanation, backend (semantic |
        llm:<model> | none), context, refused, elapsed_ms, reading and scope (the filters in plain
        words, "within the filter bar: tier pro, ...", or that they do not apply to this answer;
        empty without filters). The question is at most 2,000 characters; a context must be one
        this server returned (it is signed), passed back unchanged."""
        question = check_text(question, "question")
        answer = self.sql_copilot.ask(question, self._checked_context(context), filters).to_api()
        if answer.get("context") is not None:
            answer["context"] = {**answer["context"], "signature": self._signature(answer["context"])}
        return answer

    def _signature(self, context: dict) -> str:
        body = json.dumps(context, sort_keys=True, separators=(",", ":"), default=str)
        return hmac.new(self._context_key, body.encode(), hashlib.sha256).hexdigest()

    def _checked_context(self, context) -> dict | None:
        """The context as the copilot returned it, or an error: anything else (edited, made up,
        from another server or before a restart) is refused."""
        if context is None or context == {}:
            return None
        if not isinstance(context, dict):
            raise InputError(
                f"context must be an object returned by /ask, not {type_name(context)}.",
                code="invalid_type",
                field="context",
            )
        body = {k: v for k, v in context.items() if k != "signature"}
        signature = context.get("signature")
        if not isinstance(signature, str) or not hmac.compare_digest(signature, self._signature(body)):
            raise InputError(
                "The context is not one this server returned: pass back the 'context' of a previous "
                "/ask answer unchanged, or none for a new question (contexts do not survive a restart).",
                code="invalid_context",
                field="context",
            )
        return body
