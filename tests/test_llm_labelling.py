"""A build that labels prompts through an OpenAI-compatible server over real HTTP.

The server runs in the test process (a remote LLM cannot be reached here); everything else is the
real pipeline: the labeller asks, validates, retries once, and falls back to the offline labeller.
"""

from __future__ import annotations

import json

from genai_analyzer.pipeline.build import BuildRequest, build_warehouse
from genai_analyzer.warehouse.reader import Warehouse
from tests.conftest import make_settings


def answer_like_a_model(request: dict) -> str:
    """Portraits get a valid JSON label; everything else gets a label outside the taxonomy."""
    prompt = next(m["content"] for m in request["messages"] if m["content"].startswith("Prompt: ")).lower()
    if "portrait" in prompt:
        return 'Sure! {"domain": "portrait", "art_style": "oil painting"}'
    return json.dumps({"domain": "qqq", "art_style": "zzz"})


def test_build_labels_through_the_llm_and_falls_back_when_answers_are_invalid(tmp_path, server):
    server.reply = answer_like_a_model
    settings = make_settings(
        tmp_path,
        sample_generations=120,
        sample_users=10,
        sample_days=3,
        labeller="llm",
        llm_backend="openai",
        llm_base_url=server.base_url,
        llm_model="test-model",
    )
    summary = build_warehouse(
        settings, BuildRequest(source="sample", enrich=("embeddings", "labels")), progress=False
    )
    # the key names the LLM and its offline fallback, the learned labeller
    assert summary.enrichment["labels"]["labeller"].startswith("openai:test-model+learned-")
    with Warehouse(settings.db_path) as wh:
        labels = wh.query(
            "SELECT prompt, domain, art_style, label_source, domain_confidence FROM dim_prompts"
        )
    portraits = labels[labels["prompt"].str.lower().str.contains("portrait")]
    others = labels[~labels["prompt"].str.lower().str.contains("portrait")]
    assert len(portraits) and len(others)
    assert (portraits["label_source"] == "llm:openai:test-model").all()
    assert (portraits["domain"] == "portrait").all() and (portraits["art_style"] == "oil painting").all()
    # invalid answers were retried once, then the offline labeller answered
    assert (others["label_source"] == "embedding").all()
    assert "qqq" not in set(others["domain"])
    # the LLM's labels carry no calibrated confidence; the fallback's do
    assert portraits["domain_confidence"].isna().all()
    assert others["domain_confidence"].between(0, 1).all()
    asked = [r["messages"][-1]["content"] for r in server.requests]
    assert len(asked) >= len(portraits) + len(others)  # one request per prompt, plus retries
    assert all(r["model"] == "test-model" for r in server.requests)
