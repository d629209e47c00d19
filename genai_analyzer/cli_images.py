"""``genai-analyzer similar`` and the image lines of the build's summary (docs/images.md).

Kept apart from cli.py (near its 500 lines); the command itself is declared there.
"""

from __future__ import annotations

from pathlib import Path

import click

from genai_analyzer.core.settings import Settings


def run_similar(
    settings: Settings, target: str | None, text: str | None, limit: int, filter_values: dict
) -> None:
    """Print the images like ``target``'s (a generation id or an image's file name), or, with the
    warehouse's CLIP model, those nearest to ``text``; the model named first."""
    from genai_analyzer.analysis import images
    from genai_analyzer.api.endpoints import Api
    from genai_analyzer.warehouse.reader import Warehouse

    with Warehouse.from_settings(settings) as wh:
        filters = Api(wh).filters(**filter_values)
        model = images.image_model(wh)
        if not model["vectors"]:
            raise images.NoImageEmbeddings()
        what = (
            f"CLIP model {model['label']}"
            if model["kind"] == "clip"
            else "visual similarity, EfficientNet-Lite0"
        )
        if text:
            results = images.text_to_image(wh, text.strip(), filters, limit)
            click.echo(f"images nearest to {text.strip()!r} ({what}):")
        else:
            results = images.similar_images(wh, images.generation_of(wh, target), filters, limit)
            click.echo(f"images like generation {results.iloc[0].generation_id} ({what}), itself first:")
    if results.empty:
        click.echo("no images pass these filters")
    for row in results.itertuples():
        prompt = row.prompt.strip()[:110] if isinstance(row.prompt, str) else ""
        click.echo(f"{row.rank:>3}. {row.score:.3f}  {prompt}")
        image = Path(str(row.image_path)).name
        click.echo(f"      generation {row.generation_id}  {row.status}  {row.tier}  {image}")


def print_image_counts(counts: dict) -> None:
    """The summary lines of the image steps: the image model, agreement pairs, NSFW scoring."""
    if "kind" in counts:
        what = "CLIP" if counts["kind"] == "clip" else "visual similarity"
        click.echo(f"    model: {counts.get('label', counts['model'])} ({what}, {counts.get('dim')}-d)")
    if "agreement_pairs" in counts:
        pairs, reused = counts["agreement_pairs"], counts.get("agreement_reused", 0)
        click.echo(f"    prompt-image agreement: {pairs:,} image-prompt pairs ({reused:,} reused)")
    if "unscored_at_source" in counts:
        click.echo(
            f"    {counts['mode']}: {counts['unscored_at_source']:,} images without a source score, "
            f"{counts['wanted']:,} asked for, classifier {counts['model']}"
        )
