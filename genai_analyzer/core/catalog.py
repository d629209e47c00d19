"""The DuckLake catalog setting: parsed and checked here, so the settings can validate it."""

from __future__ import annotations

import re

from genai_analyzer.core.errors import SettingsError


def parse_catalog(text: str) -> str:
    """A PostgreSQL connection (``dbname=genai host=db.internal user=genai``, or a
    ``postgresql://`` URI), optionally written ``postgres:...`` or ``ducklake:postgres:...``."""
    text = (text or "").strip()
    for prefix in ("ducklake:", "postgres:"):
        if text.startswith(prefix) and not text.startswith(("postgres://", "postgresql://")):
            text = text[len(prefix) :].strip()
    if not text:
        raise SettingsError(
            "GENAI_WAREHOUSE_TARGET=ducklake needs GENAI_DUCKLAKE_CATALOG, a PostgreSQL connection "
            "string such as 'dbname=genai host=localhost user=genai' (see docs/ducklake.md)."
        )
    scheme = re.match(r"^([a-z][a-z0-9+.-]*):", text)
    if scheme and scheme.group(1) not in ("postgres", "postgresql"):
        raise SettingsError(
            f"GENAI_DUCKLAKE_CATALOG={redact(text)!r}: the DuckLake catalog must be PostgreSQL "
            "(a libpq string like 'dbname=genai host=localhost', or a postgresql:// URI), "
            f"not {scheme.group(1)}:."
        )
    return text


def redact(text: str) -> str:
    """``text`` with libpq and URI passwords replaced by ***."""
    text = re.sub(r"(password\s*=\s*)('(?:[^'\\]|\\.)*'|[^\s'\"]+)", r"\1***", text, flags=re.I)
    return re.sub(r"(postgres(?:ql)?://[^:/@\s]+:)[^@\s]+@", r"\1***@", text)
