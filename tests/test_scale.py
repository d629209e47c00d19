"""DiffusionDB-sized builds: the scale generator, per-step peak memory, and the build benchmark."""

from __future__ import annotations

import sys

import pytest

from genai_analyzer.peak_memory import peak_mb, reset_peak


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="resetting the peak needs Linux /proc")
def test_the_peak_memory_of_a_step_starts_again_after_a_reset():
    reset_peak()
    before = peak_mb()
    block = bytearray(200 * 2**20)  # 200 MB, touched so that it is resident
    block[::4096] = b"x" * len(block[::4096])
    grown = peak_mb()
    del block
    reset_peak()
    assert grown - before >= 190
    assert peak_mb() < grown - 150
