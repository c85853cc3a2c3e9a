"""ivr: a self-hosted voice IVR bot for e-commerce call centres."""

import os

# One BLAS thread per call thread. The matcher's matrix products are small, and OpenBLAS's own
# thread pool made concurrent calls queue behind each other: with twenty callers answering at
# once, matching a turn and its n-best alternatives took up to 5 s instead of 20-180 ms
# (BENCHMARKS.md, telephony). Set before numpy is first imported; an explicit setting wins.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

__version__ = "0.1.0"
