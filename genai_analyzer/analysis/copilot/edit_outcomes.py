"""An edit's own figures ("median seconds since the previous generation by edit type"), what
followed a prompt edit, by edit type, and how ideas end (docs/refinement.md): the rates
of ``refinement.edit_type_mix`` ("success rate of the edited generation by edit type", "which edit
type most often ends the session on a failure", "what share of each edit type's generations became
a kept image") and the kept share of ideas ("what share of ideas end in a kept image"), from
``fct_prompt_edits`` and ``fct_generation_ideas`` (the one definition of a kept image).

Each reader consumes the words it reads from the question (``QuestionText``) and returns
(sql, reading), or None when the question is not one of these; behaviour.py accounts for the rest.
"""

from __future__ import annotations

import re

from genai_analyzer.analysis.copilot.spec import CannotAnswer
from genai_analyzer.analysis.copilot.text import QuestionText
from genai_analyzer.analysis.semantic import literal

FAILED = r"(?:a )?(?:failed|failing|unsuccessful) (?:generation|image)|(?:a )?failure"
KEPT = r"(?:a )?kept images?|(?:a )?keepers?"
# rate -> (the words that name it, the condition on an edit's row)
RATES = {
    "success_rate": (
        r"success rate|(?:share|fraction|proportion) (?:of (?:its |their )?generations )?(?:that |which )?"
        r"succeed(?:ed|s)?",
        "e.status = 'success'",
    ),
    "kept_rate": (
        rf"kept rate|keep rate|(?:share|fraction|proportion) of (?:its |their |the )?generations? "
        rf"(?:that |which )?(?:became|become|becomes|ended as|end as|are|were) (?:{KEPT})",
        "k.is_kept",
    ),
    "abandonment_rate": (
        rf"abandonment rate|abandon rate|(?:most often |most |least often )?ends? the session "
        rf"on (?:{FAILED})",
        "e.session_seq = s.n_generations AND e.status <> 'success'",
    ),
}
BY_TYPE = r"(?:by|per|for each|for every|of each|across) (?:the )?(?:prompt )?edit types?"
WHICH_TYPE = r"(?:which|what) (?:prompt )?edit type"
EDITED = r"(?:of|for) (?:the )?(?:edited|edit(?:'s)?) generations?|"
EDITED += r"(?:of|for) (?:the )?generations? (?:after|of) (?:an |the |each )?edits?"


def outcome_rate(t: QuestionText, where: list[str], keys: list[str], by_tier: bool) -> tuple[str, str] | None:
    """ "success rate of the edited generation, by edit type": one rate of what followed each edit
    type; "which edit type ... highest" the first of them."""
    found = [name for name, (words, _) in RATES.items() if any(True for _ in t.find(words))]
    if len(found) != 1:
        return None
    name = found[0]
    by_type, which = t.take_first(BY_TYPE), t.take_first(WHICH_TYPE)
    if not (by_type or which):
        return None
    while t.take_first(RATES[name][0]):
        pass
    t.take_first(EDITED)
    t.take_first(r"its|their")
    order = "DESC"
    if which:
        if t.take_first(r"(?:the )?(?:lowest|least often|least)"):
            order = "ASC"
        elif not t.take_first(r"(?:the )?(?:highest|most often|most)"):
            raise CannotAnswer(f"Which edit type: the highest {name.replace('_', ' ')} or the lowest?")
        if by_tier:
            raise CannotAnswer("The first edit type per tier is not read yet: ask for one tier.")
    source = "fct_prompt_edits e"
    source += " JOIN dim_users u ON u.user_id = e.user_id" if where or keys else ""
    source += (
        " JOIN fct_generation_ideas k ON k.generation_id = e.generation_id" if name == "kept_rate" else ""
    )
    source += " JOIN dim_sessions s ON s.session_id = e.session_id" if name == "abandonment_rate" else ""
    select = ", ".join(
        [*keys, "e.edit_type", f"avg(CASE WHEN {RATES[name][1]} THEN 1.0 ELSE 0.0 END) AS {name}"]
    )
    sql = f"SELECT {select} FROM {source}" + (f" WHERE {' AND '.join(where)}" if where else "")
    sql += " GROUP BY ALL ORDER BY " + ("tier, " if keys else "")
    sql += f"{name} {order}, e.edit_type LIMIT 1" if which else "e.edit_type"
    reading = f"{name.replace('_', ' ').capitalize()} of the edited generation, by edit type"
    return sql, reading + ("; the highest" if order == "DESC" else "; the lowest") * bool(which)


IDEA_SHARE = (
    rf"(?:what )?(?:the )?(?:share|fraction|proportion|percentage|percent|%) of (?:(?:the|all|their) )?ideas "
    rf"(?:that |which )?(?:end|ends|ended|ending) (?:in|with|on|up with|as) (?:{KEPT})"
)


def kept_share_of_ideas(t: QuestionText, tiers: list[str], by_tier: bool) -> tuple[str, str]:
    """ "what share of ideas end in a kept image": kept ideas over ideas (an idea ends once)."""
    t.take_first(IDEA_SHARE)
    keys = ["u.tier AS tier"] if by_tier else []
    source = "fct_generation_ideas k"
    if tiers or by_tier:
        source += " JOIN fact_generations f USING (generation_id) JOIN dim_users u ON u.user_id = f.user_id"
    where = ["k.ends_idea"] + ([f"u.tier IN ({', '.join(literal(v) for v in tiers)})"] if tiers else [])
    select = ", ".join([*keys, "avg(CASE WHEN k.is_kept THEN 1.0 ELSE 0.0 END) AS kept_share"])
    sql = f"SELECT {select} FROM {source} WHERE {' AND '.join(where)}"
    sql += " GROUP BY ALL ORDER BY tier" if by_tier else ""
    return sql, "Share of ideas that end in a kept image (fct_generation_ideas)"


# Figures of an edit (docs/refinement.md's columns of fct_prompt_edits) and their aggregates.
EDIT_FIGURES = {
    "similarity": r"(?:prompt )?similarity(?: jaccard)?",
    "seconds_since_previous": r"(?:seconds|time) (?:since|after|from) (?:the )?previous "
    r"(?:generation|prompt)|time between generations",
}
AGGREGATES = {"median": "median", "mean": "avg", "average": "avg", "avg": "avg"}


def edit_figure(t: QuestionText, where, source, keys) -> tuple[str, str] | None:
    """ "median seconds since the previous generation, by edit type", "mean prompt similarity for
    each edit type": an edit's own figure, aggregated (by edit type, by tier)."""
    for column, pattern in EDIT_FIGURES.items():
        m = t.take_first(rf"(?:the )?(median|mean|average|avg) (?:{pattern})")
        if m is None:
            continue
        word = re.search(r"median|mean|average|avg", m).group(0)
        by_type = t.take_first(
            r"(?:by|per|for each|for every|across|of each) (?:the )?(?:edit )?types?(?: of edits?)?"
        )
        group = ["e.edit_type"] if by_type else []
        name = f"{word}_{column}"
        select = ", ".join([*keys, *group, f"{AGGREGATES[word]}(e.{column}) AS {name}"])
        sql = f"SELECT {select} FROM {source}" + (f" WHERE {' AND '.join(where)}" if where else "")
        if keys or group:
            sql += " GROUP BY ALL ORDER BY " + ", ".join((["tier"] if keys else []) + group)
        by = " by edit type" if by_type else ""
        return sql, f"{word.capitalize()} {column.replace('_', ' ')} of prompt edits{by}"
    return None
