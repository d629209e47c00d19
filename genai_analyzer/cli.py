"""The operator's command line: a thin click layer over the library."""

from __future__ import annotations

import functools
import json
import sys
from pathlib import Path

import click

from genai_analyzer.cli_output import ask_copilot, one_line, print_answer, print_full_tier, print_summary
from genai_analyzer.core.errors import AnalyzerError
from genai_analyzer.core.settings import Settings

ENRICH_CHOICES = ["embeddings", "labels", "thumbnails", "nsfw_scores", "image_embeddings", "clusters", "all"]


def _friendly_errors(fn=None, *, exit_code: int = 1):
    """Print the library's typed errors, and what the file system refused, as one line and exit
    ``exit_code`` (1; ``check`` keeps 1 for "an alert fired" and uses 2), instead of a traceback."""
    if fn is None:
        return functools.partial(_friendly_errors, exit_code=exit_code)

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except AnalyzerError as exc:
            click.secho(f"error: {one_line(exc)}", fg="red", err=True)
            sys.exit(exit_code)
        except OSError as exc:  # the file system said no: a file in the way, no such folder, no space
            where = f": {exc.filename}" if exc.filename else ""
            click.secho(f"error: {one_line(f'{exc.strerror or exc}{where}')}", fg="red", err=True)
            sys.exit(exit_code)
        except KeyboardInterrupt:
            click.secho("interrupted: nothing was changed", fg="yellow", err=True)
            sys.exit(130)

    return wrapper


db_option = click.option(
    "--db", type=click.Path(path_type=Path), default=None, help="Warehouse file (default: $GENAI_DB)."
)


@click.group()
@click.version_option(package_name="genai-session-analyzer")
def main() -> None:
    """GenAI Session Analyzer: session analytics for text-to-image generators."""


@main.command()
@click.option(
    "--source",
    type=click.Choice(["sample", "diffusiondb", "logs", "hf"]),
    default="sample",
    show_default=True,
)
@click.option(
    "--path", type=click.Path(path_type=Path), help="DiffusionDB folder or metadata file, or log file/folder."
)
@click.option(
    "--dataset",
    help="--source hf: a hub id (owner/name, needs the hub), or a local save_to_disk folder or Parquet "
    "file/folder.",
)
@click.option("--split", help="--source hf: the split to read (default: train, or the only one).")
@click.option(
    "--columns",
    help="logs and hf: contract column=your column, comma-separated, e.g. prompt=text,user_id=author.",
)
@click.option("--limit", type=int, help="Read at most N generations.")
@click.option("--parts", help="DiffusionDB parts, e.g. '1-10' or '1,3,5'.")
@click.option("--variant", type=click.Choice(["auto", "2m", "large"]), default="auto", show_default=True)
@click.option("--no-images", is_flag=True, help="DiffusionDB from the hub: fetch metadata only.")
@click.option("--seed", type=int, help="Seed for the sample and the simulation (default: $GENAI_SEED).")
@click.option("--session-gap", type=int, help="Inactivity gap in minutes that starts a new session.")
@click.option(
    "--skip",
    default="",
    help="Enrichment steps to skip: embeddings, labels, thumbnails, nsfw_scores, image_embeddings, "
    "clusters (comma-separated).",
)
@click.option(
    "--nsfw-scoring",
    type=click.Choice(["auto", "on", "off"]),
    help="Score images for NSFW from their thumbnails: auto (those the source left unscored), on (all), "
    "off (default: $GENAI_NSFW_SCORING, else auto).",
)
@click.option("--quiet", is_flag=True, help="No progress bars.")
@click.option(
    "--strict",
    is_flag=True,
    help="Fail on any input problem (rejected rows, bad timestamps, missing or corrupt images, "
    "duplicates, unreadable files) instead of building the rest and reporting it.",
)
@db_option
@_friendly_errors
def build(
    source,
    path,
    dataset,
    split,
    columns,
    limit,
    parts,
    variant,
    no_images,
    seed,
    session_gap,
    skip,
    nsfw_scoring,
    quiet,
    strict,
    db,
) -> None:
    """Build the warehouse: ingest, sessions, simulation, enrichment, dbt models and tests, indexes."""
    from genai_analyzer.pipeline.build import ENRICH_STEPS, BuildRequest, build_warehouse
    from genai_analyzer.pipeline.ingest.diffusiondb import parse_parts
    from genai_analyzer.pipeline.ingest.logs import parse_columns

    if (dataset or split) and source != "hf":
        raise click.UsageError("--dataset and --split go with --source hf")
    if columns and source not in ("logs", "hf"):
        raise click.UsageError("--columns goes with --source logs or --source hf")

    settings = Settings.from_env(
        db_path=db, seed=seed, session_gap_minutes=session_gap, nsfw_scoring=nsfw_scoring
    )
    skipped = {s.strip() for s in skip.split(",") if s.strip()}
    request = BuildRequest(
        source=source,
        path=path,
        limit=limit,
        parts=parse_parts(parts),
        variant=variant,
        images=not no_images,
        enrich=tuple(s for s in ENRICH_STEPS if s not in skipped),
        strict=strict,
        dataset=dataset,
        split=split,
        columns=parse_columns(columns),
    )
    if skipped - set(ENRICH_STEPS):
        raise click.BadParameter(f"--skip takes {', '.join(ENRICH_STEPS)}", param_hint="--skip")
    summary = build_warehouse(settings, request, progress=not quiet)
    print_summary(summary)
    from genai_analyzer.cli_check import print_build_alerts

    print_build_alerts(settings)


@main.command()
@click.option(
    "--generations", type=click.IntRange(min=1), default=100_000, show_default=True, help="Rows to write."
)
@click.option(
    "--users", type=click.IntRange(min=1), help="Distinct users (default: generations/20, at least 300)."
)
@click.option(
    "--days", type=click.IntRange(min=1), default=90, show_default=True, help="Days the activity spans."
)
@click.option(
    "--out", type=click.Path(path_type=Path, file_okay=False), required=True, help="Folder to write."
)
@click.option(
    "--images/--no-images",
    default=False,
    show_default=True,
    help="Also write images/part-NNNNNN.zip (PNGs and the part's JSON); slow, one image at a time.",
)
@click.option(
    "--seed", type=int, help="Random seed (default: $GENAI_SEED); the same seed gives the same files."
)
@click.option("--overwrite", is_flag=True, help="Replace a dataset already in --out.")
@click.option("--quiet", is_flag=True, help="No progress bar.")
@_friendly_errors
def generate(generations, users, days, out, images, seed, overwrite, quiet) -> None:
    """Write synthetic data in the DiffusionDB 2M layout, of any size, for scale tests and benchmarks.

    OUT/metadata.parquet holds the 13 official columns, 1,000 rows a part; --images adds the part
    archives. Build from it with: genai-analyzer build --source diffusiondb --path OUT
    """
    import time

    from genai_analyzer.pipeline.sample import default_users, write_sample

    existing = [out / "metadata.parquet", *sorted((out / "images").glob("part-*.zip"))]
    existing = [p for p in existing if p.exists()]
    if existing and not overwrite:
        raise click.UsageError(f"{out} already holds a dataset ({existing[0].name}); add --overwrite")
    for path in existing:
        path.unlink()
    settings = Settings.from_env(seed=seed)
    started = time.perf_counter()
    summary = write_sample(
        out,
        n_generations=generations,
        n_users=users or default_users(generations),
        days=days,
        seed=settings.seed,
        images=images,
        progress=not quiet,
    )
    images_written = f" with {summary.n_images:,} images" if images else ""
    click.echo(
        f"wrote {summary.n_generations:,} generations by {summary.n_users:,} users in "
        f"{summary.n_parts:,} parts{images_written} to {out} ({time.perf_counter() - started:.1f}s)"
    )


@main.command()
@click.argument(
    "steps",
    nargs=-1,
    type=click.Choice(ENRICH_CHOICES),
)
@click.option("--quiet", is_flag=True, help="No progress bars.")
@click.option(
    "--batch-size",
    type=click.IntRange(1, 100_000),
    default=None,
    help="Prompts per saved batch of the full-quality tier's job (default 512).",
)
@db_option
@_friendly_errors
def enrich(steps, quiet, batch_size, db) -> None:
    """Run enrichment steps on the current warehouse (default: all); finished work is skipped.

    On a static-tier warehouse the embeddings step is the full-quality tier's job: MiniLM's vectors,
    most-used prompts first, resumed where an earlier run stopped, swapped in at once."""
    from genai_analyzer.pipeline.build import ENRICH_STEPS, enrich_warehouse
    from genai_analyzer.pipeline.full_embeddings import JOB_BATCH, needs_full_tier, run_full_tier

    chosen = ENRICH_STEPS if not steps or "all" in steps else tuple(s for s in ENRICH_STEPS if s in steps)
    settings = Settings.from_env(db_path=db)
    if "embeddings" in chosen and settings.embedding_backend != "static" and needs_full_tier(settings):
        report = run_full_tier(settings, batch_size=batch_size or JOB_BATCH, progress=not quiet)
        print_full_tier(report)
        chosen = tuple(s for s in chosen if s != "embeddings")
        if not chosen:
            return
    print_summary(enrich_warehouse(settings, chosen, progress=not quiet))


def filter_options(fn):
    """The shared filter bar as options (analysis.filters.FILTER_FIELDS), passed as keyword arguments
    named after the filters."""
    from genai_analyzer.analysis.filters import FILTER_FIELDS

    for field in reversed(FILTER_FIELDS):
        repeatable = field.dimension is not None
        fn = click.option(field.option, field.name, multiple=repeatable, default=None, help=field.help)(fn)
    return fn


@main.command()
@click.argument("query")
@click.option(
    "--mode", type=click.Choice(["hybrid", "semantic", "keyword"]), default="hybrid", show_default=True
)
@click.option("--limit", type=click.IntRange(1, 500), default=10, show_default=True)
@filter_options
@db_option
@_friendly_errors
def search(query, mode, limit, db, **filter_values) -> None:
    """Search prompts by meaning, keywords, or both."""
    from genai_analyzer.analysis.search import search as run_search
    from genai_analyzer.api.endpoints import Api
    from genai_analyzer.warehouse.reader import Warehouse

    settings = Settings.from_env(db_path=db)
    with Warehouse.from_settings(settings) as wh:
        filters = Api(wh).filters(**filter_values)
        results = run_search(wh, query, mode=mode, filters=filters, limit=limit, per_prompt=1)
    if results.empty:
        click.echo("no matches")
    for row in results.itertuples():
        labels = "/".join(str(x) for x in (row.domain, row.art_style) if isinstance(x, str))
        click.echo(f"{row.rank:>3}. {row.score:.3f}  [{labels}]  {row.prompt.strip()[:110]}")
        click.echo(
            f"      generation {row.generation_id}  session {row.session_id}  {row.status}  {row.tier}"
        )


@main.command()
@click.argument("target", required=False)
@click.option("--text", "text", help="With a CLIP image model: find images from these words instead.")
@click.option("--limit", type=click.IntRange(1, 500), default=10, show_default=True)
@filter_options
@db_option
@_friendly_errors
def similar(target, text, limit, db, **filter_values) -> None:
    """Images like a generation's image (TARGET: a generation id or an image's file name), or, with
    a CLIP image model (GENAI_IMAGE_MODEL), images matching --text; among those passing the filters."""
    from genai_analyzer.cli_images import run_similar

    if bool(target) == bool(text and text.strip()):
        raise click.UsageError("give a generation id or image name, or --text WORDS (one of them)")
    run_similar(Settings.from_env(db_path=db), target, text, limit, filter_values)


@main.command()
@click.option(
    "--metric",
    type=click.Choice(["reroll_rate", "failure_rate", "abandonment_rate", "success_rate"]),
    default="failure_rate",
    show_default=True,
)
@click.option("--direction", type=click.Choice(["worst", "best"]), default="worst", show_default=True)
@click.option(
    "--group",
    type=click.Choice(["prompt", "cluster"]),
    default="prompt",
    show_default=True,
    help="One row per exact prompt, or per group of prompts with the same text but for case and "
    "spacing (not the prompt clusters of `genai-analyzer clusters`).",
)
@click.option(
    "--min-sample",
    type=click.IntRange(min=1),
    default=5,
    show_default=True,
    help="Rank only prompts with at least this many generations (sessions for abandonment).",
)
@click.option("--limit", type=click.IntRange(1, 500), default=20, show_default=True)
@click.option("--csv", "as_csv", is_flag=True, help="Print the table as CSV.")
@filter_options
@db_option
@_friendly_errors
def leaderboard(metric, direction, group, min_sample, limit, as_csv, db, **filter_values) -> None:
    """Rank prompts by re-rolls, failures, abandonment or success, with Wilson 95% intervals."""
    from genai_analyzer.analysis.leaderboards import leaderboard_table, ranking_rule
    from genai_analyzer.api.endpoints import Api
    from genai_analyzer.warehouse.reader import Warehouse

    settings = Settings.from_env(db_path=db)
    with Warehouse.from_settings(settings) as wh:
        api = Api(wh)
        frame = api.leaderboard_frame(
            api.filters(**filter_values), metric, direction, group, min_sample, limit
        )
    table = leaderboard_table(frame, metric, group)
    if as_csv:
        click.echo(table.to_csv(index=False), nl=False)
        return
    click.echo(ranking_rule(metric, direction, min_sample))
    if table.empty:
        click.echo("no prompt has enough generations for this ranking; lower --min-sample")
        return
    first = table.columns[1]
    table[first] = table[first].str.strip().str.slice(0, 60)
    click.echo(table.to_string(index=False))
    click.echo(f"{len(table)} of {frame.attrs['eligible']:,} ranked")


@main.command()
@click.option("--kind", type=click.Choice(["prompt", "visual"]), default="prompt", show_default=True,
              help="prompt: prompts close in meaning; visual: images that look alike.")  # fmt: skip
@click.option(
    "--sort",
    type=click.Choice(["cluster_id", "generations", "success_rate", "failure_rate", "p95_latency_ms",
                       "cost_per_generation", "reroll_rate", "abandonment_rate"]),
    default="cluster_id",
    show_default=True,
    help="cluster_id: the largest first; any other, highest first.",
)  # fmt: skip
@click.option("--limit", type=click.IntRange(1, 1000), default=60, show_default=True)
@click.option("--csv", "as_csv", is_flag=True, help="Print every column as CSV.")
@filter_options
@db_option
@_friendly_errors
def clusters(kind, sort, limit, as_csv, db, **filter_values) -> None:
    """List prompt or visual clusters: label, size, success, re-roll and abandonment rates, cost."""
    from genai_analyzer.cli_clusters import print_clusters

    print_clusters(Settings.from_env(db_path=db), kind, sort, limit, filter_values, as_csv=as_csv)


@main.command()
@click.argument("question")
@click.option("--json", "as_json", is_flag=True, help="Print the whole answer as JSON (as /ask returns it).")
@click.option("--rows", type=click.IntRange(min=1), default=20, show_default=True, help="Rows to print.")
@filter_options
@db_option
@_friendly_errors
def ask(question, as_json, rows, db, **filter_values) -> None:
    """Ask the SQL Copilot a question; prints the SQL, the result and a reading of it.

    Uses the offline semantic parser, or the LLM backend set by GENAI_LLM_BACKEND. The filter
    options are the answer's outer scope, as the app's filter bar is. Exits with 2 when refused.
    """
    answer = ask_copilot(Settings.from_env(db_path=db), question, filter_values)
    print_answer(answer, as_json, rows)
    if answer.refused:
        raise SystemExit(2)


@main.command()
@click.option(
    "--out", type=click.Path(path_type=Path, file_okay=False), required=True, help="Folder to write."
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["parquet", "datasets", "both"]),
    default="both",
    show_default=True,
    help="OUT/parquet/generations.parquet, OUT/dataset (datasets' save_to_disk), or both.",
)
@click.option("--overwrite", is_flag=True, help="Replace an export already in --out.")
@filter_options
@db_option
@_friendly_errors
def export(out, fmt, overwrite, db, **filter_values) -> None:
    """Write the enriched, filtered generations for the Hugging Face Hub.

    One row per generation: prompt, labels, clusters when built, session, user tier, status,
    latency, cost and the rest, named as the logs column contract names them, as a `datasets`
    dataset and/or Parquet with a README.md. Build from it again with:
    genai-analyzer build --source hf --dataset OUT
    """
    from genai_analyzer.analysis.export import dataset_card, scope_text, write_export
    from genai_analyzer.api.endpoints import Api
    from genai_analyzer.warehouse.reader import Warehouse

    settings = Settings.from_env(db_path=db)
    with Warehouse.from_settings(settings) as wh:
        api = Api(wh)
        filters = api.filters(**filter_values)
        frame = api.export_frame(filters)
        card = dataset_card(wh, filters, len(frame))
    written = write_export(frame, out, fmt, card=card, overwrite=overwrite)
    click.echo(f"exported {len(frame):,} generations ({scope_text(filters)}) to {out}")
    for kind, path in written.items():
        click.echo(f"  {kind:<9}{path}")
    if "datasets" in written:
        click.echo(f'push: datasets.load_from_disk("{written["datasets"]}").push_to_hub("you/name")')
    if "parquet" in written:
        click.echo(f'  or:  hf upload you/name {out} --repo-type dataset --exclude "dataset/*"')


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print the status as JSON.")
@db_option
@_friendly_errors
def status(as_json, db) -> None:
    """Show what the warehouse holds."""
    from genai_analyzer.analysis.status import format_status, warehouse_status

    settings = Settings.from_env(db_path=db)
    result = warehouse_status(settings.db_path)
    click.echo(json.dumps(result, indent=2, default=str) if as_json else format_status(result))


@main.command()
@click.option("--rules", type=click.Path(path_type=Path), help="Alert rules file (default: $GENAI_ALERTS).")
@click.option("--day", help="Day to check, YYYY-MM-DD (default: the data's last day).")
@click.option("--json", "as_json", is_flag=True, help="Print the findings as JSON (as /alerts returns them).")
@db_option
@_friendly_errors(exit_code=2)
def check(rules, day, as_json, db) -> None:
    """Evaluate the alert rules on one day (docs/alerts.md), for cron or CI.

    Exits 0 when no rule fires, 1 when any fires, 2 on a bad rules file or warehouse.
    """
    from genai_analyzer.cli_check import run_check

    settings = Settings.from_env(db_path=db, alerts_file=str(rules) if rules else None)
    sys.exit(run_check(settings, day, as_json=as_json))


@main.command()
@click.option("--host", help="Interface to listen on (default 127.0.0.1; 0.0.0.0 for all).")
@click.option("--port", type=click.IntRange(1, 65535), help="Port (default 7860).")
@click.option("--share", is_flag=True, default=None, help="Create a temporary public link (gradio.live).")
@click.option("--auth", help="user:password required to open the app; use it with --share.")
@db_option
@_friendly_errors
def serve(host, port, share, auth, db) -> None:
    """Serve the web app (builds the embedded sample first if there is no warehouse)."""
    from genai_analyzer.app.server import serve as run_server

    settings = Settings.from_env(db_path=db, share=share, auth=auth)
    run_server(settings, host=host, port=port)


if __name__ == "__main__":
    main()
