"""Rows with no value of a dimension (blind set 30, a data-quality auditor): "how many generations have
no error code", "failed generations missing an error code", "images with a blank domain".

A value said to be missing is a condition on each row, kept with the thresholds as
``[dimension, "IS", "NULL", None]``: compiled to ``f.error_code IS NULL`` and read back as "no error
code". Only the labels a generation may lack are read (error code, domain, art style, sampler,
clusters); a tier, a status or a day is never missing, so "users with no tier" stays unread.
"""

from __future__ import annotations

from genai_analyzer.analysis.copilot.spec import QuerySpec
from genai_analyzer.analysis.copilot.text import QuestionText, phrase_re
from genai_analyzer.analysis.semantic import SemanticLayer

MAY_BE_MISSING = ("error_code", "domain", "art_style", "sampler", "prompt_cluster", "visual_cluster")
MISSING = ("IS", "NULL")  # the threshold's comparison and value for a missing value
_NO = (
    r"(?:with no|with(?:out)? (?:a|an|any)|that (?:have|had|has) no|having no|have no|has no|had no|no|"
    r"missing(?: an?| the| their| its| any)?|lacking(?: an?| any)?|without)"
)
_BLANK = r"(?:with |that (?:have|has) )?(?:a |an )?(?:null|blank|empty|missing) "
_AFTER = r"(?: (?:values?|labels?|set|recorded|assigned|filled in))?(?: at all)?"


def read_missing(layer: SemanticLayer, t: QuestionText, spec: QuerySpec, dim_phrases) -> None:
    """Each dimension said to be missing, as a condition on the rows; its words taken."""
    for phrase, name in sorted(dim_phrases, key=lambda p: -len(p[0])):
        if name not in MAY_BE_MISSING:
            continue
        said = phrase_re(phrase)
        for m in t.find(rf"(?:{_NO} {said}|{_BLANK}{said}){_AFTER}"):
            t.take(m)
            if [name, *MISSING, None] not in spec.thresholds:
                spec.thresholds.append([name, *MISSING, None])
            spec.matched[m.group(0).strip()] = f"no {layer.dimensions[name].label}"


def describe_missing(layer: SemanticLayer, threshold: list) -> str | None:
    """ "no error code" for a missing value's condition, None for any other threshold."""
    name, op, value, _ = threshold
    if (op, value) != MISSING or name not in layer.dimensions:
        return None
    return f"no {layer.dimensions[name].label}"
