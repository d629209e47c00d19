"""Ranking words of a leaderboard (blind set 37): "which week leads in revenue", "comes out on top",
"came last on success rate", "brings up the rear", "the laggard", "make the podium", "how far
ahead is the leader", "lead the next busiest".

``RANK_WORDS`` rewrite the normalized question into the ranking words the parser reads (ranking.py):
leading or coming out on top is the highest value (top 1); coming last or bringing up the rear is the
lowest value (the bottom of the leaderboard); lagging is the worst value for the figure (the
lowest success rate, the highest latency); the podium is the top 3; the leader against the
runner-up is the top 2. Places ("the runner-up",
"the third-largest") are read by ranking.read_place.
"""

from __future__ import annotations

_ON = r"(?: (?:in|on|for|by|at))?"
_FINISH = r"(?:comes?|came|coming|finish(?:es|ed)?|ends? up|ended up)"

RANK_WORDS = (
    # "how far ahead is our top user by revenue? show the leader and the runner-up with their revenue"
    (
        r" how far ahead is (?:our |the )?(?:top|leading|first) (?P<x>[a-z ]+?)"
        r"(?: show(?: me)?(?: both)? the leader and the runner-?up(?: with their [a-z ]+?)?)?(?= $)",
        r" the top 2 \g<x>",
    ),
    # "by how many generations does the busiest hour lead the next busiest? show both hours with their counts"
    (
        r" by how (?:many|much) (?P<m>[a-z ]+?) does the (?P<r>busiest|biggest|largest|highest|top) "
        r"(?P<x>[a-z ]+?) lead the next(?: one| (?P=r)(?: one)?)?"
        r"(?: show(?: me)? both [a-z]+(?: with their [a-z ]+?)?)?(?= $)",
        r" the top 2 \g<x> by \g<m>",
    ),
    # "which day of the week comes out on top for generation volume", "which week leads in revenue"
    (rf" {_FINISH} (?:out )?(?:on top|first|in first place){_ON}(?= )", " has the highest"),
    # ("leads to more errors" is no ranking: a "leads" ranks only with what it leads in)
    (
        r" (?:leads?|led|is leading|is in the lead|takes? the top spot) (?:in|on|for|by|at)(?= )",
        " has the highest",
    ),
    # "which domain came last on success rate", "brings up the rear in ...": last of the leaderboard,
    # the lowest value; "the laggard": the worst for the figure
    (rf" (?:{_FINISH}|ranks?|ranked) (?:in )?last(?: place)?{_ON}(?= )", " has the lowest"),
    (rf" (?:brings?|brought|bringing) up the rear{_ON}(?= )", " has the lowest"),
    (
        r" (?:is |was )?the laggard,? (?:the |i e |that is |meaning the )?(slowest|lowest|smallest|least)"
        r"(?: one)?(?= )",
        r" has the \1",
    ),
    (rf" (?:is |was )?the laggard{_ON}(?= )", " has the worst"),
    # "which three samplers make the podium for the slowest p95": the number names the podium
    (
        r" (?:make|makes|made|take|takes|round out|complete|are on|is on) the podium"
        r"(?: for| in| on| by)?(?= )",
        "",
    ),
    (r" (?:the )?podium (?:of|for) (?:the )?(?= )", " the top 3 "),
)
