"""Seeded synthetic text-to-image dataset in the DiffusionDB 2M layout: the embedded demo data.

``write_sample`` writes ``metadata.parquet`` plus ``images/part-NNNNNN.zip`` archives that the
DiffusionDB loader ingests as if they were the real thing; ``generate_metadata`` builds only the
table (fast enough for millions of rows); ``render_image`` draws one procedural picture.
"""

from genai_analyzer.pipeline.sample.images import render_image
from genai_analyzer.pipeline.sample.writer import (
    METADATA_SCHEMA,
    SAMPLE_START,
    SampleSummary,
    default_users,
    generate_metadata,
    write_sample,
)

__all__ = [
    "METADATA_SCHEMA",
    "SAMPLE_START",
    "SampleSummary",
    "default_users",
    "generate_metadata",
    "render_image",
    "write_sample",
]
