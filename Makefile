# Two commands do all the set-up: `make demo` (the main job) and `make test`.
# Each creates .venv and installs crossfoot with its dev extras on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test bench lint clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/crossfoot demo -o crossfoot-out

test: $(STAMP)
	$(BIN)/python -m pytest

bench: $(STAMP)
	$(BIN)/python bench/read_speed.py
	$(BIN)/python bench/quality.py
	$(BIN)/python bench/recalc.py

clean:
	rm -rf $(VENV) crossfoot-out

lint: $(STAMP)
	$(BIN)/python -m ruff check --select F src tests bench
