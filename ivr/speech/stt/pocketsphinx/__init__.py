"""PocketSphinx, the low-CPU recogniser: its bundled en-us model adapted to the telephone line
(telephone_adaptation.py, telephone.mllr), a trigram language model per dialog context built from
the grammar (language_model.py), decoding in worker processes (decoding.py) and the per-call
recogniser (engine.py). Nothing outside this package imports pocketsphinx."""
