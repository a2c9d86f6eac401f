#' Install the Python side of rbridge
#'
#' Creates (or updates) a Python virtualenv, by default `r-bridge`, and
#' installs into it the `r_bridge` Python package shipped with this R
#' package (in `system.file("python", package = "rbridge")`), with its
#' dependencies (numpy, pandas) from PyPI. rbridge finds this virtualenv
#' automatically (see [rbridge_python()]).
#'
#' @param envname Name of (or path to) the virtualenv.
#' @param ... Further arguments to [reticulate::virtualenv_install()], e.g.
#'   `pip_options`.
#' @param python Python used to create the virtualenv when it does not
#'   exist (`NULL`: reticulate's choice; Python >= 3.10 is needed).
#' @param new_env If `TRUE`, remove an existing virtualenv first.
#' @returns The path of the virtualenv's Python, invisibly.
#' @family python
#' @export
#' @examples
#' \dontrun{
#' install_rbridge()
#' }
install_rbridge <- function(envname = "r-bridge", ..., python = NULL, new_env = FALSE) {
  envname <- check_string(envname, "envname")
  new_env <- check_flag(new_env, "new_env")
  python <- check_string(python, "python", null_ok = TRUE)
  src <- rb_python_sources()
  if (new_env && reticulate::virtualenv_exists(envname)) {
    reticulate::virtualenv_remove(envname, confirm = FALSE)
  }
  if (!reticulate::virtualenv_exists(envname)) {
    if (is.null(python)) {
      reticulate::virtualenv_create(envname)
    } else {
      reticulate::virtualenv_create(envname, python = python)
    }
  }
  # pip builds a local project in place: copy it somewhere writable first.
  build <- tempfile("r_bridge-src-")
  dir.create(build)
  on.exit(unlink(build, recursive = TRUE), add = TRUE)
  file.copy(list.files(src, full.names = TRUE, all.files = TRUE, no.. = TRUE), build,
            recursive = TRUE)
  reticulate::virtualenv_install(envname, packages = build, ignore_installed = TRUE, ...)
  path <- reticulate::virtualenv_python(envname)
  if (reticulate::py_available(initialize = FALSE)) {
    message("Python is already running in this R session: restart R to use ", path, ".")
  }
  invisible(path)
}

# Where the Python package shipped with rbridge is; an error if it is not.
rb_python_sources <- function() {
  src <- system.file("python", package = "rbridge")
  if (!nzchar(src) || !file.exists(file.path(src, "pyproject.toml")) ||
      !dir.exists(file.path(src, "r_bridge"))) {
    rb_abort(paste(
      "This installation of rbridge does not ship the r_bridge Python package",
      "(expected in `system.file(\"python\", package = \"rbridge\")`, with pyproject.toml",
      "and r_bridge/). Packages built with the project's `make` include it. Otherwise",
      "install it into a Python yourself (`pip install <rbridge checkout>`) and set",
      "RBRIDGE_PYTHON to that Python."), class = "rbridge_error_python")
  }
  src
}
