"""A backend for any server that speaks the OpenAI chat-completions API.

Ollama, vLLM, the llama.cpp server and OpenAI itself all accept ``POST {base_url}/chat/completions``
with the same JSON body, so one small client covers them. httpx is imported on first use so that
importing this module costs nothing when the backend is not selected.
"""

from __future__ import annotations

import json
import threading
from urllib.parse import urlsplit

from genai_analyzer.models.llm.base import LLM, LLMError, Message

_BODY_EXCERPT = 300
_LOOPBACK = {"127.0.0.1", "localhost", "::1"}


class OpenAICompatibleLLM(LLM):
    """Chat completions from an OpenAI-compatible HTTP server at ``base_url`` (e.g. ``.../v1``)."""

    def __init__(self, base_url: str, model: str, *, api_key: str = "", timeout: float = 60.0):
        if not base_url:
            raise LLMError("The OpenAI-compatible backend needs a base URL (GENAI_LLM_BASE_URL).")
        if not model:
            raise LLMError("The OpenAI-compatible backend needs a model name (GENAI_LLM_MODEL).")
        self.base_url = base_url.rstrip("/")
        self.model = model
        self.api_key = api_key
        self.timeout = timeout
        self.name = f"openai:{model}"
        self._client = None
        self._lock = threading.Lock()

    @property
    def url(self) -> str:
        """The full chat-completions endpoint this backend posts to."""
        return f"{self.base_url}/chat/completions"

    def _http(self):
        """The shared httpx client, made on first use (one client reuses connections across calls)."""
        import httpx

        with self._lock:
            if self._client is None:
                headers = {"Authorization": f"Bearer {self.api_key}"} if self.api_key else {}
                # a proxy from the environment (HTTP_PROXY...) is right for a hosted API but would
                # intercept a server on this machine, and httpx does not exempt loopback by itself
                local = urlsplit(self.base_url).hostname in _LOOPBACK
                self._client = httpx.Client(timeout=self.timeout, headers=headers, trust_env=not local)
            return self._client

    def close(self) -> None:
        """Close the HTTP connection pool; the next ``chat`` opens a new one."""
        with self._lock:
            if self._client is not None:
                self._client.close()
                self._client = None

    def chat(self, messages: list[Message], *, max_tokens: int = 256, temperature: float = 0.0) -> str:
        """The content of the first choice the server returns; LLMError when it cannot be had."""
        import httpx

        body = {
            "model": self.model,
            "messages": [{"role": m["role"], "content": m["content"]} for m in messages],
            "max_tokens": max_tokens,
            "temperature": temperature,
            "stream": False,
        }
        try:
            response = self._http().post(self.url, json=body)
        except httpx.ConnectError as exc:
            raise LLMError(
                f"Cannot connect to the LLM server at {self.url} ({exc}). Is it running? For Ollama, start "
                f"it with `ollama serve` and fetch the model with `ollama pull {self.model}`; otherwise set "
                "GENAI_LLM_BASE_URL to the server's address."
            ) from exc
        except httpx.TimeoutException as exc:
            raise LLMError(
                f"The LLM server at {self.url} did not answer within {self.timeout:g} s "
                f"({type(exc).__name__}). The model may still be loading, or be too slow for this timeout."
            ) from exc
        except httpx.HTTPError as exc:
            raise LLMError(f"The request to the LLM server at {self.url} failed: {exc!r}") from exc

        if response.status_code >= 400:
            raise LLMError(
                f"The LLM server at {self.url} answered HTTP {response.status_code}"
                f"{_status_hint(response.status_code, self.model)}: {response.text[:_BODY_EXCERPT]!r}"
            )
        return _content(response.text, self.url)


def _status_hint(status: int, model: str) -> str:
    """A short hint for the statuses whose cause is usually a setting."""
    if status in (401, 403):
        return " (check GENAI_LLM_API_KEY)"
    if status == 404:
        return f" (check GENAI_LLM_BASE_URL ends in /v1, and that the server has model {model!r})"
    return ""


def _content(text: str, url: str) -> str:
    """``choices[0].message.content`` of a chat-completions response body; LLMError when absent."""
    try:
        content = json.loads(text)["choices"][0]["message"]["content"]
    except (json.JSONDecodeError, KeyError, IndexError, TypeError) as exc:
        raise LLMError(
            f"The LLM server at {url} sent a malformed chat-completions response "
            f"({type(exc).__name__}: {exc}): {text[:_BODY_EXCERPT]!r}"
        ) from exc
    if not isinstance(content, str):
        # null content happens when the model answers with tool calls or is cut off by a filter
        raise LLMError(f"The LLM server at {url} returned no text content: {text[:_BODY_EXCERPT]!r}")
    return content
