"""An investor's due-diligence words for figures the layer has (blind set 32): "cost to serve",
"serving free users", "ARPPU", and a heading before the question ("Unit economics per image: ...",
"Revenue concentration: ...").

``INVESTOR`` rewords the normalized question (spaces around every word) before the layer's own
rewordings. A heading is dropped only when it is one of these terms alone (with a unit it restates at
most): a heading that names a period, a grouping or a filter ("Paying-user economics, week by week:")
is not dropped, so its words stay to be read or to stop the answer.
"""

from __future__ import annotations

INVESTOR = (
    # "Unit economics per image: ...", "Revenue concentration: ...", "Cost to serve: ..."
    (
        r"^ (?:unit economics|cost to serve|revenue concentration|customer concentration|paying-user mix|"
        r"paying user mix|revenue mix|user mix|plan mix|tier mix|monetization|monetisation)"
        r"(?: per (?:image|generation|visit|session|user))?:(?= )",
        "",
    ),
    # "the GPU cost to serve an enterprise user", "cost to serve per user": the cost
    (r" cost to serve(?= )", " cost"),
    (r"(?<= cost) (?:an?|one|each) (enterprise|pro|free|paying|paid) user(?= )", r" per \1 user"),
    # "what did serving free users cost us", "goes to serving free users": those users
    (
        r" serving (?=(?:the )?(?:free|pro|enterprise|paying|paid|all|our) (?:users|customers|tier|plan)s? )",
        " ",
    ),
    # "average revenue per paying user (ARPPU)", "ARPU": revenue per user
    (r" (?:average revenue per paying user arppu|arppu)(?= )", " revenue per paying user"),
    (
        r" (?:average revenue per user arpu|arpu) for (?:paying|paid) (?:customers|users|accounts)(?= )",
        " revenue per paying user",
    ),  # fmt: skip
    (r" (?:average revenue per user arpu|arpu)(?= )", " revenue per user"),
    (r"(?<= per paying user) arppu(?= )", ""),
    # an executive's headline words (blind set 45): "headline revenue", "what slice of our revenue",
    # "the numbers for September: ...", "dollars of revenue per dollar of GPU cost"
    (
        r" (?:the )?(?:headline|top-?line|topline)"
        r"(?= (?:revenue|cost|margin|figures?|numbers?|generations|users))",
        "",
    ),
    (r" (?:slice|chunk|piece|portion) of(?= )", " share of"),
    (
        r"^ (?:the |our )?(?:headline |key |top-?line )?(?:numbers|figures|stats|kpis|metrics) "
        r"(for|in|of|from)(?= )",
        r" \1",
    ),
    (
        r" how many dollars of (revenue|margin) (?:do |did )?(?:we )?(?:make|earn|get|bring in|generate) per "
        r"dollar of (?:gpu |compute )?(?:cost|spend)(?= )",
        r" ratio of \1 to cost",
    ),
)
