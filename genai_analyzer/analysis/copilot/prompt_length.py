"""A prompt's length, in words or characters (blind set 44, a prompt-text analyst): "average prompt
length in words by tier", "what share of generations used a prompt longer than 200 characters", "how
many distinct prompts have more than 40 words", "prompts of 30 words or fewer".

The semantic layer holds the length both ways (``avg_prompt_words``, ``avg_prompt_chars``, their
medians, and the row columns ``prompt_words`` and ``prompt_chars``). ``PROMPT_LENGTH`` rewords a
number of words or characters said of a prompt as the column's own words ("more than 40 words in the
prompt"), which the thresholds read as a condition on each generation's prompt. "Prompt length" that
says neither unit is asked back (``ask_which_length``): the two readings give different numbers, and a
guess would be a wrong answer half the time.
"""

from __future__ import annotations

import re

from genai_analyzer.analysis.copilot.spec import NeedsClarification

# the layer's prompt-length figures: never guessed from the word "prompts" (parser._closest_metrics)
PROMPT_LENGTHS = ("avg_prompt_", "median_prompt_")
_CMP = (
    r"more than|fewer than|less than|at least|at most|over|under|above|below|exactly|longer than|"
    r"shorter than|greater than"
)
# the prompt said first, then up to three words ("prompts of", "a prompt that is", "prompts have"),
# the comparison and the number of words or characters
_SAID_OF_A_PROMPT = rf" (prompts?(?: text)?(?: [a-z]+){{0,3}}? (?:{_CMP}) )(\d+) "

PROMPT_LENGTH = (
    # "prompts of 30 words or fewer" ("of at most 30 words" by then): prompts with so many words
    (rf" (prompts?(?: text)?) of (?=(?:{_CMP}) \d+ (?:words?|characters?|chars?|letters?) )", r" \1 with "),
    (rf"{_SAID_OF_A_PROMPT}words?(?: long)?(?= )", r" \1\2 words in the prompt"),
    (
        rf"{_SAID_OF_A_PROMPT}(?:characters?|chars?|letters?)(?: long)?(?= )",
        r" \1\2 characters in the prompt",
    ),
    # "how wordy are prompts": their length in words
    (
        r" how wordy (?:are|were|is|was) (?:people's |users' |our |the )?prompts?(?= )",
        " average prompt length in words",
    ),
)

# "prompt length", "length of the prompts", "how long are prompts": no unit said
_LENGTH = (
    r"(?<![a-z])(?:prompt (?:length|size)|length of (?:the |a |each |their )?prompts?|"
    r"how long (?:are|were|is|was) (?:the |their |our )?prompts?)"
    r"(?! in (?:words|characters|chars))(?![a-z])"
)


def ask_which_length(text: str) -> None:
    """ "median prompt length by art style": in words or in characters? Asked, with both readings."""
    m = re.search(_LENGTH, text)
    if not m:
        return
    said = m.group(0)
    words = (
        "prompt length in words"
        if said.startswith(("prompt", "length"))
        else "average prompt length in words"
    )
    chars = words.replace("words", "characters")
    raise NeedsClarification(
        f"'{said}' does not say in what: words or characters?",
        (text.replace(said, words, 1).strip(), text.replace(said, chars, 1).strip()),
    )
