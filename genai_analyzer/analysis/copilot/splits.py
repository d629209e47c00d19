"""Named values compared side by side: one row per value ("free vs pro"), or a two-way split when
a side is a group of values ("free vs paying users", "enterprise vs everyone else")."""

from __future__ import annotations

from genai_analyzer.analysis.copilot.spec import QuerySpec
from genai_analyzer.analysis.copilot.text import QuestionText


def segment_comparison(values: dict[str, list[str]], t: QuestionText, spec: QuerySpec) -> None:
    """ "compare error rate between free and pro users": one row per named value."""
    if not t.has(r"compare|compared|comparison|vs|versus|than|between|difference|against"):
        return
    rest = r"(?:vs\.?|versus|compared (?:to|with)|against|and) "
    rest += r"(the rest|everyone else|everybody else|(?:all )?(?:the )?others|"
    rest += r"all other [a-z]+s|other [a-z]+s)"
    for dim, groups in spec.groups.items():
        if len(groups) == 1 and dim in spec.filters:
            for m in t.find(rest):  # "enterprise vs everyone else": the complement is the other side
                t.take(m)
                others = [v for v in values.get(dim, []) if v not in groups[0][1]]
                groups.append([m.group(1), others])
                spec.filters[dim] = list(values.get(dim, []))
        if len(groups) >= 2 and any(len(values) > 1 for _, values in groups):
            spec.splits[dim] = groups  # a two-way split: one row per group, not per value
    for dim, values in spec.filters.items():
        if len(values) >= 2 and dim not in spec.dimensions:
            spec.dimensions.append(dim)
            spec.compare = False
