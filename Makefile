# Aiser Desktop: every set-up step lives here, so a clean clone needs only `make run` or `make test`.

PYTHON     ?= python3
VENV       := .venv
PY         := $(VENV)/bin/python
EXTRAS     ?= dev,server,local-llm,remote-llm,package
# A portable llama.cpp build, so the venv (and later the bundle) runs on other CPUs too.
export CMAKE_ARGS ?= -DGGML_NATIVE=OFF
# Debian packages for tests of a real window under Xvfb and for Qt's xcb platform (RECIPES.md).
DEB_PACKAGES := xvfb xauth xdotool imagemagick libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 \
	libxcb-image0 libxcb-render-util0 libxcb-shape0 libxcb-randr0 libxcb-xkb1 \
	libxkbcommon-x11-0 libegl1 libgl1 libfontconfig1 libdbus-1-3 libglib2.0-0 iproute2
PYTEST_ARGS ?=

.PHONY: help venv run test test-fast test-offline check format bench system-deps clean \
	package package-test

help:
	@echo "make run     create .venv, install, open the app on the sample workspace"
	@echo "make test    install what the tests need (Debian packages too, as root) and run them"
	@echo "make check   ruff, mypy and the import contracts"
	@echo "make bench   the benchmarks (ratios against raw DuckDB and a bare start)"
	@echo "make package the one-folder bundle in dist/aiser (MODEL=1 adds the local model)"
	@echo "make package-test  build it, then run it with the network cut (packaging/smoke.sh)"

venv: $(VENV)/.installed

# Reinstalled whenever pyproject.toml changes.
$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[$(EXTRAS)]"
	touch $@

run: venv
	$(VENV)/bin/aiser

# As root on Debian, install the packages the window tests need; otherwise say what is missing.
system-deps:
	@missing=$$(dpkg-query -W -f='$${db:Status-Abbrev} $${Package}\n' $(DEB_PACKAGES) 2>/dev/null \
		| awk '$$1 != "ii" {print $$2}'; \
		for p in $(DEB_PACKAGES); do dpkg-query -W $$p >/dev/null 2>&1 || echo $$p; done); \
	missing=$$(echo $$missing | tr ' ' '\n' | sort -u | tr '\n' ' '); \
	if [ -z "$$(echo $$missing | tr -d ' ')" ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "installing Debian packages: $$missing"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
			--no-install-recommends $$missing >/dev/null; \
	else \
		echo "note: missing Debian packages (window tests will be skipped): $$missing"; \
	fi

test: system-deps venv
	$(VENV)/bin/lint-imports
	$(VENV)/bin/ruff check .
	$(PY) -m pytest $(PYTEST_ARGS)

# The whole suite with the network removed (a new network namespace with only its own loopback;
# needs root). Proves by hand what the network guard in tests/conftest.py checks in every run.
# Not part of `make test`: tests of the local database servers need the host's 127.0.0.1.
test-offline: system-deps venv
	unshare -n sh -c 'ip link set lo up && exec $(PY) -m pytest $(PYTEST_ARGS)'

# The quick loop while working: no slow or window tests.
test-fast: venv
	$(PY) -m pytest -m "not slow and not e2e" -q $(PYTEST_ARGS)

check: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports

format: venv
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

# The one-folder bundle for offline laptops (docs/install.md). llama.cpp inside it is the venv's
# portable build (CMAKE_ARGS above). MODEL=1 also ships the packaged GGUF model.
MODEL ?= 0
package: venv
	AISER_BUNDLE_MODEL=$(MODEL) $(VENV)/bin/pyinstaller --noconfirm --log-level WARN \
		--distpath dist --workpath build/pyinstaller packaging/aiser.spec
	@du -sh dist/aiser

package-test: system-deps package
	bash packaging/smoke.sh dist/aiser

bench: venv
	$(PY) bench/query_overhead.py
	$(PY) bench/startup.py
	$(PY) bench/open_file.py
	$(PY) bench/import_db.py
	$(PY) bench/grid.py
	$(PY) bench/complete.py
	$(PY) bench/insights.py
	$(PY) bench/charts.py
	$(PY) bench/semantic.py
	$(PY) bench/mcp_calls.py
	$(PY) bench/memory.py
	$(PY) bench/dashboards.py

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .mypy_cache .ruff_cache
