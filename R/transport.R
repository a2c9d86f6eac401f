# The one route from R to Python.
#
# rb_call(fn, ...) calls r_bridge.api.<fn>(...) through the Python
# dispatcher, dispatch(fn, args, releases): one crossing per user
# operation, which also gives back the handles that finalizers queued (see
# objects.R). The dispatcher never raises: it returns the value, or an error
# record (a list whose first name is ".rbridge_error") that rb_call() raises
# as a classed R error. No message is parsed.
#
# The dispatcher is reached through reticulate (rb_py_function(), python.R),
# or, when R is embedded in Python, through the function the host puts in
# options(rbridge.transport) (see ?rbridge_python).
#
# Interrupts are held back while a crossing runs (suspendInterrupts()): an
# interrupt that lands inside reticulate's C code crashes R (seen with
# reticulate 1.28); held back, it is taken as soon as the crossing returns.
#
# Handles (references to Python objects) are given back by the crossing
# that follows, one way: see handles.R.

# The connection (the handle queue's state is in handles.R).
.rb$dispatch <- NULL     # function(fn, args, releases)
.rb$arrays <- NULL       # "native" (the host converts NumPy arrays) or "buffer"

rb_call <- function(fn, ..., .call = rlang::caller_env()) rb_cross(fn, list(...), .call)

# rb_call() whose result has objects: they come back as R objects (layers,
# models, tensors), made before interrupts are allowed again. `.same`: an R
# object the result may be (see rb_take()).
rb_call_object <- function(fn, ..., .call = rlang::caller_env(), .same = NULL) {
  rb_cross(fn, list(...), .call, wrap = TRUE, same = .same)
}

# `call`: the frame (or call) errors are reported against, rlang's idiom;
# by default the caller's. `wrap`, `same`: see rb_take().
rb_cross <- function(fn, args, call = rlang::caller_env(), wrap = FALSE, same = NULL) {
  force(args) # argument errors are the caller's, not the transport's
  dispatch <- .rb$dispatch
  if (is.null(dispatch)) dispatch <- rb_connect(call)
  res <- suspendInterrupts({
    releases <- if (length(.rb$queue) || length(.rb$unclaimed)) rb_hand_over()
    # A calling handler costs less than tryCatch() on this hot path. (If
    # Python is interrupted where the dispatcher cannot answer, on entry to
    # it or after it returned, R cannot tell which, so the releases are not
    # sent again: see the README's limits. reticulate 1.46 then raises an R
    # interrupt, 1.28 an error, which becomes "Calling Python failed".)
    res <- withCallingHandlers(dispatch(fn, args, releases),
                               error = function(e) rb_raise_transport(e, call))
    if (is.list(res)) rb_take(res, wrap, same) else res
  })
  if (is.list(res) && !is.null(.subset2(res, ".rbridge_error")) && identical(names(res)[1L], ".rbridge_error")) {
    rb_raise_python(res, call)
  }
  res
}

# rb_call() for the functions that take or return arrays: R arrays in
# `...` are sent as the host can take them, arrays in the result come back
# as R arrays. Callers pass double arrays (see rb_as_array()). `.wrap`:
# objects in the result come back as R objects (see rb_call_object()).
rb_call_arrays <- function(fn, ..., .call = rlang::caller_env(), .wrap = FALSE) {
  if (is.null(.rb$dispatch)) rb_connect(.call)
  if (identical(.rb$arrays, "native")) return(rb_cross(fn, list(...), .call, wrap = .wrap))
  rb_buffers_out(rb_cross(fn, rb_buffers_in(list(...)), .call, wrap = .wrap))
}

# Error record -> R condition. The Python class becomes an R class
# ("rbridge_python_ValueError"); an interrupt stays an interrupt.
rb_raise_python <- function(rec, call = rlang::caller_env()) {
  # Under a host transport (rpy2), an R interrupt would be swallowed: the
  # error unwinds to the host, which raises the Python interrupt again.
  if (rec[[1L]] %in% c("KeyboardInterrupt", "SystemExit") &&
      !identical(.rb$python$source, "rbridge.transport")) {
    rlang::interrupt()
  }
  # Python cut the message by the same rule (errors.R): not cut again.
  rb_abort(rec[["message"]], cut = FALSE,
           class = c(paste0("rbridge_python_", unlist(rec[["classes"]])), "rbridge_error_python"),
           argument = rec[["argument"]], python_class = rec[[1L]], call = call)
}

rb_raise_transport <- function(e, call = rlang::caller_env()) {
  rb_abort(c("Calling Python failed.", x = conditionMessage(e)),
           class = "rbridge_error_python", parent = e, call = call)
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
