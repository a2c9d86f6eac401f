# Run tests/testthat against the installed rbridge; write "passed failed skipped".
# Usage: Rscript .ci/testthat.R OUT.tsv EXPECTED_RETICULATE_VERSION
args <- commandArgs(trailingOnly = TRUE)
ret <- as.character(packageVersion("reticulate"))
stopifnot(startsWith(ret, args[[2]])) # the library path picked the reticulate asked for
res <- as.data.frame(testthat::test_dir("tests/testthat", package = "rbridge",
                                        load_package = "installed", stop_on_failure = FALSE,
                                        reporter = testthat::ProgressReporter$new(show_praise = FALSE)))
failed <- sum(res$failed > 0 | res$error)
skipped <- sum(res$skipped & !(res$failed > 0 | res$error))
passed <- nrow(res) - failed - skipped
cat(sprintf("testthat on reticulate %s: %d tests (expectations: %d), %d failed, %d skipped\n",
            ret, nrow(res), sum(res$nb), failed, skipped))
writeLines(paste(passed, failed, skipped), args[[1]])
quit(status = if (failed > 0) 1 else 0)
