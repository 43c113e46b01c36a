# FotoGen — the one entry point. `make help` lists targets.
SHELL := /bin/bash
PY ?= python3
UV_VERSION := 0.13.8
TOOLS := .tools
UV := $(TOOLS)/bin/uv
VENV := .venv
BIN := $(VENV)/bin
export UV_PROJECT_ENVIRONMENT := $(VENV)

.DEFAULT_GOAL := help
.PHONY: help install dev test lint format typecheck pytest openapi openapi-check migrate revision bench chaos chaos-ci seed sandbox clean

help: ## List targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-14s %s\n", $$1, $$2}'

$(UV):
	$(PY) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet uv==$(UV_VERSION)

# Bytecode is compiled at install: where PYTHONDONTWRITEBYTECODE is set (as on CI), Python would otherwise compile
# every module from source in every process it starts (~2 s of CPU for each API, worker and CLI process).
$(VENV)/.installed: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen --quiet --compile-bytecode
	$(BIN)/python -m compileall -q -j 0 api worker shared fotogen sandbox
	@touch $@

# openapi-python-client in its own locked environment (it pins a typer older than the CLI's): `make openapi`.
GENERATOR := $(TOOLS)/openapi-generator
$(GENERATOR)/.installed: openapi/generator/pyproject.toml openapi/generator/uv.lock | $(UV)
	UV_PROJECT_ENVIRONMENT=$(CURDIR)/$(GENERATOR) $(UV) sync --frozen --quiet --project openapi/generator
	@touch $@

install: $(VENV)/.installed $(GENERATOR)/.installed ## Install the pinned environments (uv.lock) into .venv and .tools

dev: install ## Run everything locally on embedded defaults (Postgres, Redis, storage, Fal sandbox)
	$(BIN)/fotogen dev

test: install lint typecheck pytest ## Lint, type-check, then the whole test suite (migrations + OpenAPI drift included)

lint: install ## ruff
	$(BIN)/ruff check .
	$(BIN)/ruff format --check api worker shared fotogen

format: install ## ruff format + fixes
	$(BIN)/ruff format api worker shared fotogen
	$(BIN)/ruff check --fix .

typecheck: install ## mypy --strict on api/ worker/ shared/ fotogen/
	$(BIN)/mypy

pytest: install ## pytest (real Postgres/Redis: TEST_DATABASE_URL/TEST_REDIS_URL, else embedded)
	$(BIN)/pytest $(PYTEST_ARGS)

openapi: install ## Regenerate openapi/openapi.json and the typed client in openapi/client
	$(BIN)/python -m scripts.openapi write

openapi-check: install ## Fail if openapi/openapi.json or openapi/client is stale
	$(BIN)/python -m scripts.openapi check

migrate: install ## Apply migrations to DATABASE_URL
	$(BIN)/fotogen migrate

revision: install ## New migration: make revision m="what changed"
	$(BIN)/alembic revision --autogenerate -m "$(m)"

seed: install ## Upsert the base-model catalogue
	$(BIN)/fotogen seed

sandbox: install ## Run the Fal sandbox alone
	$(BIN)/fotogen sandbox

bench: install ## Benchmarks (tests/benchmarks), figures as ratios against baselines
	$(BIN)/pytest tests/benchmarks -p no:cacheprovider -s -o addopts="" --timeout 1800 $(PYTEST_ARGS)

chaos: install ## Fault suite (tests/chaos): kills, Redis/Postgres restarts, provider faults, soak; prints a table
	CHAOS_PROFILE=full $(BIN)/pytest tests/chaos -p no:cacheprovider -o addopts="--strict-markers --strict-config -ra" --timeout 600 $(PYTEST_ARGS)

chaos-ci: install ## The fault suite's bounded form (small counts, 15 s soak), as CI runs it
	CHAOS_PROFILE=ci $(BIN)/pytest tests/chaos -p no:cacheprovider -o addopts="--strict-markers --strict-config -ra" --timeout 300 $(PYTEST_ARGS)

clean: ## Remove the venv, tools and local data
	rm -rf $(VENV) $(TOOLS) .data .mypy_cache .ruff_cache .pytest_cache
