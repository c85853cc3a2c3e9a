"""Resident memory of a process, as the benchmarks report it."""

from __future__ import annotations

from pathlib import Path


def resident_mb(pid: int | str = "self") -> float:
    """A process's resident memory (VmRSS) in MB, this process's by default; OSError when the
    process is gone."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0
