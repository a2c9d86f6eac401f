# rbridge / r_bridge. `make demo` and `make test` set up whatever is missing
# first (idempotent, project-local: .venv/, .venv-keras/, .Rlib/, .Rlib-ret146/).
SHELL := /bin/bash
PY      := .venv/bin/python
KPY     := .venv-keras/bin/python
RLIB    := .Rlib
# reticulate 1.46.0 (the current release) from ../shared/vendor, in a library
# of its own, so that the R suites run on it and on Debian's 1.28.
RET146     := .Rlib-ret146
RET146_SRC := $(CURDIR)/../shared/vendor/reticulate_1.46.0.tar.gz
RET146_SHA := bfa8e4864440b5effe0a2a52ddbce3363f642c266270a9a03fedcff47ec18103
export R_LIBS := $(CURDIR)/$(RLIB)
export RBRIDGE_PYTHON := $(CURDIR)/$(PY)
export RBRIDGE_SCENARIOS := $(CURDIR)/tests/scenarios
export KERAS_BACKEND := numpy
export PIP_DISABLE_PIP_VERSION_CHECK := 1
R_SRC   := DESCRIPTION NAMESPACE $(wildcard R/*.R) $(wildcard man/*.Rd) $(wildcard demo/*) \
           $(shell find r_bridge -name '*.py' 2>/dev/null)

.PHONY: setup setup-demo apt-demo apt-test demo test check bench vignettes docs clean
setup-demo: apt-demo .venv/.ok-demo $(RLIB)/rbridge/.ok
setup: apt-test setup-demo .venv/.ok-test .venv-keras/.ok $(RET146)/reticulate/.ok

apt-demo:
	@bash .ci/apt-deps demo
apt-test:
	@bash .ci/apt-deps test

# The demo needs numpy and the package (editable) only.
.venv/.ok-demo: pyproject.toml | apt-demo
	@test -x $(PY) || python3 -m venv .venv
	$(PY) -m pip install -q -e .
	@touch $@

# The test, rpy2, lint and docs extras (R is installed first: rpy2 builds against it).
.venv/.ok-test: pyproject.toml .venv/.ok-demo | apt-test
	$(PY) -m pip install -q -e '.[test,r,lint,docs]'
	@touch $@

# Real Keras 3 (numpy backend) for its own test files, the conformance and
# interop tests (tests/interop, Python and R), the scenario generator and the
# benchmarks, kept apart from the package's env.
.venv-keras/.ok: pyproject.toml
	@test -x $(KPY) || python3 -m venv .venv-keras
	$(KPY) -m pip install -q keras==3.15.1 jax scipy
	$(KPY) -m pip install -q -e '.[test]'
	@touch $@

# The R package (inst/python/r_bridge is a link to the Python package, so
# the installed package carries it).
$(RLIB)/rbridge/.ok: $(R_SRC) | apt-demo
	@mkdir -p $(RLIB)
	R CMD INSTALL --library=$(RLIB) . >$(RLIB)/install.log 2>&1 || { cat $(RLIB)/install.log; exit 1; }
	@touch $@

$(RET146)/reticulate/.ok: | apt-test
	@test -f $(RET146_SRC) || { echo "missing $(RET146_SRC) (../shared/vendor)"; exit 1; }
	@echo "$(RET146_SHA)  $(RET146_SRC)" | sha256sum -c --quiet
	@mkdir -p $(RET146)
	R CMD INSTALL --library=$(RET146) $(RET146_SRC) >$(RET146)/install.log 2>&1 || { cat $(RET146)/install.log; exit 1; }
	@touch $@

demo: setup-demo
	@echo "== Python: the seed examples (python -m r_bridge.demo)"
	@$(PY) -m r_bridge.demo
	@echo; echo "== R: the seed examples (demo('clear_session', package = 'rbridge'))"
	@Rscript -e 'demo("clear_session", package = "rbridge", ask = FALSE, echo = TRUE)'

test: setup
	@bash .ci/suites

check: setup
	@bash .ci/suites check

bench: setup
	@bash bench/run

# Knit vignettes/*.Rmd.orig, with Python, into the .Rmd files (and figures)
# that ship with their outputs.
vignettes: setup-demo
	@Rscript vignettes/precompute.R

# The documentation site in docs/: pkgdown for the R package (reference,
# vignettes, NEWS) and, in docs/python/, the Python API reference (mkdocs),
# checked as the `docs` suite checks it (see .ci/docs).
docs: setup
	@PY=$(PY) bash .ci/docs docs

clean:
	rm -rf .venv .venv-keras $(RLIB) $(RET146) rbridge.Rcheck rbridge_*.tar.gz docs .ci/out
