# Two commands matter: `make run` and `make test`. See README.md.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed

.PHONY: run test install check-python messages bench bench-flanders clean

check-python:
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11 or newer is needed"' \
	  || { echo "Python 3.11+ is required (found: $$($(PYTHON) --version 2>&1))."; exit 1; }
	@$(PYTHON) -c 'import ensurepip, venv' 2>/dev/null \
	  || { echo "Python cannot create virtual environments. Install: sudo apt-get install python3-venv"; exit 1; }

$(INSTALLED): pyproject.toml | check-python
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(INSTALLED)

install: $(INSTALLED)

# The embedded default: SQLite, eager Celery, mail on the console.
run: $(INSTALLED)
	@$(PY) manage.py check_system_libraries
	env -u DATABASE_URL -u REDIS_URL $(PY) manage.py migrate --noinput
	env -u DATABASE_URL -u REDIS_URL $(PY) manage.py seed_demo
	@echo "Serving the portal on http://127.0.0.1:8000 (Ctrl+C stops it)"
	env -u DATABASE_URL -u REDIS_URL $(PY) manage.py runserver 127.0.0.1:8000

# PostgreSQL and Redis when they answer (or DATABASE_URL / REDIS_URL are set), SQLite otherwise.
test: $(INSTALLED)
	@eval "$$($(PY) -m portal.devservices)" && $(PY) -m pytest $(PYTEST_ARGS)

messages: $(INSTALLED)
	$(PY) manage.py makemessages --all --no-obsolete --ignore=.venv --ignore=node_modules --ignore=bench
	cd locale && ../$(PY) ../manage.py compilemessages

bench: $(INSTALLED)
	@eval "$$($(PY) -m portal.devservices)" && $(PY) -m bench $(BENCH_ARGS)

# Flanders scale (3,800 schools, 1.2 M pupils) loaded with COPY into <name>_flanders; about 10 minutes.
bench-flanders: $(INSTALLED)
	@eval "$$($(PY) -m portal.devservices)" && $(PY) -m bench.flanders $(BENCH_ARGS)

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles .test-artifacts
