# The two commands of the README. Each sets up what is missing first (system packages, .venv).
.PHONY: serve test lint bench

serve:
	scripts/bootstrap.sh runtime
	.venv/bin/ivr serve

test:
	scripts/bootstrap.sh dev
	.venv/bin/ruff check ivr tests benchmarks
	.venv/bin/mypy
	.venv/bin/pytest

bench:
	scripts/bootstrap.sh dev
	.venv/bin/python benchmarks/nlu.py
