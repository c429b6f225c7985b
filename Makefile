# `make run` and `make test` each build .venv on first use (and again when pyproject.toml changes).
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp

.PHONY: run test test-fast lint bench bundle sample clean

$(STAMP): pyproject.toml tools/ensure_system_libs.sh
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	bash tools/ensure_system_libs.sh $(PY)
	touch $(STAMP)

run: $(STAMP)
	$(PY) -m app --sample

# The import contracts and ruff run first: a layering mistake fails `make test` and CI at once.
test: lint
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest -q

test-fast: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest -q -m "not slow"

lint: $(STAMP)
	$(VENV)/bin/ruff check app inference tests bench
	$(VENV)/bin/lint-imports

bench: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(PY) bench/bench_browse.py

# One-folder bundle in dist/maskpilot/ (build.spec). MASKPILOT_BUNDLE_TORCH=0 leaves torch out.
bundle: $(STAMP)
	$(PY) -c "import PyInstaller" 2>/dev/null || $(PY) -m pip install --quiet "pyinstaller>=6.3"
	$(VENV)/bin/pyinstaller --noconfirm build.spec
	QT_QPA_PLATFORM=offscreen dist/maskpilot/maskpilot --self-test

clean:
	rm -rf $(VENV) build dist .pytest_cache
