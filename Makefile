# Two commands matter: `make run` and `make test`. See README.md.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed
# Exact versions with hashes, written by `make lock` from pyproject.toml; the Docker image installs base.txt.
LOCK := requirements/test.txt
NODE_INSTALLED := node_modules/.installed

.PHONY: run test install check-python lint messages lock bench bench-flanders bench-onboarding bench-uploads clean

check-python:
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11 or newer is needed"' \
	  || { echo "Python 3.11+ is required (found: $$($(PYTHON) --version 2>&1))."; exit 1; }
	@$(PYTHON) -c 'import ensurepip, venv' 2>/dev/null \
	  || { echo "Python cannot create virtual environments. Install: sudo apt-get install python3-venv"; exit 1; }

$(INSTALLED): $(LOCK) | check-python
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet --require-hashes -r $(LOCK)
	touch $(INSTALLED)

# axe-core for the browser tests' accessibility checks.
$(NODE_INSTALLED): package-lock.json
	@command -v npm >/dev/null || { echo "npm is needed for the browser tests: sudo apt-get install npm"; exit 1; }
	npm ci --no-audit --no-fund --loglevel=error
	touch $(NODE_INSTALLED)

install: $(INSTALLED)

# The embedded default: SQLite, eager Celery, mail on the console.
run: $(INSTALLED)
	@$(PY) manage.py check_system_libraries
	env -u DATABASE_URL -u REDIS_URL $(PY) manage.py migrate --noinput
	env -u DATABASE_URL -u REDIS_URL $(PY) manage.py seed_demo
	@# The reports' figures for every school of the sample list, so the first report opens at once.
	env -u DATABASE_URL -u REDIS_URL $(PY) manage.py refresh_figures --missing
	@echo "Serving the portal on http://127.0.0.1:8000 (Ctrl+C stops it)"
	env -u DATABASE_URL -u REDIS_URL $(PY) manage.py runserver 127.0.0.1:8000

# PostgreSQL and Redis when they answer (or DATABASE_URL / REDIS_URL are set), SQLite otherwise.
test: $(INSTALLED) $(NODE_INSTALLED) lint
	@DATABASE_URL=sqlite:///:memory: $(PY) manage.py makemigrations --check --dry-run
	@eval "$$($(PY) -m config.devservices)" && $(PY) -m pytest $(PYTEST_ARGS)

lint: $(INSTALLED)
	$(PY) -m ruff check .

# After changing a dependency in pyproject.toml: rewrite the locked versions and their hashes.
lock: $(INSTALLED)
	$(PY) -m pip install --quiet pip-tools
	$(PY) -m piptools compile --quiet --generate-hashes --strip-extras --allow-unsafe --no-emit-index-url \
	  --no-emit-find-links -o requirements/base.txt pyproject.toml
	$(PY) -m piptools compile --quiet --generate-hashes --strip-extras --allow-unsafe --no-emit-index-url \
	  --no-emit-find-links --extra test -o requirements/test.txt pyproject.toml

messages: $(INSTALLED)
	$(PY) manage.py makemessages --all --no-obsolete --ignore=.venv --ignore=node_modules --ignore=bench
	cd locale && ../$(PY) ../manage.py compilemessages

bench: $(INSTALLED)
	@eval "$$($(PY) -m config.devservices)" && $(PY) -m bench $(BENCH_ARGS)

# Flanders scale (3,800 schools, 1.2 M pupils) loaded with COPY into <name>_flanders; about 10 minutes.
bench-flanders: $(INSTALLED)
	@eval "$$($(PY) -m config.devservices)" && $(PY) -m bench.flanders $(BENCH_ARGS)

# The "school on board in one morning" journey in headless Chromium: clicks, fields, files and seconds per step.
bench-onboarding: $(INSTALLED) $(NODE_INSTALLED)
	@eval "$$($(PY) -m config.devservices)" && $(PY) -m bench.onboarding $(BENCH_ARGS)

# The worst uploads (issue 15's attack files and the largest honest ones), each read in a fresh process:
# time and peak memory beside the reading limits. Needs no database.
bench-uploads: $(INSTALLED)
	env -u DATABASE_URL -u REDIS_URL $(PY) -m bench.uploads $(BENCH_ARGS)

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles .test-artifacts node_modules
