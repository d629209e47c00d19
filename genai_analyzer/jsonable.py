"""JSON-friendly values for API answers: what Gradio's API and ``json.dumps`` can carry as is."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import numpy as np
import pandas as pd


def plain(value):
    """``value`` with JSON-friendly leaves: ISO text for times, None for NaN/NaT, Python numbers."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | np.ndarray):
        return [plain(v) for v in value]
    if pd.api.types.is_scalar(value) and pd.isna(value):
        return None
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, np.generic):
        return value.item()
    return value


def records(frame: pd.DataFrame) -> list[dict]:
    """One JSON-friendly dict per row. A time column whose values all fall on midnight is a day
    (DuckDB DATE arrives in pandas as a timestamp) and is written as YYYY-MM-DD."""
    out = frame.copy()
    for column in out.columns:
        values = out[column]
        if not pd.api.types.is_datetime64_any_dtype(values):
            continue
        known = values.dropna()
        if (known == known.dt.normalize()).all():
            out[column] = values.dt.strftime("%Y-%m-%d")
    return plain(out.to_dict(orient="records"))
