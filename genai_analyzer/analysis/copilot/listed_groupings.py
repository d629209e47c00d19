"""Groupings listed after a grouping cue: "by image width and image height", "by tier, sampler and
style". Each listed name is read as a grouping where it stands, before the metrics are read, so a
word a grouping shares with a figure ("image" in "image height") is not read as a second figure."""

from __future__ import annotations

import re
from collections.abc import Iterator

from genai_analyzer.analysis.copilot.spec import NeedsClarification
from genai_analyzer.analysis.copilot.text import QuestionText, phrase_re
from genai_analyzer.analysis.copilot.vocabulary import ENTITY_DIMENSIONS

# a comma is a space by the time the text is read ("by tier, sampler": "by tier sampler")
_LINK = r" (?:and |plus )?(?:by |per |the )?"


def listed_after(
    t: QuestionText, end: int, dim_phrases: list[tuple[str, str]]
) -> Iterator[tuple[str, str, int]]:
    """(dimension, words, position) for each grouping listed right after the one ending at ``end``.
    Users and sessions are left to the metrics ("revenue by tier and users": a second figure)."""
    while True:
        for phrase, name in dim_phrases:
            if name in ENTITY_DIMENSIONS:
                continue
            m = re.compile(rf"{_LINK}({phrase_re(phrase)})(?![a-z0-9])").match(t.text, end)
            if m and not any(t.used[m.start() : m.end()]):
                t.take(m)
                yield name, m.group(1), m.start(1)
                end = m.end()
                break
        else:
            return


def each_or_together(text: str, said: str, phrase: str) -> NeedsClarification:
    """ "ARPU for October, all tiers": each tier, or every tier together? Asked, not guessed (it was
    read as by tier; the writer of blind set 43 meant all together)."""
    all_of = rf",? ?(?:for |across |over |in )?all (?:the )?{re.escape(said)}"
    return NeedsClarification(
        f"'all {said}' could be each of them or all together.",
        (re.sub(all_of, f" by {phrase}", text, count=1), re.sub(all_of, "", text, count=1)),
    )
