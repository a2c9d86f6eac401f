# Run by test-errors.R in a child R: a real SIGINT lands between rlang's
# options() and defer() while rb_abort() raises (see that test).
hook <- new.env()
hook$armed <- FALSE
suppressMessages(trace("defer", where = asNamespace("rlang"), print = FALSE, tracer = bquote({
  if (isTRUE(get("armed", envir = .(hook)))) {
    assign("armed", FALSE, envir = .(hook))
    tools::pskill(Sys.getpid(), tools::SIGINT)
    for (i in 1:100000) NULL # R takes a pending interrupt in loops
  }
})))
user_fn <- function(object) {
  hook$armed <- TRUE
  rbridge:::rb_abort("boom")
}
seen <- character()
tryCatch({
  tryCatch(user_fn(new.env()), rbridge_error = function(e) seen <<- c(seen, "error"))
  for (i in 1:100000) NULL
}, interrupt = function(c) seen <<- c(seen, "interrupt"))
cat("armed:", hook$armed, "\n")
cat("seen:", seen, "\n")
cat("frame_option_null:", is.null(getOption("rlang:::error_frame")), "\n")
