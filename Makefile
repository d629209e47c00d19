.PHONY: install test test-fast lint format build serve status

install:
	pip install -e ".[dev]"

test:
	python -m pytest

test-fast:
	python -m pytest -m "not slow" -n 2

lint:
	ruff check . && ruff format --check . && lint-imports

format:
	ruff format . && ruff check --fix .

build:
	genai-analyzer build --source sample

serve:
	python app.py

status:
	genai-analyzer status
