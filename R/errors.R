# Errors: how rbridge signals them, and which call they name.

# Signal an rbridge error (an rlang error of class "rbridge_error") from
# the user-facing call. `message` may have rlang bullets (names "i", "x",
# "*"); it is never interpolated, so Python messages with braces are safe.
rb_abort <- function(message, class = NULL, call = rb_user_call(), ...) {
  rlang::abort(message, class = c(class, "rbridge_error"), call = call, ...)
}

# The call of the outermost rbridge function on the stack, reduced to its
# name, e.g. `layer_dense()`. Frames that only evaluate user code
# (with_session(), with_config()) and anonymous closures (such as the one
# `model$count_params` returns) are skipped. Computed only on error.
rb_user_call <- function() {
  ns <- environment(rb_user_call)
  n <- sys.nframe() - 1L
  for (i in seq_len(n)) {
    env <- environment(sys.function(i))
    if (is.null(env) || !identical(topenv(env), ns)) next
    fn <- sys.call(i)[[1L]]
    if (is.call(fn) && identical(fn[[1L]], as.name("::"))) fn <- fn[[3L]]
    if (is.name(fn) && grepl("^(\\$|\\[\\[)", as.character(fn))) return(NULL)
    if (is.name(fn) && !as.character(fn) %in% c("with_session", "with_config")) {
      return(as.call(list(fn)))
    }
  }
  NULL
}

