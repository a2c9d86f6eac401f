# Run a testthat directory against the installed rbridge; write "passed failed skipped".
# Usage: Rscript .ci/testthat.R OUT.tsv EXPECTED_RETICULATE_VERSION [DIR]
#   DIR: tests/testthat (default), or tests/interop (with RBRIDGE_PYTHON set
#   to a Python with Keras 3: the session linked to Keras's).
args <- commandArgs(trailingOnly = TRUE)
dir <- if (length(args) >= 3L) args[[3L]] else "tests/testthat"
ret <- as.character(packageVersion("reticulate"))
stopifnot(startsWith(ret, args[[2]])) # the library path picked the reticulate asked for
if (basename(dir) == "interop") {
  Sys.setenv(KERAS_BACKEND = "numpy")
  Sys.unsetenv("RBRIDGE_KERAS_LINK")
}
res <- as.data.frame(testthat::test_dir(dir, package = "rbridge",
                                        load_package = "installed", stop_on_failure = FALSE,
                                        reporter = testthat::ProgressReporter$new(show_praise = FALSE)))
failed <- sum(res$failed > 0 | res$error)
skipped <- sum(res$skipped & !(res$failed > 0 | res$error))
passed <- nrow(res) - failed - skipped
cat(sprintf("%s on reticulate %s: %d tests (expectations: %d), %d failed, %d skipped\n",
            basename(dir), ret, nrow(res), sum(res$nb), failed, skipped))
writeLines(paste(passed, failed, skipped), args[[1]])
quit(status = if (failed > 0) 1 else 0)
