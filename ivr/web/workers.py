"""What several gunicorn workers (IVR_WORKERS) share: their metrics, added up through files in
PROMETHEUS_MULTIPROC_DIR. prometheus_client reads that variable when it is first imported, so
`prepare_metrics_folder` runs before anything imports it (this module does not)."""

from __future__ import annotations

import os
import shutil
from typing import Any

from ivr.config import Settings

MULTIPROCESS_VARIABLE = "PROMETHEUS_MULTIPROC_DIR"


def prepare_metrics_folder(settings: Settings) -> None:
    """A folder in the cache, emptied at each start (a former run's files would count twice);
    none for one worker, and an operator's own PROMETHEUS_MULTIPROC_DIR is left alone."""
    if settings.workers == 1 or os.environ.get(MULTIPROCESS_VARIABLE):
        return
    folder = settings.cache_dir / "metrics"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    os.environ[MULTIPROCESS_VARIABLE] = str(folder)


def worker_exited(server: Any, worker: Any) -> None:
    """gunicorn's child_exit hook: a dead worker's live gauges stop counting."""
    if os.environ.get(MULTIPROCESS_VARIABLE):
        from prometheus_client import multiprocess  # noqa: PLC0415 - see the module docstring

        multiprocess.mark_process_dead(worker.pid)  # type: ignore[no-untyped-call]
