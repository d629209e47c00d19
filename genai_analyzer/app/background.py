"""The app's background worker: the full-quality embedding tier, and re-opening a replaced file.

When the app serves a warehouse embedded with the static tier (and GENAI_BACKGROUND_EMBEDDINGS is
on), a daemon thread runs the full-tier job (pipeline/full_embeddings.py) with one core fewer
than the machine has, so the app keeps one. The job never writes the file the app reads: its
vectors go to batch files, and when all are done it swaps in a new warehouse. The thread then
re-opens it, and afterwards checks every ``poll_s`` whether the file was replaced by anything
else (a build, ``genai-analyzer enrich`` in another process) and re-opens it too.
"""

from __future__ import annotations

import logging
import threading
import time

from genai_analyzer.core.settings import Settings
from genai_analyzer.warehouse.reader import Warehouse

log = logging.getLogger(__name__)


class BackgroundWorker:
    """Runs the full-tier job when the warehouse needs it, then keeps the app on the newest file."""

    def __init__(
        self, settings: Settings, wh: Warehouse, *, poll_s: float = 5.0, batch_size: int | None = None
    ):
        self.settings, self.wh, self.poll_s, self.batch_size = settings, wh, poll_s, batch_size
        self.report = None  # the job's FullTierReport once it ran
        self.reopen_s: float | None = None  # how long the re-open after its swap held new queries
        self.error: str = ""
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="full-tier-embeddings", daemon=True)

    def start(self) -> BackgroundWorker:
        self._thread.start()
        return self

    def stop(self, timeout_s: float = 60.0) -> None:
        """Ask the job to stop after its batch in progress (what it finished is kept), and wait."""
        self._stop.set()
        self._thread.join(timeout_s)

    def _run(self) -> None:
        if self.settings.background_embeddings and self.wh.lake is None:
            self._run_job()
        while not self._stop.wait(self.poll_s):
            try:
                self.wh.reopen_if_replaced()
            except Exception as exc:  # keep serving the file already open
                log.warning("could not re-open the replaced warehouse %s: %s", self.wh.path, exc)

    def _run_job(self) -> None:
        from genai_analyzer.models.embeddings import default_threads
        from genai_analyzer.pipeline.full_embeddings import (
            JOB_BATCH,
            JobAlreadyRunning,
            needs_full_tier,
            run_full_tier,
        )

        try:
            if not needs_full_tier(self.settings):
                return
            self.report = run_full_tier(
                self.settings,
                batch_size=self.batch_size or JOB_BATCH,
                stop=self._stop,
                threads=max(1, default_threads() - 1),
            )
            if self.report.state == "published":
                started = time.perf_counter()
                if self.wh.reopen(timeout_s=120.0):
                    self.reopen_s = time.perf_counter() - started
        except JobAlreadyRunning as exc:  # another process runs it: its swap is picked up below
            log.info("%s", exc)
        except Exception as exc:  # the app serves the static tier on; status shows the error
            self.error = str(exc)
            log.warning("the full-quality embedding job stopped: %s", exc)


def start_background(settings: Settings, wh: Warehouse) -> BackgroundWorker:
    """Start the worker for the app serving ``wh``."""
    return BackgroundWorker(settings, wh).start()
