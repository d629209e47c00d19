"""WebP thumbnails (about 256 px on the long side) for every image, made in parallel.

A thumbnail's file name is a hash of its image's address, so a second run finds it done and
skips it. Images are grouped by archive so each worker opens a part zip once. Missing and
corrupt images (an archive or member that cannot be read: bad CRC, truncated; an image that does not
decode) are counted and skipped, never fatal: the build names them in its report.
"""

from __future__ import annotations

import hashlib
import io
import os
import struct
import zipfile
import zlib
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from genai_analyzer.core.images import ZIP_SEPARATOR

CHUNK = 48  # images per task: enough to amortise opening an archive, small enough to balance workers
# What reading a damaged archive member raises: bad CRC or header (BadZipFile), a truncated deflate
# stream (zlib.error, EOFError), a damaged header field (struct.error, ValueError).
DAMAGED = (zipfile.BadZipFile, zlib.error, EOFError, struct.error, ValueError)


@dataclass
class ThumbResult:
    image_path: str
    thumb_path: str | None
    status: str  # "done", "skipped" (already there), "missing", "corrupt"


def thumb_path_for(image_path: str, thumb_dir: Path) -> Path:
    digest = hashlib.sha1(image_path.encode()).hexdigest()[:20]
    return thumb_dir / digest[:2] / f"{digest}.webp"


def thumb_name(thumb_path: str) -> str:
    """A thumbnail's name relative to its thumbnail folder (``ab/<digest>.webp``): the last two
    parts of the path ``thumb_path_for`` gives, wherever that folder is now. The app serves a
    thumbnail by this name (``thumbs/<name>``), never by its path on the server."""
    path = PurePosixPath(thumb_path)
    return f"{path.parent.name}/{path.name}"


def make_thumbnails(
    image_paths: list[str], thumb_dir: Path, *, size: int = 256, workers: int | None = None, progress=None
) -> list[ThumbResult]:
    """One ThumbResult per image path; ``progress(n)`` is called as images finish."""
    thumb_dir.mkdir(parents=True, exist_ok=True)
    results: list[ThumbResult] = []
    todo: dict[str, list[tuple[str, str]]] = defaultdict(list)  # archive ('' for loose) -> (path, thumb)
    for path in image_paths:
        thumb = thumb_path_for(path, thumb_dir)
        if thumb.exists():
            results.append(ThumbResult(path, str(thumb), "skipped"))
            continue
        archive = path.rsplit(ZIP_SEPARATOR, 1)[0] if ZIP_SEPARATOR in path else ""
        todo[archive].append((path, str(thumb)))
    if progress and results:
        progress(len(results))
    tasks = [
        (archive, items[i : i + CHUNK], size)
        for archive, items in todo.items()
        for i in range(0, len(items), CHUNK)
    ]
    workers = workers or min(len(tasks), os.cpu_count() or 1)
    if workers <= 1:
        for task in tasks:
            batch = _thumbnail_batch(*task)
            results += batch
            if progress:
                progress(len(batch))
        return results
    with ProcessPoolExecutor(max_workers=workers) as pool:
        for future in as_completed([pool.submit(_thumbnail_batch, *task) for task in tasks]):
            batch = future.result()
            results += batch
            if progress:
                progress(len(batch))
    return results


def _thumbnail_batch(archive: str, items: list[tuple[str, str]], size: int) -> list[ThumbResult]:
    """Thumbnails for images of one archive (or loose files when ``archive`` is empty)."""
    out = []
    zf = None
    if archive:
        try:
            zf = zipfile.ZipFile(archive)
        except FileNotFoundError:
            return [ThumbResult(path, None, "missing") for path, _ in items]
        except (OSError, *DAMAGED):
            return [ThumbResult(path, None, "corrupt") for path, _ in items]
    try:
        for path, thumb in items:
            out.append(_one(zf, path, Path(thumb), size))
    finally:
        if zf is not None:
            zf.close()
    return out


def _one(zf: zipfile.ZipFile | None, path: str, thumb: Path, size: int) -> ThumbResult:
    from PIL import Image, UnidentifiedImageError

    try:
        data = zf.read(path.rsplit(ZIP_SEPARATOR, 1)[1]) if zf is not None else Path(path).read_bytes()
    except (KeyError, FileNotFoundError):
        return ThumbResult(path, None, "missing")
    except (OSError, *DAMAGED):
        return ThumbResult(path, None, "corrupt")
    try:
        with Image.open(io.BytesIO(data)) as img:
            img = img.convert("RGB")
            img.thumbnail((size, size))
            thumb.parent.mkdir(parents=True, exist_ok=True)
            partial = thumb.with_suffix(".partial")
            img.save(partial, "WEBP", quality=80, method=4)
            partial.replace(thumb)  # a crash never leaves a half-written thumbnail behind
    except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError, *DAMAGED):
        return ThumbResult(path, None, "corrupt")
    return ThumbResult(path, str(thumb), "done")
