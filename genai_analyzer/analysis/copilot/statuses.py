"""A generation's status in a question: counted ("how many errors"), as its rate ("what share of
generations get blocked", "which style gets blocked most often"), and shares of a total ("what
share of revenue comes from pro")."""

from __future__ import annotations

import re

from genai_analyzer.analysis.copilot.shares import SHARE, is_total
from genai_analyzer.analysis.copilot.spec import CannotAnswer, NeedsClarification, QuerySpec
from genai_analyzer.analysis.copilot.text import QuestionText, phrase_re
from genai_analyzer.analysis.copilot.vocabulary import (
    FAILED_WORDS,
    ROW_NOUNS,
    STATUS_WORDS,
    UNIT_COUNTS,
    status_words,
)
from genai_analyzer.analysis.semantic import SemanticLayer

RATES = {"error": "error_rate", "timeout": "timeout_rate", "nsfw_blocked": "nsfw_block_rate",
         "success": "success_rate"}  # fmt: skip


def rate_words() -> list[tuple[str, str]]:
    """(a status word, the rate the layer defines for it), longest first."""
    options = [(w, RATES[s]) for s, ws in STATUS_WORDS.items() for w in ws]
    options += [(w, "failure_rate") for w in FAILED_WORDS]
    return sorted(options, key=lambda o: -len(o[0]))


def _word_said(said: str, words) -> str:
    """The word of ``words`` whose phrase the matched text ``said`` is ("time outs" is "time outs",
    "errors" is "errors" or "error", whichever the list holds first)."""
    return next(w for w in words if re.fullmatch(phrase_re(w), said))


def ranked_status(t: QuestionText, spec: QuerySpec) -> None:
    """ "which style of image gets nsfw-blocked most often", "which sampler errors the least often":
    how often is a rate ("how often do generations get blocked" is the block rate), and "most
    often" ranks the groups by it, top 1 unless a number is named. "Which day has the most errors"
    counts them: the groups are ranked by the number of generations with that status."""
    nouns = "|".join(phrase_re(w) for w, _ in rate_words() if w.endswith("s"))
    # (only "most": the groups with none of that status have no row to rank as the fewest)
    for m in t.find(rf"(?:the )?(most) ({nouns})(?![a-z])"):
        statuses = _status_of(_word_said(m.group(2), (w for w, _ in rate_words())))
        t.take(m)
        spec.metrics.append("generations")
        spec.filters["status"] = [*spec.filters.get("status", []), *statuses]
        spec.top = spec.top or 1
        spec.ascending = False
        spec.matched[m.group(0).strip()] = f"generations with status {', '.join(statuses)}, ranked"
        return
    for word, name in rate_words():
        for m in t.find(rf"({phrase_re(word)}) (?:the )?(most|least|more|less) (?:often|frequently)"):
            t.take(m)
            spec.metrics.append(name)
            spec.top = spec.top or 1
            spec.ascending = m.group(2) in ("least", "less")
            spec.matched[m.group(0).strip()] = f"{name}, {'bottom' if spec.ascending else 'top'} {spec.top}"
            return


# "timeouts - how many have we had": what may follow a bare "how many" after the status it counts
_BARE_VERBS = "have|has|had|were|was|are|is|did|do|of them"
# the units a status is said of ("how many users had an error", "how many sessions never had an
# error"), each word as written and the unit it counts
_UNITS = {**dict.fromkeys(("user", "users", "people", "person", "persons", "customer", "customers", "member",
                           "members", "folks", "account", "accounts"), "user"),
          "session": "session", "sessions": "session", "prompt": "prompt", "prompts": "prompt"}  # fmt: skip
_UNIT_WORDS = "|".join(sorted(_UNITS, key=len, reverse=True))
# "how many users had an error": the users are counted, not the errors
UNIT_NOUN = rf"(?<![a-z])(?:{_UNIT_WORDS}) "


def counted_status(values: dict[str, list[str]], t: QuestionText, spec: QuerySpec) -> None:
    """ "how many errors", "how many portrait generations failed": a count of generations with
    that status (failed: any status but success)."""
    statuses = values.get("status", [])
    filtered_before = "status" in spec.filters  # a status named apart, not by the count
    if _status_rate(t, spec):
        return
    options = status_words(statuses, absent_too=True)  # "how many timeouts": 0 is an answer
    options.sort(key=lambda o: -len(o[0]))
    counting = r"(how many|number of|count of|count the|count|total)"
    others = "|".join(phrase_re(w) for w, _ in options)
    if _never_status(t, spec, options, others):
        return
    for word, values in options:  # the words between are no status word: "how many errors or blocks"
        # (no negation between: "how many were not timeouts" counts the others, value_filters.py)
        # nor a second count's words: "how many in total, and how many of those were errors" is two
        # counts (it read "total ... errors" as one, the total dropped)
        gap = rf"(?:(?!(?:{others}|not|never|no|without|except|excluding|how|many)(?![a-z]))[a-z]+ ){{0,6}}?"
        gap += "(?:were |was |got |have been |had been )?"
        # "timeouts - how many have we had?": the status first, then a bare "how many"
        first = rf"^\s*({phrase_re(word)}) ?[-:,]* ?(how many)(?= (?:{_BARE_VERBS})\b|\s*$)"
        if m := next(iter(t.find(first)), None):
            _count(t, spec, m, values)
            _per_generations(statuses, spec, filtered_before)
            return
        # "the number of generations and the failure rate": a rate is a figure of its own, not a count
        for m in t.find(rf"{counting} {gap}({phrase_re(word)})(?! rates?| ratios?| share| percentage)"):
            if unit := re.search(UNIT_NOUN, t.text[m.end(1) : m.start(2)]):
                _units_with(t, spec, m, values, _UNITS[unit.group(0).strip()])
            else:
                _count(t, spec, m, values, others)
            # "how many timeouts and errors": every status listed is counted, not a rate of the rest
            # ("how many errors vs timeouts": each its own side, one row each; it counted the errors)
            more = re.compile(
                rf"(?:,| and| or|,? and/or|( vs| versus| compared (?:with|to)))(?: the| all| a| an| any)? "
                rf"({others})(?![a-z])"
            )
            end = m.end(2)
            while listed := more.match(t.text, end):
                word = _word_said(listed.group(2), (w for w, _ in options))
                t.take_span(listed.end(1), listed.end()) if listed.group(1) else t.take(listed)
                extra = dict(options)[word]
                spec.filters["status"].extend(v for v in extra if v not in spec.filters["status"])
                sides = spec.groups.get("status")  # none for units counted ("users who hit an error or ...")
                if sides is not None and listed.group(1):  # a side of its own (the "vs" left as a cue)
                    sides.append([listed.group(2), list(extra)])
                elif sides is not None:
                    sides[-1][1].extend(v for v in extra if v not in sides[-1][1])
                end = listed.end()
            # "the number of timeouts and the number of errors": two counts, each of its own status
            # (one filter cannot hold both; it answered the timeouts and the error rate)
            # ("how many generations failed and how many were timeouts": it answered the timeouts)
            rows = r"(?:generations|images|renders|requests|jobs|of those|of them|were|was|are|have|had|did)"
            rows = rf"(?:{rows} ){{0,3}}"
            another = rf"(?<![a-z])((?:the )?{counting} (?:of )?(?:the )?{rows}(?:{others}))(?![a-z])"
            for again in re.finditer(another, t.text):
                if again.end() <= m.start(1) or again.start() >= end:  # not the count read
                    said = again.group(1)
                    raise CannotAnswer(
                        f"'{m.group(0).strip()}' and '{said}' are two counts, one per status; ask for them "
                        "side by side, e.g. 'generations by status'.",
                        unread=tuple(said.split()),
                    )
            _per_generations(statuses, spec, filtered_before)
            return


def _per_generations(statuses: list[str], spec: QuerySpec, filtered_before: bool) -> None:
    """ "how many failures per 100 generations": the status's rate (its share of all generations),
    scaled, not the count filtered to the status and divided by those same rows (1: blind set 37).
    Statuses listed together ("errors and timeouts") are one rate only when they are all the
    failures; otherwise the count stays, and its division is declined."""
    counted = spec.filters.get("status", [])
    per_generations = spec.per == "generation" and spec.scale
    if not per_generations or filtered_before or spec.metrics[-1:] != ["generations"]:
        return
    failed = {s for s in statuses if s != "success"}
    rate = RATES.get(counted[0]) if len(counted) == 1 else "failure_rate" if set(counted) == failed else None
    if rate is None and len(counted) > 1:  # one rate each, or one share of them together?
        rates = " and ".join(RATES[s].replace("_", " ") for s in counted)
        said = " or ".join(s.replace("_", " ") for s in counted)
        raise CannotAnswer(
            f"Statuses counted together per {spec.scale:,} generations: each on its own or all together? "
            f"Ask '{rates} per {spec.scale:,} generations' (each) or 'share of generations with "
            f"status {said}' (together)."
        )
    if rate is None:
        return
    spec.metrics[-1], spec.per = rate, None
    del spec.filters["status"]
    said = next(p for p, n in spec.matched.items() if n.startswith("generations with status"))
    spec.matched[said] = f"{rate}, per {spec.scale:,} generations"


# what may stand between "never" and the status: "never had a single generation fail"
_NEVER_GAP = (
    r"(?:(?:had|have|has|got|hit|saw|seen|experienced|ran into|run into|a|an|any|one|single|even|ever|once|"
    r"generations?|images?|renders?|requests?|jobs?|pictures?) )*"
)


def _never_status(t: QuestionText, spec: QuerySpec, options, others: str) -> bool:
    """ "how many users never had an error", "how many users have never had a single generation
    fail": the units with no generation of that status, counted (``spec.never``, as "how many
    users never generated an anime image" in value_filters.py)."""
    pattern = (
        rf"(?:how many|number of|count of|count the|count) ({_UNIT_WORDS}) "
        rf"(?:(?:have|has|had|did|do|does|who|that|which|were|was) )*(never {_NEVER_GAP}({others}))(?![a-z])"
    )
    for m in t.find(pattern):
        unit = _UNITS[m.group(1)]
        values = dict(options)[_word_said(m.group(3), (w for w, _ in options))]
        t.take_span(m.start(2), m.end(2))
        never = spec.never.setdefault("status", [])
        never.extend(v for v in values if v not in never)
        spec.never_of = unit
        spec.matched[m.group(2)] = f"{unit}s with no generation of status {', '.join(values)}"
        return True
    return False


def _units_with(t: QuestionText, spec: QuerySpec, m: re.Match, values: list[str], unit: str) -> None:
    """ "how many people ran into an error today", "number of sessions that had a timeout": the
    units with at least one generation of that status, counted over those generations (before,
    it answered the count of errors; then it declined). Prompts are left to ask another way."""
    if unit not in UNIT_COUNTS:
        raise CannotAnswer(
            f"'{m.group(0).strip()}' counts the {unit}s with at least one such generation; ask for the "
            "generations instead, e.g. 'how many generations failed'."
        )
    t.take_span(m.start(1), m.end(1))
    t.take_span(m.start(2), m.end(2))
    spec.metrics.append(UNIT_COUNTS[unit])
    spec.filters.setdefault("status", []).extend(v for v in values if v not in spec.filters.get("status", []))
    spec.matched[m.group(0).strip()] = f"{unit}s with at least one generation of status {', '.join(values)}"


def _count(t: QuestionText, spec: QuerySpec, m: re.Match, values: list[str], others: str = "") -> None:
    """The generations of the status ``values`` counted: the counting words (group 1 or 2 of ``m``)
    and the status word taken, the count and its filter added. After a count of all of them ("how
    many images did they make last week, and how many of those failed") it is a second figure, not
    a filter on the first (the first was dropped: blind set 34)."""
    t.take_span(m.start(1), m.end(1))
    t.take_span(m.start(2), m.end(2))
    before = t.text[: m.start(1)]  # "the count of errors and the count of timeouts": two statuses (below)
    # "how many failed, and how many of those were timeouts": "of those" is a count of the first's rows
    of_those = re.search(r"\bof (?:those|them|these)\b", t.text[m.end(1) : m.start(2)])
    if re.search(r"(?:how many|number of|count of) .*\band (?:the )?$", before) and (
        of_those or not (others and re.search(rf"(?<![a-z])(?:{others})(?![a-z])", before))
    ):
        if not any(re.fullmatch(phrase_re(w), m.group(2)) for w in FAILED_WORDS):
            raise CannotAnswer(
                f"'{m.group(0).strip()}' is a second count beside the first; ask for 'generations by "
                "status' to see every status's count side by side.",
                unread=tuple(m.group(0).split()),
            )
        spec.metrics.append("failed_generations")
        spec.positions["metric:failed_generations"] = m.start()
        spec.matched[m.group(0).strip()] = "failed_generations (a second count)"
        return
    spec.metrics.append("generations")
    spec.filters.setdefault("status", []).extend(v for v in values if v not in spec.filters.get("status", []))
    spec.matched[m.group(0).strip()] = f"generations with status {', '.join(values)}"
    spec.groups.setdefault("status", []).append([m.group(2), list(values)])  # narrows a wider one (splits.py)


def read_share(metric_phrases, layer: SemanticLayer, t: QuestionText, spec: QuerySpec) -> None:
    """ "what share of revenue comes from pro", "what share of revenue does each tier bring in",
    "what fraction of generations use more than 50 steps": a total or a count, as the part the
    filters keep (or each group's part) of the whole; the metric's words are read by
    ``_metrics``, the part by the filters and groupings (compiler.py)."""
    totals = "|".join(phrase_re(p) for p, n in metric_phrases if is_total(layer.metrics[n]))
    share = rf"(?:what |the )?(?:{SHARE}) of"
    # "the share of its generations", "of that tier's revenue": the group's own whole (shares.py)
    own = r"(?: (?:its|their|each|every|that)(?: [a-z]+)?)?"
    # "what share of pro users' generations went to each sampler": the words between name the whole
    among = r"(?P<among>(?: (?!(?:comes?|came|went|goes|from|by|per|for|in)\b)[a-z0-9_]+){1,3}?)??"
    for m in t.find(rf"{share}(?: the| all| our| total)*{own}(?={among} (?:{totals})(?![a-z0-9]))"):
        if m["among"] and not re.search(
            r" (?:each|every|by|per|across|went to|goes to|go to) ", t.text[m.end() :]
        ):
            continue  # "what share of free users' sessions end after an nsfw block": a rate, said of them
        t.take(m)
        spec.share, spec.share_among = True, bool(m["among"])
        if m["among"]:  # where the whole's words are (shares.py tells the whole's filters from the part's)
            spec.positions["share_among"], spec.positions["share_among_end"] = (
                m.start("among"),
                m.end("among"),
            )
        spec.matched[m.group(0).strip()] = "as a share of the whole" + " the filters keep" * spec.share_among
        return


def _status_rate(t: QuestionText, spec: QuerySpec) -> bool:
    """ "what share of generations get blocked", "what fraction of sessions end on an nsfw block":
    the rate the layer defines for that status, per generation or per session ending."""
    share = (
        r"(?:what |the )?(?:share|fraction|percent|percentage|proportion|portion|part|ratio|how often|"
        r"rate|%)"
    )
    ending = r"(?:do |does |did )?sessions? (?:that |which )?(?:end|ends|ended|ending|close|closes) "
    ending += r"(?:on|after|with|in) (?:an? )?"
    for m in t.find(
        rf"{share} (?:of )?{ending}(nsfw block|nsfw filter|block|failure|failed generation|error)"
    ):
        t.take(m)
        name = "nsfw_exit_rate" if "nsfw" in m[1] or m[1] == "block" else "abandon_rate"
        spec.metrics.append(name)
        spec.matched[m.group(0).strip()] = name
        return True
    words = "|".join(phrase_re(w) for w, _ in rate_words())
    for word, name in rate_words():
        # the gap holds no other rate: "the error rate, timeout rate, nsfw block rate" is three rates, not
        # "rate ... nsfw block" (blind set 30 read it so, and listed the NSFW block rate first)
        gap = r"(?:(?!(?:rates?|share|fraction|percent|percentage|proportion|ratio)\b)(?:[a-z']+|1) ){0,7}?"
        for m in t.find(rf"({share}) {gap}({phrase_re(word)})"):
            if m.group(1) == "rate" and re.search(rf"(?:{words}) $", t.text[: m.start()]):
                continue  # "timeout rate": the rate of the status before it, named already
            if unit := _share_of_units(t.text[m.end(1) : m.start(2)], m):
                # "what share of sessions got at least one successful image": the units with one such
                # generation over all the units (blind set 46; declined before)
                t.take_span(m.start(1), m.end(1))
                t.take_span(m.start(2), m.end(2))
                if one := re.search(r" at least (?:1|one) $", t.text[: m.start(2)]):
                    t.take_span(one.start(), one.end())  # "ran into at least one error": the units with one
                spec.share = True
                spec.metrics.append(UNIT_COUNTS[unit])
                values = _status_of(word) or [word]
                spec.filters.setdefault("status", []).extend(
                    v for v in values if v not in spec.filters["status"]
                )
                spec.matched[m.group(0).strip()] = (
                    f"the share of {unit}s with at least one generation of status {', '.join(values)}"
                )
                return True
            t.take_span(m.start(1), m.end(1))
            t.take_span(m.start(2), m.end(2))
            # "what share of generations ...": the rows the rate is over, not a count of them
            if base := re.compile(rf" of (?:all |the )*{ROW_NOUNS}(?= )").match(t.text, m.end(1)):
                t.take(base)
            if _either_status(t, spec, word, m.start(2), m.end(2)):
                return True
            spec.metrics.append(name)
            spec.matched[m.group(0).strip()] = name
            return True
    return False


def _share_of_units(gap: str, m: re.Match) -> str | None:
    """ "what share of users had an error", "what fraction of sessions had a timeout": a share of users
    or sessions with such a generation, which the status rate (a share of generations) is not (blind
    set 16's "what share of sessions had at least one nsfw block" was answered with the block rate):
    the unit whose share it is, or None for a share of generations."""
    # the units right after "of" (one word before them at most: "of free users"); "of generations
    # from pro users" is a share of generations
    generations = r"(?!'| (?:generations|images|pictures|renders|requests))"
    said = re.match(
        rf" of (?:the |all |our |all the |those |these )?(?:[a-z]+ )?({_UNIT_WORDS}){generations}(?![a-z])",
        gap,
    )
    # "how often do anime prompts get blocked": prompts said for their generations, and "how often"
    # is the rate
    if said and _UNITS[said.group(1)] != "prompt" and not re.match(r"how often|rate", m.group(1)):
        return _UNITS[said.group(1)]
    # "what share of pro users' sessions had an error": their sessions (it answered the error rate)
    if re.match(
        r" of (?:the |all |our )?(?:[a-z]+ )?(?:users|customers|accounts|people)'? sessions(?![a-z])", gap
    ):
        return "session"
    return None


def _status_of(word: str) -> list[str]:
    """The statuses a status word stands for ("failed": every status but success)."""
    if word in FAILED_WORDS:
        return [s for s in STATUS_WORDS if s != "success"]
    return [s for s, ws in STATUS_WORDS.items() if word in ws]


def _either_status(t: QuestionText, spec: QuerySpec, word: str, start: int, end: int) -> bool:
    """ "share of requests that either time out or error": one share of the generations with any
    of the statuses named, not a rate for each (the rates add up, the answer is one figure); the
    status read may be the first named or the second ("error or time out")."""
    for other, _ in rate_words():
        more = re.compile(rf"(?: or|/|,? and/or) (?:an? |with an? )?({phrase_re(other)})(?![a-z0-9])")
        m = more.match(t.text, end) or re.search(
            rf"(?<![a-z0-9])({phrase_re(other)})(?:,? or|/|,? and/or) (?:an? |with an? )?$", t.text[:start]
        )
        if m and not any(t.used[m.start() : m.end()]) and set(_status_of(other)) != set(_status_of(word)):
            t.take(m)
            for e in t.find(r"either"):
                t.take(e)
            statuses = list(dict.fromkeys([*_status_of(word), *_status_of(other)]))
            spec.metrics.append("generations")
            spec.share = True
            spec.filters["status"] = statuses
            said = f"{word} or {m.group(1)}"
            spec.matched[said] = f"share of generations with status {', '.join(statuses)}"
            return True
    return False


def read_long_metric_phrases(metric_phrases, layer: SemanticLayer, t: QuestionText, spec: QuerySpec) -> None:
    """Metrics named by a phrase of four or more words ("sessions that end after an nsfw block",
    "retry share after failures"), read before the statuses and shares inside them ("nsfw block",
    "share ... failures") are read on their own. A session rate's own share words ("what fraction
    of sessions ...", "how many sessions (as a share) ...") are its phrasing, not a share of it."""
    share = rf"(?:what |the )?(?:{SHARE})"
    for phrase, name in metric_phrases:
        if len(phrase.split()) < 4:
            continue
        for m in t.find(phrase_re(phrase)):
            t.take(m)
            spec.positions.setdefault(f"metric:{name}", m.start())
            if name not in spec.metrics:
                spec.metrics.append(name)
                spec.matched[m.group(0).strip()] = name
            metric = layer.metrics[name]
            if metric.format != "rate" or metric.grain != "sessions":
                continue
            for w in t.find(
                rf"{share} of (?:all )?(?:the )?sessions?(?: that| which| where| in which)?|"
                r"how many sessions(?: as a share)?|how often|as a share(?: of sessions)?"
            ):
                t.take(w)
            # "what share of [sessions end after an nsfw block]": the words just before it
            before = re.search(rf"{share}(?: of)?(?: all| the)? $", t.text[: m.start()])
            if before and not any(t.used[before.start() : before.end() - 1]):
                t.take_span(before.start(), before.end() - 1)


# What a total is said to go on: "did timeouts cost", "spent on errors", "of failed generations"
_USED = r"burn|burns|burned|burnt|use|used|uses|consume|consumed|consumes|waste|wasted|wastes|eat|ate"
_USED += r"|take|took|spend|spent|lose|lost|sink|sunk"
_SPENT = rf"(?:cost|costs|{_USED})"


def status_subjects(metric_phrases, layer: SemanticLayer, t: QuestionText, spec: QuerySpec) -> None:
    """ "how much gpu time did timeouts and errors burn", "what did errors cost", "gpu hours spent
    on timeouts": the statuses name the generations a total is summed over, a filter, not their
    rates listed beside it (which answered the total over every generation)."""
    totals = [(p, n) for p, n in metric_phrases if is_total(layer.metrics[n]) and t.has(phrase_re(p))]
    if not totals and not t.has(r"how much|what did|what do"):
        return
    words = "|".join(phrase_re(w) for w, _ in rate_words())
    some = rf"(?:the |our |all )?(?:{words})(?:(?:,| and| or|,? and/or)(?: the)? (?:{words}))*"
    # (pattern, whether its verb is read with the statuses: "spent on" is, "did errors cost" is not,
    # its verb being the metric's own word)
    patterns = [
        # "did errors cost", "did the timeouts eat up"
        (rf"(?:did|do|does|have|has) ({some}) (?:[a-z]+ ){{0,2}}?{_SPENT}(?: up| through)?(?![a-z])", False),
        (rf"({some}) (?:have |has )?{_SPENT} (?:us|in total)?", False),  # "timeouts burned how many hours"
        (rf"(?:{_USED}) (?:on|by|for|in|to|into) ({some})(?![a-z])", True),  # spent on timeouts
    ]
    totals_re = "|".join(phrase_re(p) for p, _ in totals)
    if totals_re:  # "the cost of errors", "gpu hours for timeouts"
        patterns.append((rf"(?:{totals_re}) (?:of|for|on|from|in) ({some})(?![a-z])", False))
    for pattern, with_verb in patterns:
        for m in t.find(pattern):
            said = m.group(1)
            statuses: list[str] = []
            for hit in re.finditer(rf"(?<![a-z])(?:{words})(?![a-z])", said):  # longest words first
                word = _word_said(hit.group(0), (w for w, _ in rate_words()))
                statuses.extend(s for s in _status_of(word) if s not in statuses)
            t.take_span(m.start() if with_verb else m.start(1), m.end(1))
            if not statuses:
                continue
            spec.filters.setdefault("status", [])
            spec.filters["status"].extend(s for s in statuses if s not in spec.filters["status"])
            spec.matched[said.strip()] = f"generations with status {', '.join(spec.filters['status'])}"
            # "which tier wasted the most gpu time on ...": the verb says the same
            for verb in t.find(rf"(?:{_USED})(?: up| through)?(?= )"):
                t.take(verb)
            return


def rate_of_its_own_status(layer: SemanticLayer, spec: QuerySpec) -> list[str]:
    """The rates of a status that the answer would split by status: each status's error rate is 1 or
    0, a figure nobody asks for ("and what share were errors?" after the generations by status)."""
    if "status" not in spec.dimensions:
        return []
    return [
        m
        for m in spec.metrics
        if m in layer.metrics and layer.metrics[m].format == "rate" and "f.status" in layer.metrics[m].sql
    ]


def check_own_status(layer: SemanticLayer, spec: QuerySpec) -> None:
    """Ask back rather than answer a status's rate split by status (1 for it, 0 for the others)."""
    if rates := rate_of_its_own_status(layer, spec):
        label = layer.metrics[rates[0]].label
        raise NeedsClarification(
            f"{label} by status is 1 for its own status and 0 for the others.",
            (label.lower(), "share of generations by status"),
        )
