"""Values a question names, as filters: "pro users", "only errors", "the other domain", the layer's
segments ("paying users", "weekends"), and their negations ("except the free tier", "excluding
paying users", "everyone except enterprise", "generations that did not use the euler sampler").

A negation keeps every other value: the filter is the values named (or all of them) less the values
excluded, whatever order they come in ("except free and pro users" excludes both). It is the
opposite filter only where that answers the question: "users who did not use k_lms" are users with
no such generation at all, not the users' other generations, so a negation of something a unit
(user, session, prompt) does not carry, about that unit or counted per unit, is declined.
"""

from __future__ import annotations

import re

from genai_analyzer.analysis.copilot.spec import CannotAnswer, QuerySpec
from genai_analyzer.analysis.copilot.text import QuestionText, phrase_re
from genai_analyzer.analysis.copilot.vocabulary import (
    AMBIGUOUS_VALUES,
    ENTITY_DIMENSIONS,
    EVERYONE,
    NEGATED_VERB,
    NEGATION,
    UNIT_ATTRIBUTES,
    UNIT_NOUNS,
    status_words,
)
from genai_analyzer.analysis.semantic import SemanticLayer

NOUNS = (
    r" (?:users?|tiers?|plans?|accounts?|customers?|subscribers?|members?|ones|prompts?|images?|generations?|"
    r"style|samplers?|days?)"
)
_NEGATED = rf"{NEGATION}[ -](?:(?:made |used )?by |from |the |for |on |a |an )?(?:the )?"
_LIST = r"(?:,|,? and|,? or|,? nor) (?:the |on )?"


def value_pairs(values: dict[str, list[str]], segments) -> list[tuple[str, str, list, str | None]]:
    """(words, dimension, the values they stand for, a label or None), longest words first: the
    warehouse's values (a value like 'k_euler' also as 'euler'), status words, the layer's segments."""
    pairs = []
    for dim, vs in values.items():
        if dim == "status":
            pairs += [(w, dim, chosen, None) for w, chosen in status_words(vs)]
            continue
        names = {str(v).replace("_", " ").lower() for v in vs}
        for v in vs:
            pairs.append((str(v).replace("_", " ").lower(), dim, [v], None))
            short = str(v)[2:].replace("_", " ").lower()
            if re.match(r"[a-z]_[a-z]", str(v)) and short not in names:  # "euler" for k_euler
                pairs.append((short, dim, [v], None))
    for seg in segments:
        for phrase in seg["phrases"]:
            pairs.append((phrase, seg["dimension"], list(seg["values"]), seg.get("label") or "segment"))
    return sorted(pairs, key=lambda p: -len(p[0]))


def read_values(lexicon, t: QuestionText, spec: QuerySpec, *, with_noun: bool) -> None:
    """Values the question names. First the sure forms (negations with what they take from, the
    layer's segments, "pro users", "only errors", "except the free tier"), so that metric words
    cannot take them; then bare values ("anime"). ``lexicon`` is the parser (values, pairs, phrases)."""
    pairs = lexicon.value_pairs
    if with_noun:
        # negations first, each with the list it heads: those naming the dimension ("except the
        # other domain") before those that do not ("except others")
        for with_own in (True, False):
            for words, dim, chosen, _ in pairs:
                own = _own(lexicon, dim)
                if not words or (with_own and not own):
                    continue
                if not with_own and words in AMBIGUOUS_VALUES and not _grouped_by(t, own):
                    continue
                noun = rf" (?:{own})" if with_own else ""
                for m in t.find(rf"{_NEGATED}{phrase_re(words)}(?:{NOUNS})?{noun}"):
                    _exclude(lexicon, t, spec, dim, chosen, m)
        for words, dim, chosen, label in pairs:
            if label is not None:  # a segment: "paying users", "weekends"
                for m in t.find(phrase_re(words)):
                    if _named_value_before(pairs, dim, t.text[: m.start()]):
                        continue  # "pro subscribers": the noun of the value before it, not the segment
                    each = re.search(r"(?:each|every|per) (?:of the |one of the )?$", t.text[: m.start()])
                    if each and dim not in spec.dimensions:
                        # "how many users are on each paid tier": the segment's values, one row each
                        spec.dimensions.append(dim)
                        spec.positions.setdefault(dim, m.start())
                    _keep(t, spec, dim, chosen, m, label if label != "segment" else m.group(0).strip())
                    _restated(t, chosen, m.end())
        for words, dim, chosen, label in pairs:  # "the other domain", "the k_lms sampler"
            own = _own(lexicon, dim)
            if label is None and words and own:
                for m in t.find(rf"(?:the )?{phrase_re(words)} (?:{own})"):
                    if not _the_rest(t, m):
                        _keep(t, spec, dim, chosen, m)
                # "with error code MODEL_ERROR", "the sampler k_lms": the noun before its value (not
                # "by tier pro and free", a grouping); "error" of "error code" was read as the error rate.
                # A status is read by its own step (statuses.py: "among generations with status error")
                if dim == "status":
                    continue
                for m in t.find(
                    rf"(?<!by )(?<!per )(?<!each )(?<!every )(?<!across )(?:the )?(?:{own}) "
                    rf"{phrase_re(words)}"
                ):
                    if not _the_rest(t, m):
                        _keep(t, spec, dim, chosen, m)
    rate_next = r"(?! rates?| ratios?| share| percentage| counts?| codes?)"  # "error rate" is a metric
    for words, dim, chosen, label in pairs:
        if not words or words in AMBIGUOUS_VALUES or label is not None:
            continue
        value_re = phrase_re(words)
        forms = [rf"(?:only |just |among |of the |for )(?:the )?{value_re}(?:{NOUNS})?{rate_next}",
                 rf"(?:the )?{value_re}{NOUNS}"]  # fmt: skip
        if dim != "status" and " " in words:  # "model error", "concept art": a name, not a metric word
            forms.append(rf"(?:the )?{value_re}")
        for pattern in forms if with_noun else [rf"(?:the )?{value_re}"]:
            for m in t.find(pattern):
                if not _the_rest(t, m):
                    _keep(t, spec, dim, chosen, m)


def _restated(t: QuestionText, chosen: list, end: int) -> None:
    """ "a paid tier (pro or enterprise)", "paying users, i.e. pro and enterprise together": the
    segment's own values listed right after it restate it (read as two sides joined by "or", they
    were asked back)."""
    forms = [phrase_re(str(v).replace("_", " ")) for v in chosen]
    names = "|".join(forms)
    listed = re.compile(
        rf"(?: (?:ie|i e|that is|meaning|so|namely))? ((?:{names})(?:(?:,| ,)? (?:or|and|&|/|,)? "
        rf"?(?:{names}))+)"
        r"(?: together| both| combined)?(?= )"
    ).match(t.text, end)
    if listed and all(re.search(rf"(?<![a-z0-9]){form}(?![a-z0-9])", listed.group(1)) for form in forms):
        t.take_span(listed.start(), listed.end())


def _named_value_before(pairs, dim: str, before: str) -> bool:
    """Whether a value of ``dim`` ends the text before a segment's words ("pro" in "pro subscribers")."""
    values = [w for w, d, _, label in pairs if d == dim and label is None and w]
    return (
        bool(values)
        and re.search(rf"(?<![a-z0-9])(?:{'|'.join(map(re.escape, values))}) $", before) is not None
    )


def _grouped_by(t: QuestionText, own: str) -> bool:
    """Whether the question groups by the dimension whose nouns are ``own`` ("cost by domain")."""
    grouping = rf"(?<![a-z])(?:by|per|for each|across) (?:the )?(?:{own})(?![a-z])"
    return bool(own) and re.search(grouping, t.text) is not None


def _the_rest(t: QuestionText, m) -> bool:
    """ "k_lms vs all other samplers": the rest of the values (splits.py), not a value named
    'others'."""
    return m.group(0).startswith("other") and re.search(_REST_BEFORE, t.text[: m.start()]) is not None


_REST_BEFORE = r"(?<![a-z])(?:all|every|vs\.?|versus|against|to|with) $"


def _own(lexicon, dim: str) -> str:
    """A regex of the dimension's own nouns ("sampler", "art style"), made once per parser."""
    if dim not in lexicon.dim_nouns:
        lexicon.dim_nouns[dim] = "|".join(phrase_re(p) for p, d in lexicon.dim_phrases if d == dim)
    return lexicon.dim_nouns[dim]


def _keep(t: QuestionText, spec: QuerySpec, dim: str, chosen: list, m, label: str | None = None) -> None:
    t.take(m)
    kept = spec.filters.setdefault(dim, [])
    kept.extend(v for v in chosen if v not in kept)
    label = label or (chosen[0] if len(chosen) == 1 else m.group(0).strip())
    spec.groups.setdefault(dim, []).append([label, list(chosen)])
    spec.matched[m.group(0).strip()] = f"{dim} in {', '.join(chosen)}"


def _exclude(lexicon, t: QuestionText, spec: QuerySpec, dim: str, chosen: list, m) -> None:
    """A negated value, the values listed after it ("except free and pro users", "except portraits
    and anime"), and "everyone" or "everything" before it."""
    before = t.text[: m.start()]
    words, end, listed = [m.group(0).strip()], m.end(), [(dim, chosen, m)]
    while more := _listed(lexicon, t, end):
        listed.append(more)
        words.append(more[2].group(0).strip())
        end = more[2].end()
    # what the negation is said of: a unit ("users who did not use k_lms"), or a group named with
    # "that" or a verb ("which samplers were never used by free users"): not the other generations
    said_of = re.search(rf"(?<![a-z0-9])({_subject_nouns(lexicon)})(?P<rel>{_RELATIVE}) $", before)
    subject = _unit_of(lexicon, said_of.group(1)) if said_of else None
    verb = re.match(NEGATED_VERB, m.group(0)) is not None
    named = " and ".join(str(v) for _, values, _ in listed for v in values)
    counted = said_of and re.search(_HOW_MANY, before[: said_of.start()])
    if verb and counted and subject in ENTITY_DIMENSIONS and not spec.never_of:
        # "how many users never generated an anime image": the users with no such generation,
        # counted (checked against what else the question asks in settle_negations)
        for other_dim, values, match in listed:
            t.take(match)
            spec.never.setdefault(other_dim, []).extend(values)
            spec.matched[match.group(0).strip()] = f"{subject}s with no {other_dim} in {', '.join(values)}"
        spec.never_of = subject
        return
    for other_dim, _, _ in listed:
        if subject in ENTITY_DIMENSIONS or (subject and (verb or said_of.group("rel"))):
            _refuse_about_unit(subject, other_dim, " ".join(words), named)
    for other_dim, values, match in listed:
        t.take(match)
        excluded = spec.excluded.setdefault(other_dim, [])
        excluded.extend(v for v in values if v not in excluded)
        spec.matched[match.group(0).strip()] = f"{other_dim} not in {', '.join(excluded)}"
    everyone = re.search(rf"(?<![a-z0-9]){EVERYONE} $", before)
    if everyone and not any(t.used[everyone.start() : everyone.end()]):
        t.take_span(everyone.start(), everyone.end())
    # "a sampler other than k_lms": one sampler of the rest, the negation's noun and no grouping
    # ("error rate of samplers other than k_lms" stays one row per sampler)
    if own := _own(lexicon, dim):
        noun = re.search(rf"(?<![a-z0-9])(?:a|an|any) (?:{own}) $", before)
        if noun and not any(t.used[noun.start() : noun.end()]):
            t.take_span(noun.start(), noun.end())


def _listed(lexicon, t: QuestionText, end: int):
    """The next value in a list at ``end`` (", pro", " and the pro tier", " and anime"): its
    dimension, values and match."""
    for words, dim, values, _ in lexicon.value_pairs:
        if words and words not in AMBIGUOUS_VALUES:
            more = re.compile(rf"{_LIST}({phrase_re(words)})(?:{NOUNS})?(?![a-z0-9])").match(t.text, end)
            if more and not any(t.used[more.start() : more.end()]):
                return dim, values, more
    return None


# "how many", "the number of", "count" just before the subject of a negation ("how many pro users")
_HOW_MANY = r"(?:how many|number of|count(?: of)?)(?: [a-z_]+){0,2} $"
_RELATIVE = r"(?: (?:that|who|which|whose))?(?: (?:are|is|were|was|have been|has been|have|has|had))?"


def _subject_nouns(lexicon) -> str:
    """A regex of the nouns a negation may be said of: the dimensions' and the units' (not rows)."""
    if "" not in lexicon.dim_nouns:
        nouns = [p for p, _ in lexicon.dim_phrases] + list(UNIT_NOUNS)
        lexicon.dim_nouns[""] = "|".join(phrase_re(n) for n in sorted(nouns, key=len, reverse=True))
    return lexicon.dim_nouns[""]


def _unit_of(lexicon, noun: str) -> str:
    return next(
        (d for p, d in [*lexicon.dim_phrases, *UNIT_NOUNS.items()] if re.fullmatch(phrase_re(p), noun)),
        "user",
    )


def _refuse_about_unit(unit: str, dim: str, words: str, named: str) -> None:
    """Decline a negation said of a unit or a group about something it does not carry."""
    by = dim if unit in ENTITY_DIMENSIONS else unit
    if dim not in UNIT_ATTRIBUTES.get(unit, {unit}):
        raise CannotAnswer(
            f"'{unit}s ... {words}' asks about {unit}s with no such generation at all, which I cannot "
            f"read yet; I can answer for the generations instead ('generations except {named}')"
            + (f", or for {unit}s by what they are (e.g. their tier)." if unit in UNIT_ATTRIBUTES else "."),
            (f"generations except {named}", f"generations except {named} by {by.replace('_', ' ')}"),
            unread=tuple(words.split()),
        )


def settle_negations(layer: SemanticLayer, values: dict[str, list[str]], spec: QuerySpec) -> None:
    """Each negated dimension's filter: the values named (or all) less the values excluded. A
    negation of what a counted unit does not carry is declined: "how many users except k_lms" are
    not the users of the other samplers."""
    if spec.never_of:
        _check_never(layer, spec)
    if not spec.excluded:
        return
    grain = layer.metrics[spec.metrics[0]].grain if spec.metrics else "generations"
    counted = set()
    for unit in ENTITY_DIMENSIONS:
        key = layer.dimensions[unit].expression(grain)
        if key and any(layer.metrics[m].sql == f"count(DISTINCT {key})" for m in spec.metrics):
            counted.add(unit)
    if spec.per in ENTITY_DIMENSIONS:
        counted.add(spec.per)
    for dim, excluded in list(spec.excluded.items()):
        if spec.filters.get(dim) and not set(excluded) & set(spec.filters[dim]):
            # "users which had errors? only the status error, not the timeouts": said twice over
            spec.matched[f"not {', '.join(excluded)}"] = "already left out by the values named"
            del spec.excluded[dim]
            continue
        for unit in counted:
            _refuse_about_unit(unit, dim, f"except {', '.join(excluded)}", " and ".join(excluded))
        kept = [v for v in (spec.filters.get(dim) or values.get(dim, [])) if v not in excluded]
        if not kept:
            label = layer.dimensions[dim].label
            raise CannotAnswer(f"Excluding {', '.join(excluded)} leaves no {label} to ask about.")
        spec.filters[dim] = kept


def _check_never(layer: SemanticLayer, spec: QuerySpec) -> None:
    """A count of the units with no generation of some values answers only a count of those units
    over the generations, alone: with anything else asked of them it is declined."""
    unit = spec.never_of
    named = " and ".join(str(v) for values in spec.never.values() for v in values)
    key = layer.dimensions[unit].expression("generations")
    metric = layer.metrics[spec.metrics[0]] if len(spec.metrics) == 1 else None
    # the unit's distinct count over the generations, or the unit's own grain counted ("sessions")
    counts_units = metric is not None and (
        (metric.grain == "generations" and metric.sql == f"count(DISTINCT {key})")
        or (metric.grain == f"{unit}s" and metric.sql == "count(*)")
    )
    asked = (spec.dimensions, spec.compare, spec.per, spec.top, spec.thresholds, spec.share, spec.splits)
    alone = not any(asked)
    if not (counts_units and alone):
        raise CannotAnswer(
            f"I can count the {unit}s with no generation of {named} ('how many {unit}s never used "
            f"{named}'), but not together with a grouping, a comparison or another figure.",
            (f"how many {unit}s never used {named}",),
        )
