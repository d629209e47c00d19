"""Saved views: a named chart under the filters it was saved with, or a pinned copilot answer.

They live in the app-state DuckDB file beside the warehouse (``contract.app_state_path``, the file
the copilot's approved answers live in), never in the read-only warehouse, which every build
replaces whole. A view holds what is needed to draw it again, never its rows: a chart view keeps
the filter bar's applied state (``app/filterbar.EMPTY``'s shape), the chart's name and its
comparison; a copilot view keeps the question and its SQL, which runs through the copilot's guard
each time it is drawn. Views travel as YAML (``export_yaml`` / ``import_yaml``); an import checks
every view before it writes any, and a name already saved is reported, never overwritten.

What a view's chart or filters mean is the caller's to check (``check``): this module knows the
shape of a view, the API layer knows the charts and the warehouse's values.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode

import duckdb

from genai_analyzer.analysis.filters import FILTER_NAMES, TEXT_FIELDS
from genai_analyzer.core.errors import AnalyzerError

KINDS = ("chart", "copilot")
MAX_NAME_CHARS = 80
MAX_VIEWS = 500  # a dashboard, not a database
MAX_YAML_CHARS = 1_000_000
DATE_FIELDS = TEXT_FIELDS  # one text value each (the dates, the map selection); the others lists
YAML_VERSION = 1

SCHEMA = """
CREATE TABLE IF NOT EXISTS saved_views (
    name VARCHAR PRIMARY KEY,
    kind VARCHAR NOT NULL,
    filters JSON,
    chart VARCHAR,
    compare VARCHAR,
    compare_start VARCHAR,
    compare_end VARCHAR,
    question VARCHAR,
    sql VARCHAR,
    created_at TIMESTAMP NOT NULL,
    position INTEGER NOT NULL  -- the order they were saved in
)
"""
COLUMNS = ("name", "kind", "filters", "chart", "compare", "compare_start", "compare_end", "question",
           "sql", "created_at")  # fmt: skip

# One writer at a time per file, whichever store object (the app's, a test's) writes it.
_LOCKS: dict[Path, threading.Lock] = {}
_LOCKS_GUARD = threading.Lock()


class ViewError(AnalyzerError):
    """A view that cannot be saved, found or imported. ``field`` names what is wrong (name, kind,
    chart, filters, sql, yaml); ``code`` is an API error code (invalid_value, not_found, exists...)."""

    def __init__(self, message: str, *, field: str | None = "name", code: str = "invalid_value"):
        super().__init__(message)
        self.field = field
        self.code = code


@dataclass
class SavedView:
    """One saved view. ``filters`` is the filter bar's applied state (every FILTER_NAMES key);
    chart views carry ``chart`` and ``compare`` (none, previous or period, with the period's
    days), copilot views ``question`` and ``sql``."""

    name: str
    kind: str
    filters: dict = field(default_factory=dict)
    chart: str | None = None
    compare: str = "none"
    compare_start: str = ""
    compare_end: str = ""
    question: str | None = None
    sql: str | None = None
    created_at: str = ""

    def to_dict(self) -> dict:
        """The view as plain data, only the fields of its kind (what YAML and the API carry)."""
        body = {"name": self.name, "kind": self.kind}
        if self.kind == "chart":
            body.update(filters=self.filters, chart=self.chart, compare=self.compare)
            if self.compare == "period":
                body.update(compare_start=self.compare_start, compare_end=self.compare_end)
        else:
            body.update(question=self.question, sql=self.sql)
        body["created_at"] = self.created_at
        return body


def link(view: SavedView) -> str:
    """The view's own link, relative to the app: a chart view opens the Analytics tab under its
    filters (the filter bar's own query string, ``app/filterbar.py``), a copilot view opens the
    Dashboard on it (``?tab=dashboard&view=<name>``)."""
    if view.kind == "chart":
        params = [(name, v) for name in FILTER_NAMES for v in _as_list(view.filters.get(name)) if v]
        params.append(("tab", "analytics"))
    else:
        params = [("tab", "dashboard"), ("view", view.name)]
    return "?" + urlencode(params)


def _as_list(value) -> list:
    return value if isinstance(value, list) else [value]


def check_name(name: object) -> str:
    """The name, trimmed; a ViewError when empty, too long, or holding a control character."""
    if not isinstance(name, str):
        raise ViewError(f"A view's name must be text, not {type(name).__name__}.")
    name = " ".join(name.split())
    if not name:
        raise ViewError("Give the view a name.", code="missing")
    if len(name) > MAX_NAME_CHARS:
        raise ViewError(f"A view's name is at most {MAX_NAME_CHARS} characters.", code="too_long")
    return name


def check_filters(filters: object) -> dict:
    """The applied state in its full shape (a missing field means "every value"); a ViewError
    naming an unknown field or a value of the wrong type. Whether the values exist in the
    warehouse is the caller's check."""
    if filters is None:
        filters = {}
    if not isinstance(filters, dict):
        raise ViewError("A view's filters must be a mapping of filter names to values.", field="filters")
    unknown = sorted(set(filters) - set(FILTER_NAMES))
    if unknown:
        raise ViewError(
            f"Unknown filter {', '.join(map(str, unknown))}; the filters are {', '.join(FILTER_NAMES)}.",
            field="filters",
        )
    out = {}
    for name in FILTER_NAMES:
        value = filters.get(name)
        if name in DATE_FIELDS:
            if value is not None and not isinstance(value, str):
                value = str(value)  # YAML reads 2025-09-01 as a date
            out[name] = (value or "").strip()
        else:
            value = [] if value is None else [value] if isinstance(value, str) else value
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise ViewError(f"The filter {name} must be a list of text values.", field="filters")
            out[name] = list(value)
    return out


def view_from(body: object, check: Callable[[SavedView], None] | None = None) -> SavedView:
    """A SavedView from plain data (a YAML entry, the API), its shape checked, then ``check``."""
    if not isinstance(body, dict):
        raise ViewError("Each view must be a mapping with a name and a kind.", field="yaml")
    name = check_name(body.get("name"))
    kind = body.get("kind")
    if kind not in KINDS:
        raise ViewError(f"The view {name!r} has kind {kind!r}; use chart or copilot.", field="kind")
    created = body.get("created_at") or ""
    view = SavedView(name, kind, created_at=str(created))
    if kind == "chart":
        view.filters = check_filters(body.get("filters"))
        view.chart = body.get("chart")
        if not isinstance(view.chart, str) or not view.chart:
            raise ViewError(f"The chart view {name!r} names no chart.", field="chart")
        view.compare = str(body.get("compare") or "none")
        view.compare_start = str(body.get("compare_start") or "")
        view.compare_end = str(body.get("compare_end") or "")
    else:
        view.question = str(body.get("question") or "")
        view.sql = body.get("sql")
        if not isinstance(view.sql, str) or not view.sql.strip():
            raise ViewError(f"The copilot view {name!r} holds no SQL.", field="sql")
    if check is not None:
        check(view)
    return view


class SavedViews:
    """The saved views in one app-state file; safe to share between threads (one writer at a
    time, a short connection per call)."""

    def __init__(self, path: Path):
        self.path = Path(path)
        with _LOCKS_GUARD:
            self._lock = _LOCKS.setdefault(self.path.resolve(), threading.Lock())

    def _connect(self) -> duckdb.DuckDBPyConnection:
        con = duckdb.connect(str(self.path))
        con.execute(SCHEMA)
        return con

    def save(self, view: SavedView) -> SavedView:
        """Store ``view`` under its name; a ViewError (code ``exists``) when the name is taken
        (names are compared case and spacing aside)."""
        view.name = check_name(view.name)
        view.created_at = view.created_at or datetime.now(UTC).replace(tzinfo=None).isoformat(
            timespec="seconds"
        )
        with self._lock:
            con = self._connect()
            try:
                self._insert(con, [view])
            finally:
                con.close()
        return view

    def _insert(self, con, views: list[SavedView]) -> None:
        taken = {n.lower() for (n,) in con.execute("SELECT name FROM saved_views").fetchall()}
        for view in views:
            if view.name.lower() in taken:
                raise ViewError(
                    f"A view named {view.name!r} already exists: choose another name or delete it first.",
                    code="exists",
                )
            taken.add(view.name.lower())
        if len(taken) > MAX_VIEWS:
            raise ViewError(f"At most {MAX_VIEWS} views can be saved; delete some first.")
        if not views:
            return  # an import whose every name is taken: nothing to write
        start = con.execute("SELECT coalesce(max(position), 0) + 1 FROM saved_views").fetchone()[0]
        con.executemany(
            f"INSERT INTO saved_views ({', '.join(COLUMNS)}, position) "
            f"VALUES ({', '.join('?' * (len(COLUMNS) + 1))})",
            [
                [v.name, v.kind, json.dumps(v.filters), v.chart, v.compare, v.compare_start,
                 v.compare_end, v.question, v.sql, v.created_at, start + i]
                for i, v in enumerate(views)
            ],
        )  # fmt: skip

    def all(self) -> list[SavedView]:
        """Every saved view, oldest first (the order they were saved in)."""
        if not self.path.exists():
            return []
        with self._lock:
            con = self._connect()
            try:
                rows = con.execute(
                    f"SELECT {', '.join(COLUMNS)} FROM saved_views ORDER BY position"
                ).fetchall()
            finally:
                con.close()
        out = []
        for row in rows:
            values = dict(zip(COLUMNS, row, strict=True))
            values["filters"] = json.loads(values["filters"]) if values["filters"] else {}
            values["created_at"] = values["created_at"].isoformat(timespec="seconds")
            values["compare"] = values["compare"] or "none"
            values["compare_start"] = values["compare_start"] or ""
            values["compare_end"] = values["compare_end"] or ""
            out.append(SavedView(**values))
        return out

    def names(self) -> list[str]:
        return [v.name for v in self.all()]

    def get(self, name: str) -> SavedView:
        """The view named ``name`` (case and spacing aside); a ViewError (not_found) naming the
        saved ones otherwise."""
        wanted = check_name(name).lower()
        views = self.all()
        for view in views:
            if view.name.lower() == wanted:
                return view
        saved = ", ".join(repr(v.name) for v in views[:20]) or "none yet"
        raise ViewError(f"No saved view named {name!r}; saved: {saved}.", code="not_found")

    def delete(self, name: str) -> None:
        """Forget the view ``name``; a ViewError (not_found) when there is none."""
        view = self.get(name)
        with self._lock:
            con = self._connect()
            try:
                con.execute("DELETE FROM saved_views WHERE name = ?", [view.name])
            finally:
                con.close()

    def rename(self, name: str, new_name: str) -> SavedView:
        """Give the view ``name`` the name ``new_name`` (which must be free)."""
        view = self.get(name)
        new_name = check_name(new_name)
        with self._lock:
            con = self._connect()
            try:
                clash = con.execute(
                    "SELECT name FROM saved_views WHERE lower(name) = lower(?) AND name <> ?",
                    [new_name, view.name],
                ).fetchone()
                if clash:
                    raise ViewError(f"A view named {clash[0]!r} already exists.", code="exists")
                con.execute("UPDATE saved_views SET name = ? WHERE name = ?", [new_name, view.name])
            finally:
                con.close()
        view.name = new_name
        return view

    def export_yaml(self, names: Iterable[str] | None = None) -> str:
        """The views (all, or those named) as YAML: ``{version: 1, views: [...]}``."""
        import yaml

        views = self.all() if names is None else [self.get(n) for n in names]
        body = {"version": YAML_VERSION, "views": [v.to_dict() for v in views]}
        return yaml.safe_dump(body, sort_keys=False, allow_unicode=True)

    def import_yaml(self, text: str, check: Callable[[SavedView], None] | None = None) -> ImportReport:
        """Add the views of a YAML export. Every view is checked (its shape, then ``check``) before
        any is written: a bad one is a ViewError naming it and nothing is imported. A view whose
        name is already saved is left as it is and listed in the report's ``skipped``."""
        views = parse_yaml(text, check)
        with self._lock:
            con = self._connect()
            try:
                taken = {n.lower() for (n,) in con.execute("SELECT name FROM saved_views").fetchall()}
                new = [v for v in views if v.name.lower() not in taken]
                skipped = [v.name for v in views if v.name.lower() in taken]
                now = datetime.now(UTC).replace(tzinfo=None).isoformat(timespec="seconds")
                for view in new:
                    view.created_at = view.created_at or now
                self._insert(con, new)
            finally:
                con.close()
        return ImportReport([v.name for v in new], skipped)


@dataclass
class ImportReport:
    """What an import did: the names added, and those skipped because they were already saved."""

    added: list[str]
    skipped: list[str]

    def message(self) -> str:
        parts = [f"Imported {len(self.added)} view{'' if len(self.added) == 1 else 's'}"]
        if self.added:
            parts[0] += f" ({', '.join(self.added)})"
        if self.skipped:
            parts.append(
                f"skipped {len(self.skipped)} already saved under the same name ({', '.join(self.skipped)}): "
                "rename or delete those to import them"
            )
        return "; ".join(parts) + "."

    def to_dict(self) -> dict:
        return asdict(self)


def parse_yaml(text: object, check: Callable[[SavedView], None] | None = None) -> list[SavedView]:
    """The views a YAML export holds, each checked; a ViewError (field ``yaml``, or the field of
    the view at fault) saying which view and what is wrong."""
    import yaml

    if not isinstance(text, str):
        raise ViewError("Views are imported from YAML text.", field="yaml")
    if len(text) > MAX_YAML_CHARS:
        raise ViewError(f"The YAML is over {MAX_YAML_CHARS:,} characters.", field="yaml", code="too_long")
    try:
        body = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        where = getattr(exc, "problem_mark", None)
        line = f" (line {where.line + 1})" if where is not None else ""
        problem = getattr(exc, "problem", None) or exc
        raise ViewError(f"The file is not valid YAML{line}: {problem}.", field="yaml") from None
    entries = body.get("views") if isinstance(body, dict) else body
    if not isinstance(entries, list):
        raise ViewError("Expected a YAML export of views: a mapping with a 'views' list.", field="yaml")
    views, seen = [], set()
    for i, entry in enumerate(entries, start=1):
        try:
            view = view_from(entry, check)
        except AnalyzerError as exc:
            label = entry.get("name") if isinstance(entry, dict) else None
            which = f"view {i}" + (f" ({label!r})" if isinstance(label, str) else "")
            raise ViewError(f"In {which}: {exc}", field=getattr(exc, "field", None) or "yaml") from None
        if view.name.lower() in seen:
            raise ViewError(f"The name {view.name!r} appears twice in the file.", field="yaml")
        seen.add(view.name.lower())
        views.append(view)
    return views
