"""The build's image step: a visual embedding and a perceptual hash per thumbnail, then the groups
of near-duplicate images (docs/images.md).

Work is keyed by the image's address (``image_path``) and the image model, as thumbnails are by
the address: vectors already in the previous warehouse (attached read-only as ``prev``) or in
batches an interrupted run left in the cache folder are reused, and only images without a vector
are read and embedded. Each batch the model makes is written to the cache folder (a Parquet file,
renamed into place when complete) before it is inserted, so an interruption loses at most the
batch in progress. The step reads the thumbnails (about 256 px), not the full images: one small
file per image, already decoded once and checked by the thumbnail step.

Near-duplicates: two images whose 64-bit pHash differ in at most ``DUPLICATE_MAX_BITS`` bits and
whose colours match (``DUPLICATE_MAX_COLOUR``: pHash is blind to colour); a group is the images
linked by such pairs (connected components). Candidate pairs come from the pigeonhole principle:
split the hash into ``DUPLICATE_MAX_BITS + 1`` blocks, and two hashes that close agree exactly on
at least one block, so only hashes sharing a block are compared; only the thumbnails of those
candidates are read again for their colours.
"""

from __future__ import annotations

import contextlib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import duckdb
import numpy as np

from genai_analyzer.core.contract import DUPLICATE_MAX_BITS, DUPLICATE_MAX_COLOUR
from genai_analyzer.pipeline.enrich import StepCounts, has_table, vector_table, write_cached

IMAGE_BATCH = 256  # images per batch: one progress tick, one cached file, one insert
NO_IMAGES = (
    "no images: this warehouse has no thumbnails (built with --no-images or --skip thumbnails, "
    "or its source has none)"
)

# The images of this build that have a thumbnail.
_THUMBNAILS = "SELECT image_path FROM enrich.thumbnails WHERE thumb_path IS NOT NULL"


def embed_images(
    con: duckdb.DuckDBPyConnection,
    embedder,
    *,
    reuse_prev: bool = False,
    cache_dir: Path | None = None,
    progress: bool = False,
    batch: int = IMAGE_BATCH,
) -> StepCounts:
    """Fill ``enrich.image_embeddings`` (vector and pHash) for every image with a thumbnail.

    Vectors come, in this order, from the previous warehouse (``reuse_prev``), from batches a
    failed or interrupted run left in ``cache_dir``, and from the model; a thumbnail that cannot
    be read counts as failed and gets no row.
    """
    from tqdm.auto import tqdm

    model = embedder.model_name
    if reuse_prev and has_table(con, "prev", "enrich", "image_embeddings"):
        _insert_missing(con, "SELECT * FROM prev.enrich.image_embeddings WHERE model = $m", model)
    if cache_dir is not None:
        _reuse_cached(con, Path(cache_dir), model)
    counts = StepCounts(
        skipped=con.execute(
            f"SELECT count(DISTINCT image_path) FROM enrich.image_embeddings WHERE model = $m "
            f"AND image_path IN ({_THUMBNAILS})",
            {"m": model},
        ).fetchone()[0]
    )
    todo = con.execute(
        """
        SELECT image_path, any_value(thumb_path) AS thumb_path FROM enrich.thumbnails
        WHERE thumb_path IS NOT NULL
          AND image_path NOT IN (SELECT image_path FROM enrich.image_embeddings WHERE model = $m)
        GROUP BY image_path ORDER BY image_path
        """,
        {"m": model},
    ).fetchall()
    with (
        ThreadPoolExecutor(max(1, embedder.threads), thread_name_prefix="image-read") as pool,
        tqdm(
            total=len(todo), desc="image embeddings", unit="image", disable=not progress, leave=False
        ) as bar,
    ):
        chunks = [todo[start : start + batch] for start in range(0, len(todo), batch)]

        def reading(index: int) -> list:
            """The reads of chunk ``index``, started now (none past the last chunk)."""
            return (
                [pool.submit(read_thumbnail, thumb, embedder.preprocess) for _, thumb in chunks[index]]
                if index < len(chunks)
                else []
            )

        ahead = reading(0)
        for index, chunk in enumerate(chunks):
            read = [future.result() for future in ahead]
            ahead = reading(index + 1)  # the next batch is read while this one is embedded
            kept = [(path, r) for (path, _), r in zip(chunk, read, strict=True) if r is not None]
            counts.failed += len(chunk) - len(kept)
            if kept:
                import pyarrow as pa

                vectors = embedder.embed([r[0] for _, r in kept])
                table = vector_table(
                    [path for path, _ in kept], vectors, key="image_path",
                    phash=pa.array([r[1] for _, r in kept], type=pa.uint64()),
                )  # fmt: skip
                if cache_dir is not None:
                    write_cached(con, table, Path(cache_dir))
                _insert_table(con, table, model)
                counts.done += len(kept)
            bar.update(len(chunk))
    return counts


def _open_rgb(path: str):
    """The image at ``path`` as a PIL RGB image, or None when it cannot be read (missing, cut
    short, not an image, or a decompression bomb)."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as img:
            return img.convert("RGB")
    except (OSError, UnidentifiedImageError, SyntaxError, ValueError, Image.DecompressionBombError):
        return None


def read_image(path: str, preprocess):
    """``preprocess`` of the image at ``path`` (as RGB), or None when it cannot be read."""
    rgb = _open_rgb(path)
    return None if rgb is None else preprocess(rgb)


def read_thumbnail(thumb_path: str, preprocess=None) -> tuple[np.ndarray, int] | None:
    """(the model's input, made by ``preprocess``: EfficientNet-Lite0's by default, and the 64-bit
    pHash) of a thumbnail, or None when it cannot be read."""
    import imagehash

    if preprocess is None:
        from genai_analyzer.models.image_embeddings import preprocess

    rgb = _open_rgb(thumb_path)
    return None if rgb is None else (preprocess(rgb), int(str(imagehash.phash(rgb)), 16))


def _insert_missing(con, select_sql: str, model: str, params: dict | None = None) -> None:
    """Insert the rows of ``select_sql`` (columns image_path, model, embedding, phash) for images of
    this build that have no vector of ``model`` yet."""
    con.execute(
        f"""
        INSERT INTO enrich.image_embeddings
        SELECT image_path, $m, CAST(any_value(embedding) AS FLOAT[]), any_value(phash)
        FROM ({select_sql}) AS found
        WHERE image_path IN ({_THUMBNAILS})
          AND image_path NOT IN (SELECT image_path FROM enrich.image_embeddings WHERE model = $m)
        GROUP BY image_path
        """,
        {"m": model, **(params or {})},
    )


def _reuse_cached(con, cache_dir: Path, model: str) -> None:
    """Insert vectors cached by an earlier, unfinished run for images of this build not yet done."""
    files = sorted(str(p) for p in cache_dir.glob("*.parquet")) if cache_dir.is_dir() else []
    select = "SELECT image_path, $m AS model, embedding, phash FROM read_parquet($files)"
    try:
        if files:
            _insert_missing(con, select, model, {"files": files})
    except duckdb.Error:
        for file in files:  # one unreadable file costs its batch only, not the whole cache
            with contextlib.suppress(duckdb.Error):
                _insert_missing(con, select, model, {"files": [file]})


def _insert_table(con, table, model: str) -> None:
    con.register("new_image_vectors", table)
    try:
        con.execute(
            "INSERT INTO enrich.image_embeddings "
            "SELECT image_path, $m, CAST(embedding AS FLOAT[]), phash FROM new_image_vectors",
            {"m": model},
        )
    finally:
        con.unregister("new_image_vectors")


def group_duplicates(
    con: duckdb.DuckDBPyConnection,
    model: str,
    *,
    max_bits: int = DUPLICATE_MAX_BITS,
    max_colour: float = DUPLICATE_MAX_COLOUR,
) -> dict:
    """Fill ``enrich.image_duplicates`` (replacing what was there): each image of a near-duplicate
    group with its group, numbered 1, 2, ... from the largest group. Returns {"groups", "images"}:
    how many groups, and how many images are in one.

    The nodes are images of one hash and one colour: the images sharing a hash are split by colour
    (each joins the first node of its hash whose first image's colours match its own). Two nodes
    are linked when their hashes differ in at most ``max_bits`` bits and their colours match. A
    thumbnail that cannot be read again for its colours is left out of every group."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    con.execute("DELETE FROM enrich.image_duplicates")
    hashes = con.execute(
        """
        SELECT e.phash, list(e.image_path ORDER BY e.image_path) AS images,
               list(t.thumb_path ORDER BY e.image_path) AS thumbs
        FROM enrich.image_embeddings e
        JOIN (SELECT image_path, any_value(thumb_path) AS thumb_path FROM enrich.thumbnails
              WHERE thumb_path IS NOT NULL GROUP BY image_path) t USING (image_path)
        WHERE e.model = $m
        GROUP BY e.phash ORDER BY e.phash
        """,
        {"m": model},
    ).df()
    if hashes.empty:
        return {"groups": 0, "images": 0}
    pairs = _close_pairs(con, hashes["phash"].to_numpy(dtype=np.uint64), max_bits)
    shared = {i for i, images in enumerate(hashes["images"]) if len(images) > 1}
    nodes = _colour_nodes(hashes, sorted(set(pairs.ravel().tolist()) | shared), max_colour)
    edges = [
        (a, b)
        for x, y in pairs.tolist()
        for a in nodes.of_hash.get(x, [])
        for b in nodes.of_hash.get(y, [])
        if _colours_match(nodes.colour[a], nodes.colour[b], max_colour)
    ]
    n = len(nodes.images)
    edges_array = np.asarray(edges, dtype=np.int64).reshape(-1, 2)
    graph = coo_matrix((np.ones(len(edges_array)), (edges_array[:, 0], edges_array[:, 1])), shape=(n, n))
    _, component = connected_components(graph, directed=False)
    members: dict[int, list[str]] = {}
    for comp, images in zip(component, nodes.images, strict=True):
        members.setdefault(int(comp), []).extend(images)
    groups = sorted((sorted(m) for m in members.values() if len(m) > 1), key=lambda m: (-len(m), m[0]))
    rows = [(path, number) for number, group in enumerate(groups, start=1) for path in group]
    if rows:
        import pandas as pd

        frame = pd.DataFrame(rows, columns=["image_path", "duplicate_group"])
        con.register("duplicate_rows", frame)
        try:
            con.execute("INSERT INTO enrich.image_duplicates SELECT * FROM duplicate_rows")
        finally:
            con.unregister("duplicate_rows")
    return {"groups": len(groups), "images": len(rows)}


class _Nodes:
    """Images of one hash and one colour: their paths, the first image's colours, and each hash's
    nodes (by the hash's row number)."""

    def __init__(self) -> None:
        self.images: list[list[str]] = []
        self.colour: list[np.ndarray] = []
        self.of_hash: dict[int, list[int]] = {}


def _colour_nodes(hashes, candidates: list[int], max_colour: float) -> _Nodes:
    """The nodes of the candidate hashes' images, their thumbnails read (in threads) for colour."""
    images, thumbs = hashes["images"].tolist(), hashes["thumbs"].tolist()
    work = [(h, path, thumb) for h in candidates for path, thumb in zip(images[h], thumbs[h], strict=True)]
    with ThreadPoolExecutor(max_workers=4) as pool:
        colours = list(pool.map(colour_signature, [thumb for _, _, thumb in work]))
    nodes = _Nodes()
    for (h, path, _), colour in zip(work, colours, strict=True):
        if colour is None:
            continue
        own = nodes.of_hash.setdefault(h, [])
        match = next((i for i in own if _colours_match(nodes.colour[i], colour, max_colour)), None)
        if match is None:
            own.append(len(nodes.images))
            nodes.images.append([path])
            nodes.colour.append(colour)
        else:
            nodes.images[match].append(path)
    return nodes


def colour_signature(thumb_path: str) -> np.ndarray | None:
    """The mean colour of each cell of a 4 x 4 grid over the thumbnail (48 values, 0-255), or None
    when it cannot be read."""
    from PIL import Image

    rgb = _open_rgb(thumb_path)
    return None if rgb is None else np.asarray(rgb.resize((4, 4), Image.BOX), dtype=np.float32).ravel()


def _colours_match(a: np.ndarray, b: np.ndarray, max_colour: float) -> bool:
    return float(np.abs(a - b).mean()) <= max_colour


def _close_pairs(con, hashes: np.ndarray, max_bits: int) -> np.ndarray:
    """Index pairs (i < j) of distinct ``hashes`` that differ in at most ``max_bits`` bits."""
    blocks = max_bits + 1
    width = -(-64 // blocks)
    import pyarrow as pa

    table = pa.table({"i": np.arange(len(hashes)), "phash": pa.array(hashes, pa.uint64())})
    con.register("distinct_hashes", table)
    try:
        found = con.execute(
            f"""
            WITH blocks AS (
                SELECT i, phash, b, (phash >> (b * {width})) & {(1 << width) - 1}::UBIGINT AS v
                FROM distinct_hashes, range({blocks}) AS t(b)
            )
            SELECT DISTINCT x.i AS a, y.i AS b FROM blocks x
            JOIN blocks y ON x.b = y.b AND x.v = y.v AND x.i < y.i
            WHERE bit_count(xor(x.phash, y.phash)) <= {int(max_bits)}
            """
        ).fetchnumpy()
    finally:
        con.unregister("distinct_hashes")
    return np.stack([np.asarray(found["a"]), np.asarray(found["b"])], axis=1).astype(np.int64).reshape(-1, 2)


def score_agreement(
    con: duckdb.DuckDBPyConnection, embedder, *, reuse_prev: bool = False, progress: bool = False
) -> StepCounts:
    """Fill ``enrich.image_agreement``: for each (image, prompt) pair of this build whose image has
    a vector of ``embedder`` (a CLIP model), the cosine of the image and its prompt in CLIP space.
    Pairs already scored by this model (in the previous warehouse or this build) are reused."""
    from tqdm.auto import tqdm

    model = embedder.model_name
    if reuse_prev and has_table(con, "prev", "enrich", "image_agreement"):
        con.execute(
            """
            INSERT INTO enrich.image_agreement
            SELECT DISTINCT p.image_path, p.prompt_id, p.model, p.agreement FROM prev.enrich.image_agreement p
            WHERE p.model = $m
              AND (p.image_path, p.prompt_id) IN (SELECT (image_path, prompt_id) FROM raw.generations)
              AND (p.image_path, p.prompt_id) NOT IN
                  (SELECT (image_path, prompt_id) FROM enrich.image_agreement WHERE model = $m)
            """,
            {"m": model},
        )
    pairs = con.execute(
        """
        SELECT g.image_path, g.prompt_id, any_value(g.prompt) AS prompt
        FROM raw.generations g
        WHERE g.prompt IS NOT NULL
          AND g.image_path IN (SELECT image_path FROM enrich.image_embeddings WHERE model = $m)
          AND (g.image_path, g.prompt_id) NOT IN
              (SELECT (image_path, prompt_id) FROM enrich.image_agreement WHERE model = $m)
        GROUP BY g.image_path, g.prompt_id ORDER BY g.prompt_id, g.image_path
        """,
        {"m": model},
    ).fetchall()
    counts = StepCounts(
        skipped=con.execute(
            "SELECT count(*) FROM enrich.image_agreement WHERE model = $m", {"m": model}
        ).fetchone()[0]
    )
    if not pairs:
        return counts
    import pandas as pd

    prompts = sorted({prompt_id: prompt for _, prompt_id, prompt in pairs}.items())
    index = {prompt_id: i for i, (prompt_id, _) in enumerate(prompts)}
    texts = [prompt for _, prompt in prompts]
    with tqdm(total=len(texts), desc="prompt-image agreement", unit="prompt", disable=not progress,
              leave=False) as bar:  # fmt: skip
        vectors = []
        for start in range(0, len(texts), IMAGE_BATCH):
            vectors.append(embedder.embed_texts(texts[start : start + IMAGE_BATCH]))
            bar.update(len(texts[start : start + IMAGE_BATCH]))
    text_vectors = np.concatenate(vectors)
    images = dict(
        con.execute(
            "SELECT image_path, any_value(embedding) FROM enrich.image_embeddings WHERE model = $m "
            "AND image_path IN (SELECT unnest($p::VARCHAR[])) GROUP BY image_path",
            {"m": model, "p": sorted({path for path, _, _ in pairs})},
        ).fetchall()
    )
    image_vectors = np.asarray([images[path] for path, _, _ in pairs], dtype=np.float32)
    agreement = np.einsum("ij,ij->i", image_vectors, text_vectors[[index[p] for _, p, _ in pairs]])
    frame = pd.DataFrame(
        {
            "image_path": [path for path, _, _ in pairs],
            "prompt_id": [prompt_id for _, prompt_id, _ in pairs],
            "model": model,
            "agreement": agreement.astype(np.float64),
        }
    )
    con.register("new_agreement", frame)
    try:
        con.execute("INSERT INTO enrich.image_agreement SELECT * FROM new_agreement")
    finally:
        con.unregister("new_agreement")
    counts.done = len(frame)
    return counts


def image_step(ctx) -> None:
    """The build step ``image_embeddings`` on a build's context (``pipeline.build._Context``):
    embed and hash every thumbnail not done yet with the image model the settings name
    (``GENAI_IMAGE_MODEL``: a CLIP model, else EfficientNet-Lite0), group the near-duplicates, with
    a CLIP model score each image against its prompt, and report the counts in the build summary
    (with a note when the warehouse has no images)."""
    from genai_analyzer.models.image_embeddings import image_embedder
    from genai_analyzer.pipeline.enrich import embedding_cache_dir

    embedder = image_embedder(ctx.settings)
    if embedder.kind == "clip":
        embedder.load()  # a wrong GENAI_IMAGE_MODEL fails here, and the reader threads find it loaded
    report: dict = {
        "model": embedder.model_name,
        "kind": embedder.kind,
        "label": embedder.label,
        "max_bits": DUPLICATE_MAX_BITS,
    }
    if not ctx.con.execute(f"SELECT count(*) FROM ({_THUMBNAILS})").fetchone()[0]:
        report["note"] = NO_IMAGES
    counts = embed_images(
        ctx.con,
        embedder,
        reuse_prev=ctx.reuse_prev,
        cache_dir=embedding_cache_dir(ctx.target, f"image-{embedder.model_name}"),  # resumes a build
        progress=ctx.progress,
    )
    report["dim"] = _stored_dim(ctx.con, embedder)
    duplicates = group_duplicates(ctx.con, embedder.model_name)
    if embedder.kind == "clip":
        agreement = score_agreement(ctx.con, embedder, reuse_prev=ctx.reuse_prev, progress=ctx.progress)
        report["agreement_pairs"] = agreement.done + agreement.skipped
        report["agreement_reused"] = agreement.skipped
    ctx.summary.enrichment["image_embeddings"] = {
        **counts.as_dict(), **report,
        "duplicate_groups": duplicates["groups"], "duplicate_images": duplicates["images"],
    }  # fmt: skip


def _stored_dim(con, embedder) -> int:
    """The vectors' length (without loading a model that had nothing to embed)."""
    found = con.execute(
        "SELECT len(embedding) FROM enrich.image_embeddings WHERE model = $m LIMIT 1",
        {"m": embedder.model_name},
    ).fetchone()
    return int(found[0]) if found else int(getattr(embedder, "dim", 0) if embedder.kind == "visual" else 0)
