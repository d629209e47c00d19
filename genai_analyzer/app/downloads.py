"""Files the page offers for download: each in a fresh temporary folder, so two users' exports
never overwrite each other."""

from __future__ import annotations

import tempfile
from pathlib import Path

import gradio as gr
import pandas as pd


def download_path(filename: str, prefix: str = "genai-export-") -> Path:
    """A path named ``filename`` in a new temporary folder."""
    return Path(tempfile.mkdtemp(prefix=prefix)) / filename


def csv_download(frame: pd.DataFrame | None, filename: str, nothing: str) -> gr.File:
    """``frame`` (the one on screen) as a CSV file to download; an empty or missing frame is the
    page error ``nothing`` rather than an empty file."""
    if frame is None or frame.empty:
        raise gr.Error(nothing, print_exception=False)
    path = download_path(filename)
    frame.to_csv(path, index=False)
    return gr.File(str(path), visible=True)
