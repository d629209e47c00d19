"""One figure of the session funnel between two of its steps (the layer's ``funnels.session``):
the drop-off rate at a step ("drop-off rate at the refine step", by tier) and the conversion from
one step to a later one ("funnel conversion from started to kept"). Both read the counts of
``funnel.funnel_query`` (``reached_k``: sessions reaching step k and every step before it), so
they agree with the funnel's own rows."""

from __future__ import annotations

import re

from genai_analyzer.analysis.copilot.text import QuestionText


def _step_words(steps) -> list[tuple[str, int]]:
    """(a phrase that names a step, its number), longest first: its name, its synonyms, and a
    past-tense name without its 'd' ("refine" for refined)."""
    named = []
    for number, step in enumerate(steps, 1):
        words = {step.name, *step.synonyms}
        if step.name.endswith("ed"):
            words.add(step.name[:-1])
        named += [(w, number) for w in words]
    return sorted(named, key=lambda wn: -len(wn[0]))


def _step(steps) -> str:
    alternatives = "|".join(re.escape(w).replace("\\ ", "[ -]") for w, _ in _step_words(steps))
    return rf"(?:the )?(?:step )?({alternatives})(?: step)?"


def _number(steps, phrase: str) -> int:
    return dict(_step_words(steps))[phrase]


def between(t: QuestionText, steps) -> tuple[str, str] | None:
    """(a SELECT expression over the funnel's counts, its reading) for a drop-off at one step or a
    conversion between two steps named in ``t``, its words consumed; None when neither is."""
    step = _step(steps)
    drop = r"(?:the )?drop-?off(?: rate)?|(?:the )?dropoff(?: rate)?"
    for m in t.find(rf"(?:{drop}) (?:at|before|into|on|to|for) {step}"):
        t.take(m)
        k = _number(steps, m.group(1))
        if k == 1:
            return "CAST(NULL AS DOUBLE) AS drop_off_rate", "Drop-off rate at the funnel's first step (none)"
        expr = f"(reached_{k - 1} - reached_{k}) / nullif(reached_{k - 1}, 0) AS drop_off_rate"
        return expr, f"Drop-off rate at the session funnel's step '{steps[k - 1].name}' (of the step before)"
    conversion = r"(?:the )?conversion(?: rate)?"
    for m in t.find(rf"{conversion} from {step} (?:to|through|into) {step}"):
        i, j = _number(steps, m.group(1)), _number(steps, m.group(2))
        if j <= i:
            return None
        t.take(m)
        expr = f"reached_{j} / nullif(reached_{i}, 0) AS conversion"
        return expr, f"Conversion from the funnel's step '{steps[i - 1].name}' to '{steps[j - 1].name}'"
    return None
