# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test install lint format check migrate demo clean bench bench-gunicorn

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

migrate: install
	mkdir -p var
	$(BIN)/python manage.py migrate --noinput

demo: migrate
	$(BIN)/python manage.py seed_demo

## Runs the portal on embedded defaults: SQLite, a file-system Celery broker,
## mail written to var/sent-mail; web, worker and beat together.
run: demo
	@echo "Portal: http://127.0.0.1:8000/wsis/  (Ctrl-C stops web, worker and beat)"
	PATH="$(abspath $(BIN)):$$PATH" $(BIN)/honcho start

## Runs the whole test suite in parallel (PostgreSQL and Redis when reachable).
test: install
	$(BIN)/pytest -n auto --dist loadgroup $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

## What CI checks besides the tests: migrations in step with models, deploy settings.
check: install
	$(BIN)/python manage.py makemigrations --check --dry-run
	DJANGO_SETTINGS_MODULE=wsis_portal.settings_test $(BIN)/python manage.py makemigrations sampleapp --check --dry-run
	DJANGO_PRODUCTION=true DJANGO_SECRET_KEY=check-deploy-$$(date +%s)-a-long-random-enough-secret-value-0123456789 \
	  DJANGO_ALLOWED_HOSTS=portal.example.org $(BIN)/python manage.py check --deploy --fail-level WARNING

bench: install
	$(BIN)/pytest tests/bench/bench_foundation.py tests/bench/bench_ocp_lists.py tests/bench/bench_reminders.py -s -q -p no:xdist

## Through gunicorn with production settings, wrk as the load (apt-get install wrk), on
## PostgreSQL databases wsis_bench*: see "Benchmarks" in docs/stocktaking.md and docs/prizes.md.
bench-gunicorn: install
	$(BIN)/python -m bench.bench_stocktaking
	$(BIN)/python -m bench.bench_prizes_voting

clean:
	rm -rf var $(VENV)
