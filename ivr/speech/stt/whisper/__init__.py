"""Whisper (faster-whisper's CTranslate2 runtime), the default recogniser: model loading
(model.py), telephone audio to features (audio.py), the batching decoder thread (batcher.py),
per-context prompts (prompts.py), choosing among the beam's readings (readings.py) and the
per-call recogniser (engine.py). Nothing outside this package imports ctranslate2 or
faster_whisper."""
