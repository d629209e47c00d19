"""What the commands print at length: the build's (and enrich's) summary, a run of the full tier's
job, a copilot answer and asking for it (kept apart from cli.py, near its 500 lines)."""

from __future__ import annotations

import json

import click


def print_summary(summary) -> None:
    """The build's (or enrich's) summary: tables, dbt, notes, what was simulated, each enrichment
    step's counts, the time each step took."""
    from genai_analyzer.cli_clusters import cluster_lines
    from genai_analyzer.cli_images import print_image_counts

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
                f"    near-duplicates: {groups:,} groups, {images:,} images "
                f"(pHash within {bits} bits, colours alike)"
            )
        print_image_counts(counts)
        for line in cluster_lines(counts):
            click.echo(line)
        if counts.get("note"):
            click.echo(f"    note: {counts['note']}")
    timings = ", ".join(f"{k} {v:.1f}s" for k, v in summary.step_seconds.items())
    click.echo(f"  time: {sum(summary.step_seconds.values()):.1f}s ({timings})")
    if summary.lake_snapshot is not None:
        click.echo(f"  published to the DuckLake as snapshot {summary.lake_snapshot}")


def ask_copilot(settings, question: str, filter_values: dict):
    """The copilot's answer to ``question`` within the filter options (checked as every command's
    are), from the offline parser or the LLM backend the settings name."""
    from genai_analyzer.analysis.copilot.core import Copilot
    from genai_analyzer.api.endpoints import Api
    from genai_analyzer.models.llm.factory import llm_from_settings
    from genai_analyzer.warehouse.reader import Warehouse

    with Warehouse.from_settings(settings) as wh:
        api = Api(wh, Copilot(wh, llm=llm_from_settings(settings)))
        try:
            return api.sql_copilot.ask(question, filters=api.filters(**filter_values))
        finally:
            api.sql_copilot.close()


def print_answer(answer, as_json: bool, rows: int) -> None:
    """A copilot answer: its JSON, or its refusal, or its SQL, first ``rows`` rows and reading."""
    import pandas as pd

    if as_json:
        click.echo(json.dumps(answer.to_api(), indent=2))
    elif answer.refused:
        click.echo(answer.explanation)
    else:
        click.echo(f"-- {answer.backend}, {answer.elapsed_ms:.0f} ms\n{answer.sql}\n")
        frame = pd.DataFrame(answer.rows, columns=answer.columns)
        click.echo(frame.head(rows).to_string(index=False))
        more = len(frame) - rows
        if more > 0 or answer.truncated:
            click.echo(f"... {max(more, 0)} more rows{' (cut at the row limit)' if answer.truncated else ''}")
        click.echo(f"\n{answer.explanation}")


def print_full_tier(report) -> None:
    """One line on a run of the full-quality tier's job (pipeline/full_embeddings.py)."""
    rate = f" at {report.rate:,.0f} prompts/s" if report.rate else ""
    click.echo(
        f"full-quality tier ({report.model}): {report.total:,} prompts, {report.cached_before:,} "
        f"from earlier runs, {report.embedded:,} embedded now{rate}; {report.state}"
    )


def one_line(text) -> str:
    """``text`` with what a terminal would not show as one line (newlines, other line separators such
    as \\x1e, control characters) written as escapes: an error is one line, whatever path it names."""
    return "".join(ch if ch.isprintable() else ch.encode("unicode_escape").decode() for ch in str(text))
