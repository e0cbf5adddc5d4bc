# The two commands of the README, plus the benchmark.
PYTHON ?= python3

.PHONY: run test bench
run:
	$(PYTHON) scripts/suite.py run

test:
	$(PYTHON) scripts/suite.py test

bench:
	$(PYTHON) scripts/suite.py bench
