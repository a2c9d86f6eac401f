# Finding the Python that has the r_bridge package, and checking its API.
#
# Nothing here runs at load time: Python starts on the first call that needs
# it (see rb_api()).

# The major part of r_bridge.api.API_VERSION this package speaks.
RB_API_MAJOR <- "1"

#' The Python used by rbridge
#'
#' rbridge keeps all session state in a Python process that has the
#' `r_bridge` Python package. Python is started on first use (never when the
#' package is loaded) and found in this order; the first candidate that
#' exists is used:
#'
#' 1. the option `rbridge.python` (path to a Python executable);
#' 2. the environment variable `RBRIDGE_PYTHON`;
#' 3. the environment variable `RETICULATE_PYTHON`;
#' 4. the `r-bridge` virtualenv made by [install_rbridge()];
#' 5. a `.venv/bin/python` in the working directory or one of its parents
#'    (so a project checkout with a `.venv` works without configuration);
#' 6. whatever Python reticulate would pick by default.
#'
#' If reticulate has already started a Python in this R session, that one is
#' used (reticulate cannot switch), and an error says so when it lacks
#' `r_bridge`. rbridge then imports `r_bridge.api` and checks that the major
#' part of its `API_VERSION` is the one this package speaks (`"1"`).
#'
#' When R runs embedded in Python (through rpy2), the host sets the option
#' `rbridge.transport` to a function `function(fn, args)` that calls
#' `r_bridge.api` itself; reticulate is then never used.
#'
#' `rbridge_available()` tells whether that succeeds, without signalling an
#' error (useful to skip code when Python is missing).
#'
#' @returns `rbridge_python()`: a list with `python` (the executable, or
#'   `NA` with a custom transport), `source` (which rule above found it),
#'   `version` (the Python version) and `api_version`. `rbridge_available()`:
#'   `TRUE` or `FALSE`.
#' @family python
#' @export
#' @examples
#' rbridge_available()
#' if (rbridge_available()) rbridge_python()$api_version
rbridge_python <- function() {
  rb_api_version()
  info <- .rb$python
  if (is.null(info)) info <- list(python = NA_character_, source = "transport", version = NA_character_)
  c(info, list(api_version = .rb$api_version))
}

#' @rdname rbridge_python
#' @export
rbridge_available <- function() {
  tryCatch({
    rb_api_version()
    TRUE
  }, error = function(e) FALSE)
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
  add("RETICULATE_PYTHON", Sys.getenv("RETICULATE_PYTHON"))
  venv <- tryCatch(
    if (reticulate::virtualenv_exists("r-bridge")) reticulate::virtualenv_python("r-bridge") else NA,
    error = function(e) NA
  )
  add("virtualenv r-bridge", venv)
  dir <- normalizePath(getwd(), mustWork = FALSE)
  repeat {
    cand <- file.path(dir, ".venv", "bin", "python")
    if (file.exists(cand)) {
      add(".venv above the working directory", cand)
      break
    }
    parent <- dirname(dir)
    if (identical(parent, dir)) break
    dir <- parent
  }
  out
}

# Start Python (if needed), import r_bridge.api and check its version.
# Returns the module; called once per session, the result is cached.
rb_python_init <- function() {
  tried <- character()
  problem <- NULL
  if (reticulate::py_available(initialize = FALSE)) {
    cfg <- reticulate::py_config()
    source <- "already initialized by reticulate"
    tried <- sprintf("- %s: %s", source, cfg$python)
    chosen <- list(source = source, path = cfg$python)
  } else {
    chosen <- NULL
    for (cand in rb_python_candidates()) {
      if (file.exists(cand$path)) {
        tried <- c(tried, sprintf("- %s: %s", cand$source, cand$path))
        chosen <- cand
        break
      }
      tried <- c(tried, sprintf("- %s: %s (does not exist)", cand$source, cand$path))
    }
    if (is.null(chosen)) {
      tried <- c(tried, "- reticulate's default Python")
      chosen <- list(source = "reticulate default", path = NA_character_)
    } else {
      problem <- tryCatch({
        reticulate::use_python(chosen$path, required = TRUE)
        NULL
      }, error = function(e) conditionMessage(e))
    }
  }
  api <- NULL
  if (is.null(problem)) {
    # With the chosen path in RETICULATE_PYTHON, reticulate's discovery stops
    # at its first rule (otherwise it inspects a pyproject.toml in the
    # working directory and warns about Poetry).
    env <- if (is.na(chosen$path)) character() else c(RETICULATE_PYTHON = chosen$path)
    api <- tryCatch(withr::with_envvar(env, reticulate::import("r_bridge.api", convert = TRUE)),
                    error = function(e) e)
    if (inherits(api, "error")) {
      problem <- sprintf("`import r_bridge.api` failed: %s", rb_python_message(api))
      api <- NULL
    }
  }
  if (is.null(problem)) {
    version <- tryCatch(api$api_version(), error = function(e) NA_character_)
    if (!identical(strsplit(as.character(version), ".", fixed = TRUE)[[1L]][1L], RB_API_MAJOR)) {
      problem <- sprintf("r_bridge.api has API_VERSION %s; this rbridge needs %s.x.",
                         version, RB_API_MAJOR)
      api <- NULL
    }
  }
  if (!is.null(problem) && is.na(chosen$path) && reticulate::py_available(initialize = FALSE)) {
    tried[length(tried)] <- sprintf("%s: %s", tried[length(tried)], reticulate::py_config()$python)
  }
  if (!is.null(problem)) {
    hint <- if (identical(chosen$source, "already initialized by reticulate")) {
      "reticulate had already started this Python before rbridge was used, so rbridge cannot switch; restart R and use rbridge first (or point RETICULATE_PYTHON at a Python with r_bridge)."
    } else {
      "Fix: run `rbridge::install_rbridge()` (creates the \"r-bridge\" virtualenv), or set RBRIDGE_PYTHON (or options(rbridge.python =)) to a Python that has the r_bridge package."
    }
    rb_abort(paste(c("Can't use Python for rbridge.", problem, "Python candidates tried, in order:",
                     tried, hint), collapse = "\n"),
             class = "rbridge_error_python")
  }
  # Move what exists now (numpy, reticulate, r_bridge: ~19,000 objects) to
  # Python's permanent generation, so that the gc.collect() of
  # clear_session(free_memory = TRUE) walks only objects made since
  # (measured: 1.7 ms -> < 0.01 ms). Objects made later are collected as
  # before. Only here, where rbridge started the Python: a host Python
  # (custom transport) manages its own collector.
  try(reticulate::import("gc")$freeze(), silent = TRUE)
  cfg <- reticulate::py_config()
  .rb$python <- list(python = cfg$python, source = chosen$source,
                     version = as.character(cfg$version))
  .rb$api_version <- version
  api
}

# The API version, checking it on first use (also with a custom transport).
rb_api_version <- function() {
  if (is.null(.rb$api_version)) {
    transport <- getOption("rbridge.transport")
    if (is.function(transport)) rb_check_transport(transport) else rb_api()
  }
  .rb$api_version
}

# Check the API version reached through a custom transport, once.
rb_check_transport <- function(transport) {
  version <- tryCatch(transport("api_version", list()),
                      error = function(e) rb_abort(rb_python_message(e), class = "rbridge_error_python"))
  if (!identical(strsplit(as.character(version), ".", fixed = TRUE)[[1L]][1L], RB_API_MAJOR)) {
    rb_abort(sprintf(
      "r_bridge.api (through the rbridge.transport option) has API_VERSION %s; this rbridge needs %s.x.",
      version, RB_API_MAJOR), class = "rbridge_error_python")
  }
  .rb$api_version <- version
  invisible(version)
}
