"""Composition and mix (blind set 39): "among the failed generations, what's the tier mix?", "the
sampler mix of pro users' generations", "how do the failed generations split across error codes",
"what share of all generations falls into each status".

``COMPOSITION`` rewords them as the share among the rows named by the groups named ("the share among
failed generations by tier"), which the shares read (shares.py): a mix is how a whole divides."""

from __future__ import annotations

_SAID = r"(?:what(?:'s| is| was) |show(?: me)? |give(?: me)? |tell me )?"
_MIX = r"(?:mix|split|composition|makeup|make-up)"
_ROWS = (
    r"(?P<rows>(?:the |all |all the |our )?(?:[a-z0-9_']+ ){0,4}?"
    r"(?:generations|images|renders|revenue|cost|gpu hours))"
)
_BY = r"the (?P<by>[a-z]+(?: [a-z]+)?)"

COMPOSITION = (
    # "among the failed generations, what's the tier mix"
    (
        rf" (?:among|amongst|of|for|across|within) {_ROWS},? {_SAID}{_BY} {_MIX}(?= )",
        lambda m: f" the share among {m['rows']} by {m['by']}",
    ),
    # "what's the tier mix of failed generations", "the sampler split for pro users' generations"
    (
        rf" {_SAID}{_BY} {_MIX} (?:of|among|amongst|for|across|within) {_ROWS}(?= )",
        lambda m: f" the share among {m['rows']} by {m['by']}",
    ),
    # "how do the failed generations split across error codes" (with a share's own words after, as it
    # was: "how does revenue split across tiers as a share of the total")
    (
        rf" how (?!.* (?:share|shares|fraction|fractions|proportion|proportions) )(?:do|does|did) {_ROWS} "
        r"(?:split|divide|break down|spread|distribute)(?: out)? "
        r"(?:across|between|among|amongst|over|by|into) (?:the |each |every )?(?=[a-z])",
        lambda m: f" the share among {m['rows']} by ",
    ),
    # "what share of each week's revenue came from pro users": the share within each week (blind set 42)
    (
        r" (share|fraction|proportion|percentage|portion|part) of (?:each|every) ([a-z_]+(?: [a-z_]+)?)'s?"
        r" (generations|images|renders|revenue|cost|gpu hours|sessions)(?= )",
        r" \1 of the \3 within each \2",
    ),
    # "what share of all generations falls into each status"
    (r" (?:falls?|fell|falling|land|lands|landed) (?:into|in|under|on) (?=each |every )", " by "),
)
