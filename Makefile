# Exchange Assistant: `make run` sets up and starts the web UI, `make test` runs the tests.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   ?= .venv
BIN    := $(VENV)/bin
EXTRAS ?= dev
# `make run LLM=local` turns on the local model (EXCHANGE_LLM=local) and installs its extra,
# which compiles llama.cpp (about 4 minutes, once).
ifdef LLM
export EXCHANGE_LLM := $(LLM)
endif
ifeq ($(EXCHANGE_LLM),local)
EXTRAS := $(EXTRAS),local-llm
endif
comma  := ,
STAMP  := $(VENV)/.installed-$(subst $(comma),-,$(EXTRAS))

.PHONY: setup run chat ingest test lint evals evals-llm evals-llm-ci calibrate calibrate-judge bench clean

setup: $(STAMP)

# torch first, pinned to the CPU build: a plain install would pull a multi-GB CUDA build.
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet torch==2.13.0
	$(BIN)/python -m pip install --quiet -e ".[$(EXTRAS)]"
	touch $@

ingest: setup
	$(BIN)/exchange-assistant ingest

# The web UI on http://127.0.0.1:7860 (EXCHANGE_HOST / EXCHANGE_PORT).
run: ingest
	$(BIN)/python app.py

# A conversation in the terminal.
chat: ingest
	$(BIN)/exchange-assistant chat

test: setup
	$(BIN)/python -m pytest

lint: setup
	$(BIN)/ruff check .

evals: ingest
	$(BIN)/python -m evals

calibrate: ingest
	$(BIN)/python -m evals calibrate

# The local model's evals (EXCHANGE_LLM=local unless it names another local model): every case
# of every suite, an hour or more on 2 cores (`make evals-llm LLM=local`, or LLM=local:qwen2.5-0.5b
# and so on). CI runs a fixed sample of the test split.
LLM_MODE := $(if $(filter local%,$(EXCHANGE_LLM)),$(EXCHANGE_LLM),local)
evals-llm: ingest
	$(BIN)/python -m evals --mode $(LLM_MODE) --no-baselines

evals-llm-ci: ingest
	$(BIN)/python -m evals --mode $(LLM_MODE) --no-baselines --split test --per-suite 6

# Fits the judged abstention of the local model on the dev split (calibration.json, `judges`).
calibrate-judge: ingest
	$(BIN)/python -m evals calibrate-judge --mode $(LLM_MODE)

# Benchmarks against their floors (15-30 minutes on 2 cores): writes bench/RESULTS.md.
bench: setup
	$(BIN)/python -c "import matplotlib" 2>/dev/null || $(BIN)/python -m pip install --quiet -e ".[$(EXTRAS),bench]"
	$(BIN)/python -m bench
	$(BIN)/python -m bench.llm

clean:
	rm -rf index evals/reports/*.json evals/reports/*.md
