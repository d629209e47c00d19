"""A fluent second-language speaker's phrasings (blind set 33): literal word order, articles and
prepositions from another language, false friends. "the most little success rate", "how long is
lasting the sessions, in average", "from the more expensive to the less", "september against
october", "the actual error rate".

``SECOND_LANGUAGE`` rewords the normalized question (spaces around every word) before the layer's
own rewordings. Each rewording says the same thing in the words the steps read; none guesses a
figure, a filter or a period.
"""

from __future__ import annotations

_ADJ = r"[a-z]+"

SECOND_LANGUAGE = (
    # "the most little success rate", "the more small queue": the lowest (it ranked the highest)
    (r" (?:the )?(?:most|more) (?:little|small|low|few|tiny|short)(?= )", " the lowest"),
    # "from the more expensive to the less (expensive)": an order, highest first, and the reverse
    (
        rf" from the (?:more|most|bigger|biggest|higher|highest) {_ADJ} to the (?:less|least|"
        rf"smaller|smallest|"
        rf"lower|lowest)(?: {_ADJ})?(?= )",
        " from the highest to the lowest",
    ),
    (
        rf" from the (?:less|least|smaller|smallest|lower|lowest) {_ADJ} to the (?:more|most|bigger|biggest|"
        rf"higher|highest)(?: {_ADJ})?(?= )",
        " from the lowest to the highest",
    ),
    # "the actual error rate" (actual: current, or real): the figure itself
    (r" (?:the )?actual(?= [a-z])", " the"),
    # "in average", "in mean": on average
    (r" in (?:the )?(?:average|mean)(?= )", " on average"),
    # "how long is lasting the sessions": how long do the sessions last
    (r" how long (?:is|are) lasting (?:the )?sessions", " how long do sessions last"),
    # "the sessions which had the start in the weekend": started then
    (r" (?:which |that )?(?:had|have|has) (?:the|their|its|a) start (in|on|during|at)(?= )", r" started \1"),
    # "blocked for nsfw", "blocked because nsfw": blocked as NSFW
    (
        r" (?:blocked|filtered|stopped) (?:for|because of|because|due to|as|by) (?:the )?nsfw(?: "
        r"filter)?(?= )",
        " nsfw blocked",
    ),
    # "the cost of GPU", "the cost of the compute": the cost (GPU hours are another figure)
    (r" cost of (?:the )?(?:gpus?|compute)(?= )", " gpu cost"),
    # "p95 of latency", "the average of the queue time": that statistic of it
    (
        r" (p\d+|median|mean|average|avg|max|maximum|min|minimum) of (?:the )?(latency|queue time|"
        r"queue|wait time|"
        r"waiting time|generation time|session length|sessions length)(?= )",
        r" \1 \2",
    ),
    # "the users of tier pro", "customers of the plan free": the pro users
    (
        r" (?:the )?(users|customers|people|accounts) (?:of|in|on|from|with) (?:the )?(?:tier|plan) "
        r"([a-z]+)(?= )",
        r" \2 \1",
    ),
    # "september against october", "anime against photorealistic": compared with
    (r" against(?= )", " vs"),
    # blind set 45: "the style with less success rate": the lowest; "the 3 samplers more used": the 3
    # most used; "from the big to the small": highest first
    (r" (?:with|has|have|having) (?:the )?less(?= [a-z])", " with the lowest"),
    (r" the (\d+ )?([a-z_]+s) more (used|common|popular|frequent)(?= )", r" the \1most \3 \2"),
    (
        r" from the (?:big|high|large|expensive) to the (?:small|low|cheap)(?= )",
        " from the highest to the lowest",
    ),
    (
        r" from the (?:small|low|cheap) to the (?:big|high|large|expensive)(?= )",
        " from the lowest to the highest",
    ),
    # "how many money we win", "how much money do we gain": the revenue
    (
        r" how (?:many|much) money (?:do |did |does )?(?:we |they |you )?"
        r"(?:win|won|wins|gain|gained|gains|earn|earned|earns|make|made)(?= )",
        " how much revenue",
    ),
    # "the persons with pro plan", "quantity of sessions": people, the number of
    (r" persons(?= )", " people"),
    (r" (?:the )?quantity of(?= )", " the number of"),
    # "sessions that are finishing with a failed generation": ended on a failure
    (
        r" (?:that |which )?(?:are |is )?finishing (?:with|on|in) (?:a )?"
        r"(?:failed generation|failure|failed image|fail)(?= )",
        " that ended on a failure",
    ),
    # blind set 48: "which is the tier with more revenue", "the people makes more images": the most
    (r" (with|has|have|having) (?:the )?more(?!(?: [a-z]+){0,3} than)(?= [a-z])", r" \1 the most"),
    (
        r" (make|makes|made|create|creates|created|generate|generates|generated|do|does|did) more "
        r"(images|generations|pictures|renders|sessions|revenue|money)(?!(?: [a-z]+){0,5} than)(?= )",
        r" \1 the most \2",
    ),
    # "the 3 samplers more slow": the 3 slowest samplers
    (r" the (\d+ )?([a-z_]+s) more (slow|fast|quick|cheap)(?= )", r" the \1\3est \2"),
    (r" the (\d+ )?([a-z_]+s) more (expensive|reliable|popular|used|common)(?= )", r" the \1most \3 \2"),
    # "the people makes", "the users generates": people make (a verb's -s on a plural subject)
    (r" (?:the )?(people|persons|users) (make|generate|create|use|do)s(?= )", r" \1 \2"),
    # "how many images makes each user": how many images does each user make
    (
        r" how many (images|generations|pictures|sessions|prompts) (make|create|generate|have|use)s? "
        r"(each|every|a|the) (user|person|customer|session|tier)(?= )",
        r" how many \1 does \3 \4 \2",
    ),
    # "since 7 days" (depuis, seit, desde): in the last 7 days
    (r" since (\d+) (days|weeks|months)(?= )", r" in the last \1 \2"),
    # "until which date we have datas": the last day with data
    (r" datas(?= )", " data"),
    (r" until (?:which|what) (?:date|day)(?= )", " what is the last date"),
    # "make me the list of the domains with his success rate": list them, with their figure
    (r" (?:make|give|do) (?:me|us) (?:the |a )?list of(?= )", " list"),
    (r" with (?:his|her) (?=[a-z])", " with their "),
    # "in which day of the week people make the most images": the people make them, they are not counted
    (
        r"(?<! do)(?<! did)(?<! does) (?:the )?(people|users|folks|customers) (make|generate|create|produce)"
        r"(?= (?:the )?most )",
        r" do \1 \2",
    ),
)
