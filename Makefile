# Hoshin: one command per chore. `make run` serves the demo; `make test` runs every check.
SHELL := /bin/bash
.DEFAULT_GOAL := help
export PATH := $(HOME)/.local/bin:$(PATH)
UV := uv
RUN := $(UV) run --frozen
PYTEST_ARGS ?=
# test processes (pytest-xdist): one per core; `make test JOBS=0` runs in one process. `--dist load`, not
# loadfile: the fuzz tests share one node id per operation, and loadfile ran only one of the 21.
JOBS ?= auto
# The MLflow tracking server the signal tests and benchmark run against: its own environment (MLflow pins
# its own SQLAlchemy and alembic), made once; `.ready` marks a complete install.
MLFLOW_MAJORS := 3 2

.PHONY: help uv install run serve test lint fmt typecheck pytest browser pdf-libs pdf-tools promtool mlflow-server fuzz load migration i18n clean

help: ## list the commands
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

uv: # install uv when it is missing (only Python 3.11+ is assumed)
	@command -v uv >/dev/null 2>&1 || { echo "installing uv..."; \
	  python3 -m pip install --user --quiet uv 2>/dev/null \
	  || python3 -m pip install --user --quiet --break-system-packages uv; }

install: uv ## install the locked dependencies into .venv
	@$(UV) sync --frozen --quiet --compile-bytecode
	@# Bytecode for our own code too: where PYTHONDONTWRITEBYTECODE is set (as on these machines), every
	@# start-up of the server, the CLI and the test processes would otherwise compile it all again.
	@$(UV) run --frozen python -m compileall -q app migrations tests benchmarks >/dev/null

run: install pdf-libs ## migrate the embedded database, load demo data if empty, serve on http://127.0.0.1:8000
	@$(RUN) hoshin db upgrade
	@$(RUN) hoshin demo --if-empty --no-sign-in
	@$(RUN) hoshin serve

serve: install pdf-libs ## serve without touching the data
	@$(RUN) hoshin serve

test: install lint typecheck browser pdf-libs pdf-tools promtool mlflow-server pytest ## lint, type-check and run the whole test suite

lint: install ## ruff lint and format check
	@$(RUN) ruff check .
	@$(RUN) ruff format --check .

fmt: install ## format and fix what ruff can
	@$(RUN) ruff format .
	@$(RUN) ruff check --fix .

typecheck: install ## mypy strict on app/
	@$(RUN) mypy

# Debian packages, installed when missing and we may (root, apt-get); otherwise a note on what to install.
# apt's own output (progress, debconf notes) goes to a log, named only when the install fails.
define apt_install
if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
  echo "installing $(1)..."; log="$$(mktemp -t hoshin-apt.XXXXXX)"; \
  if (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(1)) >"$$log" 2>&1; \
  then rm -f "$$log"; else echo "warning: could not install $(1) (apt-get's output: $$log)"; fi; \
else echo "note: $(2) (apt-get install $(1))"; fi
endef

browser: # Debian's chromium for the browser tests
	@command -v chromium >/dev/null 2>&1 || { $(call apt_install,chromium,no chromium so the browser tests will fail); }

pdf-libs: # HarfBuzz's font subsetter: without it WeasyPrint falls back to fontTools (a Japanese PDF renders ~3x slower)
	@ldconfig -p 2>/dev/null | grep -q 'libharfbuzz-subset\.so' \
	  || { $(call apt_install,libharfbuzz-subset0,PDFs embed fonts through the slower fontTools); }

pdf-tools: # poppler's pdftotext: tests read the text of the PDFs they download
	@command -v pdftotext >/dev/null 2>&1 || { $(call apt_install,poppler-utils,no pdftotext so the PDF text tests will fail); }

promtool: # Prometheus' promtool checks docs/monitoring/alerts.yml (tests/monitoring/test_docs.py)
	@command -v promtool >/dev/null 2>&1 || { $(call apt_install,--no-install-recommends prometheus,no promtool so the alert rules are checked by their shape only); }

# MLflow 3 in var/cache/mlflow-venv and MLflow 2 in var/cache/mlflow2-venv for the signal tests (once each;
# byte-compiled, since PYTHONDONTWRITEBYTECODE would otherwise make every server start compile MLflow).
# MLflow 2 allows SQLAlchemy 2.1, which it cannot import (FallbackAsyncAdaptedQueuePool): held at 2.0.
mlflow-server: uv
	@for major in $(MLFLOW_MAJORS); do \
	  venv=var/cache/mlflow$$( [ "$$major" = 3 ] || echo "$$major" )-venv; \
	  test -f $$venv/.ready && continue; echo "installing MLflow $$major.x for the tests into $$venv..."; \
	  rm -rf $$venv && $(UV) venv --quiet $$venv \
	  && $(UV) pip install --quiet --compile-bytecode --python $$venv/bin/python "mlflow==$$major.*" \
	     $$( [ "$$major" = 2 ] && echo "sqlalchemy<2.1" ) \
	  && touch $$venv/.ready || exit 1; \
	done

pytest: install
	@$(RUN) pytest -n $(JOBS) --dist load $(PYTEST_ARGS)

fuzz: install ## a longer API fuzzing run (schemathesis, in process): make fuzz n=500
	@HOSHIN_FUZZ_EXAMPLES=$(or $(n),300) $(RUN) pytest -q tests/fuzz -p no:cacheprovider

load: install ## the load mix on 127.0.0.1 (50 users, 60 s): make load a="--users 50 --seconds 60"
	@$(RUN) python -m benchmarks.load $(a)

migration: install ## new migration from model changes: make migration m="add okrs"
	@test -n "$(m)" || { echo 'usage: make migration m="what changed"'; exit 2; }
	@$(RUN) alembic revision --autogenerate -m "$(m)"

i18n: install ## extract messages and update the en/ja catalogues
	@$(RUN) pybabel extract -F babel.cfg -k N_ -k _ --no-location --sort-output --omit-header -w 110 -o app/i18n/messages.pot .
	@$(RUN) pybabel update -i app/i18n/messages.pot -d app/i18n/locales --no-fuzzy-matching --ignore-obsolete --omit-header -w 110

clean: ## remove caches (keeps var/ and your data)
	rm -rf .pytest_cache .mypy_cache .ruff_cache test-output
