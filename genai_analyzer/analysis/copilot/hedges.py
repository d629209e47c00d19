"""Hedged and approximate wording (blind set 41): "ballpark, what was our revenue in September",
"more or less how many users are on enterprise", "give or take, how slow is it for pro? The median
is fine", "is our error rate something like 5%? What's the actual error rate?".

A hedge does not change the question: the answer is the exact figure (a rounding only where the
words ask for one: "in round numbers, to the nearest dollar" is rounded to 0 decimals by the units
step). ``HEDGES`` drops the hedge words, and a guess checked against the figure ("is X something
like N? what's the actual ...") becomes the question for X itself, so the guessed number is not
read as a threshold or a second figure. A guess asked alone ("is latency around 4 seconds?") is
left to the yes/no steps, which decline a verdict."""

from __future__ import annotations

_NUMBER = (
    r"[0-9][0-9.,]*(?: ?(?:%|percent|ms|milliseconds?|seconds?|secs?|s|minutes?|mins?|hours?|dollars?|usd))?"
)
_NEAR = (
    r"(?:something like|somewhere (?:around|near)|around|about|roughly|close to|near|approximately|approx)"
)
_ACTUAL = r"(?:actual|real|exact|true|precise)"

HEDGES = (
    # "is our error rate something like 5% overall? what's the actual error rate": what is our error
    # rate overall (the guess is no filter, the second sentence asks for the figure the first names)
    (
        rf"^ (?:is|are|was|were) (?P<x>(?:[a-z0-9_'-]+ ){{1,6}}?){_NEAR} {_NUMBER}"
        rf"(?P<rest>(?: [a-z]+){{0,3}}?) (?:(?:so )?what(?:'s| is| was)?|give me|tell me) (?:the |our |it )?"
        rf"(?:{_ACTUAL} )?(?:(?:figure|number|value|one|amount|answer)(?: then)?(?= ))?",
        r" what is \g<x>\g<rest> ",
    ),
    # "give or take, how slow ...", "more or less how many users ...", "ballpark, what was ..."
    (
        r"^ (?:give or take|more or less|roughly speaking|ballpark(?: figure| number| estimate)?|"
        r"in the ballpark)(?= )",
        "",
    ),
    (r" (?:give or take|more or less|ballpark(?: figure| number| estimate)?|roughly speaking)(?= $)", ""),
    # "what's a ballpark figure for revenue per paying user", "a rough number on ..."
    (
        r" (?:a |the |your )?(?:ballpark|rough|approximate|round|back of the envelope)"
        r" (?:figure|number|estimate|idea|guess|count|amount|total)(?: (?:for|of|on))?(?= )",
        "",
    ),
    # "in round numbers, to the nearest dollar": the rounding is said by "to the nearest dollar"
    (r" in (?:round|rounded) numbers(?= to the nearest)", ""),
    (r" in (?:round|rounded) numbers(?= )", " rounded to 0 decimals"),
    # "how slow is it for pro? the median is fine": the median asked for
    (
        r" (?:the )?(median|average|mean|p50|p90|p95|p99)(?: one)? (?:is|would be|will do|works) "
        r"(?:fine|ok|okay|good|good enough|enough|plenty)(?= |$)",
        r" \1",
    ),
)
