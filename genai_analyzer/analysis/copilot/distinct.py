"""Distinct counts: "how many different prompts did pro users try", "number of distinct art styles",
and of pairs of values, "how many distinct width and height combinations has each tier generated"
(blind set 42; "image sizes" reads as the width and the height, everyday.py).

The values of a dimension seen in the rows asked about are counted (users and sessions are the
layer's own counts, and times are periods): ``spec.count_of`` names the dimension, and
``spec.count_with`` the others counted with it as one value (each width and height pair once). A
second dimension said after the first without being counted with it was read as a grouping: the
count of widths per height, a different question.
"""

from __future__ import annotations

import re

from genai_analyzer.analysis.copilot.spec import CannotAnswer, QuerySpec
from genai_analyzer.analysis.copilot.text import QuestionText, phrase_re
from genai_analyzer.analysis.semantic import SemanticLayer

_COUNTED = r"(?:how many|number of|count of|count the|count)"
# the rows the values are seen in, said with their verb after the count: "how many distinct prompt
# clusters do free users' generations fall into" (the generations are no second figure)
_ROWS_VERB = (
    r"(?:do|did|does|have|has|had) (?:[a-z']+ ){0,4}?(generations|images|renders|pictures|requests) "
    r"(fall into|fell into|fall in|fall under|land in|landed in|span|spanned|cover|covered|belong to|"
    r"belonged to|come from|came from|have|had|use|used)(?= )"
)
# the people said as the subject of the count's verb: "how many distinct prompts have people used" counts
# the prompts (the people were read as a second figure, and the question declined; blind set 43)
_PEOPLE_VERB = (
    r"(?:do|did|have|has|had) (?:people|users|folks|customers|everyone|everybody|anyone|we|they) "
    r"(?:use|used|try|tried|run|ran|submit|submitted|write|wrote|type|typed|send|sent|enter|entered)"
)
_DISTINCT = r"(?:distinct|different|unique|separate)"
_PAIRED = r"(?: ?(?:and|x|by|×|&|/) ?)"
_TOGETHER = r"( (?:combinations?|combos?|pairs?|pairings?))?"


def read_distinct(layer: SemanticLayer, t: QuestionText, spec: QuerySpec, dim_phrases) -> None:
    """The dimension (or the pair of dimensions) whose distinct values the question counts."""
    countable = [(p, n) for p, n in dim_phrases if not (layer.dimensions[n].time or n in ("user", "session"))]
    for phrase, name in countable:
        for m in t.find(rf"{_COUNTED} {_DISTINCT} {phrase_re(phrase)}(?![a-z0-9])"):
            pair = _paired(t, m.end(), countable, name, layer)
            t.take(m)
            spec.count_of = name
            said = m.group(0).strip()
            if pair is not None:
                t.take(pair[0])
                spec.count_with = [pair[1]]
                said = f"{said} {pair[0].group(0).strip()}"
                if pair[1] not in spec.dimensions:
                    spec.dimensions.append(pair[1])
            spec.matched[said] = f"number of {' and '.join([name, *spec.count_with])} values"
            spec.matched["(distinct values)"] = "counted over the generations"
            for said in t.find(_PEOPLE_VERB):  # "how many distinct prompts have people used": anyone's
                t.take(said)
                spec.matched[said.group(0)] = "used by anyone (every generation)"
            for rows in t.find(_ROWS_VERB):  # "do free users' generations fall into": the rows counted over
                t.take_span(*rows.span(1))
                t.take_span(*rows.span(2))
            return


def _paired(t: QuestionText, at: int, countable, first: str, layer: SemanticLayer):
    """(the match, the dimension) of a second dimension said with the first ("width and height")."""
    for phrase, name in countable:
        if name == first:
            continue
        m = re.compile(rf"{_PAIRED}{phrase_re(phrase)}{_TOGETHER}(?![a-z0-9])").match(t.text, at)
        if not m or any(t.used[m.start() : m.end()]):
            continue
        # "width and height" is an image's size, "sampler and style combinations" or "width x height"
        # one value; "distinct samplers and styles" two counts, and "samplers by tier" a grouping
        joiner = m[0].split()[0]
        if {first, name} == {"width", "height"} or m[1] or joiner in ("x", "&", "/"):
            return m, name
        if joiner == "and":
            raise CannotAnswer(
                f"'{m[0].strip()}' after a distinct count could be a second count or pairs counted "
                f"together: ask for one count at a time, or for the '{layer.dimensions[first].label} and "
                f"{layer.dimensions[name].label} combinations'.",
                unread=tuple(m[0].split()),
            )
    return None
