"""ivr: a self-hosted voice IVR bot for e-commerce call centres."""

__version__ = "0.1.0"
