"""ivr: a self-hosted voice IVR bot for e-commerce call centres."""

import os

# One BLAS thread per call thread. The matcher's matrix products are small, and OpenBLAS's own
# thread pool makes concurrent calls queue behind each other (seconds per turn with twenty
# callers answering at once). Set before numpy is first imported; an explicit setting wins.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

__version__ = "0.1.0"
