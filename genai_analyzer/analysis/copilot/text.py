"""The question as text the parser consumes word by word, and the regexes it matches phrases with."""

from __future__ import annotations

import functools
import re

from genai_analyzer.analysis.copilot.numbers import digits_for_spelled_numbers
from genai_analyzer.analysis.copilot.numeric_dates import spell_dates
from genai_analyzer.analysis.copilot.sql_words import operators_as_words
from genai_analyzer.analysis.copilot.vocabulary import REWORDINGS, STOP

# "last week's", "everyone else's": a possessive changes nothing the copilot reads (and the typo
# reader would take "week's" for "weeks")
POSSESSIVE = re.compile(r"(?<=[a-z])['’]s(?![a-z])", re.I)


@functools.lru_cache(maxsize=8192)
def _bounded(pattern: str) -> re.Pattern:
    """``pattern`` compiled to match whole words only (cached: a question tries ~900 patterns,
    more than the ``re`` module's own cache holds)."""
    return re.compile(rf"(?<![a-z0-9]){pattern}(?![a-z0-9])")


class QuestionText:
    """The normalized question with a mask of consumed characters."""

    def __init__(self, question: str):
        # "gens, users, error rate": the commas go with the punctuation below, but a list said with them
        # is still a list (``listed_back_to_back``); it kept only the error rate (blind set 43)
        self.after_commas = set(re.findall(r"[a-z0-9%)]\s*[,;]\s*([a-z]+)", question.lower()))
        # "width × height": the multiplication sign is the letter x, not punctuation dropped
        text = spell_dates(question.lower().replace("’", "'").replace("×", " x "))  # "9/14": "september 14"
        text = operators_as_words(text)  # "step > 50": "step above 50"
        # "by sampler, steps and cfg": a list, not the "sampler steps" (the steps) once the comma is gone
        text = re.sub(r"\b(samplers?|schedulers?|solvers?)\s*[,;/]\s*(?=steps?\b)", r"\1 and ", text)
        text = re.sub(r"(?<=\d),(?=\d{3}(?!\d))", "", text)  # "4,000 ms": 4000, not "4 000"
        # "11.5k ms", "over 2k generations": thousands
        text = re.sub(r"(?<![\w.])(\d+(?:\.\d+)?)k(?![a-z0-9])", lambda m: f"{float(m[1]) * 1000:g}", text)
        # a currency symbol is read, never dropped: "$5" is "5 dollars", "$ made" is revenue (REWORDINGS),
        # and a "$" nothing reads stops the answer (accounting.py)
        text = re.sub(r"\$\s?(\d+(?:\.\d+)?)", r" \1 dollars ", text).replace("$", " $ ")
        text = re.sub(r"(?<![a-z0-9])#\s*(?=[a-z])", " number of ", text)  # "# sessions" (not "#4471")
        text = re.sub(r"(?<![0-9])\.|\.(?![0-9])", " ", text)  # a decimal point is kept: "above 3.5%"
        text = re.sub(r"(?<=\d)\s?\+(?=\s|$)", " or more", text)  # "sessions with 2+ generations"
        text = re.sub(r"[^a-z0-9%$'.\-:/ ]+", " ", text)
        # "last 14d: error rate": an abbreviated span before a colon (other colons are read: "power users:")
        text = re.sub(r"(?<=\d[a-z]):(?= |$)", " ", text)
        text = " " + re.sub(r"\s+", " ", digits_for_spelled_numbers(text)).strip() + " "
        for pattern, replacement in REWORDINGS:
            text = re.sub(pattern, replacement, text)
        text = POSSESSIVE.sub("", text)  # after the rewordings, some of which read "what's"
        self.text = text
        self.used = [False] * len(self.text)
        self.sealed = [False] * len(self.text)  # read as one phrase whose words are no cue elsewhere

    def reworded(self, pattern: str, replacement: str = " ") -> QuestionText:
        """A fresh reading of this text with ``pattern`` replaced (nothing taken yet)."""
        fresh = QuestionText("")
        fresh.after_commas = self.after_commas
        fresh.text = " " + " ".join(re.sub(pattern, replacement, self.text).split()) + " "
        fresh.used, fresh.sealed = [False] * len(fresh.text), [False] * len(fresh.text)
        return fresh

    def find(self, pattern: str):
        """Matches of ``pattern`` (regex, word-bounded) over characters not yet consumed."""
        for m in _bounded(pattern).finditer(self.text):
            if not any(self.used[m.start() : m.end()]):
                yield m

    def take(self, m) -> None:
        self.take_span(m.start(), m.end())

    def take_first(self, pattern: str) -> str | None:
        """The words of the first unread match of ``pattern``, consumed; None when there is none."""
        for m in self.find(pattern):
            self.take(m)
            return m.group(0)
        return None

    def take_span(self, start: int, end: int) -> None:
        for i in range(start, end):
            self.used[i] = True

    def seal(self, m) -> None:
        self.seal_span(m.start(), m.end())

    def seal_span(self, start: int, end: int) -> None:
        """Consume a phrase whose words say nothing beyond it: "more than" in "more than 3 times" or
        "between" in "between 9am and 5pm" is no comparison cue for ``has``."""
        self.take_span(start, end)
        for i in range(start, end):
            self.sealed[i] = True

    def has(self, pattern: str) -> bool:
        """Whether ``pattern`` occurs anywhere in the question, consumed or not (but not sealed)."""
        return _bounded(f"(?:{pattern})").search(self.open_text()) is not None

    def open_text(self) -> str:
        """The text with the sealed phrases blanked."""
        return "".join(" " if s else c for c, s in zip(self.text, self.sealed, strict=True))

    def rest(self) -> str:
        return "".join(" " if u else c for c, u in zip(self.text, self.used, strict=True))

    def listed_back_to_back(self, spans: list[tuple[int, int]]) -> bool:
        """Whether phrases at ``spans`` were listed with commas: two of them with nothing between, the
        second's first word said right after a comma ("users, going by session friction" is no list)."""
        ordered = sorted(spans)
        return any(
            not self.text[a[1] : b[0]].strip() and self.text[b[0] :].split()[0] in self.after_commas
            for a, b in zip(ordered, ordered[1:], strict=False)
        )

    def words_left(self) -> list[str]:
        words = (w.strip("'") for w in re.findall(r"[a-z0-9%$']+", self.rest()))
        return [w for w in words if w not in STOP and w not in ("s", "")]


@functools.lru_cache(maxsize=8192)
def phrase_re(p: str) -> str:
    """A regex for a phrase: words separated by any spacing, each with an optional plural s."""
    return r"\s+".join(word_re(w) for w in p.split())


def word_re(w: str) -> str:
    """One word of a phrase, singular or plural ("plans" also matches "plan")."""
    if not w.isalpha() or len(w) <= 2:
        return re.escape(w)
    if w.endswith("s") and not w.endswith(("ss", "us", "is")):
        w = w[:-1]
    return re.escape(w) + r"(?:s|es)?"


def edit_distance(a: str, b: str) -> int:
    """Optimal string alignment distance: insertions, deletions, substitutions and swaps of two
    neighbouring letters ("domian" -> "domain" is 1)."""
    rows = [list(range(len(b) + 1))]
    for i in range(1, len(a) + 1):
        row = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = a[i - 1] != b[j - 1]
            row[j] = min(rows[-1][j] + 1, row[j - 1] + 1, rows[-1][j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                row[j] = min(row[j], rows[-2][j - 2] + 1)
        rows.append(row)
    return rows[-1][-1]


# time words a typo of is read as the word ("yesterdy's failure rate", blind set 29): the time phrases
# read them by pattern, so they are not the layer's vocabulary
TIME_TYPOS = frozenset(
    {"yesterday", "between", "previous", "quarter", "weekend", "weekends", "weekday", "weekdays"}
)


def correct_typos(
    question: str,
    vocabulary: set[str],
    read_too: frozenset[str] = frozenset(),
    spelt: dict[str, str] | None = None,
) -> tuple[str, dict[str, str]]:
    """``question`` with each misspelt word read as the vocabulary word one edit away (two for words
    of eight letters or more), and the corrections made ({typo: word}), to show the user. First, a
    value spelt with other spaces or hyphens is written as the data spells it (``spelt``, made by
    ``spellings``: see ``join_spellings``).

    Only words the copilot would not know otherwise are corrected, only into words of the semantic
    layer, the warehouse's values or the refusal list, and only when one such word is that close:
    "latncy" is read as "latency", "contry" as "country" (and refused), "happiest" stays unknown.
    Words some step reads by its own patterns (``STEP_WORDS``, and ``read_too``: the thresholds' and
    time phrases' words) are never corrected: "exceeding" is not "excluding"."""
    from genai_analyzer.analysis.copilot.vocabulary import FILLER, MONTHS, NUMBERS, QUALIFIERS, STEP_WORDS

    known = vocabulary | FILLER | QUALIFIERS | STOP | set(MONTHS) | set(NUMBERS) | STEP_WORDS | read_too
    # five letters or more: a short word is too often another real word ("four" is not "hour"); a
    # word of four only with two neighbouring letters swapped ("teir" is "tier")
    candidates = [w for w in vocabulary | QUALIFIERS | TIME_TYPOS if len(w) >= 4 and w.isalpha()]
    question, corrections = join_spellings(question, spelt or {})
    for word in dict.fromkeys(re.findall(r"[a-z][a-z']{3,}", question.lower())):
        # "succes" is not the singular of "success"
        if word in known or word.rstrip("s") in known or (word + "s" in known and not word.endswith("s")):
            continue
        if word.endswith("'s") and word[:-2] in known:  # "last week's": a possessive (QuestionText)
            continue
        if word.strip("'") in known:  # "'uncertain'": a value in quotes (everyday.EARLY), no typo
            continue
        word = word.removesuffix("'s")  # "yesterdy's": the word without its possessive
        limit = 1 if len(word) < 8 else 2
        close = sorted(
            (d, c)
            for c in candidates
            if abs(len(c) - len(word)) <= limit
            and (len(c) >= 5 or _swapped(word, c))
            and (d := edit_distance(word, c)) <= limit
            and (d == 1 or c[0] == word[0])  # two edits only when the first letter agrees
        )
        if close and (len(close) == 1 or close[0][0] < close[1][0] or close[0][1] == close[1][1].rstrip("s")):
            corrections[word] = close[0][1]
    for typo, word in corrections.items():
        question = re.sub(rf"(?<![a-z]){re.escape(typo)}(?![a-z])", word, question, flags=re.I)
    return question, corrections


def _swapped(word: str, other: str) -> bool:
    """Whether ``word`` is ``other`` with two neighbouring letters swapped."""
    if len(word) != len(other) or word == other:
        return False
    diff = [i for i, (a, b) in enumerate(zip(word, other, strict=True)) if a != b]
    return (
        len(diff) == 2
        and diff[1] == diff[0] + 1
        and word[diff[0]] == other[diff[1]]
        and word[diff[1]] == other[diff[0]]
    )


def compact(text: str) -> str:
    """``text`` with everything but letters and digits gone: 'Photo-Realistic' -> 'photorealistic'."""
    return re.sub(r"[^a-z0-9]", "", text.lower())


def spellings(values) -> dict[str, str]:
    """The compact spelling of each value of five letters or more -> the value (join_spellings)."""
    return {c: v for v in values if len(c := compact(v)) >= 5}


def join_spellings(question: str, values: dict[str, str]) -> tuple[str, dict[str, str]]:
    """``question`` with a value of the data spelt with other spaces or hyphens ('SCI FI', 'scifi',
    'Photo-Realistic') written as the data spells it, and the spellings read ({said: value}) to show
    the user (blind set 26). ``values``: the compact spelling of each value of five letters or more
    -> the value as the question should say it."""
    words = list(re.finditer(r"[A-Za-z0-9]+", question))
    joined: dict[str, str] = {}
    out, last, i = [], 0, 0
    while i < len(words):
        for n in (3, 2, 1):
            span = words[i : i + n]
            gaps = (question[a.end() : b.start()] for a, b in zip(span, span[1:], strict=False))
            if len(span) < n or any(re.fullmatch(r"[\s\-_'\"]*", gap) is None for gap in gaps):
                continue
            said = question[span[0].start() : span[-1].end()]
            value = values.get(compact(said))
            if value is not None and re.sub(r"[\s_]+", " ", said.lower()) != value:
                out.append(question[last : span[0].start()] + value)
                joined[said] = value
                last, i = span[-1].end(), i + n - 1
                break
        i += 1
    return "".join(out) + question[last:], joined
