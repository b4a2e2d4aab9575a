# The two commands: `make run` and `make test`. Everything else is a step of those or a tool.
# Python 3.13 (the Lambda runtime the template deploys); 3.12 with a warning; pyenv's if the shims refuse.
PYTHON ?= $(shell for v in 3.13 3.12; do \
	  for p in "$$(command -v python$$v)" "$$(pyenv prefix $$v 2>/dev/null)/bin/python3" "$$HOME"/.pyenv/versions/$$v*/bin/python3; do \
	    [ -x "$$p" ] && "$$p" -c 'import sys; sys.exit(sys.version_info[:2] != tuple(map(int, "'$$v'".split("."))))' \
	      2>/dev/null && { echo "$$p"; exit 0; }; \
	  done; done)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell (cat requirements.txt requirements-dev.txt; echo $(PYTHON)) | sha1sum | cut -c1-12)
STAGE ?= dev
PYTEST_WORKERS ?= 2

.PHONY: run test venv assets chromium lint unit integration e2e browser package bench fire-schedules send-event first-plan-admin clean

$(STAMP): requirements.txt requirements-dev.txt
	@test -n "$(PYTHON)" || { echo "Python 3.13 is needed (3.12 works too): install python3.13 (Debian/apt, pyenv install 3.13, or python.org) and run make again." >&2; exit 1; }
	@$(PYTHON) -c "import sys; v = sys.version_info[:2]; v == (3, 12) and print('warning: Python 3.12; the Lambda runtime is 3.13', file=sys.stderr)"
	@test -x $(BIN)/python && [ "$$($(BIN)/python -c 'import sys; print(sys.version_info[:2])')" = "$$($(PYTHON) -c 'import sys; print(sys.version_info[:2])')" ] \
		|| { rm -rf $(VENV); $(PYTHON) -m venv $(VENV); }
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

CODESET := chalicelib/platform/codesets/data/icd10cm.tsv

$(CODESET): $(STAMP) chalicelib/platform/codesets/build.py
	$(BIN)/python -m chalicelib.platform.codesets.build

venv: $(STAMP) $(CODESET)

# The web portal's assets: USWDS from the pinned npm package (package-lock.json) plus our assets/, fingerprinted
# into chalicelib/static/ (gitignored) with a manifest, by chalicelib/platform/web/assets_build.py.
NODE_STAMP := node_modules/.installed-$(shell cat package-lock.json 2>/dev/null | sha1sum | cut -c1-12)
ASSETS := chalicelib/static/manifest.json

$(NODE_STAMP): package.json package-lock.json
	@command -v npm >/dev/null || { echo "npm is needed for the USWDS assets: apt-get install nodejs npm" >&2; exit 1; }
	npm ci --ignore-scripts --no-audit --no-fund
	touch $(NODE_STAMP)

$(ASSETS): $(NODE_STAMP) $(STAMP) chalicelib/platform/web/assets_build.py $(wildcard assets/*)
	$(BIN)/python -m chalicelib.platform.web.assets_build

assets: $(ASSETS)

# The browser tests drive Debian's Chromium (never `playwright install`: it downloads a browser build). As root,
# make installs it (apt-get update first only when apt knows no candidate); otherwise it says the command to run.
CHROMIUM := /usr/bin/chromium
INSTALL_CHROMIUM := apt-get update && apt-get install -y chromium

$(CHROMIUM):
	@command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ] || { echo "The browser tests need Debian's Chromium at $(CHROMIUM): run \`$(INSTALL_CHROMIUM)\` as root (sudo), then make again." >&2; exit 1; }
	@echo "Installing Debian's Chromium for the browser tests"
	@apt-cache policy chromium 2>/dev/null | grep -q 'Candidate: [0-9]' || apt-get update -q
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium
	@test -x $(CHROMIUM) || { echo "apt-get installed no $(CHROMIUM): run \`$(INSTALL_CHROMIUM)\` and make again." >&2; exit 1; }

chromium: $(CHROMIUM)

## The first plan administrator of a deployed stage (its AWS credentials in the environment): emails a set-password link.
first-plan-admin: venv
	@test -n "$(USERNAME)" -a -n "$(EMAIL)" || { echo "usage: make first-plan-admin STAGE=prod USERNAME=... EMAIL=..." >&2; exit 2; }
	PORTAL_STAGE=$(STAGE) $(BIN)/python -m chalicelib.handlers.accounts.first_plan_admin --username "$(USERNAME)" --email "$(EMAIL)"

## Start the local stack (moto, resources, demo data, API, event pump) in the foreground.
run: venv assets
	$(BIN)/python -m local.run

## Lint, package and check the template, then every test. pytest's "no tests ran" (exit 5) fails.
test: venv assets chromium lint package
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) --dist loadfile tests

lint: venv
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/cfn-lint infrastructure/resources.yaml

unit: venv
	$(BIN)/python -m pytest tests -m "not moto" --ignore=tests/e2e --ignore=tests/browser --ignore=tests/infrastructure

integration: venv
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) --dist loadfile tests -m moto --ignore=tests/e2e --ignore=tests/browser
	$(BIN)/python -m pytest tests/infrastructure

e2e: venv assets
	$(BIN)/python -m pytest tests/e2e

## The browser journeys (Playwright driving Debian's Chromium; screenshots into build/screenshots/).
browser: venv assets chromium
	$(BIN)/python -m pytest tests/browser

## Chalice's CloudFormation merged with infrastructure/resources.yaml, linted; the zip without the AWS SDK
## the Lambda runtime provides (boto3, botocore, s3transfer), under 10 MB.
package: venv assets
	rm -rf build/package
	PORTAL_STAGE=$(STAGE) AWS_DEFAULT_REGION=$${AWS_DEFAULT_REGION:-us-east-1} \
		$(BIN)/chalice package --stage $(STAGE) --merge-template infrastructure/resources.yaml \
		--template-format yaml build/package
	$(BIN)/python -m infrastructure.slim_package build/package/deployment.zip
	$(BIN)/cfn-lint build/package/sam.yaml

bench: venv assets
	$(BIN)/python -m bench

## With `make run` going: fire every schedule now (scheduled exports, the outbox sweep).
fire-schedules: venv
	$(BIN)/python -m local.fire_schedules

## With `make run` going: deliver one sample event of events/ to its handler (no EVENT: the list).
## make send-event EVENT=sqs-exports VALUES='exportId=...'
send-event: venv
	$(BIN)/python -m local.send_event $(EVENT) $(VALUES)

clean:
	rm -rf build .pytest_cache .ruff_cache
