"""The offline copilot: a deterministic parser from a question to a ``QuerySpec``.

No LLM. A question is read against the semantic layer in a fixed order, each step consuming the
words it understood so that later steps cannot reuse them:

1. refusals first: requests to change data, and things the warehouse does not hold (the layer's
   ``unsupported`` list) are refused with the reason;
2. the time range ("last week", "last 7 days", "in september", "since 2025-09-03", ...);
3. top / bottom N;
4. explicit groupings ("by tier", "per day", "for each sampler", "which art styles", "top 10 users");
5. "how many errors" (a status counted), then metrics by their synonyms, longest first; when no
   synonym matches, by embedding similarity of the remaining words to each metric's phrases;
6. dimension values as filters ("pro users", "anime", "only errors"), with their dimension;
7. bare dimension words left over ("daily", "tiers") as groupings.

Whatever cannot be mapped ("by country", no metric at all) ends in a ``CannotAnswer`` that says
why and suggests questions that work: the parser never guesses its way to a wrong answer.
Follow-ups ("now only for pro users", "by week instead") refine the previous spec.
"""

from __future__ import annotations

import re
from dataclasses import replace

import numpy as np

from genai_analyzer.analysis.copilot.spec import EXAMPLES, CannotAnswer, QuerySpec, TimeRange
from genai_analyzer.analysis.copilot.text import QuestionText, phrase_re
from genai_analyzer.analysis.copilot.time_phrases import read_time, refuse_unread_dates
from genai_analyzer.analysis.copilot.vocabulary import (
    AMBIGUOUS_VALUES,
    DESTRUCTIVE,
    FAILED_WORDS,
    FILLER,
    FOLLOW_UP_CUES,
    GROUP_CUES,
    INJECTION,
    MONTHS,
    SIMILARITY_THRESHOLD,
    STATUS_WORDS,
    STOP,
    WEAK_PHRASES,
    status_words,
    word_number,
)
from genai_analyzer.analysis.semantic import SemanticLayer

__all__ = ["EXAMPLES", "CannotAnswer", "Parser", "QuerySpec", "TimeRange"]


class Parser:
    """Question → QuerySpec over one semantic layer and one warehouse's dimension values."""

    def __init__(self, layer: SemanticLayer, values: dict[str, list[str]], embed=None):
        self.layer = layer
        self.values = values  # dimension -> distinct values in the warehouse
        self.embed = embed  # texts -> unit vectors, or None to skip similarity matching
        self._metric_phrases = sorted(
            ((p, m.name) for m in layer.metrics.values() for p in {m.label.lower(), *m.synonyms}),
            key=lambda pm: -len(pm[0]),
        )
        self._dim_phrases = sorted(
            ((p, d.name) for d in layer.dimensions.values() for p in {d.name.replace("_", " "), *d.synonyms}),
            key=lambda pd_: -len(pd_[0]),
        )
        self._phrase_vectors = None
        words = [p for p, _ in self._metric_phrases] + [p for p, _ in self._dim_phrases]
        words += [str(v).replace("_", " ").lower() for vs in values.values() for v in vs]
        words += [w for ws in STATUS_WORDS.values() for w in ws] + FAILED_WORDS + list(MONTHS)
        words += [p for seg in layer.segments for p in seg["phrases"]]
        words += [w for words_, _ in layer.unsupported for w in words_]
        self.vocabulary = {w for phrase in words for w in re.findall(r"[a-z0-9']+", phrase)}
        self.vocabulary |= {"week", "weeks", "day", "days", "month", "months", "today", "yesterday", "period"}
        self.segments = {
            phrase: (seg["dimension"], tuple(seg["values"]))
            for seg in layer.segments
            for phrase in seg["phrases"]
        }

    # --- public ----------------------------------------------------------------------------

    def screen(self, question: str) -> None:
        """Refuse, before anything else reads it, a question that is empty, too long, asks to
        change data, reads like instructions to the model, or needs data the warehouse lacks."""
        if not question or not question.strip():
            raise CannotAnswer("The question is empty.")
        if len(question) > 500:
            raise CannotAnswer(
                "The question is too long; ask about one thing at a time (500 characters at most)."
            )
        self._refuse_unsafe(QuestionText(question).text)

    def parse(self, question: str, context: QuerySpec | None = None) -> QuerySpec:
        self.screen(question)
        t = QuestionText(question)
        spec = QuerySpec(metrics=[])
        phrasing = r"(break(?:ing)?) (?:[a-z]+ ){0,3}?(down)|broken down|breakdown|in hours|in minutes"
        for m in t.find(phrasing + r"|per (?:generation|image|render|request)"):
            # phrasing and units, not a failure metric or an hourly grouping
            for group in (1, 2) if m.group(1) else (0,):
                t.take_span(m.start(group), m.end(group))
        spec.time = read_time(t)
        refuse_unread_dates(t)
        self._top(t, spec)
        self._groupings(t, spec)
        self._counted_status(t, spec)
        self._value_filters(t, spec, with_noun=True)
        self._metrics(t, spec)
        self._value_filters(t, spec, with_noun=False)
        self._bare_dimensions(t, spec)
        self._compare(t, spec)
        self._segment_comparison(t, spec)
        self._direction(t, spec)
        self._unknown_groupings(t)
        self._unknown_words(t, strict=spec.guessed)
        if context is not None and (not spec.metrics or FOLLOW_UP_CUES.search(t.text.strip())):
            spec = self._merge(context, spec, t.text)
        if not spec.metrics:
            raise CannotAnswer(
                "I could not find a metric I know in the question "
                f"({', '.join(sorted(self.layer.metrics))[:300]}...)."
            )
        if spec.top and not spec.dimensions:
            raise CannotAnswer("Top-N needs something to rank, e.g. 'top 10 users by revenue'.")
        self._check_grain(spec)
        return spec

    # --- steps -----------------------------------------------------------------------------

    def _refuse_unsafe(self, text: str) -> None:
        if INJECTION.search(text):
            raise CannotAnswer(
                "That reads like an instruction to the copilot or a request for files or other systems; "
                "I only answer questions about the warehouse's data, with read-only queries."
            )
        if DESTRUCTIVE.search(text):
            raise CannotAnswer(
                "I only read data: the copilot cannot change, delete or create anything in the warehouse."
            )
        for words, reason in self.layer.unsupported:
            for w in words:
                if re.search(rf"(?<![a-z0-9]){re.escape(w)}(?![a-z0-9])", text):
                    raise CannotAnswer(f"{reason} (the question mentions '{w}').")

    def _top(self, t: QuestionText, spec: QuerySpec) -> None:
        """Top / bottom N. "worst" and "best" follow the metric: the worst latency is the highest,
        the worst success rate the lowest (resolved in ``_direction`` once the metric is known)."""
        number = r"(\d+|one|two|three|four|five|ten|twenty)"
        high = r"top|best|highest|largest|biggest|most|heaviest|busiest|worst|slowest|priciest|longest"
        low = r"bottom|lowest|smallest|least|fewest|lightest|quietest|fastest|cheapest|shortest|quickest"
        for pattern, ascending in (
            (rf"(?<!at )(?:the )?(?:{high}) {number}", False),
            (rf"(?<!at )(?:the )?(?:{low}) {number}", True),
            (rf"{number} (?:{high})", False),
            (rf"{number} (?:{low})", True),
        ):
            for m in t.find(pattern):
                t.take(m)
                spec.top, spec.ascending = word_number(m.group(1)), ascending
                spec.matched[m.group(0).strip()] = f"{'bottom' if ascending else 'top'} {spec.top}"
                return
        for m in t.find(rf"(?:which|what|the) {number}(?= [a-z])"):  # "which 3 domains have the highest ..."
            t.take(m)
            spec.top = word_number(m.group(1))
            spec.matched[m.group(0).strip()] = f"top {spec.top}"
            break
        for pattern, ascending in (
            (rf"(?<!at )(?:the )?(?:{low})", True),
            (rf"(?<!at )(?:the )?(?:{high})", False),
        ):  # noqa: E501
            for m in t.find(pattern + r"(?: used| common| popular| active)?"):
                t.take(m)
                spec.top = spec.top or 1
                spec.ascending = ascending
                spec.matched[m.group(0).strip()] = f"{'bottom' if ascending else 'top'} {spec.top}"
                return

    def _groupings(self, t: QuestionText, spec: QuerySpec) -> None:
        for phrase, name in self._dim_phrases:
            for cue in (GROUP_CUES + r"(?: the| each| user| hour of)?(?: number of| count of)?",
                        r"which|what|top \d+|bottom \d+"):  # fmt: skip
                # "by users who ..." is a filter's relative clause, not a grouping
                for m in t.find(rf"(?:{cue}) {phrase_re(phrase)}(?! who| that| which)"):
                    t.take(m)
                    self._add_dim(spec, name, m.group(0))
        if spec.top:  # "top 10 users by revenue": the ranked thing follows the number
            for phrase, name in self._dim_phrases:
                for m in t.find(phrase_re(phrase)):
                    if not self.layer.dimensions[name].time and not spec.dimensions:
                        t.take(m)
                        self._add_dim(spec, name, m.group(0))

    def _counted_status(self, t: QuestionText, spec: QuerySpec) -> None:
        """ "how many errors", "how many portrait generations failed": a count of generations with
        that status (failed: any status but success)."""
        statuses = self.values.get("status", [])
        if self._status_rate(t, spec):
            return
        options = status_words(statuses, absent_too=True)  # "how many timeouts": 0 is an answer
        options.sort(key=lambda o: -len(o[0]))
        counting = r"(how many|number of|count of|count the|count|total)"
        for word, values in options:
            gap = r"(?:[a-z]+ ){0,4}?(?:were |was |got |have been |had been )?"
            for m in t.find(rf"{counting} {gap}({phrase_re(word)})"):
                t.take_span(m.start(1), m.end(1))
                t.take_span(m.start(2), m.end(2))
                spec.metrics.append("generations")
                spec.filters.setdefault("status", []).extend(
                    v for v in values if v not in spec.filters.get("status", [])
                )
                spec.matched[m.group(0).strip()] = f"generations with status {', '.join(values)}"
                return

    def _status_rate(self, t: QuestionText, spec: QuerySpec) -> bool:
        """ "what share of generations get blocked", "what fraction of sessions end on an nsfw block":
        the rate the layer defines for that status, per generation or per session ending."""
        share = (
            r"(?:what |the )?(?:share|fraction|percent|percentage|proportion|portion|ratio|how often|"
            r"rate)"
        )
        ending = r"sessions? (?:that |which )?(?:end|ends|ended|ending|close|closes) "
        ending += r"(?:on|after|with|in) (?:an? )?"
        for m in t.find(
            rf"{share} (?:of )?{ending}(nsfw block|nsfw filter|block|failure|failed generation|error)"
        ):
            t.take(m)
            name = "nsfw_exit_rate" if "nsfw" in m[1] or m[1] == "block" else "abandon_rate"
            spec.metrics.append(name)
            spec.matched[m.group(0).strip()] = name
            return True
        rates = {"error": "error_rate", "timeout": "timeout_rate", "nsfw_blocked": "nsfw_block_rate",
                 "success": "success_rate"}  # fmt: skip
        options = [(w, rates[s]) for s, ws in STATUS_WORDS.items() for w in ws] + [
            (w, "failure_rate") for w in FAILED_WORDS
        ]
        for word, name in sorted(options, key=lambda o: -len(o[0])):
            gap = r"(?:[a-z']+ ){0,7}?"
            for m in t.find(rf"({share}) {gap}({phrase_re(word)})"):
                t.take_span(m.start(1), m.end(1))
                t.take_span(m.start(2), m.end(2))
                spec.metrics.append(name)
                spec.matched[m.group(0).strip()] = name
                return True
        return False

    def _metrics(self, t: QuestionText, spec: QuerySpec) -> None:
        """Metrics by synonym, longest phrase first. A generic word ("generations", "users") gives
        way to a specific metric in the same question unless the question lists several."""
        found = []  # (position, name, phrase)
        for phrase, name in self._metric_phrases:
            for m in t.find(phrase_re(phrase)):
                t.take(m)
                found.append((m.start(), name, m.group(0).strip()))
        strong = [f for f in found if f[2] not in WEAK_PHRASES]
        listed = bool(re.search(r" and |,", t.text))
        for _, name, phrase in sorted(strong if strong and not listed else found):
            if name not in spec.metrics:
                spec.metrics.append(name)
                spec.matched[phrase] = name
        if found or spec.metrics:
            return
        counting = r"how many|number of|count|busiest|quietest|used|popular|common|heaviest|volume"
        if t.has(counting + r"|generations?|images?|renders?"):
            spec.metrics.append("generations")  # a count of generations, asked without the word
            spec.matched["(a count)"] = "generations"
            return
        if self.embed is None:
            return
        words = [w for w in t.words_left() if not w.isdigit()]
        if not words or len(words) > 8:
            return
        candidates = {" ".join(words[i : i + n]) for n in (1, 2, 3, 4) for i in range(len(words) - n + 1)}
        candidates.add(" ".join(words))
        name, score, phrase = self._closest_metric(sorted(candidates))
        if name is not None:
            spec.metrics.append(name)
            spec.matched[phrase] = f"{name} (similarity {score:.2f})"
            spec.guessed = True

    def _closest_metric(self, texts: list[str]) -> tuple[str | None, float, str]:
        """The metric whose phrase is most similar to one of ``texts``, if similar enough."""
        if self._phrase_vectors is None:
            self._phrase_vectors = self.embed([p for p, _ in self._metric_phrases])
        vectors = self.embed(texts)
        scores = vectors @ self._phrase_vectors.T
        i, j = np.unravel_index(int(np.argmax(scores)), scores.shape)
        best = float(scores[i, j])
        if best < SIMILARITY_THRESHOLD:
            return None, best, ""
        return self._metric_phrases[j][1], best, texts[i]

    def _value_filters(self, t: QuestionText, spec: QuerySpec, *, with_noun: bool) -> None:
        """Values the question names. First the sure forms ("pro users", "only errors", "except the
        free tier", the layer's segments such as "paying users"), so that metric words cannot take
        them; then bare values ("anime")."""
        if with_noun:
            for phrase, (dim, values) in self.segments.items():
                for m in t.find(rf"{phrase_re(phrase)}"):
                    t.take(m)
                    spec.filters[dim] = list(values)
                    spec.matched[m.group(0).strip()] = f"{dim} in {', '.join(values)}"
        nouns = r" (?:users?|tiers?|plans?|accounts?|customers?|prompts?|images?|generations?|style)"
        negation = r"(?:except|excluding|other than|not|non|but not|apart from|without)[ -](?:the |for )?"
        pairs = []  # (words, dimension, values it stands for), longest words first across dimensions
        for dim, values in self.values.items():
            if dim == "status":
                pairs += [(w, dim, chosen) for w, chosen in status_words(values)]
            else:
                pairs += [(str(v).replace("_", " ").lower(), dim, [v]) for v in values]
        for word, dim, chosen_values in sorted(pairs, key=lambda p: -len(p[0])):
            if not word or word in AMBIGUOUS_VALUES:
                continue
            value_re = phrase_re(word)
            sure = [
                (rf"{negation}{value_re}(?:{nouns})?", True),
                (rf"(?:only |just |among |of the |for )(?:the )?{value_re}(?:{nouns})?", False),
                (rf"(?:the )?{value_re}{nouns}", False),
            ]
            if dim != "status" and " " in word:  # "model error", "concept art": a name, not a metric word
                sure.append((rf"(?:the )?{value_re}", False))
            forms = sure if with_noun else [(rf"(?:the )?{value_re}", False)]
            for pattern, negated in forms:
                for m in t.find(pattern):
                    t.take(m)
                    chosen = spec.filters.setdefault(dim, [])
                    if negated:
                        spec.filters[dim] = [
                            v for v in (chosen or self.values[dim]) if v not in chosen_values
                        ]
                    else:
                        chosen.extend(v for v in chosen_values if v not in chosen)
                    shown = ", ".join(chosen_values)
                    spec.matched[m.group(0).strip()] = f"{dim} {'not in' if negated else 'in'} {shown}"

    def _bare_dimensions(self, t: QuestionText, spec: QuerySpec) -> None:
        for phrase, name in self._dim_phrases:
            dim = self.layer.dimensions[name]
            for m in t.find(phrase_re(phrase)):
                if name == "user" and not spec.top:
                    continue  # "users" alone is a metric or a filter's noun, not a grouping
                if name in spec.filters:
                    continue  # "pro tier": the tier is already a filter
                t.take(m)
                if dim.time or name not in spec.dimensions:
                    self._add_dim(spec, name, m.group(0))

    def _compare(self, t: QuestionText, spec: QuerySpec) -> None:
        """A period compared with the one before it. Not consumed: "slower" also names the metric.
        The direction asked for keeps only the values that moved that way."""
        if spec.time is None:
            return
        verbs = r"(?:(?:got|get|gotten|became|become|went|go|getting|is getting|are getting|used|saw) )?"
        up = r"slower|worse|more|higher|longer|up|increased?|grew|grow|growth|rose|risen"
        down = r"faster|better|less|fewer|lower|shorter|down|decreased?|dropped|fell|shrank"
        either = r"changed?|compared? (?:to|with)|vs\.? (?:the )?(?:previous|prior|last)|versus|trend(?:ing)?"
        for pattern, direction in ((rf"{verbs}(?:{up})", "up"), (rf"{verbs}(?:{down})", "down"),
                                   (either, None)):  # fmt: skip
            if re.search(rf"(?<![a-z])(?:{pattern})(?![a-z])", t.text):
                spec.compare, spec.compare_direction = True, direction
                # "... than the week before": the period is the comparison's, not a grouping
                spec.dimensions = [d for d in spec.dimensions if not self.layer.dimensions[d].time]
                return

    def _segment_comparison(self, t: QuestionText, spec: QuerySpec) -> None:
        """ "compare error rate between free and pro users": one row per named value."""
        if not t.has(r"compare|compared|comparison|vs|versus|than|between|difference"):
            return
        for dim, values in spec.filters.items():
            if len(values) >= 2 and dim not in spec.dimensions:
                spec.dimensions.append(dim)
                spec.compare = False

    def _direction(self, t: QuestionText, spec: QuerySpec) -> None:
        """ "worst" / "best" rank by what is bad or good for the metric, not by its size."""
        if not spec.top or not spec.metrics:
            return
        better_high = self.layer.metrics[spec.metrics[0]].higher_is_better
        if t.has(r"worst"):
            spec.ascending = better_high
        elif t.has(r"best"):
            spec.ascending = not better_high

    def _unknown_words(self, t: QuestionText, *, strict: bool = False) -> None:
        unknown = [
            w for w in t.words_left()
            if len(w) > 2 and not w.isdigit() and w not in FILLER and w.rstrip("s") not in self.vocabulary
            and w not in self.vocabulary
        ]  # fmt: skip
        if len(set(unknown)) >= (1 if strict else 2):
            raise CannotAnswer(
                f"I don't know what '{' '.join(unknown)}' refers to: the warehouse has no such data "
                "(generations, users, sessions, prompts and their labels, latency, status, cost, revenue)."
            )

    def _unknown_groupings(self, t: QuestionText) -> None:
        for m in t.find(rf"{GROUP_CUES} (?:the )?([a-z][a-z_]+)"):
            word = m.group(1)
            if word not in STOP:
                raise CannotAnswer(
                    f"I don't know how to split by '{word}'. I can split by: "
                    + ", ".join(d.label for d in self.layer.dimensions.values())
                    + "."
                )

    # --- helpers ---------------------------------------------------------------------------

    def _add_dim(self, spec: QuerySpec, name: str, words: str) -> None:
        if self.layer.dimensions[name].time:  # one time grain at a time: the last one named wins
            spec.dimensions = [d for d in spec.dimensions if not self.layer.dimensions[d].time]
        if name not in spec.dimensions:
            spec.dimensions.append(name)
        spec.matched[words.strip()] = f"by {name}"

    def _merge(self, previous: QuerySpec, new: QuerySpec, text: str) -> QuerySpec:
        merged = replace(previous, filters={k: list(v) for k, v in previous.filters.items()})
        merged.matched = dict(new.matched)
        if new.metrics:
            merged.metrics = new.metrics
        if new.dimensions:
            dims = self.layer.dimensions
            new_time = [d for d in new.dimensions if dims[d].time]
            new_other = [d for d in new.dimensions if not dims[d].time]
            kept = [d for d in previous.dimensions if not (dims[d].time and new_time)]
            kept = [d for d in kept if not (not dims[d].time and new_other and "instead" in text)]
            if "instead" in text and kept == previous.dimensions:
                kept = []  # "by day instead" after "by tier": nothing of the same kind to swap, so all
            merged.dimensions = kept + [d for d in new.dimensions if d not in kept]
        for dim, values in new.filters.items():
            merged.filters[dim] = values
        if new.time:
            merged.time = new.time
        if new.top:
            merged.top, merged.ascending = new.top, new.ascending
        merged.compare = new.compare or (previous.compare and not new.time)
        return merged

    def _check_grain(self, spec: QuerySpec) -> None:
        grains = {self.layer.metrics[m].grain for m in spec.metrics}
        if len(grains) > 1:
            raise CannotAnswer(
                "Those metrics live at different grains (per generation and per session); ask for them "
                "one at a time."
            )
        (grain,) = grains
        for dim in [*spec.dimensions, *spec.filters]:
            if self.layer.dimensions[dim].expression(grain) is None:
                raise CannotAnswer(
                    f"{self.layer.metrics[spec.metrics[0]].label} is a per-{grain[:-1]} metric and cannot be "
                    f"split or filtered by {self.layer.dimensions[dim].label}."
                )
