# Shortcuts for scripts/dev, which is what the README and CI call (it needs no make).
.PHONY: serve test bench

serve:
	scripts/dev serve

test:
	scripts/dev test

bench:
	scripts/dev bench
