# Counterpart: the two commands a newcomer needs.
#   make demo  — install, migrate, load the demonstration data and serve on http://127.0.0.1:8000
#   make test  — install and run every check (ruff, the tests on SQLite, and on PostgreSQL
#                too when DATABASE_URL is set). The browser tests need Debian's chromium
#                package and npm.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
# axe-core, from the npm registry, for the accessibility checks of the browser tests.
AXE_STAMP := tests/browser/node_modules/.installed-stamp

.PHONY: demo test install lint serve migrate clean messages

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

$(AXE_STAMP): tests/browser/package.json tests/browser/package-lock.json
	npm ci --prefix tests/browser --no-audit --no-fund --silent
	touch $(AXE_STAMP)

migrate: install
	$(BIN)/python manage.py migrate --noinput

demo: migrate
	$(BIN)/python manage.py load_demo
	@echo
	@echo "Counterpart is starting on http://127.0.0.1:8000 (stop it with Ctrl-C)."
	COUNTERPART_DEBUG=1 $(BIN)/python manage.py runserver 127.0.0.1:8000

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: lint $(AXE_STAMP)
	env -u DATABASE_URL $(BIN)/pytest
	@if [ -n "$$DATABASE_URL" ]; then \
		echo "Running the tests again on PostgreSQL ($${DATABASE_URL%%://*})"; \
		$(BIN)/pytest; \
	fi

# Refresh the translation catalogues after changing user-facing text (needs GNU gettext).
messages: install
	cd counterpart && ../$(BIN)/python ../manage.py makemessages -l fr -l es -l ar --no-obsolete
	cd counterpart && ../$(BIN)/python ../manage.py compilemessages

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache staticfiles
