# R line coverage of the package by its testthat suite (covr), against a
# threshold: prints "R coverage: X% of N lines (threshold T%)", each file's
# figure and the lines never run, writes "passed failed 0" to OUT.tsv and the
# figure to OUT.note (for the summary line), and fails below the threshold.
# Usage: Rscript .ci/coverage-r.R OUT THRESHOLD
# Needs RBRIDGE_PYTHON (the tests that need Python skip without it, which
# would show as missing coverage).
args <- commandArgs(trailingOnly = TRUE)
out <- args[[1]]
threshold <- as.numeric(args[[2]])
cov <- covr::package_coverage(".", type = "tests", quiet = TRUE, pre_clean = TRUE)
pct <- covr::percent_coverage(cov, by = "line")
lines <- covr::tally_coverage(cov, by = "line")
cat(sprintf("R coverage: %.1f%% of %d lines (threshold %g%%)\n", pct, nrow(lines), threshold))
by_file <- covr:::per_line(cov)
files <- vapply(by_file, function(f) {
  hit <- f$coverage[!is.na(f$coverage)]
  if (length(hit)) 100 * mean(hit > 0) else 100
}, 0)
print(round(sort(files), 1))
zero <- covr::zero_coverage(cov)
if (nrow(zero)) {
  cat("lines never run:\n")
  print(zero[, c("filename", "line")], row.names = FALSE)
}
ok <- pct >= threshold
writeLines(sprintf("lines %.1f%%; threshold %g%%", pct, threshold), paste0(out, ".note"))
writeLines(paste(as.integer(ok), as.integer(!ok), 0), paste0(out, ".tsv"))
quit(status = if (ok) 0 else 1)
