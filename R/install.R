#' Install the Python side of rbridge
#'
#' Creates (or updates) a Python virtual environment, by default `r-bridge`
#' in reticulate's virtualenv folder, with numpy and the `r_bridge` Python
#' package that ships with this R package. rbridge finds this environment by
#' itself (see [rbridge_python()]).
#'
#' Before creating anything, the Python used to create the environment is
#' checked: version 3.10 or later, and able to import `ssl` and `venv` and to
#' run pip (Debian: `apt-get install python3-venv`). The only thing fetched
#' from the package index is numpy, and only when the environment lacks it:
#' with reticulate older than 1.38, which converts arrays only with NumPy 1,
#' `numpy<2` (arrays then cross without a copy; with NumPy 2 they would cross
#' as byte buffers, which works but costs two extra copies).
#' When the environment already has the `r_bridge` of this rbridge, nothing
#' is done.
#'
#' @param envname Name of the environment (in `RETICULATE_VIRTUALENV_ROOT`,
#'   `WORKON_HOME` or `~/.virtualenvs`, as reticulate), or a path.
#' @param ... Not used; must be empty.
#' @param python The Python to create the environment with (`NULL`: `python3`
#'   on the `PATH`).
#' @param new_env If `TRUE`, remove an existing environment first.
#' @returns The path of the environment's Python, invisibly.
#' @family python
#' @export
#' @examples
#' \dontrun{
#' install_rbridge()
#' }
install_rbridge <- function(envname = "r-bridge", ..., python = NULL, new_env = FALSE) {
  rlang::check_dots_empty()
  rb_check_string(envname)
  rb_check_flag(new_env)
  rb_check_string(python, null_ok = TRUE)
  src <- rb_python_sources()
  path <- rb_env_path(envname)
  if (new_env && dir.exists(path)) unlink(path, recursive = TRUE)
  env_python <- file.path(path, "bin", "python")
  if (!file.exists(env_python)) {
    base <- python %||% Sys.which("python3")
    rb_check_base_python(base, call = environment())
    message("Creating the Python environment ", path)
    rb_run(base, c("-m", "venv", path), "create the environment")
  }
  rb_run(env_python, c("-m", "pip", "--version"), "run pip in the environment")
  if (!rb_python_ok(env_python, "import numpy")) {
    numpy <- if (utils::packageVersion("reticulate") < "1.38") "numpy<2" else "numpy"
    message("Installing ", numpy, " into ", path)
    rb_run(env_python, c("-m", "pip", "install", "--disable-pip-version-check", shQuote(numpy)), "install numpy")
  }
  site <- rb_run(env_python, c("-c", shQuote("import sysconfig; print(sysconfig.get_paths()['purelib'])")),
                 "find site-packages")
  stamp <- rb_sources_stamp(src)
  stamp_file <- file.path(site, "r_bridge", ".rbridge-sources")
  if (file.exists(stamp_file) && identical(readLines(stamp_file, warn = FALSE), stamp)) {
    message("The r_bridge Python package in ", path, " is current.")
  } else {
    unlink(file.path(site, "r_bridge"), recursive = TRUE)
    file.copy(file.path(src, "r_bridge"), site, recursive = TRUE)
    writeLines(stamp, stamp_file)
    message("Installed r_bridge into ", path)
  }
  if (!is.null(.rb$python) && !identical(.rb$python$python, env_python)) {
    message("Python is already running in this R session: restart R to use ", env_python, ".")
  }
  invisible(env_python)
}

# Where the Python package shipped with rbridge is; an error if it is not.
rb_python_sources <- function(call = rlang::caller_env()) {
  src <- system.file("python", package = "rbridge")
  if (!nzchar(src) || !file.exists(file.path(src, "r_bridge", "api.py"))) {
    rb_abort(c("This installation of rbridge does not ship the r_bridge Python package.",
               i = paste("Reinstall rbridge from its source package (R CMD build, then R CMD INSTALL), or install",
                         "r_bridge into a Python yourself and set RBRIDGE_PYTHON to that Python.")),
             class = "rbridge_error_python", call = call)
  }
  src
}

# The identity of the shipped sources: rbridge's version and their checksums.
rb_sources_stamp <- function(src) {
  files <- sort(list.files(file.path(src, "r_bridge"), pattern = "\\.py$|py\\.typed$", recursive = TRUE))
  sums <- tools::md5sum(file.path(src, "r_bridge", files))
  c(as.character(utils::packageVersion("rbridge")), paste(files, unname(sums)))
}

# The Python that creates the environment must be recent enough and have
# ssl (pip needs it to fetch numpy), venv and ensurepip.
rb_check_base_python <- function(python, call = rlang::caller_env()) {
  if (!nzchar(python) || !file.exists(python)) {
    rb_abort(c("No Python to create the environment with.",
               i = "Install Python 3.10 or later, or pass `python =` the path of one."),
             class = "rbridge_error_python", argument = "python", call = call)
  }
  probe <- paste(
    "import importlib.util as u, sys",
    "if sys.version_info < (3, 10): print('Python 3.10 or later (this is %d.%d)' % sys.version_info[:2])",
    "if not u.find_spec('ssl'): print('the ssl module, which pip needs to fetch numpy')",
    paste("if not (u.find_spec('venv') and u.find_spec('ensurepip')):",
          "print('the venv and ensurepip modules (Debian: apt-get install python3-venv)')"),
    sep = "\n")
  out <- tryCatch(suppressWarnings(system2(python, c("-c", shQuote(probe)), stdout = TRUE, stderr = TRUE)),
                  error = function(e) structure(conditionMessage(e), status = 127L))
  status <- attr(out, "status") %||% 0L
  if (status != 0L) {
    rb_abort(c(sprintf("%s does not run.", python), x = utils::tail(out, 3)),
             class = "rbridge_error_python", argument = "python", call = call)
  }
  if (length(out)) {
    rb_abort(c(sprintf("%s can't make rbridge's environment: it lacks", python),
               stats::setNames(out, rep("x", length(out)))),
             class = "rbridge_error_python", argument = "python", call = call)
  }
  invisible(python)
}

rb_python_ok <- function(python, code) {
  suppressWarnings(system2(python, c("-c", shQuote(code)), stdout = FALSE, stderr = FALSE)) == 0L
}

# Run a command; its standard output, or an error saying what failed.
rb_run <- function(cmd, args, what, call = rlang::caller_env()) {
  out <- suppressWarnings(system2(cmd, args, stdout = TRUE, stderr = TRUE))
  status <- attr(out, "status") %||% 0L
  if (status != 0L) {
    rb_abort(c(sprintf("Could not %s.", what), x = sprintf("`%s %s` failed:", cmd, paste(args, collapse = " ")),
               utils::tail(out, 10)), class = "rbridge_error_python", call = call)
  }
  out[length(out)]
}
