# rbridge / r_bridge. `make demo` and `make test` set up whatever is missing
# first (idempotent, project-local: .venv/, .venv-keras/, .Rlib/).
SHELL := /bin/bash
PY      := .venv/bin/python
KPY     := .venv-keras/bin/python
RLIB    := .Rlib
export R_LIBS := $(CURDIR)/$(RLIB)
export RBRIDGE_PYTHON := $(CURDIR)/$(PY)
export RBRIDGE_SCENARIOS := $(CURDIR)/tests/scenarios
export KERAS_BACKEND := numpy
export PIP_DISABLE_PIP_VERSION_CHECK := 1
PY_SRC  := pyproject.toml README.md $(shell find r_bridge -name '*.py' 2>/dev/null)
R_SRC   := DESCRIPTION NAMESPACE $(wildcard R/*.R) $(wildcard man/*.Rd) $(wildcard demo/*)

.PHONY: setup apt demo test check bench docs clean
setup: apt .venv/.ok .venv-keras/.ok $(RLIB)/rbridge/.ok

apt:
	@bash .ci/apt-deps

# Python package + test and rpy2 extras (R is installed first: rpy2 builds against it).
.venv/.ok: pyproject.toml | apt
	@test -x $(PY) || python3 -m venv .venv
	$(PY) -m pip install -q -e '.[test,r]'
	@touch $@

# Real Keras 3 (numpy backend) for the conformance tests, the scenario
# generator and the benchmarks, kept apart from the package's own env.
.venv-keras/.ok: pyproject.toml
	@test -x $(KPY) || python3 -m venv .venv-keras
	$(KPY) -m pip install -q keras jax scipy pytest hypothesis
	$(KPY) -m pip install -q -e '.[test]'
	@touch $@

# The R package, with the Python sources it ships for install_rbridge().
inst/python/.ok: $(PY_SRC)
	@rm -rf inst/python && mkdir -p inst/python
	@cp -r r_bridge pyproject.toml README.md inst/python/
	@find inst/python -name __pycache__ -prune -exec rm -rf {} +
	@touch $@

$(RLIB)/rbridge/.ok: $(R_SRC) inst/python/.ok | apt
	@mkdir -p $(RLIB)
	R CMD INSTALL --library=$(RLIB) . >$(RLIB)/install.log 2>&1 || { cat $(RLIB)/install.log; exit 1; }
	@touch $@

demo: setup
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

docs: setup
	@mkdir -p docs
	@for f in vignettes/*.Rmd; do Rscript -e "rmarkdown::render('$$f', output_dir = 'docs', quiet = TRUE)"; done
	@echo "rendered: $$(ls docs/*.html)"

clean:
	rm -rf .venv .venv-keras $(RLIB) inst/python rbridge.Rcheck rbridge_*.tar.gz docs .ci/out
