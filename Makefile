# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install run test lint format bench docker browser clean

install: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/staging-emulator serve $(ARGS)

test: $(STAMP)
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check emulator tests contract_tests bench
	$(BIN)/ruff format --check emulator tests contract_tests bench

format: $(STAMP)
	$(BIN)/ruff format emulator tests contract_tests bench
	$(BIN)/ruff check --fix emulator tests contract_tests bench

bench: $(STAMP)
	$(BIN)/python bench/run.py

docker:
	docker build -t staging-emulator .

# Debian's Chromium for the dashboard's browser tests (they skip, saying so, without it)
browser:
	command -v chromium >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq chromium >/dev/null; }

clean:
	rm -rf $(VENV) .staging-emulator
