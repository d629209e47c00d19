"""A teacher's words for a class exercise, and a product designer's (blind set 49): "how many seconds
does it take from asking for a picture until the computer answers", "the longest anyone had to wait",
"how many pictures failed and did not come out", "out of every 100 pictures, how many worked", "when
someone sits down to make pictures, how many do they make", "the highest quality settings, i.e. the
most sampling steps", "what art style does this customer ask for most".

``CLASSROOM_WORDS`` rewords the normalized question among the layer's rewordings (vocabulary.py).
Each says the same thing in the words the steps read: the wait from asking to the computer's answer
is the latency, the longest wait the largest latency, "did not come out" restates a failure, "out of
every 100, how many worked" is the success rate per 100, one sitting is a session, "quality settings"
said and then named ("i.e. the most sampling steps") is the figure named, asking for a style is
using it.
"""

from __future__ import annotations

_SOMEONE = r"(?:anyone|anybody|someone|somebody|a person|people|a user|users)"
_ASKED = r"(?:picture|image|drawing)"
_ANSWERS = r"(?:answers|replies|responds|is done|finishes|gives it back|makes it|draws it)"

CLASSROOM_WORDS = (
    # "how many seconds does it take from asking for a picture until the computer answers"
    (
        rf" how many seconds does it take from asking for an? {_ASKED} (?:until|till|to when|to) "
        rf"(?:the computer|it) {_ANSWERS}(?= )",
        " latency in seconds",
    ),
    (
        rf" how long does it take from asking for an? {_ASKED} (?:until|till|to when|to) "
        rf"(?:the computer|it) {_ANSWERS}(?= )",
        " latency",
    ),
    (
        rf" (?:the )?(?:time|wait) from asking for an? {_ASKED} (?:until|till|to when|to) "
        rf"(?:the computer|it) {_ANSWERS}(?= )",
        " the latency",
    ),
    # "the longest anyone had to wait for the computer to answer one picture request"
    (
        rf" (?:the )?longest {_SOMEONE} (?:had|has|have) (?:had )?to wait(?: for (?:the computer|it) to "
        rf"(?:answer|reply|respond|finish|make it))?"
        rf"(?: (?:one|a|an|their) (?:{_ASKED} )?(?:request|{_ASKED}))?(?= )",
        " the maximum latency",
    ),
    # "how many pictures failed and did not come out": the failure said twice
    (
        r"( failed| did not work| didn't work) and (?:did not|didn't|never) "
        r"(?:come out|work|show up|appear)(?= )",
        r"\1",
    ),
    # "out of every 100 pictures, how many worked": the success rate per 100 generations
    (
        r" out of every (\d+) (?:pictures|images|generations|tries|requests),? how many "
        r"(?:worked|succeeded|came out|were successful|were made|turned out fine)(?= )",
        r" success rate per \1 generations",
    ),
    (
        r" out of every (\d+) (?:pictures|images|generations|tries|requests),? how many "
        r"(?:failed|did not work|didn't work|did not come out|went wrong)(?= )",
        r" failure rate per \1 generations",
    ),
    # "when someone sits down to make pictures (one session), how many pictures do they make on average"
    (
        rf" when {_SOMEONE} sits? down to make (?:pictures|images)(?: one session)?,? how many "
        r"(?:pictures|images) do (?:they|people|he|she|you) make(?: on average)?(?= )",
        " average generations per session",
    ),
    # "which 3 art styles get the highest quality settings, i.e. the most sampling steps": the figure named
    (
        r" (?:the )?(?:highest|most|best|top|lowest|least) quality settings?(?: i ?e| that is| meaning)?"
        r"(?= +(?:the )?(?:most|highest|least|lowest) )",
        "",
    ),
    # "what art style does customer X ask for most": the style used most
    (r" (?:ask|asks|asked|request|requests|requested) for (?:the )?most(?= )", " use the most"),
)
