"""The data model as the dbt project documents it: read from schema.yml, never typed twice.

Used to render docs/data-model.md (``python -m genai_analyzer.datamodel > docs/data-model.md``)
and by the app's Overview tab.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from genai_analyzer.transform import DBT_PROJECT_DIR

MART_ORDER = ("fact_generations", "dim_users", "dim_sessions", "dim_prompts", "dim_date")


@dataclass
class Column:
    name: str
    description: str
    tests: list[str] = field(default_factory=list)


@dataclass
class Model:
    name: str
    description: str
    columns: list[Column]


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
    import yaml

    spec = yaml.safe_load((DBT_PROJECT_DIR / "models" / "marts" / "schema.yml").read_text())
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
    return [models[name] for name in MART_ORDER]


def render_markdown() -> str:
    """docs/data-model.md."""
    lines = [
        "# Data model",
        "",
        "Rendered from `genai_analyzer/dbt_project/models/marts/schema.yml` by",
        "`python -m genai_analyzer.datamodel > docs/data-model.md`; a test fails when it is stale.",
        "",
        "A star schema: `fact_generations` (one row per generation) joined to `dim_users`,",
        "`dim_sessions`, `dim_prompts` and `dim_date`. The `raw` schema holds what the pipeline's",
        "Python steps wrote, and `build_info` records how the warehouse was built.",
        "",
        "```mermaid",
        "erDiagram",
        "    dim_users ||--o{ fact_generations : user_id",
        "    dim_sessions ||--o{ fact_generations : session_id",
        "    dim_prompts ||--o{ fact_generations : prompt_id",
        "    dim_date ||--o{ fact_generations : date_key",
        "    dim_users ||--o{ dim_sessions : user_id",
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
