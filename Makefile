# Two commands for a newcomer: `make run` and `make test`; both start with `make setup`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip --disable-pip-version-check -q
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: setup run test test-sqlite test-postgres lint clean wheel wheelcheck

setup: $(VENV)/.installed web/static/vendor/htmx.min.js web/static/vendor/swagger-ui/swagger-ui-bundle.js
	@$(BIN)/python -m compileall -q core web plugins examples >/dev/null

$(VENV)/.installed: pyproject.toml examples/ecotherapy/pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	# uv resolves and installs the same packages as pip, about ten times faster.
	test -x $(BIN)/uv || $(PIP) install uv
	# Compiled now, not at every start: where PYTHONDONTWRITEBYTECODE is set (as on these machines) nothing
	# else writes the bytecode, and each start compiled every imported module: 3.4 s against 1.5 s.
	$(BIN)/uv pip install -q --compile-bytecode --python $(BIN)/python -e '.[dev,bench]' -e examples/ecotherapy
	touch $@

web/static/vendor/htmx.min.js: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	install -D -m 644 node_modules/htmx.org/dist/htmx.min.js $@

# The API's interactive page at /schema (Swagger UI, served from here: the CSP allows no CDN).
web/static/vendor/swagger-ui/swagger-ui-bundle.js: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	install -d web/static/vendor/swagger-ui
	install -m 644 node_modules/swagger-ui-dist/swagger-ui-bundle.js node_modules/swagger-ui-dist/swagger-ui.css \
		web/static/vendor/swagger-ui/

run: setup
	$(BIN)/polymodal db upgrade
	$(BIN)/polymodal demo
	@# Plain http on 127.0.0.1: cookies without Secure / __Host- (never set this behind https).
	@# A local mail sink: what the app sends shows at http://127.0.0.1:8025, and nothing leaves this computer.
	$(BIN)/polymodal mailsink & trap "kill $$!" EXIT; \
	POLYMODAL_SMTP_HOST=127.0.0.1 POLYMODAL_SMTP_PORT=1025 POLYMODAL_SMTP_TLS=none \
	POLYMODAL_INSECURE_COOKIES=1 POLYMODAL_PUBLIC_URL=http://$(HOST):$(PORT) $(BIN)/polymodal serve --host $(HOST) --port $(PORT)

# The whole suite on SQLite and, side by side on a second core, the tests that reach the database again on a
# throwaway PostgreSQL cluster when PostgreSQL's server binaries are installed (CI installs them). One after the
# other they took 27 minutes on two cores; the PostgreSQL run's output follows the SQLite run's.
test: setup
	@if ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then \
		log=$$(mktemp -t polymodal-postgres-tests.XXXXXX); \
		$(MAKE) --no-print-directory test-postgres >"$$log" 2>&1 & postgres=$$!; \
		$(MAKE) --no-print-directory test-sqlite; sqlite_rc=$$?; \
		wait $$postgres; postgres_rc=$$?; \
		echo; echo "=== the tests that reach the database, on PostgreSQL, run alongside (exit $$postgres_rc) ==="; \
		cat "$$log"; rm -f "$$log"; \
		[ $$sqlite_rc -eq 0 ] && [ $$postgres_rc -eq 0 ]; \
	else $(MAKE) --no-print-directory test-sqlite && echo "PostgreSQL server not installed: suite ran on SQLite only"; fi

test-sqlite:
	$(BIN)/pytest $(PYTEST_ARGS)

test-postgres:
	scripts/with-postgres.sh $(BIN)/pytest $(PYTEST_ARGS) -m 'not browser'

lint: setup
	$(BIN)/ruff check core web plugins tests examples bench scripts

# The wheel to publish, after setup so the vendored htmx and Swagger UI are inside it (docs/deployment.md).
wheel: setup
	rm -rf dist build && $(BIN)/python -m build --no-isolation --wheel

# That wheel alone in a fresh venv: a scaffolded and the tutorial's plugin, checked, tested and swept (minutes).
wheelcheck: setup
	$(BIN)/python scripts/wheelcheck.py

clean:
	rm -rf $(VENV) node_modules web/static/vendor build dist *.egg-info
