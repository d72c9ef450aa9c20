# Two commands on a fresh machine (Python 3.11 and make): `make demo` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SMALL := data/synthetic/small
SEED ?= 2024
NOTEBOOKS := $(sort $(wildcard notebooks/0*.ipynb))

.PHONY: install demo test national benchmark notebooks strip clean

$(STAMP): requirements.txt pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt -e .
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (vroeg)" > /dev/null
	touch $(STAMP)

install: $(STAMP)

$(SMALL)/bundle.json: | $(STAMP)
	$(BIN)/vroeg synth --scale small --seed $(SEED) --out $(SMALL)

# Main job on the synthetic default: generate data, run the national steps, execute the notebooks.
demo: $(STAMP) $(SMALL)/bundle.json
	$(BIN)/vroeg check --data $(SMALL)
	$(BIN)/vroeg run --data $(SMALL) --out reports/national
	$(BIN)/python -m vroeg_core.notebooks --out reports/notebooks

# The whole test suite: unit, integration on ../shared/data/real, and nbval over every notebook.
test: $(STAMP) $(SMALL)/bundle.json
	$(BIN)/python -m pytest tests notebooks --nbval-lax --nbval-current-env -p no:cacheprovider -q

# National synthetic bundle and run (sizes, time and peak memory in reports/benchmark.json).
national: $(STAMP)
	$(BIN)/python scripts/benchmark.py --scale national --out reports/benchmark-national.json

strip: $(STAMP)
	$(BIN)/python -m vroeg_core.notebooks --strip

clean:
	rm -rf reports/national reports/notebooks data/synthetic
