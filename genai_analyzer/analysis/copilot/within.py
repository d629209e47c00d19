"""The top within each group: "the two most used samplers in each tier", "the busiest day of each
week", "for each tier, which error code shows up most often" (blind set 38).

A ranking with a grouping said with "each" or "every" ranks inside that grouping: the compiler
partitions by it (``rank() OVER (PARTITION BY ...)``, ties kept) instead of ranking every pair of
values at once, which answered one row for the whole data (a wrong answer). "per week" with a
ranking is read the same way ("the busiest hour per day"); users and sessions after "per" stay a
per-unit division. The groupings read here are ``spec.within``; when nothing else is ranked the
compiler groups by them as usual."""

from __future__ import annotations

import re

from genai_analyzer.analysis.copilot.ranking import HIGH, LOW, PLACES
from genai_analyzer.analysis.copilot.spec import QuerySpec
from genai_analyzer.analysis.copilot.text import QuestionText, phrase_re
from genai_analyzer.analysis.copilot.vocabulary import ENTITY_DIMENSIONS

EACH = r"(?:(?:in|for|within|inside|of|on|across|per) )?(?:each|every)(?: single)?"
_RANKED = rf"{HIGH}|{LOW}|{'|'.join(PLACES)}|runner-?ups?|most|least"


def read_within(t: QuestionText, spec: QuerySpec, dim_phrases: list[tuple[str, str]]) -> None:
    """The groupings a ranking is made inside, said with each / every (or "per" a non-unit)."""
    # a ranking word that orders ("highest first", "from highest to lowest") ranks no top N
    ranks = [m for m in t.find(_RANKED) if not re.match(r" (?:first|to)\b", t.text[m.end() :])]
    if not [m for m in ranks if not re.search(r"(?:from|to) $", t.text[: m.start()])]:
        return
    for phrase, name in dim_phrases:
        cue = EACH if name in ENTITY_DIMENSIONS else rf"{EACH}|per"
        for m in t.find(rf"(?:{cue}) (?:the )?{phrase_re(phrase)}(?! who| that)"):
            t.take(m)
            if name not in spec.within:
                spec.within.append(name)
            spec.matched[m.group(0).strip()] = f"within each {name}"


def partition(spec: QuerySpec, ranked: list[str]) -> list[str]:
    """The groupings to rank inside (``spec.within``), or [] when the ranking has nothing else to rank
    and the within groupings are plain groupings."""
    return list(spec.within) if spec.top and ranked else []
