# Shortcuts for scripts/dev, which is what the README and CI call (it needs no make).
.PHONY: serve test quick bench

serve:
	scripts/dev serve

test:
	scripts/dev test

quick:
	scripts/dev test --quick

bench:
	scripts/dev bench
