# Counterpart: the two commands a newcomer needs.
#   make demo  — install, migrate, load the demonstration data and serve on http://127.0.0.1:8000
#   make test  — install and run every check (ruff, the tests on SQLite, and on PostgreSQL
#                too when DATABASE_URL is set). The browser tests need Debian's chromium
#                package and npm.
# Both install the exact versions in requirements/dev.txt. After changing the dependencies in
# pyproject.toml, run `make lock`; `make upgrade` moves everything to the newest allowed versions.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
# Exact versions with hashes, made from pyproject.toml by `make lock` (see requirements/).
LOCK_APP := requirements/app.txt
LOCK_DEV := requirements/dev.txt
# The newest lxml of the line before the locked one: the XML checks run on both.
LOCK_LXML_PREVIOUS := requirements/lxml-previous.txt
LXML_PREVIOUS := $(VENV)/lxml-previous
UV_COMPILE = $(BIN)/uv pip compile --quiet --universal --python-version 3.11 --generate-hashes \
	--custom-compile-command "make lock" $(UV_FLAGS)
# axe-core, from the npm registry, for the accessibility checks of the browser tests.
AXE_STAMP := tests/browser/node_modules/.installed-stamp

.PHONY: demo test install lint serve migrate clean messages lock upgrade lock-check backup-drill

$(STAMP): $(LOCK_DEV) pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes \
		--no-deps -r $(LOCK_DEV)
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $(STAMP)

install: $(STAMP)

$(LXML_PREVIOUS)/.installed-stamp: $(LOCK_LXML_PREVIOUS)
	rm -rf $(LXML_PREVIOUS)
	$(BIN)/python -m pip install --quiet --require-hashes --no-deps --target $(LXML_PREVIOUS) \
		-r $(LOCK_LXML_PREVIOUS)
	touch $@

# Fails with the reason when pyproject.toml asks for something the lock does not hold.
lock-check: install
	$(BIN)/python requirements/check.py

# Lock what pyproject.toml asks for, keeping every locked version that still fits.
lock: install
	$(UV_COMPILE) pyproject.toml requirements/install-tools.in --extra s3 -o $(LOCK_APP)
	$(UV_COMPILE) pyproject.toml requirements/install-tools.in --extra s3 --extra dev -c $(LOCK_APP) \
		-o $(LOCK_DEV)
	echo "lxml<$$(sed -n 's/^lxml==\([0-9]*\)\..*/\1/p' $(LOCK_APP))" \
		| $(UV_COMPILE) - -o $(LOCK_LXML_PREVIOUS)
	$(BIN)/python requirements/check.py

# Move every package to the newest version pyproject.toml allows, install it, run every check.
upgrade: install
	$(MAKE) lock UV_FLAGS=--upgrade
	$(MAKE) test

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

# Prints which lxml and libxml2 a run uses, after the words it is given.
define LXML_VERSIONS
import sys
from lxml import etree
print(sys.argv[1], "lxml", etree.__version__, "with libxml2", ".".join(map(str, etree.LIBXML_VERSION)))
endef
export LXML_VERSIONS

test: lock-check lint $(AXE_STAMP) $(LXML_PREVIOUS)/.installed-stamp
	@$(BIN)/python -c "$$LXML_VERSIONS" "The tests, on SQLite, with"
	env -u DATABASE_URL $(BIN)/pytest
	@PYTHONPATH=$(LXML_PREVIOUS) $(BIN)/python -c "$$LXML_VERSIONS" \
		"The XML and spreadsheet checks again, on the previous line of lxml:"
	env -u DATABASE_URL PYTHONPATH=$(LXML_PREVIOUS) $(BIN)/pytest -m xml_readers
	@if [ -n "$$DATABASE_URL" ]; then \
		echo "Running the tests again on PostgreSQL ($${DATABASE_URL%%://*})"; \
		$(BIN)/pytest; \
	fi

# Back up a running site while it writes, restore the backup into a new site and check it
# (SQLite, and PostgreSQL too when DATABASE_URL is set): see deploy/backup_drill.py.
backup-drill: install
	$(BIN)/python deploy/backup_drill.py

# Refresh the translation catalogues after changing user-facing text (needs GNU gettext).
messages: install
	cd counterpart && ../$(BIN)/python ../manage.py makemessages -l fr -l es -l ar --no-obsolete --no-wrap
	cd counterpart && ../$(BIN)/python ../manage.py compilemessages

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache staticfiles
