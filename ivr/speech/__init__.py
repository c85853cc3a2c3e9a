"""Local speech: audio codec, endpointing, recognisers and synthesis (no cloud speech)."""
