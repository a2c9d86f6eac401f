# Finding the Python that has the r_bridge package, connecting to its
# dispatcher, and checking its API version.
#
# Nothing here runs at load time: Python starts on the first call that needs
# it (rb_connect(), from rb_cross()).

# The major part of r_bridge.api.API_VERSION this package speaks.
rb_api_major <- "2"

#' The Python used by rbridge
#'
#' rbridge keeps all session state in a Python process that has the
#' `r_bridge` Python package. Python is started on first use (never when the
#' package is loaded) and found in this order; the first candidate that
#' exists is used:
#'
#' 1. the option `rbridge.python` (path to a Python executable);
#' 2. the environment variable `RBRIDGE_PYTHON`;
#' 3. the environment made by [install_rbridge()] (the virtualenv
#'    `r-bridge`);
#' 4. the environment variable `RETICULATE_PYTHON`.
#'
#' rbridge chooses before reticulate looks for (or, from reticulate 1.41
#' on, provisions) a Python of its own. If reticulate has already started a
#' Python in this R session, that one is used (reticulate cannot switch),
#' and the error says so when it lacks `r_bridge`. rbridge then imports
#' `r_bridge.api` and checks that the major part of its `API_VERSION` is
#' the one this package speaks.
#'
#' When R runs embedded in Python (`r_bridge.attach_r()`, through rpy2), the
#' host sets the option `rbridge.transport` to a function
#' `function(fn, args, releases)` that calls the Python dispatcher itself;
#' reticulate is then never used.
#'
#' `rbridge_available()` tells whether that succeeds, without signalling an
#' error: use it to skip code when Python is missing.
#'
#' @returns `rbridge_python()`: a list with `python` (the executable, or
#'   `NA` with a host transport), `source` (which rule above found it),
#'   `version` (the Python version), `arrays` (`"native"` when reticulate
#'   converts NumPy arrays, `"buffer"` otherwise) and `api_version`.
#'   `rbridge_available()`: `TRUE` or `FALSE`.
#' @family python
#' @export
#' @examples
#' rbridge_available()
#' @examplesIf rbridge_available()
#' rbridge_python()$api_version
rbridge_python <- function() {
  if (is.null(.rb$dispatch)) rb_connect()
  c(.rb$python, list(arrays = .rb$arrays, api_version = .rb$api_version))
}

#' @rdname rbridge_python
#' @export
rbridge_available <- function() {
  if (!is.null(.rb$dispatch)) return(TRUE)
  tryCatch({
    rb_connect()
    TRUE
  }, error = function(e) FALSE)
}

# Connect to the dispatcher (once per R session): the host's transport, or
# reticulate's. Returns the dispatch function.
rb_connect <- function(call = rlang::caller_env()) {
  transport <- getOption("rbridge.transport")
  if (is.function(transport)) {
    version <- rb_check_version(transport("api_version", list(), character()), "the rbridge.transport option", call)
    .rb$python <- list(python = NA_character_, source = "rbridge.transport", version = NA_character_)
    .rb$arrays <- "native" # the host converts arrays itself
  } else {
    api <- rb_python_init(call)
    version <- rb_check_version(api$api_version(), .rb$python$source, call)
    .rb$arrays <- if (rb_numpy_native()) "native" else "buffer"
    transport <- rb_py_function("r_bridge.api", if (.rb$arrays == "native") "dispatch" else "dispatch_buffers")
    # The handle table's inbox (API 2.2): list.extend, C code where no
    # interrupt is delivered (see rb_cross()).
    .rb$inbox <- tryCatch(reticulate::import("r_bridge.api", convert = FALSE)$table$inbox$extend,
                          error = function(e) NULL)
  }
  .rb$api_version <- version
  .rb$dispatch <- transport
  transport
}

# The Python function `name` of `module` as an R function that converts
# its value, as the R function reticulate makes of it does, but with less
# R around the call:
# * reticulate >= 1.29 (rlang's dynamic dots): reticulate's function first
#   re-evaluates its own call to split the arguments. The public py_call() +
#   py_to_r() skip that: a crossing takes 25 % less time on 1.46
#   (clear_session(FALSE): 1.6x -> 1.25x a reticulate no-op).
# * reticulate 1.28 (the one release below 1.29 that DESCRIPTION allows, so
#   its internals can no longer change): its C++ entry points py_call_impl()
#   + py_ref_to_r(), without the R wrapper's argument splitting and
#   py_to_r()'s two S3 dispatches (clear_session(FALSE) 1.55x -> 1.35x).
# bench/README.md has the measurements.
rb_py_function <- function(module, name) {
  f <- reticulate::py_get_attr(reticulate::import(module, convert = FALSE), name)
  if (utils::packageVersion("reticulate") >= "1.29") {
    py_call <- reticulate::py_call # (looked up once: `::` costs a call)
    py_to_r <- reticulate::py_to_r
    return(function(fn, args, releases) py_to_r(py_call(f, fn, args, releases)))
  }
  call_impl <- utils::getFromNamespace("py_call_impl", "reticulate")
  ref_to_r <- utils::getFromNamespace("py_ref_to_r", "reticulate")
  function(fn, args, releases) ref_to_r(call_impl(f, list(fn, args, releases), NULL))
}

rb_check_version <- function(version, where, call = rlang::caller_env()) {
  ok <- is.character(version) && length(version) == 1L && !is.na(version) &&
    identical(strsplit(version, ".", fixed = TRUE)[[1L]][1L], rb_api_major)
  if (!ok) {
    shown <- if (is.character(version) && length(version) == 1L) version else rb_describe(version)
    rb_abort(c(sprintf("r_bridge.api (from %s) has API_VERSION %s; this rbridge needs %s.x.",
                       where, shown, rb_api_major),
               i = "Install the r_bridge that came with this rbridge: `rbridge::install_rbridge()`."),
             class = "rbridge_error_python", call = call)
  }
  version
}

# Candidate Pythons in the documented order: a list of list(source, path).
rb_python_candidates <- function() {
  out <- list()
  add <- function(source, path) {
    if (length(path) == 1L && !is.na(path) && nzchar(path)) {
      out[[length(out) + 1L]] <<- list(source = source, path = path.expand(path))
    }
  }
  opt <- getOption("rbridge.python")
  if (!is.null(opt)) add("option rbridge.python", as.character(opt)[1L])
  add("RBRIDGE_PYTHON", Sys.getenv("RBRIDGE_PYTHON"))
  add("install_rbridge() environment", rb_env_python())
  add("RETICULATE_PYTHON", Sys.getenv("RETICULATE_PYTHON"))
  out
}

# The Python of the environment install_rbridge() makes, if it exists.
rb_env_python <- function(envname = "r-bridge") {
  path <- rb_env_path(envname)
  python <- file.path(path, "bin", "python")
  if (file.exists(python)) python else NA_character_
}

# Where install_rbridge() puts an environment called `envname` (a path is
# taken as it is): reticulate's virtualenv root, as reticulate computes it.
rb_env_path <- function(envname) {
  if (grepl("/", envname, fixed = TRUE)) return(path.expand(envname))
  root <- Sys.getenv("RETICULATE_VIRTUALENV_ROOT", Sys.getenv("WORKON_HOME", "~/.virtualenvs"))
  file.path(path.expand(root), envname)
}

# Start Python (if needed) and import r_bridge.api. Returns the module
# (convert = TRUE); records in .rb$python what was used and why.
rb_python_init <- function(call = rlang::caller_env()) {
  tried <- character()
  if (reticulate::py_available(initialize = FALSE)) {
    chosen <- list(source = "already started by reticulate", path = reticulate::py_config()$python)
    tried <- sprintf("%s: %s", chosen$source, chosen$path)
  } else {
    chosen <- NULL
    for (cand in rb_python_candidates()) {
      if (file.exists(cand$path)) {
        chosen <- cand
        tried <- c(tried, sprintf("%s: %s", cand$source, cand$path))
        break
      }
      tried <- c(tried, sprintf("%s: %s (does not exist)", cand$source, cand$path))
    }
    if (is.null(chosen)) {
      rb_python_abort("No Python for rbridge was found.", tried, call = call)
    }
    # With RETICULATE_PYTHON set to the chosen Python while it starts,
    # reticulate takes it at once: it neither searches nor provisions.
    problem <- tryCatch(withr::with_envvar(c(RETICULATE_PYTHON = chosen$path), {
      reticulate::use_python(chosen$path, required = TRUE)
      reticulate::py_config()
      NULL
    }), error = function(e) conditionMessage(e))
    if (!is.null(problem)) rb_python_abort(c("Python could not be started.", x = problem), tried, call = call)
  }
  api <- tryCatch(reticulate::import("r_bridge.api"), error = function(e) e)
  if (inherits(api, "error")) {
    rb_python_abort(c(sprintf("%s has no usable r_bridge package.", chosen$path),
                      x = rb_first_line(conditionMessage(api))),
                    tried, started_by_reticulate = identical(chosen$source, "already started by reticulate"),
                    call = call)
  }
  # Move what exists now (numpy, reticulate, r_bridge: ~19,000 objects) to
  # Python's permanent generation, so that clear_session(free_memory = TRUE)
  # collects only what was made since (measured: 1.7 ms -> < 0.01 ms). Only
  # here, where rbridge started Python: a host manages its own collector.
  reticulate::import("gc")$freeze()
  cfg <- reticulate::py_config()
  .rb$python <- list(python = cfg$python, source = chosen$source, version = as.character(cfg$version))
  api
}

rb_first_line <- function(x) sub("\n.*$", "", x)

# The error for a Python that can't be used: what was tried, and the fix.
rb_python_abort <- function(problem, tried, started_by_reticulate = FALSE, call = rlang::caller_env()) {
  own <- c(Sys.getenv("RBRIDGE_PYTHON"), rb_env_python())
  own <- own[!is.na(own) & nzchar(own) & file.exists(own)]
  fix <- if (started_by_reticulate && length(own)) {
    c(i = sprintf("reticulate started this Python before rbridge could choose %s%s.", own[[1L]],
                  if (nzchar(Sys.getenv("RETICULATE_PYTHON"))) " (RETICULATE_PYTHON names it)" else ""),
      i = "Fix: restart R, and unset RETICULATE_PYTHON or point it at rbridge's Python.")
  } else if (started_by_reticulate) {
    c(i = "reticulate started this Python before rbridge was used, and reticulate can't switch.",
      i = "Fix: restart R and use rbridge first, or run `rbridge::install_rbridge()`.")
  } else {
    c(i = paste("Fix: run `rbridge::install_rbridge()`, or set RBRIDGE_PYTHON (or options(rbridge.python =))",
                "to a Python that has the r_bridge package."))
  }
  rb_abort(c(problem, i = "Pythons tried, in order:", stats::setNames(tried, rep("*", length(tried))), fix),
           class = "rbridge_error_python", call = call)
}
