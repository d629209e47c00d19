"""Diagrams for the Overview tab, drawn as inline SVG from what the code and the warehouse say.

Nothing here is typed by hand: the data model comes from the dbt marts' schema.yml (tables,
descriptions, relationships tests) and the warehouse's own column types; the architecture from
the build's step table and the app's tabs. SVG needs no script or network to render.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

from genai_analyzer.warehouse.datamodel import Model, Relationship

ACCENT = "#8b5cf6"
BOX = "#1e293b"
EDGE = "#475569"
TEXT = "#e2e8f0"
MUTED = "#94a3b8"
FONT = "Space Grotesk, ui-sans-serif, system-ui, sans-serif"


def _text(x: float, y: float, content: str, *, size=12, color=TEXT, weight=400, anchor="start") -> str:
    return (
        f'<text x="{x:.0f}" y="{y:.0f}" fill="{color}" font-size="{size}" font-weight="{weight}" '
        f'text-anchor="{anchor}" font-family="{FONT}">{html.escape(content)}</text>'
    )


def _box(x, y, w, h, *, stroke=EDGE, fill=BOX) -> str:
    size = f'width="{w:.0f}" height="{h:.0f}"'
    return f'<rect x="{x:.0f}" y="{y:.0f}" {size} rx="8" fill="{fill}" stroke="{stroke}"/>'


def _arrow(d: str, *, dashed: bool = False) -> str:
    """A connector along the SVG path ``d``, ending in an arrowhead."""
    dash = ' stroke-dasharray="4 3"' if dashed else ""
    return f'<path d="{d}" fill="none" stroke="{EDGE}" stroke-width="1.5"{dash} marker-end="url(#arrow)"/>'


def _svg(width: int, height: int, body: list[str], label: str) -> str:
    return (
        f'<svg class="diagram" viewBox="0 0 {width} {height}" role="img" aria-label="{html.escape(label)}" '
        f'xmlns="http://www.w3.org/2000/svg" style="width:100%;max-width:{width}px;height:auto">'
        f'<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" '
        f'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="{EDGE}"/></marker></defs>'
        + "".join(body)
        + "</svg>"
    )


def _table_box(model: Model, keys: Sequence[str], x: float, y: float, w: float, *, fact=False) -> tuple:
    """A table card: name, its key columns, then the count of the others. Returns (svg, height,
    {column: y of its row})."""
    line = 18
    shown = [c for c in keys if c in {col.name for col in model.columns}]
    h = 34 + line * (len(shown) + 1)
    parts = [
        _box(x, y, w, h, stroke=ACCENT if fact else EDGE),
        _text(x + 12, y + 22, model.name, size=14, weight=600, color=ACCENT if fact else TEXT),
    ]
    rows = {}
    for i, column in enumerate(shown):
        cy = y + 44 + i * line
        rows[column] = cy - 4
        role = "FK" if fact or i > 0 else "PK"
        parts += [_text(x + 14, cy, column), _text(x + w - 12, cy, role, size=10, color=MUTED, anchor="end")]
    others = len(model.columns) - len(shown)
    parts.append(_text(x + 14, y + 44 + len(shown) * line, f"+ {others} more columns", size=11, color=MUTED))
    return "".join(parts), h, rows


def data_model_svg(models: Sequence[Model], relationships: Sequence[Relationship]) -> str:
    """The star schema: the fact table in the middle with its foreign keys, each dimension with
    its key, and one line per relationships test (``dim.key`` to ``fact.key``)."""
    by_name = {m.name: m for m in models}
    facts = [m.name for m in models if m.name.startswith("fact_")]
    fact = facts[0]
    dims = [m.name for m in models if m.name != fact]
    keys: dict[str, list[str]] = {name: [] for name in by_name}
    for r in relationships:
        keys[r.parent] = [r.field] + [k for k in keys[r.parent] if k != r.field]
        keys[r.child] = keys[r.child] + [r.column] if r.column not in keys[r.child] else keys[r.child]
    for name in dims:  # a dimension with no key in a test still shows its first column
        keys[name] = keys[name] or [by_name[name].columns[0].name]
    width, box_w = 860, 210
    fact_x = (width - box_w) / 2
    fact_svg, fact_h, fact_rows = _table_box(by_name[fact], keys[fact], fact_x, 40, box_w, fact=True)
    body = [fact_svg]
    slots = [(30, 20), (30, 190), (width - box_w - 30, 20), (width - box_w - 30, 190), (fact_x, 250)]
    placed: dict[str, tuple] = {}
    for name, (x, y) in zip(dims, slots, strict=False):
        svg, h, rows = _table_box(by_name[name], keys[name], x, y, box_w)
        placed[name] = (x, y, h, rows)
        body.append(svg)
    height = max(40 + fact_h, *(y + h for _, y, h, _ in placed.values())) + 20
    for r in relationships:
        if r.child == fact and r.parent in placed:
            px, _, _, prow = placed[r.parent]
            y1, fact_fy = prow.get(r.field, 0), fact_rows[r.column]
            left = px < fact_x
            x1 = px + box_w if left else px
            x2 = fact_x if left else fact_x + box_w
            if abs(px - fact_x) < 1:  # straight below the fact table
                x1 = x2 = fact_x + box_w / 2
                y1, fact_fy = placed[r.parent][1], 40 + fact_h
            mid = (x1 + x2) / 2
            body.append(
                _arrow(
                    f"M{x1:.0f},{y1:.0f} C{mid:.0f},{y1:.0f} {mid:.0f},{fact_fy:.0f} {x2:.0f},{fact_fy:.0f}"
                )
            )
        elif r.child in placed and r.parent in placed:  # dimension to dimension, along the outer side
            cx, cy, _, crow = placed[r.child]
            px, py, _, prow = placed[r.parent]
            outer = cx < fact_x
            edge_p, edge_c = (px, cx) if outer else (px + box_w, cx + box_w)
            x = min(edge_p, edge_c) - 12 if outer else max(edge_p, edge_c) + 12
            y1, y2 = prow.get(r.field, py), crow.get(r.column, cy)
            path = f"M{edge_p:.0f},{y1:.0f} L{x:.0f},{y1:.0f} L{x:.0f},{y2:.0f} L{edge_c:.0f},{y2:.0f}"
            body.append(_arrow(path, dashed=True))
    return _svg(width, int(height), body, "Star schema of the warehouse")


def architecture_svg(sources: Sequence[str], steps: Sequence[str], surfaces: Sequence[str]) -> str:
    """Sources → the build's steps, in order → the DuckDB warehouse → the query layer → surfaces."""
    width, line = 860, 22
    col = [20, 210, 420, 640]
    height = max(len(steps), len(surfaces) + 2, len(sources) + 2) * line + 80
    body = [_text(col[0], 22, "Sources", size=13, weight=600, color=MUTED)]
    for i, source in enumerate(sources):
        body += [_box(col[0], 36 + i * 48, 160, 36), _text(col[0] + 12, 59 + i * 48, source)]
    steps_h = 20 + len(steps) * line
    body += [
        _text(col[1], 22, "genai-analyzer build", size=13, weight=600, color=MUTED),
        _box(col[1], 36, 170, steps_h),
    ]
    for i, step in enumerate(steps):
        body.append(_text(col[1] + 14, 58 + i * line, f"{i + 1}. {step}"))
    body += [
        _text(col[2], 22, "Warehouse (DuckDB)", size=13, weight=600, color=MUTED),
        _box(col[2], 36, 190, 118, stroke=ACCENT),
        _text(col[2] + 14, 60, "star schema (dbt marts)", weight=600),
        _text(col[2] + 14, 84, "vector index (int8, beside)", size=12, color=MUTED),
        _text(col[2] + 14, 106, "BM25 index (fts)", size=12, color=MUTED),
        _text(col[2] + 14, 128, "build_info, raw lineage", size=12, color=MUTED),
        _box(col[2], 180, 190, 40),
        _text(col[2] + 14, 205, "query layer (read-only)", weight=600),
        _text(col[3], 22, "Surfaces", size=13, weight=600, color=MUTED),
    ]
    for i, surface in enumerate(surfaces):
        body += [_box(col[3], 36 + i * 40, 190, 30), _text(col[3] + 12, 56 + i * 40, surface)]
    body += [
        _arrow(f"M{col[0] + 160},{54 + i * 48} L{col[1] - 4},{54 + i * 48}") for i in range(len(sources))
    ]
    body += [
        _arrow(f"M{col[1] + 170},{36 + steps_h / 2:.0f} L{col[2] - 4},95"),
        _arrow(f"M{col[2] + 95},154 L{col[2] + 95},176"),
    ]
    body += [_arrow(f"M{col[2] + 190},200 L{col[3] - 4},{51 + i * 40}") for i in range(len(surfaces))]
    height = max(height, 36 + steps_h + 20, 240)
    return _svg(width, int(height), body, "Architecture of GenAI Session Analyzer")
