# `make run` and `make test` each build .venv on first use (and again when pyproject.toml changes).
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp

.PHONY: run test test-fast lint bench bundle sample clean

# sam2 (SAM 2.1, Meta's code) exists only as a source package whose build imports torch and by
# default compiles a CUDA extension. As a pyproject dependency pip would build it in an isolated
# environment and download a second torch for that; so it is built here against the torch just
# installed (--no-build-isolation), without the extension (SAM2_BUILD_CUDA=0: it only serves a
# mask post-processing that inference/ does not use). It pulls hydra-core, omegaconf, iopath, tqdm.
# Without isolation the builds use the venv's setuptools, which Python >= 3.12 venvs lack.
$(STAMP): pyproject.toml tools/ensure_system_libs.sh
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	$(PY) -m pip install --quiet "setuptools>=70.1"
	SAM2_BUILD_CUDA=0 $(PY) -m pip install --quiet --no-build-isolation "sam2==1.1.0"
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
