# The two commands: `make run` and `make test`. Everything else is a step of those or a tool.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat requirements.txt requirements-dev.txt | sha1sum | cut -c1-12)
STAGE ?= dev
PYTEST_WORKERS ?= 2

.PHONY: run test venv lint unit integration e2e package bench fire-schedules clean

$(STAMP): requirements.txt requirements-dev.txt
	@$(PYTHON) -c "import sys; sys.exit(0 if sys.version_info >= (3, 11) else \"Python 3.11+ is needed\")"
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

CODESET := chalicelib/codesets/data/icd10cm.tsv

$(CODESET): $(STAMP) chalicelib/codesets/build.py
	$(BIN)/python -m chalicelib.codesets.build

venv: $(STAMP) $(CODESET)

## Start the local stack (moto, resources, demo data, API, event pump) in the foreground.
run: venv
	$(BIN)/python -m local.run

## Lint, package and check the template, then every test. pytest's "no tests ran" (exit 5) fails.
test: venv lint package
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) --dist loadfile tests

lint: venv
	$(BIN)/ruff check .
	$(BIN)/cfn-lint infrastructure/resources.yaml

unit: venv
	$(BIN)/python -m pytest tests/unit

integration: venv
	$(BIN)/python -m pytest tests/integration tests/infrastructure

e2e: venv
	$(BIN)/python -m pytest tests/e2e

## Chalice's CloudFormation merged with infrastructure/resources.yaml, linted.
package: venv
	rm -rf build/package
	PORTAL_STAGE=$(STAGE) AWS_DEFAULT_REGION=$${AWS_DEFAULT_REGION:-us-east-1} \
		$(BIN)/chalice package --stage $(STAGE) --merge-template infrastructure/resources.yaml \
		--template-format yaml build/package
	$(BIN)/cfn-lint build/package/sam.yaml

bench: venv
	$(BIN)/python -m bench

## With `make run` going: fire every schedule now (scheduled exports, the outbox sweep).
fire-schedules: venv
	$(BIN)/python -m local.fire_schedules

clean:
	rm -rf build .pytest_cache .ruff_cache
