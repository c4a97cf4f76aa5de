# Two commands: `make run` (the app with demo data, embedded defaults) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/truthmap
TEST_REDIS_URL ?= redis://127.0.0.1:6379/15
# The suite runs as development does (pytest-django turns DEBUG off inside each test).
TEST_ENV = DEBUG=$${DEBUG:-true} DATABASE_URL=$${DATABASE_URL:-$(TEST_DATABASE_URL)} \
	REDIS_URL=$${REDIS_URL:-$(TEST_REDIS_URL)}

.PHONY: install lock run test lint format bench clean

$(BIN)/.installed: requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.lock
	touch $@

install: $(BIN)/.installed

# Pins every dependency of pyproject.toml (and its dev group) in requirements.lock.
lock: install
	$(BIN)/uv pip compile pyproject.toml --group dev --no-header --python-version 3.11 -o requirements.lock

run: install
	$(BIN)/python scripts/run.py

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# collectstatic first: pages need its manifest, and the browser tests get its files from whitenoise.
test: install
	@$(TEST_ENV) $(BIN)/python scripts/check_services.py
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(TEST_ENV) $(BIN)/python manage.py collectstatic --noinput -v0
	$(TEST_ENV) $(BIN)/pytest

bench: install
	$(TEST_ENV) $(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) var staticfiles
