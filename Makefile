# make run: set up everything and serve the demo on 127.0.0.1:$(PORT).
# make test: set up everything and run the whole test suite.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 8000
# `make run` is development: DEBUG on and a demo database in the project folder.
# Links in mail and memos point at the port it serves (unless VERIFIER_SITE_URL is set).
VERIFIER_SITE_URL ?= http://127.0.0.1:$(PORT)
RUN_ENV := DEBUG=1 VERIFIER_SITE_URL=$(VERIFIER_SITE_URL)

.PHONY: run test setup lint format chromium screenshots axe-report clean

$(VENV)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

setup: $(VENV)/.installed

# Development settings for manage.py in this checkout (see verifier/settings.py).
.env: | $(VENV)/.installed
	@printf 'DEBUG=1\nSECRET_KEY=%s\n' "$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(50))')" > $@
	@echo "Wrote .env: DEBUG on and a new SECRET_KEY, for development only."

run: setup .env
	$(RUN_ENV) $(PY) manage.py migrate --noinput
	$(RUN_ENV) $(PY) manage.py setup_demo
	@echo "Serving on http://127.0.0.1:$(PORT)/ (Ctrl-C stops)"
	$(RUN_ENV) $(PY) manage.py runserver 127.0.0.1:$(PORT)

# The browser tests drive Debian's Chromium; install it when missing (needs root).
chromium:
	@test -x /usr/bin/chromium || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium >/dev/null; \
	  else echo "The browser tests need Debian's chromium: sudo apt-get install chromium" >&2; exit 1; fi; }

test: setup chromium
	$(PY) -m pytest

# The README's screenshots, taken from the demo in Chromium: docs/screenshots/*.png.
screenshots: setup chromium
	$(PY) scripts/screenshots.py

# axe-core's rule counts on every page of the demo, wide and at 390 px.
axe-report: setup chromium
	$(PY) scripts/axe_report.py

lint: setup
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/ruff check .

format: setup
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

clean:
	rm -rf $(VENV) staticfiles .pytest_cache
