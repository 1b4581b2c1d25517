# The two commands a new user needs: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
DEMO   := build/demo
export GX_ANALYTICS_ENABLED := false
export DBT_SEND_ANONYMOUS_USAGE_STATS := false

.PHONY: demo test pytest install browser lint clean lock spark lock-spark bench

# The venv is rebuilt whenever the pins or the package metadata change.
$(BIN)/roas: pyproject.toml requirements.lock
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11+ is required")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps -e .
	@touch $@

install: $(BIN)/roas

# Debian's chromium drives the browser tests and the PDF export (never `playwright install`).
browser:
	@{ command -v chromium && command -v pdftoppm; } >/dev/null 2>&1 || { \
	  echo "installing Debian's chromium (browser tests, PDF export)"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium poppler-utils >/dev/null; }

demo: install
	$(BIN)/roas generate --out $(DEMO)/raw --seed 42 --end-date $$(date +%F)
	$(BIN)/roas run --data $(DEMO)/raw --out $(DEMO)/site --warehouse $(DEMO)/roas.duckdb

# SQLFluff compiles the dbt project to lint the SQL dbt runs (about a minute on 2 cores),
# so it reruns only when the SQL, the YAML it reads or the lint config changed.
# The folders are prerequisites too: a deleted or renamed file changes its folder's mtime.
# The stamp is dated from the start of the lint, so a file saved meanwhile is linted next time.
# It runs at a lower priority, and in `make test` in one process beside pytest, which keeps
# the cores busy anyway (a pool would only compete with pytest's workers).
SQLFLUFF_PROCESSES ?= 2
SQL_SOURCES := $(shell find models macros tests/dbt seeds -type d -o -name '*.sql' \
                 -o -name '*.yml' -o -name '*.md') .sqlfluff dbt_project.yml profiles.yml
build/.sqlfluff-clean: $(SQL_SOURCES) $(BIN)/roas
	@mkdir -p build/sqlfluff && touch $@.started
	ROAS_WAREHOUSE=build/sqlfluff/lint.duckdb nice -n 10 $(BIN)/sqlfluff lint models tests/dbt --processes $(SQLFLUFF_PROCESSES)
	@mv $@.started $@

lint: install build/.sqlfluff-clean
	$(BIN)/ruff check .

# The SQL lint runs beside pytest, not before it: pytest leaves the cores idle at times (a
# worker waiting on its child processes, the last modules), and the lint takes that time.
test: install browser
	$(BIN)/ruff check .
	$(MAKE) --no-print-directory -j2 build/.sqlfluff-clean pytest SQLFLUFF_PROCESSES=1

# pytest-xdist: one worker per core (at most 4), whole modules to a worker (tests/conftest.py)
pytest: install browser
	$(BIN)/pytest -q --numprocesses auto --maxprocesses 4 --dist loadfile

# 1M and 10M tracking rows: every stage, peak memory, the baselines, the targets judged;
# writes benchmarks/results/latest.{md,json} (about 10 minutes, ~6 GB of scratch in build/bench).
bench: install
	$(BIN)/python benchmarks/run.py --sizes 1000000 10000000
	$(BIN)/python benchmarks/decisions.py

lock:
	$(PYTHON) -m venv /tmp/roas-lock && /tmp/roas-lock/bin/pip install --quiet -e '.[test]' \
	  && /tmp/roas-lock/bin/pip freeze --exclude-editable > requirements.lock

# The same dbt project on Spark (dbt-spark[session] + pyspark in their own venv, so the
# main install stays light), then every public mart compared with DuckDB's. Takes
# minutes (pyspark builds from source the first time): not part of `make test`.
SPARK_VENV := .venv-spark
$(SPARK_VENV)/bin/dbt: requirements-spark.lock
	$(PYTHON) -m venv $(SPARK_VENV)
	$(SPARK_VENV)/bin/pip install --quiet --disable-pip-version-check -r requirements-spark.lock
	@touch $@

spark: install $(SPARK_VENV)/bin/dbt
	$(BIN)/python -m roas.spark_check --spark-python $(SPARK_VENV)/bin/python --out build/spark

lock-spark:
	$(PYTHON) -m venv /tmp/roas-lock-spark && /tmp/roas-lock-spark/bin/pip install --quiet \
	  'dbt-core~=1.11.0' 'dbt-spark[session]~=1.11.0' \
	  && { echo '# Pinned versions of the Spark venv of `make spark` (not the main install).'; \
	       echo '# Regenerate with: make lock-spark'; \
	       /tmp/roas-lock-spark/bin/pip freeze; } > requirements-spark.lock

clean:
	rm -rf build target logs .pytest_cache
