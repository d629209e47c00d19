"""Prompts by their text (blind set 34, a prompt-text analyst): "how many generations used a prompt
that mentions 'dragon'", "failure rate of generations whose prompt contains the word 'portrait'",
"what share of generations had 'greg rutkowski' in the prompt".

The words searched for are said in quotes (or as "the word X"), and kept as written: they are lifted
out of the question before anything else reads it (a quoted "8k" is no number, a quoted "rev" no
revenue), and become a condition on the prompt's text: it contains them, in any case, anywhere
(``p.prompt ILIKE '%dragon%'``, so 'dragon' also finds "dragonfly", as the reading says). Words
about prompt text that say no quoted term ("prompts about dragons", "prompts that mention a
color") are left for the rest of the parser, which declines what it cannot read.
"""

from __future__ import annotations

import re

from genai_analyzer.analysis.semantic import literal

# the prompt, said before the words: "a prompt that mentions", "whose prompt contains the word",
# "prompts including", "the prompt text has"
_PROMPT = (
    r"(?:(?:when|where|if|that|which|who) )?"
    r"(?:(?:used|use|uses|using|had|has|have|with|for|typed|type|types|entered|wrote|submitted) )?"
    r"(?:(?:a|the|their|its|whose) )?(prompts?)(?: text)?"
)
_VERB = (
    r"(?:(?:that|which) )?(?:mentions?|mentioning|mentioned|contains?|containing|contained|includes?|"
    r"including|included|has|have|having|with|says?|saying|uses?|using|matching|matches|match)"
)
_TERM = (
    r"(?:the (?:word|words|phrase|term|keyword|text|string) )?"
    r"(?:'([^']{1,80})'|\"([^\"]{1,80})\"|“([^”]{1,80})”|‘([^’]{1,80})’)"
)
_BARE = r"the (?:word|term|keyword) ([A-Za-z][A-Za-z0-9-]{1,40})(?![A-Za-z0-9'-])"
_PATTERNS = (
    # "a prompt that mentions 'dragon'", "whose prompt contains the word 'portrait'"
    re.compile(rf"\b{_PROMPT} {_VERB} (?:{_TERM}|{_BARE})", re.I),
    # "with 'cyberpunk' in the prompt", "'greg rutkowski' in their prompts", "somewhere in the prompt"
    re.compile(
        rf"()(?:\b(?:with|having|had|has|have|using|used) )?(?:{_TERM}|{_BARE}) "
        r"(?:(?:somewhere|anywhere) )?in (?:the |their |its |a )?prompts?(?: text)?\b",
        re.I,
    ),
)


_COUNTED = r"(?:how many|number of|count of|count|distinct|unique|different)\s*$"


def lift(question: str) -> tuple[str, list[str]]:
    """(the question without the phrases naming quoted prompt words, the words searched for, as
    written)."""
    terms: list[str] = []
    for pattern in _PATTERNS:
        while m := pattern.search(question):
            term = next(g for g in m.groups()[1:] if g)
            if term.strip().lower() not in (t.lower() for t in terms):
                terms.append(term.strip())
            # "how many prompts contain 'castle'": the prompts are still what is counted
            counted = re.search(_COUNTED, question[: m.start()], re.I) and m.start(1) == m.start()
            kept = m.group(1) if counted else ""
            question = f"{question[: m.start()]} {kept} {question[m.end() :]}"
    return re.sub(r"\s+", " ", question).strip(), terms


def condition(terms: list[str], expression: str) -> str:
    """The SQL condition that ``expression`` (the prompt text) contains every term, in any case."""
    parts = []
    for term in terms:
        pattern = "%" + term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        parts.append(f"{expression} ILIKE {literal(pattern)} ESCAPE '\\'")
    return " AND ".join(parts)


def describe(terms: list[str]) -> str:
    """The reading's words for the condition."""
    said = " and ".join(f"'{t}'" for t in terms)
    return f"only prompts containing {said} (anywhere in the text, in any case)"
