"""Behaviour questions: the session funnel, cohort retention and prompt edits.

These answers are not one metric over one grain, so the parser's QuerySpec does not hold them;
each is read here with a small grammar of its own and answered with the SQL of the module that
defines it, so that the copilot and the Analytics views cannot disagree:

- **funnel** ("where do free users drop off", "funnel by tier", "how many sessions reach a kept
  image"): the semantic layer's funnel, counted by ``analysis.funnel.funnel_query``;
- **retention** ("retention of pro users by week", "weekly retention by tier"): first-seen weekly
  cohorts, counted by ``analysis.cohorts.retention_query``;
- **edits** ("which modifiers are added most before a success", "most common edit type", "re-roll
  share by tier"): ``fct_prompt_edits`` (docs/refinement.md).

The rule of the parser holds: a question is routed here only by a word only these answers read
(funnel, drop off, retention, edit, modifier, re-roll, ...), and every other word is read or the
question is declined, naming the words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from genai_analyzer.analysis.cohorts import activity_query, lifecycle_query, retention_query
from genai_analyzer.analysis.copilot import lifetimes
from genai_analyzer.analysis.copilot.accounting import account_for_words
from genai_analyzer.analysis.copilot.edit_outcomes import (
    IDEA_SHARE,
    edit_figure,
    kept_share_of_ideas,
    outcome_rate,
)
from genai_analyzer.analysis.copilot.funnel_steps import between
from genai_analyzer.analysis.copilot.spec import CannotAnswer, NeedsClarification
from genai_analyzer.analysis.copilot.text import QuestionText
from genai_analyzer.analysis.filters import Filters, inline
from genai_analyzer.analysis.funnel import funnel_query
from genai_analyzer.analysis.semantic import SemanticLayer, literal

FUNNEL = r"(?:session |conversion )?funnel|drop(?:s|ped|ping)? ?-?off|drop-?offs?|dropoffs?"
FUNNEL += r"|conversion(?= (?:rate )?from)"  # "conversion from a success to a kept image"
RETENTION = r"(?:weekly |cohort )?retention|retained"
EDITS = r"edits?|edit types?|modifiers?|re-?rolls?|re-?rolled|re-?rolling|terms? (?:added|removed)"
# "how many sessions reach a kept image": a funnel step reached (the step's words: the layer's)
ALL_THE_WAY = r"(?:make|makes|made|go|goes|went|get|gets|got) (?:it )?(?:all the|the whole) (?:way|distance) "
ALL_THE_WAY += r"(?:(?:through|to) the funnel )?to"  # "through" reads as "to"
REACH_VERBS = rf"reach(?:es|ed)?|get to|gets to|got to|make it to|makes it to|{ALL_THE_WAY}"
REACH = (
    rf"(?:{REACH_VERBS}) (?:the |a |an )?(?:step )?"
    r"(?:kept|keep|keeping|refined|refinement|succeeded|successful|success|started|first generation)"
)
SHARE = r"share|rate|fraction|proportion|percentage|percent|%"
EDIT_TYPES = {"re_roll": r"re-?rolls?|re rolls?", "settings_only": r"settings[- ]only(?: edits?)?",
              "new_idea": r"new ideas?", "subject_changed": r"subject changes?|changed subjects?",
              "modifiers_added": r"modifiers? added", "modifiers_removed": r"modifiers? removed",
              "modifiers_changed": r"modifiers? changed"}  # fmt: skip
TYPE_SHARE = "|".join(
    rf"(?:(?:{SHARE}) of (?:edits that are )?(?:{p})|(?:{p}) (?:{SHARE}))" for p in EDIT_TYPES.values()
)  # "re-roll share", "share of new ideas": one edit type's share of the edits
# The weekly lifecycle and activity per user (docs/cohorts.md): a user's state in a week, and the
# median week of an active user.
STATES = ("new", "returning", "resurrected", "dormant")
MEDIAN_PER_USER = r"(?:the )?median (?:number of )?(?:generations|images) per (?:active )?user"
# "generations per known active user, week by week": the Cohorts view's figure (known users only);
# "per active user" alone could be it or the layer's generations per user (every user, the unknown
# one too): asked. Routed here only with a week named (MEAN_WEEKLY).
PER_ACTIVE_USER = r"per (?:known (?:active )?|active )user"
MEAN_PER_USER = rf"(?:the )?(?:(?:mean|average) (?:number of )?)?(?:generations|images) {PER_ACTIVE_USER}"
STATE = rf"(?:active|{'|'.join(STATES)})"
LISTED = rf"(?:{STATE}(?:,? and |, | ))+{STATE}(?: users)?"  # "new, returning and dormant users"
LIFECYCLE = rf"{LISTED}|(?:{'|'.join(STATES)}) users|resurrected|dormant|(?:weekly )?lifecycle"
TRIGGER = re.compile(
    rf"(?<![a-z])(?:{FUNNEL}|{RETENTION}|{EDITS}|{REACH}|{TYPE_SHARE}|{LIFECYCLE}|{IDEA_SHARE}|{lifetimes.LIFETIME})"
    r"(?![a-z])"
)
BY_TIER = r"(?:by|per|for each|across|split by|broken down by) (?:user |the )?(?:tiers?|plans?)"
BY_WEEK = r"(?:by|per|each|every|over|for each) (?:the )?weeks?|weekly|week by week|week over week"


@dataclass
class BehaviourAnswer:
    sql: str
    reading: str
    context: dict | None = None  # what a follow-up refines (behaviour_followups.py)
    # its rows are sessions (dim_sessions) with per-session lookups only: the filter bar's scope
    # narrows it exactly as it narrows the funnel view (copilot/scope.py); the tiers it keeps
    sessions_only: bool = False
    tiers: tuple[str, ...] = ()


def _known_only(t: QuestionText) -> QuestionText:
    return lifetimes.known_only(t, lambda fresh: lifetimes.asks(fresh) or fresh.has(LIFECYCLE))


MEAN_WEEKLY = re.compile(rf"(?<![a-z])(?:{MEAN_PER_USER}|{MEDIAN_PER_USER})(?![a-z])")
WEEK_WORDS = re.compile(rf"(?<![a-z])(?:{BY_WEEK}|(?:each|every|per|a) week)(?![a-z])")


def routes_here(question: str) -> bool:
    """Whether a word of ``question`` names the funnel, retention, prompt edits or a lifetime (or
    generations per active user with a week named: the Cohorts view's weekly figure; without a week
    it is the layer's figure over users, nested.py)."""
    text = _known_only(QuestionText(question)).text
    return TRIGGER.search(text) is not None or bool(MEAN_WEEKLY.search(text) and WEEK_WORDS.search(text))


def answer(
    question: str,
    layer: SemanticLayer,
    values: dict[str, list[str]],
    vocabulary: set[str],
    *,
    tiers: list[str] | None = None,
    by_tier: bool = False,
) -> BehaviourAnswer:
    """The SQL and reading of a behaviour question; ``CannotAnswer`` for what is not read whole.
    ``tiers`` (in place of those the question names) and ``by_tier``: a follow-up's changes."""
    t = _known_only(QuestionText(question))
    named, tier_words = _tiers(t, layer, values)
    split = next(t.find(BY_TIER), None)  # the columns follow the question: "per week, by tier"
    week = WEEK_WORDS.search(t.text)
    week_first = bool(week and (split is None or week.start() < split.start()))  # a follow-up splits last
    if split is not None:
        t.take(split)
    by_tier = split is not None or by_tier
    tier_words = tier_words if not tiers or tiers == named else "the follow-up"
    tiers = tiers or named
    sessions_only = t.has(FUNNEL) or _step(t, layer) is not None
    if sessions_only:
        out = _funnel(t, layer, tiers, by_tier)
    elif t.has(RETENTION):
        out = _retention(t, tiers, by_tier)
    elif lifetimes.asks(t):  # "new users per month", "share of users who came back on a later day"
        out = BehaviourAnswer(*lifetimes.read(t, tiers, by_tier, layer))
    elif t.has(LIFECYCLE) or t.has(MEAN_PER_USER) or t.has(MEDIAN_PER_USER):
        out = _lifecycle(t, tiers, by_tier, week_first)
    elif t.has(IDEA_SHARE):
        out = BehaviourAnswer(*kept_share_of_ideas(t, tiers, by_tier))
    else:
        out = _edits(t, tiers, by_tier)
    account_for_words(vocabulary, t)
    reading = out.reading + (f"; only tier {', '.join(tiers)} ({tier_words})" if tiers else "")
    reading += ("; by tier" if by_tier else "") + "; all dates"
    return BehaviourAnswer(out.sql, reading, sessions_only=sessions_only, tiers=tuple(tiers or ()))


# --- the parts every kind reads --------------------------------------------------------------


def _tiers(t: QuestionText, layer: SemanticLayer, values) -> tuple[list[str], str]:
    """Tiers named ("free users", "the pro tier", "paying users"), and the words that named them."""
    noun = r"(?: tier| plan)?(?: users?| people| customers| accounts| sessions?)?"
    named = [(str(v), [str(v)]) for v in values.get("tier", [])]
    named += [
        (p, list(s["values"])) for s in layer.segments if s["dimension"] == "tier" for p in s["phrases"]
    ]
    for phrase, tiers in sorted(named, key=lambda n: -len(n[0])):
        for m in t.find(rf"(?:(?:for|of|among|from) )?(?:the )?{re.escape(phrase)}{noun}"):
            t.take(m)
            return tiers, m.group(0).strip()
    return [], ""


# --- the session funnel ----------------------------------------------------------------------


def _step(t: QuestionText, layer: SemanticLayer, take: bool = False) -> int | None:
    """ "reach a kept image", "get to a successful generation": the funnel step named (1-based)."""
    steps = layer.funnels["session"].steps
    phrases = sorted(
        ((p, i) for i, s in enumerate(steps, 1) for p in (s.name, *s.synonyms)), key=lambda pi: -len(pi[0])
    )
    verbs = rf"{REACH_VERBS}|end with|ends with|end on"
    for phrase, number in phrases:
        named = re.escape(phrase).replace("\\ ", "[ -]")  # "the kept-image step"
        for m in t.find(rf"(?:{verbs}) (?:the )?(?:step )?{named}(?: step)?"):
            if take:
                t.take(m)
            return number
    return None


def _funnel(t: QuestionText, layer: SemanticLayer, tiers: list[str], by_tier: bool) -> BehaviourAnswer:
    spec = layer.funnels["session"]
    period = None
    for grain in ("day", "week", "month"):
        if t.take_first(
            rf"(?:(?:by|per|each|every|for each) (?:the )?{grain}s?|{'dai' if grain == 'day' else grain}ly)"
            + r"(?: (?:the |a )?sessions? (?:started|began|was started))?",
        ):
            period = grain
    sql, params = funnel_query(
        Filters(tiers=tiers or None), by="tier" if by_tier else "none", period=period or "none", layer=layer
    )
    wide = inline(sql, params)
    keys = (["grp AS tier"] if by_tier else []) + ([f"period AS {period}"] if period else [])
    order = ", ".join(["grp"] * by_tier + ["period"] * bool(period))
    if figure := between(t, spec.steps):  # "drop-off rate at the refine step", "conversion from X to Y"
        t.take_first(rf"(?:of|in) (?:the )?(?:{FUNNEL})|{FUNNEL}")
        tail = f" ORDER BY {order}" if order else ""
        return BehaviourAnswer(
            f"WITH wide AS ({wide})\nSELECT {', '.join([*keys, figure[0]])} FROM wide{tail}", figure[1]
        )
    step = _step(t, layer, take=True)
    if step is not None:  # "how many sessions reach a kept image": that step's count
        t.take_first(r"how many sessions|(?:the )?number of sessions|how many")
        t.take_first(rf"(?:of|in) (?:the )?(?:{FUNNEL})")  # "the kept step of the session funnel"
        select = ", ".join([*keys, f"reached_{step} AS sessions"])
        name = spec.steps[step - 1]
        return BehaviourAnswer(
            f"WITH wide AS ({wide})\nSELECT {select} FROM wide" + (f" ORDER BY {order}" if order else ""),
            f"Sessions reaching the session funnel's step '{name.name}' ({name.label}) and the steps before",
        )
    t.take_first(FUNNEL)
    # "how many sessions reach each step of the funnel": every step's count, the funnel itself
    if t.take_first(r"(?:reach(?:es)?|gets? to|makes? it to) (?:each|every) step(?: of)?(?: the)?"):
        t.take_first(r"how many")
    most = t.take_first(r"(?:lose|loses|lost|shed|sheds|drop|drops) the most(?: sessions| people| users)?")
    t.take_first(r"where do(?:es)?|where did|at (?:which|what) step|which step|where")
    t.take_first(r"bail(?:s|ed)?(?: out)?(?: of)?(?: the)?")  # "where do free users bail out of the funnel"
    t.take_first(r"sessions?|users?|people|customers")
    parts = []
    for i, s in enumerate(spec.steps, 1):
        previous = f"reached_{i - 1}" if i > 1 else None
        parts.append(
            f"SELECT grp, period, {i} AS step_number, {literal(s.name)} AS step, "
            f"{literal(s.label)} AS label, "
            f"reached_{i} AS sessions, reached_{i} / nullif(reached_1, 0) AS share_of_first, "
            + (
                f"{previous} - reached_{i} AS dropped, ({previous} - reached_{i}) / nullif({previous}, 0)"
                if previous
                else "0 AS dropped, CAST(NULL AS DOUBLE)"
            )
            + " AS drop_off_rate FROM wide"
        )
    select = ", ".join(
        [*keys, "step_number", "step", "label", "sessions", "share_of_first", "dropped", "drop_off_rate"]
    )
    sql = (
        f"WITH wide AS ({wide}),\nsteps AS (\n  " + "\n  UNION ALL ".join(parts) + "\n)\n"
        f"SELECT {select} FROM steps ORDER BY {order + ', ' if order else ''}step_number"
    )
    if most:  # "which step of the funnel loses the most sessions": the largest drop
        if order:
            raise CannotAnswer("The step losing the most per group is not read yet: ask per group.")
        sql = sql.replace("ORDER BY step_number", "WHERE step_number > 1 ORDER BY dropped DESC, step LIMIT 1")
        return BehaviourAnswer(sql, "The session funnel's step losing the most sessions (dropped before it)")
    reading = "Session funnel: sessions reaching each step, how many dropped before it, the drop-off rate"
    return BehaviourAnswer(sql, reading + (f"; by {period} started" if period else ""))


# --- retention -------------------------------------------------------------------------------


def _retention(t: QuestionText, tiers: list[str], by_tier: bool) -> BehaviourAnswer:
    if t.has(r"sign ?-?ups?|signed up|daily|monthly|by (?:the )?(?:day|month)s?|per (?:day|month)"):
        raise CannotAnswer(
            "Retention is counted in weeks from the week a user was first seen; ask e.g. 'weekly "
            "retention by tier' (signup cohorts are in the Analytics tab's Cohorts view).",
            ("weekly retention", "retention of pro users by week", "retention by tier"),
        )
    nth = next(t.find(r"week[- ]?(\d+) retention"), None)  # "week-2 retention": that week since only
    if nth is not None:
        t.take(nth)
    while t.take_first(RETENTION):  # "weekly retention ...: for each cohort week ..., the retention"
        pass
    t.take_first(
        r"(?:for )?(?:each|every) cohort(?: week)?(?:,? and (?:the )?weeks? since)?",
    )
    # "of the users first seen in the week of 2025-09-01": one cohort, the week holding that day
    one = next(
        t.find(
            r"(?:of |for )?(?:the )?(?:users|people|those|cohort) (?:who were |that were )?first seen "
            r"(?:in )?(?:the )?week (?:of|starting|beginning) (\d{4}-\d{2}-\d{2})"
        ),
        None,
    )
    cohort = None
    if one is not None:
        t.take(one)
        day = date.fromisoformat(one.group(1))
        cohort = day - timedelta(days=day.weekday())
        t.take_first(r"(?:by|per|for each) (?:the )?weeks? since (?:they were |it was )?first seen")
    t.take_first(BY_WEEK)
    t.take_first(r"(?:by|per|for each) (?:the )?(?:first[- ]seen )?(?:week )?cohorts?|cohorts?")
    sql, params = retention_query(None, Filters(tiers=tiers or None), by="tier" if by_tier else "none")
    keys = ["grp AS tier"] if by_tier else []
    columns = ["cohort", "cohort_users", "weeks_since", "week", "active_users"]
    select = ", ".join([*keys, *columns, "active_users / cohort_users AS retention"])
    kept = ([f"cohort = DATE '{cohort.isoformat()}'"] if cohort else []) + (
        [f"weeks_since = {nth[1]}"] if nth else []
    )
    where = f" WHERE {' AND '.join(kept)}" if kept else ""
    return BehaviourAnswer(
        f"WITH retained AS ({inline(sql, params)})\nSELECT {select} FROM retained{where} "
        "ORDER BY grp, cohort, weeks_since",
        "Weekly retention: per cohort of users first seen the same week, the share active each week after"
        + (f"; only the cohort of the week of {cohort}" if cohort else "")
        + (f"; only week {nth[1]} since first seen" if nth else ""),
    )


# --- the weekly lifecycle and activity per user -----------------------------------------------


def _lifecycle(t: QuestionText, tiers: list[str], by_tier: bool, week_first: bool = False) -> BehaviourAnswer:
    """ "how many new users were there each week", "dormant users by week", "the median number of
    generations per active user, week by week": ``cohorts.lifecycle_query`` / ``activity_query``,
    weekly only (a user's state is a week's)."""
    filters = Filters(tiers=tiers or None)
    by = "tier" if by_tier else "none"
    keys = ["grp AS tier"] if by_tier else []
    where = ""
    if t.take_first(MEDIAN_PER_USER):
        sql, params = activity_query(filters, by=by)
        columns, reading = ["median_generations_per_user"], "Median generations per active user, per week"
    elif mean := t.take_first(MEAN_PER_USER):  # the view's generations / active users, weeks with any
        if "known" not in mean:  # every user, or known users only as in the Cohorts view?
            readings = (f"generations per {who} user" for who in ("", "known active"))
            raise NeedsClarification(
                "Per active user counts every user in the semantic layer, known users only in the "
                "Cohorts view (the unknown user collects anonymous rows): which?",
                tuple(" ".join(t.text.replace(mean, r).split()) for r in readings),
            )
        sql, params = activity_query(filters, by=by)
        columns = ["generations / active_users AS generations_per_user"]
        reading, where = "Generations per active user (known users), per week", " WHERE active_users > 0"
    else:
        # "new, returning and dormant users": each state listed, in the order named
        listed = next(t.find(LISTED), None)
        if listed is not None:
            t.take(listed)
            states = re.findall(rf"active|{'|'.join(STATES)}", listed.group(0))
        else:
            states = [s for s in STATES if t.take_first(rf"{s}(?: users)?")][:1]
        t.take_first(r"(?:weekly )?lifecycle(?: of users)?:?")
        if not states:
            raise CannotAnswer(
                "The weekly lifecycle counts new, returning, resurrected and dormant users: say which, "
                "e.g. 'new users each week'.",
                ("new users each week", "dormant users by week"),
            )
        sql, params = lifecycle_query(filters, by=by)
        columns = [f"{state}_users" for state in states]
        reading = f"{', '.join(states).capitalize()} users per week (docs/cohorts.md: the weekly lifecycle)"
    if not t.take_first(rf"{BY_WEEK}|(?:in |for )?(?:each|every|a|per) week"):
        raise CannotAnswer(
            "The lifecycle is counted week by week: ask e.g. 'new users each week'.",
            ("new users each week", "median number of generations per active user by week"),
        )
    t.take_first(r"how many|(?:the )?number of")
    select = ", ".join(["week", *keys, *columns] if week_first else [*keys, "week", *columns])
    sql = f"WITH weekly AS ({inline(sql, params)})\nSELECT {select} FROM weekly{where} ORDER BY grp, week"
    return BehaviourAnswer(sql, reading)


# --- prompt edits ----------------------------------------------------------------------------


def _edits(t: QuestionText, tiers: list[str], by_tier: bool) -> BehaviourAnswer:
    where = [f"u.tier IN ({', '.join(literal(v) for v in tiers)})"] if tiers else []
    source = "fct_prompt_edits e" + (" JOIN dim_users u USING (user_id)" if tiers or by_tier else "")
    keys = ["u.tier AS tier"] if by_tier else []
    if m := next(
        t.find(
            r"(?:(?:which|what|the) )?(?:(?:top )?(\d+) )?(modifiers?|terms?) (?:that )?(?:do )?"
            r"(?:people |users |are |is |get |gets |were )?(add|added|adds|adding|remove|"
            r"removed|removes|removing)"
        ),
        None,
    ):
        return _terms(t, m, where, source, keys, by_tier)
    if figure := edit_figure(t, where, source, keys):
        return BehaviourAnswer(*figure)
    if rate := outcome_rate(t, where, keys, by_tier):  # "success rate ... by edit type"
        return BehaviourAnswer(*rate)
    for name, pattern in EDIT_TYPES.items():  # "re-roll share by tier": one type's share of the edits
        m = t.take_first(
            rf"(?:what )?(?:(?:the )?(?:{SHARE}) of (?:edits that are |(?:all |the )?(?:prompt )?edits "
            rf"(?:that )?(?:are|were|is|was) (?:just |only |simply )?)?(?:{pattern})"
            rf"|(?:{pattern}) (?:{SHARE})(?: of (?:all |the )?(?:prompt )?edits)?)",
        )
        if m:
            select = ", ".join(
                [*keys, f"avg(CASE WHEN e.edit_type = {literal(name)} THEN 1.0 ELSE 0.0 END) AS {name}_share"]
            )
            sql = f"SELECT {select} FROM {source}" + (f" WHERE {' AND '.join(where)}" if where else "")
            sql += " GROUP BY ALL ORDER BY tier" if by_tier else ""
            return BehaviourAnswer(sql, f"Share of prompt edits that are {name.replace('_', ' ')}s")
    kind = r"(?:(?:(?:of|for) )?(?:each |every )?(?:prompt )?edit types?(?: counts?)?|"
    kind += r"(?:types?|kinds?) of (?:prompt )?edits?|"
    kind += r"(?:prompt )?edits? (?:by|per) (?:edit )?type)"
    t.take_first(r"break(?:s|ing)? down|breakdown(?: of)?")  # "break down prompt edits by edit type"
    # "how many prompt edits are there of each edit type, and what share of all edits is each"
    t.take_first(r"how many (?:prompt )?edits(?: are there)?")
    t.take_first(r"(?:and )?(?:what|the|their) shares? of (?:all |the )?(?:prompt )?edits(?: is each| each)?")
    # "with each type's count and share of all edits": the columns the mix has
    t.take_first(
        r"with (?:each type(?:'s)? |their |the )?counts? and (?:their |its )?shares?"
        r"(?: of (?:all |the )?edits)?",
    )
    t.take_first(
        r"(?:when|as) (?:people|users) (?:change|edit|tweak|modify) (?:their )?prompts?"
        r"(?: mid-?session| mid session| (?:within|during|in) (?:a|the) session)?",
    )
    shows = r"(?:(?:shows? up|appears?|occurs?|comes? up|happens?) (?:the )?most(?: often)?|"
    shows += r"(?:is|was) (?:the )?most (?:common|frequent|popular))"
    if t.take_first(
        rf"(?:the )?(?:most|least) (?:common|frequent|popular|used) {kind}|(?:which|what) {kind} {shows}"
    ):
        top = 1
    elif t.take_first(rf"(?:how many )?{kind}|(?:the )?mix of {kind}"):
        top = None
    else:
        raise CannotAnswer(
            "I answer questions on prompt edits like 'most common edit type', 're-roll share by tier' "
            "or 'which modifiers are added most before a success'.",
            (
                "most common edit type",
                "re-roll share by tier",
                "which modifiers are added most before a success",
            ),
        )
    partition = " PARTITION BY u.tier" if by_tier else ""
    select = ", ".join(
        [
            *keys,
            "e.edit_type",
            "count(*) AS edits",
            f"count(*) / sum(count(*)) OVER ({partition.strip()}) AS share",
        ]
    )
    sql = f"SELECT {select} FROM {source}" + (f" WHERE {' AND '.join(where)}" if where else "")
    # the groups named: DuckDB's GROUP BY ALL cannot group a window over the tier ("edit types by tier")
    sql += " GROUP BY " + ("u.tier, " if by_tier else "") + "e.edit_type ORDER BY "
    sql += ("tier, " if by_tier else "") + "edits DESC, edit_type"
    if top:
        if by_tier:
            raise CannotAnswer(
                "The most common edit type per tier: ask 'edit types by tier' and read each tier's first row."
            )
        sql += f" LIMIT {top}"
    return BehaviourAnswer(sql, "Prompt edits by type, with each type's share" + ("; top 1" if top else ""))


def _terms(t, m, where, source, keys, by_tier) -> BehaviourAnswer:
    """ "which modifiers are added most before a success": the terms added (removed) in modifier
    edits, counted; "before a success" keeps the edits whose generation succeeded."""
    t.take(m)
    added = m.group(3).startswith("add")
    column, types = (
        ("terms_added", "'modifiers_added', 'modifiers_changed'")
        if added
        else ("terms_removed", "'modifiers_removed', 'modifiers_changed'")
    )
    # "in edits that only add modifiers": that one edit type, not the changed ones too
    if only := t.take_first(
        r"(?:in )?(?:the )?edits? (?:that|which) only (add|remove)s? (?:modifiers?|terms?)"
    ):
        types = "'modifiers_added'" if "add" in only else "'modifiers_removed'"
    where = [f"e.edit_type IN ({types})", *where]
    success = t.take_first(
        r"(?:right |just )?before (?:a |an )?(?:success|successful (?:generation|image))|"
        r"(?:that |which )?(?:led|lead|leads) to (?:a |an )?(?:success|successful (?:generation|image))",
    )
    if success:
        where.append("e.status = 'success'")
    ranked = t.take_first(
        r"(?:the )?(?:most often|most frequently|most commonly|the most|most)|(?:the )?most common|"
        r"(?:the )?most popular",
    )
    if by_tier:
        raise CannotAnswer(
            "Terms ranked per tier are not read yet: ask for one tier, e.g. 'which modifiers "
            "do pro users add most'."
        )
    if not (ranked or m.group(1)):
        raise CannotAnswer(
            f"Which {m.group(2)}: the most {'added' if added else 'removed'}? Ask e.g. "
            f"'top 10 {m.group(2)} {m.group(3)}'."
        )
    top = int(m.group(1)) if m.group(1) else (1 if not m.group(2).endswith("s") else 10)
    what = "times_added" if added else "times_removed"
    sql = (
        f"SELECT term AS modifier, count(*) AS {what}\nFROM (SELECT unnest(e.{column}) AS term FROM {source} "
        f"WHERE {' AND '.join(where)}) AS terms\nGROUP BY term ORDER BY {what} DESC, term LIMIT {top}"
    )
    edits = f"{types.strip(chr(39))} edits" if only else "modifier edits"
    reading = f"The {top} terms most often {'added' if added else 'removed'} in {edits}" + (
        "; only edits whose generation succeeded" if success else ""
    )
    return BehaviourAnswer(sql, reading)
