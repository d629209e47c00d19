"""Sessions said the way someone who read the sessions docs once says them (blind set 43): "how many
sessions were one-and-done, a single generation and out?", "how many sessions have 1 generation, 2
generations, 3 and so on?", "the 5 roughest sessions by friction score - session id and score",
"sessions that end right on an NSFW block", "plain re-rolls", "leave out the anonymous user".

``SESSION_WORDS`` rewords the normalized question (spaces around every word, punctuation gone)
among the layer's rewordings (vocabulary.py), into the words the parser reads: a session of one
generation, the sessions by their size, the sessions ranked by friction, a session's last generation.
"""

from __future__ import annotations

_ONE = r"(?:a |with a |with one |one )?single (?:generation|image|render|attempt) and (?:out|gone|done|left)"

SESSION_WORDS = (
    # "sessions were one-and-done, a single generation and out": the sessions of exactly one generation
    # (said of sessions only: "one-and-done users" are users with one session, left unread)
    (r" one[- ]and[- ]done (sessions?)(?= )", r" \1 with exactly 1 generation"),
    (
        rf" (sessions?) (?:that |which )?(?:were|was|are|is|went|ended) "
        rf"(?:one[- ]and[- ]done(?: {_ONE})?|{_ONE})(?= )",
        r" \1 with exactly 1 generation",
    ),
    # "sessions have 1 generation, 2 generations, 3 and so on? the full distribution": by their size
    (
        r" (?:have|with|had|of|having) 1 (?:generation|image)s? 2 (?:generation|image)s? "
        r"3(?: (?:generation|image)s?)?(?: and so on| etcetera| and up| and more| and beyond)?"
        r"(?: (?:the )?(?:full |whole |complete )?distribution)?(?= )",
        " by generations in the session",
    ),
    # "the 5 roughest sessions by friction score - session id and score": the most friction first
    (
        r" (?:the )?(?:(\d+) )?(?:roughest|bumpiest|most frustrating|most painful)(?= sessions? by friction)",
        r" top \1",
    ),
    (
        r"(?<= by friction)(?: score)? -? ?(?:with )?(?:the )?(?:session ids?|sessions) and "
        r"(?:the |their |its )?(?:friction )?scores?(?= )",
        "",
    ),
    # "plain re-rolls": the re-rolls (an edit type, behaviour.py); "the anonymous 'unknown' user": the
    # user that collects the rows without a user name (user kind unknown)
    (r" (?:plain|pure|simple|straight|bare) (re-?rolls?|rerolls?)(?= )", r" \1"),
    (r" (?:anonymous unknown|unknown anonymous|anonymous) (users?)(?= )", r" unknown \1"),
    # "sessions that end right on an NSFW block": on it ("right after" is read as "after": vocabulary.py)
    (r" (?:right|immediately|directly) (on|with|in)(?= )", r" \1"),
)
