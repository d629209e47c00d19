"""One small interface for every LLM backend (OpenAI-compatible servers, transformers, mlx-lm)."""

from genai_analyzer.models.llm.base import LLM, LLMError, Message, extract_json

__all__ = ["LLM", "LLMError", "Message", "extract_json"]
