"""Vosk (Kaldi) for shops that can download an English model: the model folder
(download.py, IVR_VOSK_MODEL), each context's phrase list (phrase_list.py) and the per-call
recogniser (engine.py). Nothing outside this package imports vosk."""
