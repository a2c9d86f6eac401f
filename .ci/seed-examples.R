# The two examples of ?clear_session (../shared/seed/clear_session.md), run
# verbatim as the demo, with the names they must print checked.
# Usage: Rscript .ci/seed-examples.R EXPECTED_RETICULATE_VERSION
args <- commandArgs(trailingOnly = TRUE)
ret <- as.character(packageVersion("reticulate"))
stopifnot(startsWith(ret, args[[1]]))
out <- utils::capture.output(demo("clear_session", package = "rbridge", ask = FALSE, echo = TRUE))
writeLines(out)
printed <- grep('^\\[1\\] "', out, value = TRUE)
ok <- identical(printed, c('[1] "dense_10"', '[1] "dense"'))
cat(sprintf("seed examples on reticulate %s: %d passed, %d failed\n", ret, ok, !ok))
quit(status = if (ok) 0 else 1)
