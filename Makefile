# The two commands of the README. Everything else is set up by them.
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat requirements.txt requirements-dev.txt | md5sum | cut -c1-8)
PORT   ?= 8050

.PHONY: run test bench lint

$(STAMP): requirements.txt requirements-dev.txt
	python3 -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	rm -f $(VENV)/.installed-*; touch $(STAMP)

## run: build the embedded demo database once (boundaries, published 2561 figures, synthetic households), then serve on :$(PORT)
run: $(STAMP)
	$(BIN)/flask --app app:server demo --port $(PORT)

## test: every test; PostGIS tests run when a server answers at 127.0.0.1:5432, browser tests when chromium is installed.
## Two workers, a file each at a time (its module fixtures built once): 18.5 min instead of 25 on a slow day of the
## 2-core CI machine, which allows 25 minutes for all of CI.
test: $(STAMP)
	$(BIN)/pytest -n 2 --dist loadfile

bench: $(STAMP)
	$(BIN)/python -m bench.run

## lint: ruff's checks and mypy's types (pyproject.toml names the packages it enforces)
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
