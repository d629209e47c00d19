"""Generation parameters as an ML researcher says them (blind set 26): "denoising steps", "num
inference steps", "scheduler", "1024x1024 renders", "width x height combo", "cfg of 7",
"wall-clock latency as a function of steps".

``PARAMS`` rewrite the normalized question (spaces around every word, punctuation gone) into the
words the semantic layer and the thresholds read: the steps, the sampler, the guidance scale, the
image width and height. A number said as a parameter's value ("cfg of 7", "at 50 steps", "512x512")
becomes an exact threshold on that column ("cfg exactly 7"), which the thresholds step reads as a
filter on the generations (thresholds.py).
"""

from __future__ import annotations

import re

_PARAM = r"steps|sampling steps|cfg|cfg scale|guidance scale|guidance|width|height"
_NOT_A_UNIT = r"(?! ?(?:%|ms|s|sec|secs|seconds?|minutes?|mins?|hours?|dollars?|usd|x ?\d)(?![a-z0-9]))"
_SIZED = r"res|resolution|px|pixels|renders?|images?|gens|generations?|pictures?|pics|outputs?|jobs?"


def _noun(said: str | None) -> str:
    """The thing counted before a size ("renders"), or nothing for a word that only says size."""
    return f" {said}" if said and said not in ("res", "resolution", "px", "pixels") else ""


PARAMS = (
    # "num inference steps", "denoising steps", "diffusion steps": the sampling steps
    (
        r" (?:num(?:ber)? (?:of )?)?(?:inference|denoising|diffusion|sampler|solver|scheduler) steps?(?= )",
        " steps",
    ),
    (r" (?:noise )?schedulers(?= )", " samplers"),
    (r" (?:noise )?scheduler(?= )", " sampler"),
    # "wall-clock latency", "end-to-end latency": the latency the warehouse holds
    (r" (?:wall[- ]?clock|end[- ]to[- ]end|e2e)(?= (?:latency|time|render time|generation time) )", ""),
    # "latency as a function of steps": latency by steps
    (r" as a function of(?= )", " by"),
    # "Most common configs: the top 5 (sampler, steps, cfg) combinations by number of generations": the
    # top 5 groups of all of them (blind set 46); the heading only before such a top N
    (
        r"^ (?:the )?most (?:common|used|popular|frequent)"
        r" (?:configs|configurations|settings|combos|combinations):"
        r"(?= (?:the )?top \d+ )",
        "",
    ),  # fmt: skip
    (
        rf" (?:the )?top (\d+) ((?:{_PARAM}|samplers?)(?: (?:and )?(?:{_PARAM}|samplers?)){{1,2}}) "
        r"(?:combinations|combos|configs|configurations|pairs|settings)(?= by )",
        lambda m: f" top {m[1]} by {re.sub(r' (?!and )', ' and ', m[2]).replace('and and', 'and')}",
    ),
    # "how many CUDA_OOM errors per image width": by the width (it read "per image", per generation)
    (r" per image (width|height|size|resolution)(?= )", r" by image \1"),
    # "only for step values with 100+ generations": the steps (blind set 46)
    (r" (step|steps|cfg|width|height) values(?= )", r" \1"),
    # "1024x1024 renders", "at 512 x 512": that width and that height ("renders" said first, so that
    # the number is no threshold on a count of renders)
    (
        rf" (?:(?:at|for|in|of|with) )?(?:the )?(\d{{3,4}}) ?[x×] ?(\d{{3,4}})(?: ({_SIZED}))?(?= )",
        lambda m: f"{_noun(m[3])} with width exactly {m[1]} & height exactly {m[2]}",  # "&": bands.py
    ),
    # "the most used width x height combo": width and height together
    (
        r" (?:width (?:x|by|×) height(?: (?:combos?|combinations?|pairs?))?|"
        r"(?:width and height|resolution|res|image size|size) (?:combos?|combinations?|pairs?))(?= )",
        " width and height",
    ),
    # "cfg of 7", "steps = 50", "guidance at 7.5": exactly that value (not "a cfg of 7 or more")
    (
        rf" ({_PARAM}) (?:of|is|are|=|equal to|equals|equalling|at|set to) (\d+(?:\.\d+)?){_NOT_A_UNIT}"
        r"(?! (?:or|and) (?:more|less|fewer|above|below|higher|lower|over|under))(?= )",
        r" \1 exactly \2",
    ),
    # "latency at 50 steps", "images with 30 steps": exactly that many
    (
        r" (at|with|using|for) (\d+(?:\.\d+)?) (steps|sampling steps|cfg)"
        r"(?! (?:or|and) (?:more|less|fewer|above|below|higher|lower|over|under))(?= )",
        r" \1 exactly \2 \3",
    ),
)
