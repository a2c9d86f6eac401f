# Run the R interop tests (tests/interop/test-*.R) against the installed
# rbridge, with a Python that has Keras 3: write "passed failed skipped".
# Usage (from the repository root), e.g. for .ci/suites:
#   RBRIDGE_PYTHON=.venv-keras/bin/python Rscript tests/interop/run-r.R OUT.tsv 1.46
args <- commandArgs(trailingOnly = TRUE)
ret <- as.character(packageVersion("reticulate"))
stopifnot(startsWith(ret, args[[2]])) # the library path picked the reticulate asked for
Sys.setenv(KERAS_BACKEND = "numpy")
Sys.unsetenv("RBRIDGE_KERAS_LINK")
res <- as.data.frame(testthat::test_dir("tests/interop", package = "rbridge",
                                        load_package = "installed", stop_on_failure = FALSE,
                                        reporter = testthat::ProgressReporter$new(show_praise = FALSE)))
failed <- sum(res$failed > 0 | res$error)
skipped <- sum(res$skipped & !(res$failed > 0 | res$error))
passed <- nrow(res) - failed - skipped
cat(sprintf("interop on reticulate %s: %d tests (expectations: %d), %d failed, %d skipped\n",
            ret, nrow(res), sum(res$nb), failed, skipped))
writeLines(paste(passed, failed, skipped), args[[1]])
quit(status = if (failed > 0) 1 else 0)
