# Shortlist: `make run` to run it, `make test` to test it. docs/operations.md has the rest.

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

# Defaults for what supervisord.conf reads; anything already in the environment wins.
export SHORTLIST_HOME ?= $(CURDIR)
export SHORTLIST_STORE ?= $(SHORTLIST_HOME)/store
export SHORTLIST_INBOX ?= $(SHORTLIST_HOME)/inbox

CONF ?= supervisord.conf
SUPERVISOR := $(BIN)/supervisord -c $(CONF)
CTL := $(BIN)/supervisorctl -c $(CONF)
RULE_FILES = $(wildcard observability/rules/*.yml observability/rules/*.yaml observability/rules/*/*.yml)

.PHONY: run test check rules status stop logs install install-test dirs clean-venv

## run: install if needed, then web + watcher (+ Prometheus) under supervisord; Ctrl-C stops all
run: install dirs
	exec $(SUPERVISOR) -n

## test: the whole pytest suite on three pytest-xdist workers, one more than the two cores it is sized for: much of the
## suite waits on processes it started (PYTEST_ARGS="-k supervisor" to narrow it; PYTEST_XDIST=
## runs it in one process). Tests marked xdist_group stay on one worker, one after another: the browser tests, each
## drill family, each Prometheus instance.
PYTEST_XDIST ?= -n 3 --dist loadgroup
test: install-test
	$(BIN)/python -m pytest $(PYTEST_XDIST) $(PYTEST_ARGS)

## check: lint and format (ruff), types (mypy), configs parse: Python compiles, compose validates, Prometheus config and rules
# observability/prometheus.yml reads its targets from files the launcher writes into the store (promtool
# warns they are missing beside it), so the config `make run` would start, targets included, is checked too.
check: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/python -m compileall -q pipeline store ui chaos observability tests
	docker-compose -f compose.yaml config -q
	promtool check config observability/prometheus.yml observability/prometheus.compose.yml
	@out=$$(mktemp -d) && $(BIN)/python -m observability targets --out $$out >/dev/null \
	  && promtool check config $$out/prometheus.yml; rc=$$?; rm -rf $$out; exit $$rc
	@for f in $(RULE_FILES); do grep -q '^tests:' $$f || echo $$f; done | xargs -r promtool check rules

## rules: promtool unit tests of the recording and alerting rules (files with a top-level tests:)
rules:
	@tests="$$(for f in $(RULE_FILES); do grep -l '^tests:' $$f; done)"; \
	  if [ -z "$$tests" ]; then echo "no promtool rule tests under observability/rules/" >&2; exit 1; fi; \
	  promtool test rules $$tests

## status / stop / logs: talk to the supervisord that `make run` started
status:
	$(CTL) status
stop:
	$(CTL) shutdown
logs:
	tail -n 50 -F $(SHORTLIST_STORE)/logs/*.log

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $@ $(VENV)/.installed

dirs:
	mkdir -p $(SHORTLIST_STORE)/logs $(SHORTLIST_INBOX)/resumes $(SHORTLIST_INBOX)/jobs $(SHORTLIST_INBOX)/failed

clean-venv:
	rm -rf $(VENV)
