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
.rb$api <- NULL     # r_bridge.api, convert = TRUE
.rb$api_raw <- NULL # the same module, convert = FALSE (see rb_decode())
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
    .rb$api_raw <- reticulate::import("r_bridge.api", convert = FALSE)
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
  if (length(.rb$pending) && fn != "clear_session") {
    rb_transport("release", list(handles = as.list(rb_take_pending())))
  }
  rb_transport(fn, list(...))
}

# rb_transport() is on every call's path, so it does little R work (see
# bench/README.md): getOption() once, tested for NULL first; each api
# function is looked up once (`api[[fn]]` costs a Python attribute lookup
# plus a new R closure) and kept in `.rb$fns`; errors are turned into
# rbridge errors by one calling handler (cheaper than tryCatch()).
#' @importFrom reticulate py_to_r
rb_transport <- function(fn, args) {
  force(args) # R-side argument errors must not pass through the handler below
  transport <- getOption("rbridge.transport")
  if (!is.null(transport) && is.function(transport)) return(rb_transport_custom(transport, fn, args))
  f <- .rb$fns[[fn]]
  if (is.null(f)) f <- rb_api_fn(fn)
  if (is.function(f)) return(withCallingHandlers(f(args), error = rb_python_error))
  withCallingHandlers(py_to_r(.rb$py_call(f, NULL, args)), error = rb_python_error)
}

rb_transport_custom <- function(transport, fn, args) {
  if (is.null(.rb$api_version) && fn != "api_version") rb_check_transport(transport)
  withCallingHandlers(transport(fn, args), error = rb_python_error)
}

# Turn an error from Python (or a transport) into an rbridge error.
# rpy2 transports give messages in the same "<Type>: message" form.
rb_python_error <- function(e) {
  rb_abort(rb_python_message(e), class = c(rb_python_class(e), "rbridge_error_python"))
}

# What `.rb$fns` caches for api function `fn`: the Python function itself
# (a reticulate object, called with keyword arguments through `.rb$py_call`),
# or, for the array functions, an R function(args) that encodes and decodes.
.rb$fns <- new.env(parent = emptyenv())

rb_api_fn <- function(fn) {
  rb_api()
  if (is.null(.rb$py_call)) .rb$py_call <- rb_py_caller()
  f <- if (isTRUE(rb_is_array_fn[fn])) {
    raw <- .rb$api_raw[[fn]]
    function(args) rb_decode(do.call(raw, rb_encode(args)))
  } else {
    reticulate::py_get_attr(.rb$api, fn)
  }
  assign(fn, f, envir = .rb$fns)
  f
}

# function(callable, args, keywords) calling a Python callable. reticulate's
# own py_call_impl() when it has one with that signature: it skips the
# argument splitting of reticulate::py_call() and of the R closure that
# `api[[fn]]` returns (measured ~15 % of a clear_session(FALSE) call);
# else the exported reticulate::py_call().
rb_py_caller <- function() {
  impl <- tryCatch(utils::getFromNamespace("py_call_impl", "reticulate"), error = function(e) NULL)
  if (is.function(impl) && identical(names(formals(impl)), c("x", "args", "keywords"))) return(impl)
  function(x, args, keywords) do.call(reticulate::py_call, c(list(x), keywords))
}

# Arrays cross as plain values, not through reticulate's NumPy converter.
#
# reticulate 1.28 (Debian bookworm) is built for the NumPy 1 C API and
# refuses NumPy >= 2 ("Required version of NumPy not available"), in both
# directions. So for the api functions that take or return arrays, R arrays
# go to Python as nested lists (np.asarray() rebuilds them) and ndarrays
# come back through ravel(order = "F").tolist() and their shape. This works
# with any NumPy and keeps the contract's values (R arrays in and out).
rb_array_fns <- c("predict", "get_weights", "set_weights", "call")
rb_is_array_fn <- stats::setNames(rep(TRUE, length(rb_array_fns)), rb_array_fns)

rb_encode <- function(x) {
  if (is.list(x)) {
    out <- lapply(x, rb_encode)
    names(out) <- names(x)
    return(out)
  }
  if ((is.numeric(x) || is.logical(x)) && !is.null(dim(x))) {
    dims <- dim(x)
    flat <- if (length(dims) > 1L) as.vector(aperm(x)) else as.vector(x)
    return(rb_nest(flat, dims))
  }
  x
}

# A row-major vector to nested lists of the given dims.
rb_nest <- function(v, dims) {
  if (length(dims) == 1L) return(as.list(v))
  chunk <- prod(dims[-1L])
  lapply(seq_len(dims[1L]), function(i) rb_nest(v[(i - 1L) * chunk + seq_len(chunk)], dims[-1L]))
}

rb_decode <- function(obj) {
  if (!inherits(obj, "python.builtin.object")) return(obj)
  if (inherits(obj, "numpy.ndarray")) {
    shape <- as.integer(unlist(reticulate::py_to_r(obj$shape)))
    data <- reticulate::py_to_r(obj$ravel(order = "F")$tolist())
    if (is.list(data)) data <- unlist(data)
    if (!length(shape)) return(data)
    if (is.null(data)) data <- numeric()
    return(array(data, dim = shape))
  }
  if (inherits(obj, c("python.builtin.list", "python.builtin.tuple"))) {
    n <- reticulate::py_len(obj)
    return(lapply(seq_len(n), function(i) rb_decode(reticulate::py_get_item(obj, i - 1L))))
  }
  reticulate::py_to_r(obj)
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
