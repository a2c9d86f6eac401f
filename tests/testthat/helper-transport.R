# Run `code` with the crossing routed through `dispatch` (a function(fn,
# args, releases)), as a host transport would be; restores the connection.
local_dispatch <- function(dispatch, arrays = "native", .local_envir = parent.frame()) {
  rb <- rbridge:::.rb
  old <- mget(c("dispatch", "arrays"), envir = rb)
  withr::defer(list2env(old, envir = rb), envir = .local_envir)
  rb$dispatch <- dispatch
  rb$arrays <- arrays
  invisible()
}

# The reticulate dispatcher of the running session (connecting if needed).
real_dispatch <- function() {
  rbridge_python()
  reticulate::import("r_bridge.api")$dispatch
}

# Run R code in a fresh Rscript with this session's libraries; returns
# list(status, out) (stdout and stderr together).
run_r <- function(code, env = character()) {
  rscript <- file.path(R.home("bin"), "Rscript")
  out <- suppressWarnings(system2(rscript, c("-e", shQuote(code)), stdout = TRUE, stderr = TRUE,
                                  env = c(paste0("R_LIBS=", paste(.libPaths(), collapse = ":")), env)))
  list(status = attr(out, "status") %||% 0L, out = paste(out, collapse = "\n"))
}
