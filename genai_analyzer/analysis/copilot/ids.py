"""One user, session or prompt named by its id (a support ticket, blind set 34): "how many images did
user 83131c40d0956c07 make last week", "which error codes did session 7e2b1c25aeff4646 get", "how
often was prompt ed8003fb17c41b32 used". The id becomes a filter on that unit, once the warehouse
has said it holds that id.

An id the warehouse does not hold is declined by name, never answered: a user who does not exist did
not make "0 generations". So is an id of another kind than the noun before it says ("user <a session's
id>"). Without a noun, a hexadecimal token of 8 characters or more that the warehouse holds as exactly
one kind of id is read as that unit; one it does not hold at all is declined.

``lookup(token)`` answers which kinds hold a token (``queries.ids_named``); without it (a parser
built on values alone) ids are not read, and the question is declined as before.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from genai_analyzer.analysis.copilot.spec import CannotAnswer, QuerySpec
from genai_analyzer.analysis.copilot.text import QuestionText

Lookup = Callable[[str], dict[str, str]]

# the noun a ticket names a unit with -> the unit's kind; the kind -> the layer's dimension
_NOUNS = {"user": "user", "customer": "user", "account": "user", "member": "user", "subscriber": "user",
          "session": "session", "prompt": "prompt"}  # fmt: skip
DIMENSION = {"user": "user", "session": "session", "prompt": "prompt_id"}
_NOUN = rf"({'|'.join(_NOUNS)})s?(?: id| number| no| #)?:?"
# an id after its noun: letters and digits together (6 or more), or 5 digits and more; a size
# ("1024x1024"), an hour ("10am") or a count ("30 minutes") is none
_TOKEN = r"'?([a-z0-9][a-z0-9\-]{3,})'?"
_LIKE_ID = re.compile(r"(?=[a-z0-9\-]*\d)(?=[a-z0-9\-]*[a-z])[a-z0-9][a-z0-9\-]{5,}|\d{5,}")
_NOT_ID = re.compile(r"\d+x\d+|\d+(?:am|pm)(?:-\d+(?:am|pm)?)?|\d+(?:ms|s|k|gb|mb)|p\d+")
# alone, with no noun: hexadecimal, 8 characters or more, digits and letters both
_HEX = r"(?=[0-9a-f]*\d)(?=[0-9a-f]*[a-f])[0-9a-f]{8,}"


def _id_like(token: str) -> bool:
    return bool(_LIKE_ID.fullmatch(token)) and not _NOT_ID.fullmatch(token)


def read_ids(t: QuestionText, spec: QuerySpec, lookup: Lookup | None) -> None:
    """Filters on the units the question names by id; an id the warehouse does not hold (or holds as
    another kind) declines the question."""
    if lookup is None:
        return
    for m in list(t.find(rf"{_NOUN} {_TOKEN}")):
        noun, token = m.group(1), m.group(2)
        if not _id_like(token):
            continue
        kind, found = _NOUNS[noun], lookup(token)
        if kind not in found:
            _decline(token, noun, found)
        t.take(m)
        _filter(spec, kind, found[kind], m.group(0))
    for m in list(t.find(_HEX)):
        found = lookup(m.group(0))
        if len(found) > 1:
            raise CannotAnswer(
                f"'{m.group(0)}' is the id of a {' and of a '.join(found)}: say which, e.g. "
                f"'{next(iter(found))} {m.group(0)}'.",
                unread=(m.group(0),),
            )
        if not found:
            _decline(m.group(0), None, found)
        ((kind, stored),) = found.items()
        t.take(m)
        _filter(spec, kind, stored, m.group(0))


def named_units(spec: QuerySpec) -> list[str]:
    """The dimensions of the units the question names by id."""
    return [d for d in DIMENSION.values() if d in spec.filters]


def _filter(spec: QuerySpec, kind: str, stored: str, words: str) -> None:
    dim = DIMENSION[kind]
    spec.filters.setdefault(dim, [])
    if stored not in spec.filters[dim]:
        spec.filters[dim].append(stored)
    spec.matched[words.strip()] = f"only {kind} {stored}"


def _decline(token: str, noun: str | None, found: dict[str, str]) -> None:
    if found:
        other = " or ".join(found)
        raise CannotAnswer(
            f"'{token}' is not a {_NOUNS[noun]} id in the warehouse; it is the id of a {other}. Ask "
            f"about {next(iter(found))} {token}, or check the id.",
            unread=(token,),
        )
    what = f"no {_NOUNS[noun]} with the id" if noun else "no user, session or prompt with the id"
    raise CannotAnswer(
        f"The warehouse has {what} '{token}', so I cannot answer for it (not even with 0): check the "
        "id, or ask about everyone.",
        unread=(token,),
    )
