"""The build's step ``nsfw_scores``: an NSFW score per image from its thumbnail, for sources that
have none (docs/images.md, "NSFW scores where the source has none").

Which images (``GENAI_NSFW_SCORING`` or ``build --nsfw-scoring``): ``auto`` (the default) scores the
images none of whose generations has an ``image_nsfw`` from the source, so a source with scores
(the sample, DiffusionDB) costs one count query; ``on`` scores every image; ``off`` none. Scores
are keyed by the image's address and the classifier, reused from the previous warehouse, and land
in ``enrich.image_nsfw_scores``; dbt fills ``image_nsfw`` from them where the source left it empty
and says which it is in ``image_nsfw_source`` ('source' or 'scored').
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import duckdb

from genai_analyzer.pipeline.enrich import StepCounts, has_table

NSFW_BATCH = 256  # images per batch: one progress tick, one insert

# The images of this build with a thumbnail, and whether any of their generations has a source score.
_IMAGES = """
    SELECT t.image_path, any_value(t.thumb_path) AS thumb_path,
           bool_or(g.image_nsfw IS NOT NULL) AS has_source_score
    FROM enrich.thumbnails t JOIN raw.generations g USING (image_path)
    WHERE t.thumb_path IS NOT NULL
    GROUP BY t.image_path
"""


def score_nsfw(
    con: duckdb.DuckDBPyConnection,
    scorer,
    *,
    mode: str = "auto",
    reuse_prev: bool = False,
    progress: bool = False,
) -> dict:
    """Fill ``enrich.image_nsfw_scores`` for the images ``mode`` asks for that have no score of
    ``scorer`` yet. Returns the counts: done (scored now), skipped (reused), failed (unreadable
    thumbnail), wanted (images asked for), unscored_at_source (images without a source score)."""
    from tqdm.auto import tqdm

    from genai_analyzer.pipeline.image_enrich import read_image

    model = scorer.model_name
    unscored = con.execute(f"SELECT count(*) FROM ({_IMAGES}) WHERE NOT has_source_score").fetchone()[0]
    wanted_sql = f"SELECT image_path, thumb_path FROM ({_IMAGES})" + (
        " WHERE NOT has_source_score" if mode == "auto" else ""
    )
    counts = StepCounts()
    if mode == "off":
        return {**counts.as_dict(), "wanted": 0, "unscored_at_source": unscored}
    wanted = con.execute(f"SELECT count(*) FROM ({wanted_sql})").fetchone()[0]
    if wanted and reuse_prev and has_table(con, "prev", "enrich", "image_nsfw_scores"):
        con.execute(
            f"""
            INSERT INTO enrich.image_nsfw_scores
            SELECT image_path, model, any_value(nsfw) FROM prev.enrich.image_nsfw_scores
            WHERE model = $m AND image_path IN (SELECT image_path FROM ({wanted_sql}))
              AND image_path NOT IN (SELECT image_path FROM enrich.image_nsfw_scores WHERE model = $m)
            GROUP BY image_path, model
            """,
            {"m": model},
        )
    todo = con.execute(
        f"SELECT image_path, thumb_path FROM ({wanted_sql}) WHERE image_path NOT IN "
        "(SELECT image_path FROM enrich.image_nsfw_scores WHERE model = $m) ORDER BY image_path",
        {"m": model},
    ).fetchall()
    counts.skipped = wanted - len(todo)
    with (
        ThreadPoolExecutor(max(1, scorer.threads), thread_name_prefix="nsfw-read") as pool,
        tqdm(total=len(todo), desc="nsfw scores", unit="image", disable=not progress, leave=False) as bar,
    ):
        for start in range(0, len(todo), NSFW_BATCH):
            chunk = todo[start : start + NSFW_BATCH]
            read = list(pool.map(lambda row: read_image(row[1], scorer.preprocess), chunk))
            kept = [(path, array) for (path, _), array in zip(chunk, read, strict=True) if array is not None]
            counts.failed += len(chunk) - len(kept)
            if kept:
                scores = scorer.score([array for _, array in kept])
                con.execute(
                    "INSERT INTO enrich.image_nsfw_scores "
                    "SELECT unnest($p::VARCHAR[]), $m, unnest($s::DOUBLE[])",
                    {"p": [p for p, _ in kept], "m": model, "s": [float(v) for v in scores]},
                )
                counts.done += len(kept)
            bar.update(len(chunk))
    return {**counts.as_dict(), "wanted": wanted, "unscored_at_source": unscored}


def nsfw_step(ctx) -> None:
    """The build step ``nsfw_scores`` on a build's context: score what the mode asks for, and report
    the counts, the mode and the classifier in the build summary."""
    from genai_analyzer.models.nsfw import NsfwScorer

    mode = ctx.settings.nsfw_scoring
    scorer = NsfwScorer(threads=ctx.settings.threads or None)
    counts = score_nsfw(ctx.con, scorer, mode=mode, reuse_prev=ctx.reuse_prev, progress=ctx.progress)
    ctx.summary.enrichment["nsfw_scores"] = {**counts, "mode": mode, "model": scorer.model_name}
