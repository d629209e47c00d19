"""The readings the compiler answers with a window function, read before the period and the
groupings take their words: the top within each group (within.py), running and rolling figures
(running.py), figures against the overall or the mean of the groups (against.py); and histogram
buckets (buckets.py), read before the thresholds take "1-second" for a number of seconds; and the
first or the last periods in time (firsts.py), before "first" is read as a ranking."""

from __future__ import annotations

from genai_analyzer.analysis.copilot.against import read_against
from genai_analyzer.analysis.copilot.buckets import read_buckets
from genai_analyzer.analysis.copilot.firsts import read_firsts
from genai_analyzer.analysis.copilot.running import read_running
from genai_analyzer.analysis.copilot.spec import QuerySpec
from genai_analyzer.analysis.copilot.text import QuestionText
from genai_analyzer.analysis.copilot.within import read_within


def read_windows(
    t: QuestionText, spec: QuerySpec, metric_phrases, dim_phrases: list[tuple[str, str]]
) -> None:
    read_buckets(t, spec)
    read_firsts(t, spec)  # "the first day with more than 150 generations"
    read_running(t, spec)
    read_against(t, spec, metric_phrases, dim_phrases)
    read_within(t, spec, dim_phrases)
