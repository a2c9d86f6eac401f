# The one route from R to Python.
#
# rb_call(fn, ...) calls r_bridge.api.<fn>(...) with named arguments and
# returns plain R values. Default transport: reticulate, with the api module
# imported once and cached in `.rb$api` (the only reticulate object kept
# between calls). If getOption("rbridge.transport") is a function
# function(fn, args), it is used instead and reticulate is never touched:
# that is how R embedded in Python (rpy2) reaches the host's Python.
#
# Handle releases queued by finalizers (see handles.R) are flushed here,
# before the call, in one api$release() call (clear_session() passes them
# itself).

# Package state: cached module, pending releases, counters. Not session
# state: that lives in Python.
.rb <- new.env(parent = emptyenv())
.rb$api <- NULL
.rb$api_version <- NULL
.rb$python <- NULL
.rb$pending <- integer()
.rb$created <- 0   # R handle objects made
.rb$finalized <- 0 # R handle objects finalized (their handle queued for release)

# The cached r_bridge.api module (reticulate transport only).
rb_api <- function() {
  api <- .rb$api
  if (is.null(api)) {
    api <- rb_python_init()
    .rb$api <- api
  }
  api
}

# Take the handles waiting for release (and forget them).
rb_take_pending <- function() {
  pending <- .rb$pending
  .rb$pending <- integer()
  pending
}

rb_call <- function(fn, ...) {
  args <- list(...)
  if (length(.rb$pending) && fn != "clear_session") {
    rb_transport("release", list(handles = as.list(rb_take_pending())))
  }
  rb_transport(fn, args)
}

rb_transport <- function(fn, args) {
  transport <- getOption("rbridge.transport")
  if (is.function(transport)) {
    if (is.null(.rb$api_version) && fn != "api_version") rb_check_transport(transport)
    return(tryCatch(
      transport(fn, args),
      error = function(e) rb_abort(rb_python_message(e), class = "rbridge_error_python")
    ))
  }
  api <- rb_api()
  tryCatch(
    do.call(api[[fn]], args),
    error = function(e) {
      rb_abort(rb_python_message(e), class = c(rb_python_class(e), "rbridge_error_python"))
    }
  )
}

# The Python exception's message without type prefix, traceback or
# reticulate's hints: "ValueError: Received ...\n" -> "Received ...".
rb_python_message <- function(e) {
  msg <- conditionMessage(e)
  msg <- sub("\n*(Detailed traceback|Run `reticulate::py_last_error\\(\\)`).*$", "", msg)
  msg <- sub("\\s+$", "", msg)
  if (grepl("^KeyError: '.*'$", msg)) return(sub("^KeyError: '(.*)'$", "\\1", msg))
  sub("^[A-Za-z_][A-Za-z0-9_.]*(Error|Exception|Warning): ", "", msg)
}

# A condition class naming the Python exception type, e.g.
# "rbridge_python_ValueError".
rb_python_class <- function(e) {
  type <- regmatches(conditionMessage(e),
                     regexpr("^[A-Za-z_][A-Za-z0-9_.]*(Error|Exception)(?=: )",
                             conditionMessage(e), perl = TRUE))
  if (length(type)) paste0("rbridge_python_", sub("^.*\\.", "", type)) else NULL
}
