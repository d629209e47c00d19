"""Where generated images live, and how to open one.

DiffusionDB ships images inside ``part-NNNNNN.zip`` archives. Rather than unpacking millions of
files, an image inside an archive is addressed as ``<zip path>::<member name>``; a loose file is
addressed by its plain path.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

ZIP_SEPARATOR = "::"
IMAGE_SUFFIXES = (".png", ".webp", ".jpg", ".jpeg")
PART_RE = re.compile(r"part-(\d{6})")


def zip_member_path(zip_path: Path, member: str) -> str:
    return f"{zip_path}{ZIP_SEPARATOR}{member}"


def read_image_bytes(image_path: str) -> bytes:
    """The encoded bytes of an image addressed by a plain path or ``zip::member``."""
    if ZIP_SEPARATOR in image_path:
        archive, member = image_path.rsplit(ZIP_SEPARATOR, 1)
        with zipfile.ZipFile(archive) as zf:
            return zf.read(member)
    return Path(image_path).read_bytes()


def open_image(image_path: str):
    """A decoded PIL image (loaded fully, so the archive can close)."""
    from PIL import Image

    with Image.open(io.BytesIO(read_image_bytes(image_path))) as img:
        img.load()
        return img.copy()


def part_from_name(name: str) -> int | None:
    """The DiffusionDB part number in a file or folder name like ``part-000042.zip``."""
    match = PART_RE.search(name)
    return int(match.group(1)) if match else None
