"""The offline copilot: a deterministic parser from a question to a ``QuerySpec``.

No LLM. A question is read against the semantic layer in a fixed order, each step consuming the
words it understood so that later steps cannot reuse them:

1. refusals first: requests to change data, and things the warehouse does not hold (the layer's
   ``unsupported`` list) are refused with the reason;
2. hours (clock.py), window readings (window_reading.py), the period ("last 7 days", "Q3 vs Q4"),
   thresholds (thresholds.py), top / bottom N, scales (scaling.py), groupings ("by tier", "which styles");
3. "how many errors" (a status counted), then metrics by their synonyms, longest first; when no
   synonym matches, by embedding similarity of the remaining words to each metric's phrases;
4. dimension values as filters ("pro users", "anime", "only errors", "on mondays"), segments
   ("paying users", "weekends") and negations ("except free users"), value_filters.py;
5. bare dimension words left over ("daily", "tiers") as groupings.

Whatever cannot be mapped ("by country", no metric at all) ends in a ``CannotAnswer`` that says why
and suggests questions that work. Follow-ups ("now only pro", "by week instead") refine the last spec.
"""

from __future__ import annotations

import re

import numpy as np

from genai_analyzer.analysis.copilot import counted_rows, forms, lumped, prompt_text
from genai_analyzer.analysis.copilot.accounting import (
    account_for_words,
    restated_words,
    settle_units,
)
from genai_analyzer.analysis.copilot.clock import read_hours, refuse_one_day
from genai_analyzer.analysis.copilot.distinct import read_distinct
from genai_analyzer.analysis.copilot.followup import (
    as_share,
    check_grain,
    check_narrowing,
    half_of_that_month,
    in_context,
    lone_follow_up,
    merge,
    swap_aggregate,
)
from genai_analyzer.analysis.copilot.gaps import read_gap
from genai_analyzer.analysis.copilot.ids import Lookup, named_units, read_ids
from genai_analyzer.analysis.copilot.listed_groupings import each_or_together, listed_after
from genai_analyzer.analysis.copilot.nested import read_nested
from genai_analyzer.analysis.copilot.period_compare import before_the_other, read_period_compare
from genai_analyzer.analysis.copilot.prompt_length import PROMPT_LENGTHS, ask_which_length
from genai_analyzer.analysis.copilot.ranking import (
    HIGH,
    LOW,
    ask_what_ranks,
    count_when_only_top,
    read_sort,
    read_top,
)
from genai_analyzer.analysis.copilot.ranking import direction as rank_direction
from genai_analyzer.analysis.copilot.scaling import read_per_unit, read_scale
from genai_analyzer.analysis.copilot.screening import refuse_unsafe, screen
from genai_analyzer.analysis.copilot.shares import settle as settle_share
from genai_analyzer.analysis.copilot.spec import (
    EXAMPLES,
    CannotAnswer,
    NeedsClarification,
    QuerySpec,
    SmallTalk,
    TimeRange,
)
from genai_analyzer.analysis.copilot.splits import lift_named_list, segment_comparison
from genai_analyzer.analysis.copilot.stats_words import refuse_lacking_statistic
from genai_analyzer.analysis.copilot.statuses import (
    check_own_status,
    counted_status,
    ranked_status,
    read_long_metric_phrases,
    read_share,
    status_subjects,
)
from genai_analyzer.analysis.copilot.text import QuestionText, correct_typos, phrase_re, spellings
from genai_analyzer.analysis.copilot.thresholds import COMPARATORS, moved, on_rows_only, read_thresholds
from genai_analyzer.analysis.copilot.thresholds import settle as settle_thresholds
from genai_analyzer.analysis.copilot.time_phrases import (
    TIME_WORDS,
    period_noun,
    read_overlap,
    read_time,
    refuse_unread_dates,
)
from genai_analyzer.analysis.copilot.units import read_unit
from genai_analyzer.analysis.copilot.value_filters import read_values, settle_negations, value_pairs
from genai_analyzer.analysis.copilot.vocabulary import (
    ASKED,
    CHITCHAT,
    COUNT_NOUN_METRICS,
    ENTITY_DIMENSIONS,
    FAILED_WORDS,
    FILLER,
    FOLLOW_UP_CUES,
    FOLLOW_UP_WORDS,
    GROUP_CUES,
    GROUPING_WORD,
    MONTHS,
    NEW_TOPIC,
    RELATION_VERBS,
    SIMILARITY_THRESHOLD,
    STATUS_WORDS,
    STOP,
    WEAK_PHRASES,
    words_in,
)
from genai_analyzer.analysis.copilot.window_reading import read_windows
from genai_analyzer.analysis.semantic import SemanticLayer

__all__ = ["EXAMPLES", "CannotAnswer", "Parser", "QuerySpec", "TimeRange"]


class Parser:
    """Question → QuerySpec over one semantic layer and one warehouse's dimension values."""

    def __init__(
        self, layer: SemanticLayer, values: dict[str, list[str]], embed=None, lookup: Lookup | None = None
    ):
        self.layer = layer
        self.lookup = lookup  # id -> the kinds of unit holding it (ids.py), or None: ids not read
        self.values = values  # dimension -> distinct values in the warehouse
        self.embed = embed  # texts -> unit vectors, or None to skip similarity matching
        self.metric_phrases = sorted(
            ((p, m.name) for m in layer.metrics.values() for p in {m.label.lower(), *m.synonyms}),
            key=lambda pm: -len(pm[0]),
        )
        self.dim_phrases = sorted(
            ((p, d.name) for d in layer.dimensions.values() for p in {d.name.replace("_", " "), *d.synonyms}),
            key=lambda pd_: -len(pd_[0]),
        )
        self._phrase_vectors = None
        words = [p for p, _ in self.metric_phrases] + [p for p, _ in self.dim_phrases]
        words += [str(v).replace("_", " ").lower() for vs in values.values() for v in vs]
        words += [w for ws in STATUS_WORDS.values() for w in ws] + FAILED_WORDS + list(MONTHS)
        words += [p for seg in layer.segments for p in seg["phrases"]]
        words += [w for words_, _ in layer.unsupported for w in words_]
        self.vocabulary = {w for phrase in words for w in re.findall(r"[a-z0-9']+", phrase)}
        self.vocabulary |= {"week", "weeks", "day", "days", "month", "months", "today", "yesterday", "period"}
        self.segments = {
            p: (s["dimension"], tuple(s["values"])) for s in layer.segments for p in s["phrases"]
        }
        self.value_pairs = value_pairs(values, layer.segments)  # (words, dimension, values, label)
        self.value_words = {w for words, _, _, _ in self.value_pairs for w in words.split()}
        self.spellings = spellings(words for words, _, _, _ in self.value_pairs)  # "SCI FI", "scifi"
        self.time_phrases = "|".join(phrase_re(p) for p, n in self.dim_phrases if layer.dimensions[n].time)
        self.dim_nouns: dict[str, str] = {}  # dimension -> a regex of its nouns (value_filters.py)
        # words the thresholds, hours and time phrases read: never taken for typos
        clock = ["midnight", "noon", "midday", "outside", "onwards", "earlier", "later", "hours"]
        ranks = words_in(*(c for c, _ in COMPARATORS), HIGH, LOW)  # "shortest" is no typo
        self.step_words = frozenset(ranks | TIME_WORDS | set(clock))

    # --- public ----------------------------------------------------------------------------

    def screen(self, question: str) -> None:
        """Refuse, before anything else reads it, what the copilot never answers (screening.py)."""
        screen(self.layer, question)

    def parse(self, question: str, context: QuerySpec | None = None) -> QuerySpec:
        self.screen(question)
        if CHITCHAT.match(question.lower()):
            raise SmallTalk(
                "Happy to help. I answer questions about generations, users, sessions, latency, "
                "failures, cost and revenue."
            )
        question, label = lumped.lift_label(forms.as_sentence(question))  # "Metric: x | Split: y"
        question, contains = prompt_text.lift(question)  # "a prompt containing 'dragon'"
        question = lift_named_list(question, self.values, self.dim_phrases)  # "fast samplers (a, b) vs"
        question = half_of_that_month(question, context)  # "and in the first half?"
        question, corrections = correct_typos(question, self.vocabulary, self.step_words, self.spellings)
        if corrections:
            refuse_unsafe(self.layer, QuestionText(question).text)  # "contry" read as "country": refused
        t = QuestionText(question)
        refuse_lacking_statistic(t.text)  # "the standard deviation of latency": named in the decline
        new_topic = False
        for m in t.find(NEW_TOPIC):
            t.take(m)  # "separate question: ..." is said about the message, and starts afresh
            new_topic = True
        if context is None and lone_follow_up(t.text):  # "now only pro", "only failed generations"
            raise CannotAnswer(
                "This reads like a follow-up, but there is no answer before it to refine: ask the whole "
                "question, e.g. 'error rate by tier for pro users'."
            )
        for pattern, why, readings in ASKED:  # "time spent", "how fast are sessions": which figure?
            if t.has(pattern):
                raise NeedsClarification(why, readings)
        ask_which_length(t.text)  # "prompt length": in words or characters?
        spec, narrowed, named = QuerySpec(metrics=[], corrections=corrections, contains=contains), None, False
        read_nested(t, spec)  # "the median of each user's success rate": before "each user" is read
        read_windows(t, spec, self.metric_phrases, self.dim_phrases)  # "each tier", "cumulative", "than"
        read_ids(t, spec, self.lookup)  # "user 83131c40d0956c07": before dates read its digits
        read_hours(t, spec)  # before "in hours" is read as a unit
        read_unit(t, spec)  # "in seconds": before the thresholds read "8 seconds"
        if t.has(r"gpu|compute"):  # "how much gpu time ... (hours)": the unit, not a grouping by hour
            for m in t.find(r"(?<!by )(?<!per )(?<!each )(?<!every )(?<!which )(?<!what )hours(?= $)"):
                t.take(m)
        phrasing = r"(break(?:ing)?) (?:[a-z0-9]+ ){0,7}?(down|out)|broken down|breakdown"
        for m in t.find(phrasing):
            # phrasing, not a failure metric nor a direction ("break down ... last 14 days": no "went down")
            for group in (1, 2) if m.group(1) else (0,):
                t.seal_span(m.start(group), m.end(group))
        spec.time = read_time(t)
        if spec.time is not None and (baseline := read_time(t)) is not None:
            spec.baseline, spec.compare = baseline, True  # two periods named: compare them
            before_the_other(spec)  # "today vs the 7 days before it": the days before today
        elif (
            spec.time is not None
            and spec.time.kind == "week_before"
            and t.has(
                r"(?:compared (?:to|with)|vs\.?|versus|than) (?:the )?"
                r"(?:previous week|week before|prior week)"
            )
        ):  # "error rate compared with the week before": last week is the other period
            spec.baseline, spec.compare = spec.time, True
            spec.time = TimeRange("last_week", phrase="last week")
        refuse_unread_dates(t)
        refuse_one_day(t)
        read_thresholds(self.layer, t, spec, self.metric_phrases, self.dim_phrases, self.value_words)
        for phrase, name in self.dim_phrases:  # "per week instead of per tier": the tier goes
            for m in t.find(rf"instead of (?:per |by |the )?{phrase_re(phrase)}"):
                t.take(m)
                spec.dropped.append(name)
        read_sort(t, spec)
        ranked_status(t, spec)  # "which style gets blocked most often": before "most" is a top N
        read_top(t, spec)
        lumped.read_lumped(t, spec, label)  # "with the rest as one row", "share from the top 10 users"
        read_scale(t, spec)  # "errors per 1,000 generations": before "per generation"
        read_per_unit(t, spec, self.metric_phrases, self.segments)
        read_distinct(self.layer, t, spec, self.dim_phrases)  # "how many distinct prompts"
        self._groupings(t, spec)
        if context is not None:
            in_context(self.layer, t, spec, context)
        read_long_metric_phrases(self.metric_phrases, self.layer, t, spec)  # before its status words
        status_subjects(self.metric_phrases, self.layer, t, spec)  # "what did errors cost"
        counted_status(self.values, t, spec)
        read_share(self.metric_phrases, self.layer, t, spec)
        read_values(self, t, spec, with_noun=True)
        # "what about the median instead?", "the median": the figure before with another statistic
        swapped = context is not None and swap_aggregate(self.metric_phrases, t, spec, context)
        swapped = swapped or (context is not None and as_share(self.layer, t, spec, context))  # "as a share"
        self._metrics(t, spec)
        read_values(self, t, spec, with_noun=False)
        settle_negations(self.layer, self.values, spec)
        self._bare_dimensions(t, spec)
        self._relation(t, spec)
        ask_what_ranks(self.layer, t, spec)
        read_period_compare(t, spec, self.layer)
        read_overlap(t, spec)  # "users active in both September and October"
        segment_comparison(self.values, t, spec, self.dim_phrases)
        read_gap(t, spec)  # "... and the gap between them (pro minus free)"
        rank_direction(self.layer, t, spec)
        self._unknown_groupings(t)
        if context is not None:
            for m in t.find(FOLLOW_UP_WORDS):
                t.take(m)  # "now", "instead", "same but": how a follow-up refines, read by _merge
        restated_words(self.layer, t, spec)
        account_for_words(self.vocabulary, t, spec)
        refines = any((spec.metrics, spec.dimensions, spec.filters, spec.time, spec.top, spec.compare,
                       spec.sort, spec.per, spec.contains, spec.unit, spec.round_to is not None, spec.nested,
                       spec.thresholds,  # count_of: "and how many distinct prompts is that?" (alone: new)
                       spec.count_of and FOLLOW_UP_CUES.search(t.text.strip())))  # fmt: skip
        # a count of users who never did something is no figure to rank or group: a grouping after it
        # is a question of its own ("which 3 error codes come up most" after "users who never ...")
        regroups = context is not None and context.never_of and (spec.dimensions or spec.top)
        if (
            context is not None
            and not new_topic
            and (refines or swapped)
            and not regroups
            and (not spec.metrics or swapped or FOLLOW_UP_CUES.search(t.text.strip()) or moved(spec))
        ):
            named, narrowed = bool(set(spec.metrics) - {th[0] for th in spec.thresholds}), context
            spec = merge(self.layer, context, spec, t.text)
            rank_direction(self.layer, t, spec)  # "and which one is the best?": best for the merged metric
            spec.corrections = corrections
        if spec.count_of and not spec.metrics and on_rows_only(self.layer, spec):
            spec.metrics = ["generations"]  # the rows the values are counted over (distinct.py)
            spec.matched.setdefault("(distinct values)", "counted over the generations")
        if not spec.metrics and spec.dimensions and named_units(spec):
            spec.metrics = ["generations"]  # "what tier is user 83131c40d0956c07 on": its rows, by tier
            spec.matched.setdefault("(one unit's rows)", "generations, counted")
        count_when_only_top(t, spec, ENTITY_DIMENSIONS)  # "top3 styles"
        if not spec.metrics:
            raise CannotAnswer(
                "I could not find a metric I know in the question "
                f"({', '.join(sorted(self.layer.metrics))[:300]}...)."
            )
        if (spec.top or spec.sort) and not spec.dimensions and not spec.within:
            raise CannotAnswer("Top-N needs something to rank, e.g. 'top 10 users by revenue'.")
        settle_thresholds(self.layer, spec)
        check_narrowing(narrowed, spec, t.text, named)  # "only ..." keeps the figure before
        settle_share(self.layer, spec, t)
        lumped.settle(self.layer, spec)
        counted_rows.settle(self.layer, spec, t, question)  # sessions by start, edits, per-unit scope
        check_grain(self.layer, spec)
        check_own_status(self.layer, spec)  # "error rate by status": 1 or 0, asked back
        return spec

    # --- steps -----------------------------------------------------------------------------

    def _groupings(self, t: QuestionText, spec: QuerySpec) -> None:
        for phrase, name in self.dim_phrases:
            cues = (GROUP_CUES + r"(?: the| each| user| hour of)?(?: number of| count of)?",
                    r"which|what|top \d+|bottom \d+")  # fmt: skip
            if name in ENTITY_DIMENSIONS:  # "per session" is a ratio or a metric's words, not a grouping
                cues = (r"by(?: the| each)?|for each|for every", cues[1])
            for cue in cues:
                # "by users who ..." is a filter's relative clause, not a grouping
                for m in t.find(rf"(?:{cue}) {phrase_re(phrase)}(?! who| that| which)"):
                    t.take(m)
                    self._add_dim(spec, name, m.group(0), m.start())
                    for listed in listed_after(t, m.end(), self.dim_phrases):  # "... and image height"
                        self._add_dim(spec, *listed)
        if spec.top:  # "top 10 users by revenue": the ranked thing follows the number
            ranks_time = t.has(rf"(?:{HIGH}|{LOW}) (?:{self.time_phrases})")
            for phrase, name in self.dim_phrases:
                for m in t.find(phrase_re(phrase)):
                    before = t.text[: m.start()].split()[-1:]
                    if ranks_time and name in ENTITY_DIMENSIONS and before and before[0] in self.value_words:
                        continue  # "the busiest day for pro users": a value's noun; the day is ranked
                    if not self.layer.dimensions[name].time and not spec.dimensions:
                        t.take(m)
                        self._add_dim(spec, name, m.group(0))

    def _metrics(self, t: QuestionText, spec: QuerySpec) -> None:
        """Metrics by synonym, longest phrase first. A generic word ("generations", "users") gives
        way to a specific metric in the same question unless the question lists several."""
        found = []  # (position, name, phrase)
        for phrase, name in self.metric_phrases:
            for m in t.find(phrase_re(phrase)):
                t.take(m)
                found.append((m.start(), name, m.group(0).strip()))
                spec.positions.setdefault(f"metric:{name}", m.start())
        found += counted_rows.count_listed(t, spec, found)  # "failed generations and distinct users"
        strong = [f for f in found if not {f[2], f[2][:-1]} & WEAK_PHRASES]  # "peoples" too
        spans = [(at, at + len(phrase)) for at, _, phrase in found]
        listed = bool(re.search(r" and ", t.open_text())) or t.listed_back_to_back(spans)
        # "which style of image gets blocked most often": a metric read already, "image" is its noun
        keep = strong if (strong or spec.metrics) and not listed else found
        m = re.search(r"how (?:many|much) ([a-z]+)", t.text)
        if m and not strong and len(found) > 1 and not listed:
            # "how many pics did people make": the noun after "how many" is counted, the rest its subject
            keep = [f for f in found if f[2] == m.group(1)] or keep
        keep = settle_units(t, spec, found, keep, self.value_words)  # "users by revenue", "folks made"
        # "revenue instead of cost": the figure replaced is no figure asked (it answered both)
        gone = {n for at, n, _ in keep if re.search(r"(?:instead of|in place of) (?:the )?$", t.text[:at])}
        if gone and any(n not in gone for _, n, _ in keep):
            spec.matched.update({p: f"{n}, replaced (not asked)" for _, n, p in keep if n in gone})
            keep = [f for f in keep if f[1] not in gone]
        for _, name, phrase in sorted(keep):
            if name not in spec.metrics:
                spec.metrics.append(name)
                spec.matched[phrase] = name
        if all(f"metric:{n}" in spec.positions for n in spec.metrics):  # in the order named
            spec.metrics.sort(key=lambda n: spec.positions[f"metric:{n}"])
        if found or spec.metrics:
            return
        if named := [th[0] for th in spec.thresholds if th[0] in self.layer.metrics]:
            spec.metrics.extend(dict.fromkeys(named))  # "tiers with more than 100 sessions"
            return
        if spec.count_of:  # "how many distinct samplers have users tried": the samplers are counted
            return
        counted = r"(?:how many|number of|count of|count the|count)((?: [a-z_-]+){1,4})"
        nouns = COUNT_NOUN_METRICS
        for m in re.finditer(counted, t.text):
            # "how many pro users": the first noun counted names the metric
            noun = next((w for w in m.group(1).split() if w in nouns or w in ("prompts", "prompt")), None)
            if noun in nouns:
                name = nouns[noun]
                spec.metrics.append(name)
                spec.matched[m.group(0).strip()] = f"{name} (counted)"
                return
        counting = r"how many|number of|count|busiest|quietest|used|popular|common|heaviest|volume"
        if spec.top and (m := re.search(r"slowest|fastest|quickest", t.text)):  # "our slowest hour"
            spec.metrics.append("p50_latency_ms")  # latency is the median (the layer's synonyms)
            spec.matched[m.group(0)] = "p50_latency_ms (ranked)"
            return
        if spec.top or t.has(r"how much|how many"):  # "at what hour do users generate the most"
            counting += r"|generate[sd]?|generating|create[sd]?|creating|produce[sd]?|producing"
            for m in t.find(r"(?:run|ran) into|hits?|encounter(?:s|ed)?") if spec.top else ():
                t.take(m)  # "which error code do free users run into the most": ranked by count
                counting += "|" + m.group(0)
        # "how many prompts" counts prompts, but "the 4 most used prompts" ranks them by use
        ranked = "prompt" in spec.dimensions
        if t.has(counting + r"|generations?|images?|renders?") and (
            ranked or not t.has(r"prompts?|words?|terms?")
        ):
            spec.metrics.append("generations")  # a count of generations, asked without the word
            spec.matched["(a count)"] = "generations"
            return
        if self.embed is None:
            return
        words = [w for w in t.words_left() if not w.isdigit()]
        if not words or len(words) > 8 or set(words) <= FILLER:  # "did they use": no figure named
            return
        candidates = {" ".join(words[i : i + n]) for n in (1, 2, 3, 4) for i in range(len(words) - n + 1)}
        candidates.add(" ".join(words))
        closest = self._closest_metrics(sorted(candidates))
        if not closest:
            return
        # Similar is not the same: never answer on a guessed metric, offer the closest readings.
        _, phrase = closest[0][1], closest[0][2]
        readings = []
        for name, _, _ in closest:
            label = re.sub(r"\s*\((?:ms|usd|minutes|share)\)$", "", self.layer.metrics[name].label.lower())
            reading = re.sub(rf"(?<![a-z0-9]){re.escape(phrase)}(?![a-z0-9])", label, t.text.strip(), count=1)
            if reading != t.text.strip() and reading not in readings:
                readings.append(reading)
        raise NeedsClarification(
            f"I am not sure which figure '{phrase}' means.", tuple(readings[:3]) or EXAMPLES[:3]
        )

    def _closest_metrics(self, texts: list[str], k: int = 3) -> list[tuple[str, float, str]]:
        """Up to ``k`` metrics whose phrases are most similar to one of ``texts`` (name, score, the
        text), best first, if the best is similar enough."""
        # a count of different values is never guessed from a word: "prompts" is no "distinct prompts",
        # nor a prompt's length ("prompts used more than 3" offered the prompt length in characters)
        # nor a prompt edit's figure (it offered the similarity to the previous prompt)
        never = ("distinct ", "unique ")
        guessable = [
            (p, n)
            for p, n in self.metric_phrases
            if not (p.startswith(never) or n.startswith(PROMPT_LENGTHS) or self.layer.metrics[n].reads("e"))
        ]
        if self._phrase_vectors is None:
            self._phrase_vectors = self.embed([p for p, _ in guessable])
        scores = self.embed(texts) @ self._phrase_vectors.T
        if float(scores.max()) < SIMILARITY_THRESHOLD:
            return []
        out: list[tuple[str, float, str]] = []
        for flat in np.argsort(-scores, axis=None):
            i, j = np.unravel_index(int(flat), scores.shape)
            name = guessable[j][1]
            if float(scores[i, j]) < SIMILARITY_THRESHOLD - 0.15 or len(out) == k:
                break
            if name not in {n for n, _, _ in out}:
                out.append((name, float(scores[i, j]), texts[i]))
        return out

    def _bare_dimensions(self, t: QuestionText, spec: QuerySpec) -> None:
        for phrase, name in self.dim_phrases:
            dim = self.layer.dimensions[name]
            for m in t.find(phrase_re(phrase)):
                if name in ENTITY_DIMENSIONS and not spec.top:
                    continue  # "users", "sessions" alone are a metric or a filter's noun, not a grouping
                if name in spec.filters and not re.fullmatch(GROUPING_WORD, m.group(0)):
                    continue  # "pro tier": the tier is already a filter; "hourly" groups the hours kept
                if dim.time and (noun := period_noun(t, m)):
                    if noun == "range":  # the dates' noun is read; "that day" is left unread
                        t.take(m)
                    continue
                if not dim.time and re.search(r"(?<![a-z])all (?:the )?$", t.text[: m.start()]):
                    raise each_or_together(t.text.strip(), m.group(0), phrase)  # "..., all tiers"
                t.take(m)
                if dim.time or name not in spec.dimensions:
                    self._add_dim(spec, name, m.group(0), m.start())

    def _relation(self, t: QuestionText, spec: QuerySpec) -> None:
        """ "how does step count relate to latency": of two figures named with a relationship's
        verb, the one that is also a dimension ("step count", "complexity") is the grouping."""
        if len(spec.metrics) != 2 or spec.dimensions or not t.has(RELATION_VERBS):
            return
        as_dims = {
            metric: (dim, phrase)
            for phrase, metric in spec.matched.items()
            for p, dim in self.dim_phrases
            if metric in spec.metrics and re.fullmatch(phrase_re(p), phrase)
        }
        if len(as_dims) == 1:
            ((metric, (dim, phrase)),) = as_dims.items()
            spec.metrics.remove(metric)
            del spec.matched[phrase]
            self._add_dim(spec, dim, phrase, spec.positions.get(f"metric:{metric}", 10_000))

    def _unknown_groupings(self, t: QuestionText) -> None:
        for m in t.find(rf"{GROUP_CUES} (?:the )?([a-z][a-z_]+)"):
            word = m.group(1)
            if word not in STOP:
                labels = ", ".join(d.label for d in self.layer.dimensions.values())
                raise CannotAnswer(f"I don't know how to split by '{word}'. I can split by: {labels}.")

    # --- helpers ---------------------------------------------------------------------------

    def _add_dim(self, spec: QuerySpec, name: str, words: str, position: int = 10_000) -> None:
        if self.layer.dimensions[name].time:  # one time grain at a time: the last one named wins
            spec.dimensions = [d for d in spec.dimensions if not self.layer.dimensions[d].time]
        if name not in spec.dimensions:
            spec.dimensions.append(name)
            spec.positions[name] = position
            # columns in the order the question names them ("by tier and sampler": tier first)
            spec.dimensions.sort(key=lambda d: spec.positions.get(d, 10_000))
        spec.matched[words.strip()] = f"by {name}"
