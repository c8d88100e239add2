# make demo : a fresh .venv with stagecore, then the end-to-end walkthrough
# make test : .venv with the test extras, .venv-dvc with real DVC (the oracle), sshd, watchman, then pytest
#
# Needs only python3, git and make; everything else is installed on demand. Stamp files
# keep the venvs from being rebuilt when nothing changed.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := test

PYTHON ?= python3
VENV := .venv
DVC_VENV := .venv-dvc
DVC_VERSION := 3.67.1
SSHD := /usr/sbin/sshd
PYTEST_ARGS ?=
# independent tests run in parallel, one worker per core (pytest-xdist)
PYTEST_WORKERS ?= auto

# This machine's pip config names a find-links dir that may be absent; pip then prints
# "... is ignored: it is neither a file nor a directory" on every call. Drop those lines
# but keep pip's exit status (pipefail; grep's own "no lines" status is swallowed).
PIP_QUIET := 2>&1 | { grep -v 'is ignored: it is neither a file nor a directory' || true; }

.PHONY: demo test lint venv venv-test venv-dvc sshd watchman clean

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.stamp-base: pyproject.toml | $(VENV)/bin/python
	$(VENV)/bin/python -m pip install -q --disable-pip-version-check -e . $(PIP_QUIET)
	touch $@

$(VENV)/.stamp-test: pyproject.toml | $(VENV)/bin/python
	$(VENV)/bin/python -m pip install -q --disable-pip-version-check -e '.[test,s3,ssh]' $(PIP_QUIET)
	touch $@ $(VENV)/.stamp-base

$(DVC_VENV)/.stamp: Makefile
	test -x $(DVC_VENV)/bin/python || $(PYTHON) -m venv $(DVC_VENV)
	$(DVC_VENV)/bin/python -m pip install -q --disable-pip-version-check 'dvc[s3,ssh]==$(DVC_VERSION)' $(PIP_QUIET)
	touch $@

venv: $(VENV)/.stamp-base
venv-test: $(VENV)/.stamp-test
venv-dvc: $(DVC_VENV)/.stamp

# openssh-server for the SFTP remote tests. Installed only as root and only when missing;
# a failure is reported but tolerated: the ssh tests then fail loudly (CI) instead of skipping.
sshd:
	@if [ ! -x $(SSHD) ] && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "installing openssh-server (apt-get)"; \
	    log=$$(mktemp); \
	    if ! { DEBIAN_FRONTEND=noninteractive apt-get update -q && \
	           DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends openssh-server; } >"$$log" 2>&1; then \
	        tail -n 20 "$$log" >&2; echo "WARNING: could not install openssh-server; ssh tests will fail" >&2; \
	    fi; \
	    rm -f "$$log"; \
	fi

# watchman for the file-system monitor tests (stagecore.fastpath.fsmonitor): as sshd, installed only as
# root and only when missing; a failure is reported but tolerated (those tests then fail in CI).
watchman:
	@if ! command -v watchman >/dev/null && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "installing watchman (apt-get)"; \
	    log=$$(mktemp); \
	    if ! { DEBIAN_FRONTEND=noninteractive apt-get update -q && \
	           DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends watchman; } >"$$log" 2>&1; then \
	        tail -n 20 "$$log" >&2; echo "WARNING: could not install watchman; fsmonitor tests will fail" >&2; \
	    fi; \
	    rm -f "$$log"; \
	fi

demo: $(VENV)/.stamp-base
	test -f tests/walkthrough.sh
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" bash tests/walkthrough.sh

test: $(VENV)/.stamp-test $(DVC_VENV)/.stamp sshd watchman
	STAGECORE_DVC="$(CURDIR)/$(DVC_VENV)/bin/dvc" $(VENV)/bin/python -m pytest -q -n $(PYTEST_WORKERS) $(PYTEST_ARGS)
	$(MAKE) --no-print-directory test-lowest

# The lower bounds of pyproject.toml, installed exactly (.ci/lowest_constraints.py pins each
# `name>=v` to `name==v`), under the tests that exercise every dependency: git (pygit2,
# GitPython), yaml (PyYAML, ruamel), ignore rules (pathspec), config (configobj), progress
# (tqdm), completion (shtab), S3 (boto3) and SSH (paramiko). A bound set too low fails here.
LOWEST_VENV := .venv-lowest
LOWEST_TESTS ?= tests/test_walkthrough.py tests/test_data_tracking.py tests/test_run_repro.py \
	tests/test_remotes_backends.py tests/test_hooks_e2e.py tests/test_pipeline_files.py tests/test_transfer.py \
	tests/test_cli_ux.py tests/test_params_vars_compat.py tests/test_progress.py tests/test_adoption.py
$(LOWEST_VENV)/.stamp: pyproject.toml .ci/lowest_constraints.py
	test -x $(LOWEST_VENV)/bin/python || $(PYTHON) -m venv $(LOWEST_VENV)
	$(LOWEST_VENV)/bin/python .ci/lowest_constraints.py pyproject.toml > $(LOWEST_VENV)/constraints.txt
	$(LOWEST_VENV)/bin/python -m pip install -q --disable-pip-version-check \
	    -c $(LOWEST_VENV)/constraints.txt -e '.[test,s3,ssh]' $(PIP_QUIET)
	touch $@

.PHONY: test-lowest
test-lowest: $(LOWEST_VENV)/.stamp $(DVC_VENV)/.stamp sshd
	STAGECORE_DVC="$(CURDIR)/$(DVC_VENV)/bin/dvc" $(LOWEST_VENV)/bin/python -m pytest -q -n $(PYTEST_WORKERS) $(LOWEST_TESTS)

# kill -9 at many more points than CI's few: CRASH_TRIALS per operation; prints the figures
CRASH_TRIALS ?= 40
.PHONY: crash-test
crash-test: $(VENV)/.stamp-test
	report=$$(mktemp); status=0; \
	STAGECORE_CRASH_TRIALS=$(CRASH_TRIALS) STAGECORE_CRASH_REPORT="$$report" \
	    $(VENV)/bin/python -m pytest -q -p no:xdist tests/security/test_crash.py $(PYTEST_ARGS) || status=$$?; \
	cat "$$report"; rm -f "$$report"; exit $$status

# the parser fuzzer with many more mutations than CI's bounded run (a few minutes at 500)
FUZZ_TRIALS ?= 500
.PHONY: fuzz-test
fuzz-test: $(VENV)/.stamp-test
	STAGECORE_FUZZ_TRIALS=$(FUZZ_TRIALS) $(VENV)/bin/python -m pytest -q -p no:xdist tests/security/test_fuzz_parsers.py $(PYTEST_ARGS)

# docs/commands.md, rendered from the parser (tests/test_reference.py fails when it is stale)
.PHONY: docs
docs: $(VENV)/.stamp-base
	$(VENV)/bin/python -m stagecore.cli.reference > docs/commands.md

# ruff and mypy, as the design asks (not part of CI's `make test`)
lint: $(VENV)/.stamp-test
	$(VENV)/bin/python -m pip install -q --disable-pip-version-check -e '.[dev]' $(PIP_QUIET)
	$(VENV)/bin/ruff check stagecore githooks tests bench
	$(VENV)/bin/mypy stagecore githooks --ignore-missing-imports

clean:
	rm -rf $(VENV) $(DVC_VENV) $(LOWEST_VENV)
