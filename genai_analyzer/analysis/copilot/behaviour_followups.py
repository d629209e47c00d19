"""Which behaviour answer a message asks for: a new behaviour question (behaviour.routes_here), or
a follow-up on the behaviour answer before it that changes its tiers ("now just the pro users",
"what about free users instead?", "same thing for enterprise") or splits it by tier ("split that
by tier", "break that down by tier").

A behaviour answer's ``context`` carries its question and the tiers a follow-up set; a follow-up
re-reads that question with the new tiers, so the answer is the one the combined question gets.
A follow-up must be read whole: any other word ("only for last week", "the mean instead") leaves
it to the parser, which declines what it cannot read.

A prompt-edit question the edits' own grammar cannot read whole goes to the parser too: the
semantic layer holds the edits' figures over the generations grain ("how many re-rolls did pro
users make in September", "median seconds since the previous generation by edit type").
"""

from __future__ import annotations

import re

from genai_analyzer.analysis.copilot import behaviour
from genai_analyzer.analysis.copilot.accounting import account_for_words
from genai_analyzer.analysis.copilot.spec import CannotAnswer, NeedsClarification
from genai_analyzer.analysis.copilot.text import QuestionText
from genai_analyzer.analysis.copilot.vocabulary import FOLLOW_UP_WORDS
from genai_analyzer.analysis.semantic import SemanticLayer

EDIT_WORDS = re.compile(rf"(?<![a-z])(?:{behaviour.EDITS}|{behaviour.TYPE_SHARE})(?![a-z])")
_OTHERS = (behaviour.FUNNEL, behaviour.RETENTION, behaviour.REACH, behaviour.LIFECYCLE, behaviour.IDEA_SHARE,
           behaviour.lifetimes.LIFETIME)  # fmt: skip
OTHER_BEHAVIOUR = re.compile(rf"(?<![a-z])(?:{'|'.join(_OTHERS)})(?![a-z])")


def edits_only(question: str) -> bool:
    """Whether ``question`` names prompt edits and none of the other behaviour answers: one the
    generations grain may read when the edits' own grammar does not (the layer's edit figures)."""
    text = QuestionText(question).text
    return OTHER_BEHAVIOUR.search(text) is None and EDIT_WORDS.search(text) is not None


SPLIT = r"(?:split|break|broken|breaking|group|show|divide)(?: (?:that|it|this|them))?(?: down| up)?(?: out)?"
ONLY = r"(?:for |of |among )?(?:(?:the|those|these) )?(?:users? )?only|(?:with )?(?:just|only) (?:the )?"


def route(
    question: str, context: dict | None, layer: SemanticLayer, values: dict, vocabulary: set[str]
) -> behaviour.BehaviourAnswer | None:
    """The behaviour answer ``question`` asks for (after ``context``), or None when it is not one."""
    if behaviour.routes_here(question):
        try:
            found = behaviour.answer(question, layer, values, vocabulary)
        except NeedsClarification:
            raise
        except CannotAnswer:
            if edits_only(question):
                return None  # the parser reads it over the layer's edit figures, or declines it
            raise
        found.context = {"behaviour": question}
        return found
    previous = context.get("behaviour") if isinstance(context, dict) else None
    if not isinstance(previous, str):
        return None
    t = QuestionText(question)
    tiers, _ = behaviour._tiers(t, layer, values)
    by_tier = t.take_first(rf"(?:{SPLIT} )?{behaviour.BY_TIER}") is not None
    if not tiers and not by_tier:
        return None
    # "now only the users on the pro plan": the users said before the plan named (blind set 46)
    on = r"(?:the )?(?:users|people|customers|accounts) (?:on|in|from)"
    for words in (FOLLOW_UP_WORDS, ONLY, on, r"(?:the )?same(?: thing| again)?|please|too|as well|[?!.,]"):
        while t.take_first(words):
            pass
    try:
        account_for_words(vocabulary, t)
    except CannotAnswer:
        return None  # more than a change of tiers: the parser reads it, or declines it
    kept_tiers = tiers or context.get("tiers") or None
    split = by_tier or bool(context.get("by_tier"))
    found = behaviour.answer(previous, layer, values, vocabulary, tiers=kept_tiers, by_tier=split)
    found.context = {"behaviour": previous, "tiers": kept_tiers, "by_tier": split}
    return found
