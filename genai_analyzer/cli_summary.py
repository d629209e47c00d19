"""The summary ``genai-analyzer build`` and ``enrich`` print (kept apart from cli.py, near its 500
lines)."""

from __future__ import annotations

import click

from genai_analyzer.cli_images import print_image_counts


def print_summary(summary) -> None:
    """The build's (or enrich's) summary: tables, dbt, notes, what was simulated, each enrichment
    step's counts, the time each step took."""
    size_mb = summary.size_bytes / 1e6
    click.echo(f"built {summary.db_path} ({size_mb:.1f} MB) from {summary.source}: {summary.location}")
    for table, n in summary.table_rows.items():
        click.echo(f"  {table:<18}{n:>12,} rows")
    click.echo(f"  dbt: {summary.dbt_models} models, {summary.dbt_tests} data tests passed")
    for note in summary.ingest.get("notes", []):
        click.echo(f"  note: {note}")
    simulated = ", ".join(f"{col} {n:,}" for col, n in summary.simulated.items() if n)
    click.echo(f"  simulated (rows): {simulated or 'nothing, the source gave every column'}")
    for step, counts in summary.enrichment.items():
        click.echo(
            f"  {step}: {counts['done']:,} made, {counts['skipped']:,} reused, {counts['failed']:,} failed"
        )
        if "duplicate_groups" in counts:
            groups, images, bits = counts["duplicate_groups"], counts["duplicate_images"], counts["max_bits"]
            click.echo(
                f"    near-duplicates: {groups:,} groups, {images:,} images (pHash within {bits} bits)"
            )
        print_image_counts(counts)
        if counts.get("note"):
            click.echo(f"    note: {counts['note']}")
    timings = ", ".join(f"{k} {v:.1f}s" for k, v in summary.step_seconds.items())
    click.echo(f"  time: {sum(summary.step_seconds.values()):.1f}s ({timings})")
    if summary.lake_snapshot is not None:
        click.echo(f"  published to the DuckLake as snapshot {summary.lake_snapshot}")
