"""The server keeps OpenBLAS to one thread per call thread (see ivr/__init__.py)."""

from __future__ import annotations

import os
import subprocess
import sys

PROBE = "import ivr, numpy, os; print(os.environ['OPENBLAS_NUM_THREADS'])"


def run_probe(environment: dict[str, str]) -> str:
    return subprocess.run([sys.executable, "-c", PROBE], env=environment, capture_output=True,
                          text=True, check=True, timeout=60).stdout.strip()


def test_importing_ivr_limits_openblas_to_one_thread() -> None:
    environment = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"}
    assert run_probe(environment) == "1"


def test_an_explicit_setting_wins() -> None:
    assert run_probe({**os.environ, "OPENBLAS_NUM_THREADS": "2"}) == "2"
