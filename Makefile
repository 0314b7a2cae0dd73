# Two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
CHROMIUM := /usr/bin/chromium
NGINX := /usr/sbin/nginx

.PHONY: run test lint layers typecheck pytest chromium nginx clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

run: $(VENV)/.installed
	$(BIN)/feedback-service migrate
	$(BIN)/feedback-service demo
	@echo "Serving on http://127.0.0.1:8000 with a worker for the outbox (Ctrl-C to stop)"
	$(BIN)/feedback-service worker & trap 'kill $$! 2>/dev/null' EXIT INT TERM; \
	$(BIN)/feedback-service serve --host 127.0.0.1 --port 8000

# Browser tests drive Debian's Chromium; Playwright never downloads a browser.
chromium:
	@test -x $(CHROMIUM) || (apt-get update -qq && apt-get install -y -qq chromium >/dev/null)

# The server-side include test runs Debian's nginx (its own config and port; no service).
nginx:
	@test -x $(NGINX) || (apt-get update -qq && apt-get install -y -qq nginx-light >/dev/null)

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# The layers of ARCHITECTURE.md (contracts in pyproject.toml).
layers: $(VENV)/.installed-test
	$(BIN)/lint-imports --no-cache

typecheck: $(VENV)/.installed-test
	$(BIN)/mypy feedback_service widgets schema_markup

pytest: $(VENV)/.installed-test chromium nginx
	$(BIN)/pytest -q

test: lint layers typecheck pytest

clean:
	rm -rf $(VENV) data
