# The snapshots in _snaps/ are the record of the messages users see: they
# run everywhere, not only where NOT_CRAN is set (testthat skips them
# "On CRAN" otherwise, and `make test` and R CMD check set no NOT_CRAN).
local_snapshots_everywhere <- function(.local_envir = parent.frame()) {
  withr::local_envvar(NOT_CRAN = "true", .local_envir = .local_envir)
}
