# The one route from R to Python.
#
# rb_call(fn, ...) calls r_bridge.api.<fn>(...) through the Python
# dispatcher, dispatch(fn, args, releases): one crossing per user
# operation, which also gives back the handles that finalizers queued (see
# objects.R). The dispatcher never raises: it returns the value, or an error
# record (a list whose first name is ".rbridge_error") that rb_call() raises
# as a classed R error. No message is parsed.
#
# The dispatcher is reached through reticulate's public API (a Python
# function taken from the module with `$` is an R function on every
# reticulate version), or, when R is embedded in Python, through the
# function the host puts in options(rbridge.transport) (see ?rbridge_python).
#
# Interrupts are held back while a crossing runs (suspendInterrupts()): an
# interrupt that lands inside reticulate's C code crashes R (seen with
# reticulate 1.28); held back, it is taken as soon as the crossing returns.
#
# Ownership: each object record returned is one reference. The R object that
# wraps it claims the handle (rb_claim()); a handle not claimed by the time
# of the next crossing is given back in that crossing. So an operation cut
# short after Python answered (an interrupt, setTimeLimit(), an R error)
# leaves nothing held without an owner.

# Package state: the connection and the releases waiting for the next
# crossing. Not session state: that lives in Python.
.rb <- new.env(parent = emptyenv())
.rb$dispatch <- NULL     # function(fn, args, releases)
.rb$arrays <- NULL       # "native" (the host converts NumPy arrays) or "buffer"
.rb$inbox <- NULL        # the handle table's inbox$extend (reticulate transport)
.rb$pending <- character()
.rb$unclaimed <- character() # handles returned by the last crossing, not yet claimed
.rb$created <- 0         # R objects made (see objects.R), for the R collection strategy
.rb$finalized <- 0       # R objects finalized (their handle queued for release)

rb_call <- function(fn, ...) rb_cross(fn, list(...))

rb_cross <- function(fn, args) {
  force(args) # argument errors are the caller's, not the transport's
  dispatch <- .rb$dispatch
  if (is.null(dispatch)) dispatch <- rb_connect()
  none <- character()
  res <- suspendInterrupts({
    # Taken and emptied in one step each: a finalizer (R runs them between
    # any two expressions) that queues a handle meanwhile queues it for the
    # next crossing instead of into a queue about to be emptied.
    pending <- .rb$pending; .rb$pending <- none
    unclaimed <- .rb$unclaimed; .rb$unclaimed <- none
    # With reticulate, R's interrupt is also forwarded to Python, where it
    # can fire on entry to the dispatcher, losing that call's arguments. The
    # finalizers' queue (a collection can fill it with many handles) goes
    # first into the handle table's inbox through list.extend, C code where
    # no interrupt fires; the dispatcher drains it. A failed hand-over is
    # not repeated: a handle is never given back twice.
    if (length(pending) && !is.null(.rb$inbox)) {
      tryCatch(.rb$inbox(as.list(pending)), error = function(e) NULL)
      pending <- NULL
    }
    releases <- if (length(pending) || length(unclaimed)) c(pending, unclaimed)
    # A calling handler costs less than tryCatch() on this hot path. (If
    # Python is interrupted where the dispatcher cannot answer, on entry to
    # it or after it returned, R cannot tell which, so the releases are not
    # sent again: see the README's limits. reticulate 1.46 then raises an R
    # interrupt, 1.28 an error, which becomes "Calling Python failed".)
    res <- withCallingHandlers(dispatch(fn, args, releases), error = rb_raise_transport)
    if (is.list(res)) .rb$unclaimed <- rb_record_handles(res)
    res
  })
  if (is.list(res) && identical(names(res)[1L], ".rbridge_error")) rb_raise_python(res)
  res
}

# rb_call() for the functions that take or return arrays: R arrays in
# `...` are sent as the host can take them, arrays in the result come back
# as R arrays. Callers pass double arrays (see rb_as_array()).
rb_call_arrays <- function(fn, ...) {
  if (is.null(.rb$dispatch)) rb_connect()
  if (identical(.rb$arrays, "native")) return(rb_call(fn, ...))
  rb_buffers_out(rb_cross(fn, rb_buffers_in(list(...))))
}

# Queue handles to give back with the next crossing (finalizers).
rb_release_later <- function(handles) {
  .rb$pending <- c(.rb$pending, handles)
  invisible()
}

# The R object that keeps a record's reference claims its handle (one
# occurrence: each record is one reference).
rb_claim <- function(handle) {
  i <- match(handle, .rb$unclaimed)
  if (!is.na(i)) .rb$unclaimed <- .rb$unclaimed[-i]
  invisible()
}

# The handles of the object records in a result (records: lists whose
# "handle" is a string; they may sit in lists and named lists).
rb_record_handles <- function(x) {
  if (!is.list(x) || inherits(x, "error")) return(character())
  h <- x[["handle"]]
  if (is.character(h) && length(h) == 1L) return(h)
  if (!length(x)) return(character())
  unlist(lapply(x, rb_record_handles), use.names = FALSE) %||% character()
}

# Error record -> R condition. The Python class becomes an R class
# ("rbridge_python_ValueError"); an interrupt stays an interrupt.
rb_raise_python <- function(rec) {
  # Under a host transport (rpy2), an R interrupt would be swallowed: the
  # error unwinds to the host, which raises the Python interrupt again.
  if (rec[[1L]] %in% c("KeyboardInterrupt", "SystemExit") &&
      !identical(.rb$python$source, "rbridge.transport")) {
    rlang::interrupt()
  }
  rb_abort(rec[["message"]],
           class = c(paste0("rbridge_python_", unlist(rec[["classes"]])), "rbridge_error_python"),
           argument = rec[["argument"]], python_class = rec[[1L]])
}

rb_raise_transport <- function(e) {
  rb_abort(c("Calling Python failed.", x = conditionMessage(e)),
           class = "rbridge_error_python", parent = e)
}

# ---------------------------------------------------------------- arrays
# reticulate converts R arrays to NumPy and back only when it was built for
# the NumPy at hand (1.28 refuses NumPy 2; 1.38 and later take it). Without
# that, an array crosses as one buffer: its doubles' bytes in R's
# column-major order, dims alongside (r_bridge/bridge/arrays.py reads it).
rb_numpy_native <- function() {
  tryCatch(inherits(reticulate::r_to_py(matrix(0, 1L, 1L)), "numpy.ndarray"),
           error = function(e) FALSE)
}

rb_array_key <- "__rbridge_array__"

rb_buffers_in <- function(x) {
  if (is.double(x) && !is.null(dim(x))) {
    return(stats::setNames(list(writeBin(as.vector(x), raw(), endian = "little"), dim(x)),
                           c(rb_array_key, "dim")))
  }
  if (is.list(x) && !is.object(x)) {
    out <- lapply(x, rb_buffers_in)
    names(out) <- names(x)
    return(out)
  }
  x
}

rb_buffers_out <- function(x) {
  if (!is.list(x)) return(x)
  buf <- x[[rb_array_key]]
  if (!is.null(buf)) {
    v <- readBin(buf, "double", n = length(buf) %/% 8L, size = 8L, endian = "little")
    dims <- unlist(x[["dim"]])
    if (length(dims)) dim(v) <- dims
    return(v)
  }
  out <- lapply(x, rb_buffers_out)
  names(out) <- names(x)
  out
}
