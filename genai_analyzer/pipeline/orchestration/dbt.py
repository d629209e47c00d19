"""The dbt project as Dagster assets (dagster-dbt): each model an asset, each data test a check.

The project is the build's own (genai_analyzer/dbt_project); its sources ``raw.*`` and ``enrich.*``
are the staging assets of the same names, so the graph runs from the parts to the marts. dbt runs
against the staging DuckDB file; its manifest and run artifacts live under the storage root, never
in the installed package.
"""

import json
import os
from pathlib import Path

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, DbtProject, dbt_assets

from genai_analyzer.pipeline.orchestration.assets import WRITES_STAGING, GenaiPipeline
from genai_analyzer.pipeline.orchestration.layout import Pipeline
from genai_analyzer.pipeline.transform import DBT_PROJECT_DIR, dbt_memory_limit


class _Translator(DagsterDbtTranslator):
    def get_group_name(self, dbt_resource_props) -> str:
        return "dbt"


def dbt_project(pipeline: Pipeline) -> DbtProject:
    """The build's dbt project with its manifest under the storage root, parsed when missing or
    older than any project file (so every process of a run reuses one parse)."""
    target = pipeline.dbt_dir / "manifest"
    manifest = target / "manifest.json"
    newest = max(p.stat().st_mtime for p in DBT_PROJECT_DIR.rglob("*") if p.is_file())
    if not manifest.exists() or manifest.stat().st_mtime < newest:
        _parse(target, pipeline.staging)
    return DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR, target_path=target)


def _parse(target: Path, database: Path) -> None:
    from dbt.cli.main import dbtRunner

    from genai_analyzer.core.errors import BuildError

    os.environ.setdefault("DO_NOT_TRACK", "1")
    os.environ.setdefault("GENAI_DBT_DATABASE", str(database))  # the profile names it; parse opens nothing
    args = ["parse", "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR)]
    args += ["--target-path", str(target), "--log-path", str(target), "--quiet"]
    result = dbtRunner().invoke(args)
    if not result.success:
        raise BuildError("dbt", f"dbt could not parse {DBT_PROJECT_DIR}: {result.exception}")


def dbt_model_assets(project: DbtProject) -> dg.AssetsDefinition:
    """Every model of the project; ``dbt build`` runs them and their data tests on the staging file."""

    @dbt_assets(
        manifest=project.manifest_path,
        project=project,
        dagster_dbt_translator=_Translator(),
        op_tags=WRITES_STAGING,
        name="dbt_models",
    )
    def dbt_models(context: dg.AssetExecutionContext, dbt: DbtCliResource, genai: GenaiPipeline):
        pipeline = genai.pipeline()
        enrichment = pipeline.read_report("enrichment")
        variables = {  # as the build's dbt step passes them
            "embedding_model": enrichment["embeddings"].get("model", "none"),
            "embedding_dim": enrichment["embeddings"].get("dim", 384),
            "labeller_key": enrichment["labels"].get("labeller", "none"),
        }
        os.environ["GENAI_DBT_DATABASE"] = str(pipeline.staging)
        os.environ["GENAI_DBT_THREADS"] = str(max(1, pipeline.settings.threads or 1))
        os.environ["GENAI_DBT_MEMORY_LIMIT"] = dbt_memory_limit(pipeline.settings.memory_limit)
        invocation = dbt.cli(
            ["build", "--vars", json.dumps(variables)],
            context=context,
            target_path=pipeline.dbt_dir / f"run-{context.run.run_id[:8]}",
        )
        yield from invocation.stream()
        results = invocation.get_artifact("run_results.json")["results"]
        kinds = [r["unique_id"].split(".")[0] for r in results if r["status"] in ("success", "pass")]
        pipeline.write_report("dbt", {"models": kinds.count("model"), "tests": kinds.count("test")})

    return dbt_models
