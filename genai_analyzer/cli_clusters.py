"""``genai-analyzer clusters``: the prompt or visual clusters with their outcomes, printed
(docs/clusters.md).

Kept apart from cli.py (near its 500 lines); the command and its options are declared there.
"""

from __future__ import annotations

import click
import pandas as pd

from genai_analyzer.core.settings import Settings


def print_clusters(
    settings: Settings, kind: str, sort: str, limit: int, filter_values: dict, *, as_csv: bool = False
) -> None:
    """Print the clusters of ``kind`` passing the filters (``Api.clusters_frame``): a table, or
    every column as CSV."""
    from genai_analyzer.api.endpoints import Api
    from genai_analyzer.warehouse.reader import Warehouse

    with Warehouse.from_settings(settings) as wh:
        api = Api(wh)
        frame = api.clusters_frame(kind, api.filters(**filter_values), sort, limit)
    frame = frame.drop(columns="representative_thumbs")
    if as_csv:
        click.echo(frame.to_csv(index=False), nl=False)
        return
    if frame.empty:
        click.echo(f"no {kind} cluster has generations passing these filters")
        return
    click.echo(terminal_table(frame).to_string(index=False))
    click.echo(f"{len(frame)} {kind} cluster(s) shown (docs/clusters.md)")


def terminal_table(frame: pd.DataFrame) -> pd.DataFrame:
    """The clusters as the terminal shows them: the name, sizes, and rates as percentages."""
    table = frame[["cluster", "items", "generations"]].copy()
    table["cluster"] = table["cluster"].str.slice(0, 48)
    for column, title in (("success_rate", "success"), ("reroll_rate", "re-rolls"),
                          ("abandonment_rate", "abandoned")):  # fmt: skip
        table[title] = (100 * frame[column]).map("{:.1f}%".format)
    table["$/generation"] = frame["cost_per_generation"].map("{:.4f}".format)
    return table


def cluster_lines(counts: dict) -> list[str]:
    """The build summary's lines about the clusters made (none for another step's counts)."""
    lines = []
    for kind in ("prompt", "visual"):
        made = counts.get(kind, {})
        if made.get("clusters"):
            lines.append(
                f"    {kind} clusters: {made['clusters']:,} over {made['items']:,} items ({made['method']})"
            )
        placed = made.get("map", {})
        if placed.get("placed"):
            how = "copied from the previous warehouse" if placed.get("reused") else (
                f"UMAP fitted on {placed['fitted']:,} ({placed['sample_rate']:.0%}), "
                f"{placed['transformed']:,} transformed"
            )  # fmt: skip
            lines.append(f"    {kind} map: {placed['placed']:,} items placed ({how})")
    return lines
