# minik: `make up` brings the control plane up, `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DATA_DIR ?= $(HOME)/.minik
PORT ?= 6443

.PHONY: install up down status test bench clean

# compileall: bytecode now, as a wheel install would; an editable install run with
# PYTHONDONTWRITEBYTECODE set would otherwise compile minikctl on every start.
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	$(BIN)/python -m compileall -q apiserver minikctl
	touch $(STAMP)

install: $(STAMP)

up: $(STAMP)
	@$(BIN)/python -m apiserver.daemon start --data-dir "$(DATA_DIR)" --port $(PORT)

down:
	@$(BIN)/python -m apiserver.daemon stop --data-dir "$(DATA_DIR)"

status:
	@$(BIN)/python -m apiserver.daemon status --data-dir "$(DATA_DIR)"

test: $(STAMP)
	$(BIN)/python -m pytest

bench: $(STAMP)
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .pytest_cache
