# Errors: how rbridge signals them, and which call they name.
#
# Every error is an rlang error of class "rbridge_error" (plus a class
# saying what kind: "rbridge_error_argument", "rbridge_error_python",
# "rbridge_python_<PythonClass>"), reported against the function the user
# called, as keras3's are: ``Error in `layer_dense()`:`` then `! ...`.

# Longest message line kept (a Python message can echo a 1 MB value).
rb_max_message <- 500L

# Signal an rbridge error from `call` (by default the user's call, see
# rb_user_call()). `message` may have rlang bullets (names "i", "x", "*").
# It is never interpolated, so Python messages with braces are safe; lines
# longer than `rb_max_message` characters are cut.
rb_abort <- function(message, class = NULL, call = rb_user_call(), ...) {
  rlang::abort(rb_cut(message, rb_max_message), class = c(class, "rbridge_error"), call = call, ...)
}

# Cut each element of `x` to `n` characters, saying how much was left out.
rb_cut <- function(x, n) {
  long <- !is.na(x) & nchar(x, type = "chars", allowNA = TRUE) > n
  long[is.na(long)] <- FALSE
  if (any(long)) {
    x[long] <- vapply(x[long], function(s) {
      sprintf("%s... [%d more characters]", substr(s, 1L, n), nchar(s) - n)
    }, "")
  }
  x
}

# Our own messages, written with cli markup (`{.arg {arg}}`); values are
# always interpolated as variables, never pasted into the template.
rb_cli_abort <- function(message, class = NULL, call = rb_user_call(), ..., .envir = parent.frame()) {
  cli::cli_abort(message, class = c(class, "rbridge_error"), call = call, ..., .envir = .envir)
}

# An argument error: `arg` must be `expected`, not <what x is>.
rb_abort_arg <- function(x, arg, expected, call = rb_user_call()) {
  what <- rb_describe(x)
  rb_cli_abort("{.arg {arg}} must be {expected}, not {what}.",
               class = "rbridge_error_argument", call = call, argument = arg)
}

# The call of the function the user called: the innermost frame running an
# exported rbridge function, an S3 method of ours (reported as the generic
# the user typed, e.g. `predict()`), or a layer/model object (`dense()`).
# Innermost, so that code run by with_session() reports its own calls, and
# in `model |> layer_dense(units = "a") |> layer_activation("relu")` the
# error names layer_dense(): its frame runs inside layer_activation()'s
# while `object` is forced. Computed only on error.
rb_user_call <- function() {
  ns <- environment(rb_user_call)
  exports <- getNamespaceExports(ns)
  for (i in rev(seq_len(sys.nframe() - 1L))) {
    fn <- sys.function(i)
    call <- sys.call(i)
    if (inherits(fn, "rbridge_object")) return(call)
    env <- environment(fn)
    if (is.null(env) || !identical(topenv(env), ns)) next
    head <- call[[1L]]
    if (is.call(head) && identical(head[[1L]], as.name("::"))) head <- head[[3L]]
    if (!is.name(head)) next
    name <- as.character(head)
    if (name %in% exports) return(call)
    generic <- sub("\\.(rbridge_[a-z]+|keras_shape)$", "", name)
    if (generic != name && generic %in% c("Ops", "Math")) {
      # A group method (R's operators on tensors, see ops.R): the operator.
      call[[1L]] <- as.name(get(".Generic", envir = sys.frame(i)))
      return(call)
    }
    if (generic != name && generic %in% rb_generics) {
      # An S3 method's frame: report the generic's call, as the user typed it.
      outer <- if (i > 1L) sys.call(i - 1L) else NULL
      if (is.call(outer) && identical(outer[[1L]], as.name(generic))) return(outer)
      call[[1L]] <- as.name(generic)
      return(call)
    }
  }
  NULL
}

# Generics whose rbridge methods report errors as the user's call.
rb_generics <- c("predict", "summary", "format", "print", "str", "length", "$", "[[", "$<-", "[[<-")
