"""Questions refused before anything reads them: empty or too long, asking to change data,
instructions to the model, or about data the warehouse does not hold (the layer's ``unsupported``)."""

from __future__ import annotations

import re

from genai_analyzer.analysis.copilot.hypotheses import counterfactual, judgement
from genai_analyzer.analysis.copilot.numeric_dates import ambiguous_dates
from genai_analyzer.analysis.copilot.spec import CannotAnswer, NeedsClarification
from genai_analyzer.analysis.copilot.text import QuestionText
from genai_analyzer.analysis.semantic import SemanticLayer

MAX_QUESTION_CHARS = 500

# Asking to change data, and instructions to the model: refused before anything reads the question
DESTRUCTIVE = re.compile(
    # "where do users drop off" is the funnel's drop-off, not a DROP; nor is "did sessions drop in the
    # last 7 days" or "did revenue drop" (blind set 26)
    r"\b(delete|drop(?![\s-]*offs?\b)(?!\s+(?:in|from|by|below|under|after|since|compared|vs|versus|over|during|last|"
    r"this|between|when|much|sharply|significantly|a\s+lot|more|week|month|day)\b)(?!\s*$)|truncate|insert|update|alter|remove|erase|wipe|overwrite|modify|grant|revoke|"
    r"create|replace\s+table|rename|attach|copy|install|pragma|add\s+(?:a\s+|an\s+)?new|"
    # "how did the success rate change from September to October" asks about the data
    # "change the tier of the user with the most generations to enterprise" (blind set 35): 12 words
    r"set\s+(?:\S+\s+){0,12}to|change(?!\s+from\b)\s+(?:\S+\s+){0,12}to|assign|reset|grant)\b"
)
# What the people in the data do ("which terms do free users remove", "people drop a modifier"):
# their verbs describe the prompt edits the warehouse holds, not a request to change it
PEOPLE_EDITING = re.compile(
    r"\b(?:users?|people|creators?|customers?|folks|artists?|they)\b(?:\s+(?!the\b|table\b)\w+){0,2}?\s+"
    r"(?:remove|drop|delete|add|change|modify|replace|swap|erase|create|created)\b"
    r"(?!\s+(?:the\s+|a\s+|an\s+|new\s+)*(?:table|rows?|generations?|data|"
    r"records?|users?|warehouse|database|column)\b)"
)
INJECTION = re.compile(
    r"(ignore (all |your |the |any |previous |prior )+(rules|instructions)|system\s*:|/etc/|passwd|"
    r"read_csv|read_parquet|getenv|https?://|file://|\bshell\b|\bexecute\b|\bsudo\b|"
    r"you (may|can|must) now|you are now|developer mode|new instructions|jailbreak|"
    r"(?:^|\s)/[a-z_.]+/|'[^']*\.(?:csv|parquet|json|txt|db|duckdb)')"
)


def screen(layer: SemanticLayer, question: str) -> None:
    """Refuse an empty or too long question, then anything ``refuse_unsafe`` refuses."""
    if not question or not question.strip():
        raise CannotAnswer("The question is empty.")
    if len(question) > MAX_QUESTION_CHARS:
        raise CannotAnswer(
            "The question is too long; ask about one thing at a time "
            f"({MAX_QUESTION_CHARS} characters at most)."
        )
    refuse_unsafe(layer, QuestionText(question).text)
    for said, readings in ambiguous_dates(question):  # "10/3": October 3 or March 10?
        raise NeedsClarification(f"'{said}' could be either date.", tuple(readings))


def refuse_unsafe(layer: SemanticLayer, text: str) -> None:
    """Refuse writes, instructions to the model, a verdict asked of the data ("is latency bad?") and data
    the warehouse does not hold."""
    if INJECTION.search(text):
        raise CannotAnswer(
            "That reads like an instruction to the copilot or a request for files or other systems; "
            "I only answer questions about the warehouse's data, with read-only queries."
        )
    if DESTRUCTIVE.search(PEOPLE_EDITING.sub(" ", text)):
        raise CannotAnswer(
            "I only read data: the copilot cannot change, delete or create anything in the warehouse."
        )
    if verdict := judgement(text):
        raise CannotAnswer(
            f"Whether it is '{verdict}' is a judgement the data cannot make: I can show the figure, how it "
            "changed over time or how it compares between groups (e.g. 'p95 latency by week', 'error rate "
            "by tier'), and you judge it.",
            unread=(verdict,),
        )
    if said := counterfactual(text):
        raise CannotAnswer(
            f"'{said}' asks what would have happened, and the warehouse holds only what did happen: I "
            "can show the figures as they were, e.g. with and without a status ('generations by status "
            "last week').",
            unread=tuple(said.split()),
        )
    for words, reason in layer.unsupported:
        for w in words:
            if re.search(rf"(?<![a-z0-9]){re.escape(w)}(?![a-z0-9])", text):
                raise CannotAnswer(f"{reason} (the question mentions '{w}').")
