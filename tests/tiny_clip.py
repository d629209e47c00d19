"""A tiny, randomly initialised CLIP model saved to a folder: transformers' real CLIPModel,
CLIPTokenizer and CLIPImageProcessor, small enough to build and run in a second, with no download.

Its vectors mean nothing (random weights): tests use it to run the CLIP code path end to end
(GENAI_IMAGE_MODEL, text-to-image search, agreement scores), never to judge quality.
"""

from __future__ import annotations

from pathlib import Path


def save_tiny_clip(folder: Path, *, seed: int = 0, projection_dim: int = 16) -> Path:
    """Write a tiny CLIP (model, tokenizer, image processor) into ``folder``; the folder."""
    import torch
    from transformers import CLIPConfig, CLIPImageProcessor, CLIPModel, CLIPProcessor, CLIPTokenizer
    from transformers.convert_slow_tokenizer import bytes_to_unicode

    # A byte-level vocabulary with no merges: every byte is a token, and so is every byte ending a
    # word (CLIP's "</w>"), so any text tokenises without an unknown token.
    specials = ["<|startoftext|>", "<|endoftext|>"]
    symbols = list(bytes_to_unicode().values())
    vocab = {token: i for i, token in enumerate([*specials, *symbols, *(s + "</w>" for s in symbols)])}
    tokenizer = CLIPTokenizer(vocab=vocab, merges=[])
    config = CLIPConfig(
        text_config={
            "vocab_size": len(vocab), "hidden_size": 32, "intermediate_size": 64, "num_hidden_layers": 2,
            "num_attention_heads": 2, "max_position_embeddings": 77,
            "bos_token_id": 0, "eos_token_id": 1, "pad_token_id": 1,
        },
        vision_config={
            "image_size": 32, "patch_size": 8, "hidden_size": 32, "intermediate_size": 64,
            "num_hidden_layers": 2, "num_attention_heads": 2,
        },
        projection_dim=projection_dim,
    )  # fmt: skip
    torch.manual_seed(seed)
    model = CLIPModel(config).eval()
    processor = CLIPProcessor(
        image_processor=CLIPImageProcessor(size={"shortest_edge": 32}, crop_size={"height": 32, "width": 32}),
        tokenizer=tokenizer,
    )
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(folder)
    processor.save_pretrained(folder)
    return folder
