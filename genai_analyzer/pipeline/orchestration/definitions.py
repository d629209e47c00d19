"""The Dagster code location: ``dagster dev -m genai_analyzer.pipeline.orchestration``
(docs/orchestration.md).

Loaded lazily through ``@dg.definitions``: importing this module does nothing; Dagster calls
``defs()``, which reads the source's partitions from GENAI_PIPELINE_SOURCE / GENAI_PIPELINE_PATH and
parses the dbt project when its manifest is stale.
"""

from __future__ import annotations

import os

import dagster as dg
from dagster_dbt import DbtCliResource

from genai_analyzer.core.errors import BuildError
from genai_analyzer.core.settings import Settings
from genai_analyzer.pipeline.orchestration.assets import (
    WRITES_STAGING,
    GenaiPipeline,
    partitioned_assets,
    source,
    staging_assets,
    warehouse_asset,
)
from genai_analyzer.pipeline.orchestration.dbt import dbt_model_assets, dbt_project
from genai_analyzer.pipeline.orchestration.layout import Pipeline

# Steps writing the staging file depend on each other, so they run one at a time on any executor;
# on this machine the tag limit says so again. Other steps run as many at a time as there are cores.
STAGING_ONE_AT_A_TIME = [{"key": key, "value": value, "limit": 1} for key, value in WRITES_STAGING.items()]
PARTITIONS_JOB = "build_partitions"
WAREHOUSE_JOB = "build_warehouse"


def build_definitions(pipeline: Pipeline) -> dg.Definitions:
    """Assets, jobs, resources and the executor for ``pipeline``'s source and storage root."""
    partition_keys = pipeline.partition_keys()
    partitions = dg.StaticPartitionsDefinition(partition_keys)
    parts = partitioned_assets(partitions)
    project = dbt_project(pipeline)
    dbt_models = dbt_model_assets(project)
    assets = [
        source,
        *parts,
        *staging_assets(partition_keys),
        dbt_models,
        warehouse_asset(list(dbt_models.keys)),
    ]
    return dg.Definitions(
        assets=assets,
        jobs=[
            # one run per partition (a backfill launches one each): ingest, then enrichment
            dg.define_asset_job(PARTITIONS_JOB, selection=dg.AssetSelection.assets(*parts)),
            # then once: staging tables, sessions, telemetry, dbt models and tests, the warehouse
            dg.define_asset_job(
                WAREHOUSE_JOB, selection=dg.AssetSelection.all() - dg.AssetSelection.assets(source, *parts)
            ),
        ],
        resources={
            "genai": GenaiPipeline(storage_root=str(pipeline.storage)),
            "dbt": DbtCliResource(project_dir=project),
        },
        executor=executor(pipeline.settings.pipeline_executor),
    )


def executor(name: str) -> dg.ExecutorDefinition:
    """The executor GENAI_PIPELINE_EXECUTOR names: the same assets on this machine's processes, a
    Kubernetes pod per step, or Celery workers. Only the executor and where files live change
    (docs/orchestration.md); the k8s and celery packages load only when asked for."""
    if name == "multiprocess":
        return dg.multiprocess_executor.configured(
            {"max_concurrent": os.cpu_count() or 2, "tag_concurrency_limits": STAGING_ONE_AT_A_TIME}
        )
    package = {"k8s": "dagster-k8s", "celery": "dagster-celery"}[name]
    try:
        if name == "k8s":
            from dagster_k8s import k8s_job_executor as chosen
        else:
            from dagster_celery import celery_executor as chosen
    except ImportError:
        raise BuildError(
            "prepare",
            f"GENAI_PIPELINE_EXECUTOR={name} needs {package} beside the orchestration extra: "
            f"pip install {package}=={dg.__version__.replace('1.', '0.', 1)}",
        ) from None
    # Their settings (image, namespace, volumes, broker, ...) come from the run config. The staging
    # writers need no limit there: the asset graph already orders them one after another.
    return chosen


@dg.definitions
def defs() -> dg.Definitions:
    """The definitions for the source and storage root the GENAI_* environment names."""
    return build_definitions(Pipeline.from_settings(Settings.from_env()))


def partitions_job() -> dg.JobDefinition:
    """The partitions job, for ``dg.execute_job(dg.reconstructable(partitions_job), ...)`` from Python:
    each step process of the multiprocess executor rebuilds it from here."""
    return defs().resolve_job_def(PARTITIONS_JOB)
