"""The build as partitioned Dagster assets (``pip install .[orchestration]``; docs/orchestration.md).

``dagster dev -m genai_analyzer.pipeline.orchestration`` loads ``defs``. The assets run the same step
functions as ``genai-analyzer build`` (genai_analyzer.pipeline.build.STEPS); only the I/O between
them differs.
"""

from genai_analyzer.pipeline.orchestration.definitions import defs

__all__ = ["defs"]
