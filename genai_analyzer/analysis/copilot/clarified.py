"""A typed reply to a clarifying question: which of the offered readings it picks.

A clarifying question offers 2-4 readings as chips; a user may type the answer instead ("the first
one", "2", "among the sessions that had one", "counting them as zero"). The reply picks a reading
when it names it by position or when every word it has is a word of one reading only (and at least
one of them tells that reading from the others). Anything else (a reply that also asks for more, or
that fits several readings) picks none: it is read as a question of its own, never mapped onto a
reading by a guess.
"""

from __future__ import annotations

import re

from genai_analyzer.analysis.copilot.vocabulary import STOP

_ORDINALS = {
    "first": 0, "1st": 0, "1": 0, "one": 0, "former": 0,
    "second": 1, "2nd": 1, "2": 1, "two": 1,
    "third": 2, "3rd": 2, "3": 2, "three": 2,
    "fourth": 3, "4th": 3, "4": 3, "four": 3,
}  # fmt: skip
_POSITION = re.compile(
    r"(?:(?:yes|yeah|yep|ok|okay|no)[,;]?\s+)?(?:(?:i mean|i meant|i"
    r" want|give me|go with|let'?s go with|use|pick|take)\s+)?(?:the\s+)?"
    r"(?:(?:option|reading|choice|number|no\.?|#)\s*)?(first|1st|second|2nd|third|3rd|fourth|4th|former|latter|last"
    r"|[1-4]|one|two|three|four)(?:\s+(?:one|option|reading|choice))?(?:\s+(?:please|pls))?"
)
_WORD = re.compile(r"[a-z0-9]+")
# words a reply may add to a reading's own ("the one with zero", "yes, among those that had one")
_REPLY_WORDS = {"yes", "yeah", "yep", "ok", "okay", "please", "pls", "mean", "meant", "want", "one", "ones",
                "those", "them", "that", "one's", "option", "reading", "latter", "former", "i"}  # fmt: skip


def pick(reply: str, readings: list[str] | tuple[str, ...]) -> str | None:
    """The reading ``reply`` chooses among ``readings``, or None when it chooses none clearly."""
    readings = [r for r in readings if isinstance(r, str) and r.strip()]
    text = " ".join(reply.lower().strip(" .!?").split())
    if len(readings) < 2 or not text:
        return None
    for reading in readings:
        if text == " ".join(reading.lower().strip(" .!?").split()):
            return reading
    if m := _POSITION.fullmatch(text):
        word = m.group(1)
        index = len(readings) - 1 if word in ("last", "latter") else _ORDINALS[word]
        if word == "latter" and len(readings) != 2 or index >= len(readings):
            return None
        return readings[index]
    said = _content(text)
    words = [_content(r.lower()) for r in readings]
    fits = []
    for i, own in enumerate(words):
        others = set().union(*(w for j, w in enumerate(words) if j != i))
        if said <= own | _REPLY_WORDS and said & (own - others):
            fits.append(readings[i])
    return fits[0] if len(fits) == 1 else None


def _content(text: str) -> set[str]:
    return {w for w in _WORD.findall(text) if w not in STOP}


def replied(question: str, context) -> tuple[str, dict | None, str | None]:
    """The question to ask, its context and the reading picked, when ``context`` is a clarifying
    question's; ``question`` and ``context`` as they are otherwise."""
    if not (isinstance(context, dict) and "clarify" in context):
        return question, context, None
    chosen = pick(question, context.get("clarify") or ())
    return chosen or question, context.get("previous"), chosen


def note(answer, context: dict | None, chosen: str | None) -> None:
    """Says on ``answer`` which reading a reply picked; gives a clarifying question the context a
    typed reply is read with (its readings and ``context``, the one before it)."""
    if chosen:
        answer.explanation = f"Your reply picks the reading '{chosen}'.\n\n{answer.explanation}"
    if answer.kind == "clarify":
        answer.context = {"clarify": answer.clarify, "previous": context}
