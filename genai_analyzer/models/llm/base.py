"""The LLM interface: chat messages in, text out. Backends subclass ``LLM``.

Callers (the prompt labeller, the SQL copilot) depend only on this; which backend answers is a
setting. Heavy libraries are imported inside the backend that needs them.
"""

from __future__ import annotations

import json
import re
from abc import ABC, abstractmethod
from typing import TypedDict

from genai_analyzer.core.errors import AnalyzerError


class Message(TypedDict):
    role: str  # "system", "user" or "assistant"
    content: str


class LLMError(AnalyzerError):
    """The backend could not be reached, loaded, or gave no usable answer."""


class LLM(ABC):
    """A text-generation backend."""

    #: short backend name recorded with what it produced, e.g. "openai:qwen2.5" or "transformers:gemma"
    name: str = "llm"

    @abstractmethod
    def chat(self, messages: list[Message], *, max_tokens: int = 256, temperature: float = 0.0) -> str:
        """The assistant's reply to ``messages``; raise LLMError when there is none."""

    def complete_json(self, messages: list[Message], *, max_tokens: int = 256) -> dict:
        """The reply parsed as one JSON object; raise LLMError when it holds none."""
        return extract_json(self.chat(messages, max_tokens=max_tokens))


_FENCE = re.compile(r"```(?:json)?\s*(\{.*?\})\s*```", re.S)


def extract_json(text: str) -> dict:
    """The first JSON object in ``text`` (bare, or inside a ```json fence)."""
    fenced = _FENCE.search(text)
    candidates = [fenced.group(1)] if fenced else []
    start = text.find("{")
    while start != -1:
        depth = 0
        for end in range(start, len(text)):
            depth += {"{": 1, "}": -1}.get(text[end], 0)
            if depth == 0:
                candidates.append(text[start : end + 1])
                break
        start = text.find("{", start + 1) if not candidates else -1
    for candidate in candidates:
        try:
            value = json.loads(candidate)
        except json.JSONDecodeError:
            continue
        if isinstance(value, dict):
            return value
    raise LLMError(f"The model's answer holds no JSON object: {text[:200]!r}")
