"""The question as text the parser consumes word by word, and the regexes it matches phrases with."""

from __future__ import annotations

import functools
import re

from genai_analyzer.analysis.copilot.vocabulary import REWORDINGS, STOP


@functools.lru_cache(maxsize=8192)
def _bounded(pattern: str) -> re.Pattern:
    """``pattern`` compiled to match whole words only (cached: a question tries ~900 patterns,
    more than the ``re`` module's own cache holds)."""
    return re.compile(rf"(?<![a-z0-9]){pattern}(?![a-z0-9])")


class QuestionText:
    """The normalized question with a mask of consumed characters."""

    def __init__(self, question: str):
        text = question.lower().replace("’", "'")
        text = re.sub(r"[^a-z0-9%'\-:/ ]+", " ", text)
        text = " " + re.sub(r"\s+", " ", text).strip() + " "
        for pattern, replacement in REWORDINGS:
            text = re.sub(pattern, replacement, text)
        self.text = text
        self.used = [False] * len(self.text)

    def find(self, pattern: str):
        """Matches of ``pattern`` (regex, word-bounded) over characters not yet consumed."""
        for m in _bounded(pattern).finditer(self.text):
            if not any(self.used[m.start() : m.end()]):
                yield m

    def take(self, m) -> None:
        self.take_span(m.start(), m.end())

    def take_span(self, start: int, end: int) -> None:
        for i in range(start, end):
            self.used[i] = True

    def has(self, pattern: str) -> bool:
        """Whether ``pattern`` occurs anywhere in the question, consumed or not."""
        return _bounded(f"(?:{pattern})").search(self.text) is not None

    def rest(self) -> str:
        return "".join(" " if u else c for c, u in zip(self.text, self.used, strict=True))

    def words_left(self) -> list[str]:
        return [w for w in re.findall(r"[a-z0-9%']+", self.rest()) if w not in STOP]


def phrase_re(p: str) -> str:
    """A regex for a phrase: words separated by any spacing, each with an optional plural s."""
    return r"\s+".join(word_re(w) for w in p.split())


def word_re(w: str) -> str:
    """One word of a phrase, singular or plural ("plans" also matches "plan")."""
    if not w.isalpha() or len(w) <= 2:
        return re.escape(w)
    if w.endswith("s") and not w.endswith(("ss", "us", "is")):
        w = w[:-1]
    return re.escape(w) + r"(?:s|es)?"
