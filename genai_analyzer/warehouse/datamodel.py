"""The data model as the dbt project documents it: read from schema.yml, never typed twice.

Used to render docs/data-model.md (``python -m genai_analyzer.warehouse.datamodel > docs/data-model.md``)
and by the app's Overview tab.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from genai_analyzer.core.contract import DBT_PROJECT_DIR, MART_TABLES


@dataclass
class Column:
    name: str
    description: str
    tests: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Relationship:
    """``child.column`` references ``parent.field`` (a dbt relationships test)."""

    child: str
    column: str
    parent: str
    field: str


@dataclass
class Model:
    name: str
    description: str
    columns: list[Column]


def _marts_spec() -> dict:
    import yaml

    return yaml.safe_load((DBT_PROJECT_DIR / "models" / "marts" / "schema.yml").read_text())


def _test_name(test) -> str:
    if isinstance(test, str):
        return test
    ((name, spec),) = test.items()
    args = (spec or {}).get("arguments", spec or {})
    if name == "relationships":
        return f"relationships -> {args['to'].removeprefix('ref(').strip(')').strip(chr(39))}"
    if name == "accepted_values":
        return f"accepted_values {args['values']}"
    if name == "value_between":
        return f"between {args['min_value']} and {args['max_value']}"
    return name


def mart_models() -> list[Model]:
    """The mart models with their column descriptions and data tests, in star-schema order."""
    spec = _marts_spec()
    models = {
        m["name"]: Model(
            name=m["name"],
            description=" ".join(m.get("description", "").split()),
            columns=[
                Column(c["name"], c.get("description", ""), [_test_name(t) for t in c.get("data_tests", [])])
                for c in m.get("columns", [])
            ],
        )
        for m in spec["models"]
    }
    return [models[name] for name in MART_TABLES]


def relationships() -> list[Relationship]:
    """The star's joins, read from the relationships data tests of the mart models."""
    found = []
    for model in _marts_spec()["models"]:
        for column in model.get("columns", []):
            for test in column.get("data_tests", []):
                if isinstance(test, dict) and "relationships" in test:
                    spec = test["relationships"]
                    args = spec.get("arguments", spec)
                    parent = args["to"].removeprefix("ref(").rstrip(")").strip("'\"")
                    found.append(Relationship(model["name"], column["name"], parent, args["field"]))
    return found


def render_markdown() -> str:
    """docs/data-model.md."""
    lines = [
        "# Data model",
        "",
        "Rendered from `genai_analyzer/dbt_project/models/marts/schema.yml` by",
        "`python -m genai_analyzer.warehouse.datamodel > docs/data-model.md`; a test fails when it is stale.",
        "",
        "A star schema: `fact_generations` (one row per generation) joined to `dim_users`,",
        "`dim_sessions`, `dim_prompts` and `dim_date`. The `raw` schema holds what the pipeline's",
        "Python steps wrote, and `build_info` records how the warehouse was built.",
        "",
        "```mermaid",
        "erDiagram",
        *(f"    {r.parent} ||--o{{ {r.child} : {r.column}" for r in relationships()),
        "```",
    ]
    for model in mart_models():
        lines += [
            "",
            f"## {model.name}",
            "",
            model.description,
            "",
            "| column | description | tests |",
            "|---|---|---|",
        ]
        lines += [f"| `{c.name}` | {c.description} | {', '.join(c.tests)} |" for c in model.columns]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(render_markdown(), end="")


def missing_columns(tables: dict[str, list[str]]) -> dict[str, list[str]]:
    """mart -> the columns schema.yml documents that ``tables`` (``Warehouse.tables()``: schema.table
    -> columns) lacks, for every mart that lacks some (a missing mart lacks all of them): what a
    warehouse built by an older version misses."""
    held = {name.rpartition(".")[2]: set(columns) for name, columns in tables.items()}
    out = {}
    for model in mart_models():
        lacking = [c.name for c in model.columns if c.name not in held.get(model.name, set())]
        if lacking:
            out[model.name] = lacking
    return out


def check_current(where: str, tables: dict[str, list[str]]) -> None:
    """Refuse, naming what it lacks and how to add it, a warehouse built by an older version: the
    app's queries would otherwise fail one by one with a database error."""
    from genai_analyzer.core.errors import WarehouseError

    missing = missing_columns(tables)
    if missing:
        held = {name.rpartition(".")[2] for name in tables}
        lacks = "; ".join(
            f"{table} lacks {', '.join(columns)}" if table in held else f"no table {table}"
            for table, columns in missing.items()
        )
        raise WarehouseError(
            f"The warehouse at {where} was built by an older version of GenAI Session Analyzer ({lacks}). "
            "Run `genai-analyzer enrich` on it (it reuses the embeddings, labels and thumbnails it has, "
            "and rebuilds the marts), or build it again."
        )
