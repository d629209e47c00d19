.PHONY: install test lint format build serve status

install:
	pip install -e ".[dev]"

test:
	python -m pytest

lint:
	ruff check . && ruff format --check .

format:
	ruff format . && ruff check --fix .

build:
	genai-analyzer build --source sample

serve:
	python app.py

status:
	genai-analyzer status
