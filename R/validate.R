# Argument checks done in R, before anything crosses to Python.
#
# Each check returns the (possibly converted) value, or signals an error that
# names the argument and says what was expected, e.g.
#   `free_memory` must be TRUE or FALSE, not the string "yes".
# The error is reported against the user-facing rbridge function (see
# rb_user_call()), never against these helpers.

# A short description of a value for error messages.
rb_describe <- function(x) {
  if (is.null(x)) return("NULL")
  if (inherits(x, "rbridge_object")) {
    return(sprintf("a %s %s", .subset2(x, "class"), .subset2(x, "kind")))
  }
  if (is.data.frame(x)) return("a data frame")
  if (is.function(x)) return("a function")
  if (is.environment(x)) return("an environment")
  if (is.atomic(x) && is.null(dim(x)) && length(x) == 1L) {
    if (is.na(x)) return(if (is.logical(x)) "`NA`" else sprintf("`%s`", format(x)))
    if (is.character(x)) return(sprintf("the string %s", encodeString(x, quote = "\"")))
    if (is.logical(x)) return(sprintf("`%s`", x))
    if (is.numeric(x)) return(format(x, digits = 15L))
  }
  type <- if (is.list(x)) "list" else if (is.matrix(x)) "matrix" else if (is.array(x)) "array" else
    paste(switch(typeof(x), double = "numeric", integer = "integer", typeof(x)), "vector")
  article <- if (grepl("^[aeiou]", type)) "an" else "a"
  if (length(x) == 0L) return(paste("an empty", type))
  sprintf("%s %s of length %d", article, type, length(x))
}

rb_bad_arg <- function(arg, expected, x) {
  rb_abort(sprintf("`%s` must be %s, not %s.", arg, expected, rb_describe(x)),
           class = "rbridge_error_argument", argument = arg)
}

check_flag <- function(x, arg = deparse(substitute(x))) {
  if (!is.logical(x) || length(x) != 1L || is.na(x) || !is.null(dim(x))) {
    rb_bad_arg(arg, "TRUE or FALSE", x)
  }
  as.vector(x)
}

check_string <- function(x, arg = deparse(substitute(x)), null_ok = FALSE) {
  if (null_ok && is.null(x)) return(NULL)
  if (!is.character(x) || length(x) != 1L || is.na(x)) {
    rb_bad_arg(arg, if (null_ok) "a single string or NULL" else "a single string", x)
  }
  as.vector(x)
}

is_whole_number <- function(x) {
  is.numeric(x) && length(x) == 1L && !is.na(x) && is.finite(x) && x == trunc(x)
}

# A whole number >= `min` (1 by default), returned as an integer.
check_whole <- function(x, arg = deparse(substitute(x)), min = 1L) {
  expected <- if (min == 1L) "a positive whole number" else
    if (min == 0L) "a non-negative whole number" else sprintf("a whole number >= %d", min)
  if (!is_whole_number(x) || x < min || abs(x) > .Machine$integer.max) {
    rb_bad_arg(arg, expected, x)
  }
  as.integer(x)
}

# A finite number in [lower, upper) (or [lower, upper] with upper_open = FALSE).
check_number <- function(x, arg = deparse(substitute(x)), lower = -Inf, upper = Inf,
                         upper_open = FALSE) {
  ok <- is.numeric(x) && length(x) == 1L && !is.na(x) && is.finite(x) && is.null(dim(x)) &&
    x >= lower && (if (upper_open) x < upper else x <= upper)
  if (!ok) {
    range <- if (is.finite(lower) && is.finite(upper)) {
      sprintf(" in [%s, %s%s", format(lower), format(upper), if (upper_open) ")" else "]")
    } else if (is.finite(lower)) {
      if (lower == 0) " >= 0" else sprintf(" >= %s", format(lower))
    } else ""
    rb_bad_arg(arg, paste0("a number", range), x)
  }
  as.double(x)
}

# A shape: a vector of positive whole numbers, NA (or NULL in a list) for an
# unknown dimension. Returned as a list (a Python list, with None for NA).
check_shape <- function(x, arg = deparse(substitute(x))) {
  bad <- function() rb_bad_arg(arg, "a vector of positive whole numbers (NA for unknown)", x)
  if (is.list(x)) {
    if (!all(vapply(x, function(d) is.null(d) || (length(d) == 1L && (is.na(d) || is_whole_number(d))), TRUE))) bad()
    x <- vapply(x, function(d) if (is.null(d)) NA_real_ else as.double(d), 1)
  }
  if (!(is.numeric(x) || (is.logical(x) && all(is.na(x)))) || length(x) == 0L) bad()
  known <- x[!is.na(x)]
  if (any(!is.finite(known)) || any(known != trunc(known)) || any(known < 1) ||
      any(known > .Machine$integer.max)) bad()
  lapply(as.vector(x), function(d) if (is.na(d)) NULL else as.integer(d))
}

# Extra arguments passed through `...` must all be named.
check_dots_named <- function(dots, arg = "...") {
  if (length(dots) && (is.null(names(dots)) || any(names(dots) == ""))) {
    rb_abort(sprintf("All arguments in `%s` must be named.", arg),
             class = "rbridge_error_argument", argument = arg)
  }
  dots
}

check_dots_empty <- function(dots) {
  if (length(dots)) {
    nms <- names(dots)
    if (is.null(nms)) nms <- rep("", length(dots))
    shown <- ifelse(nms == "", sprintf("..%d", seq_along(dots)), nms)
    rb_abort(sprintf("Unsupported argument%s: %s.", if (length(dots) > 1) "s" else "",
                     paste0("`", shown, "`", collapse = ", ")),
             class = "rbridge_error_argument", argument = "...")
  }
  invisible()
}
