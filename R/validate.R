# Argument checks and conversions done in R, before anything crosses to
# Python. Each returns the (possibly converted) value or signals an
# "rbridge_error_argument" naming the argument and the user's function:
#   Error in `layer_dense()`:
#   ! `units` must be a whole number, not the string "a".
# Callers pass `call = caller_env()`-style frames implicitly: errors name
# rb_user_call(), the function the user called.

# A short description of a value for messages; long values are cut.
rb_describe <- function(x) {
  if (is.null(x)) return("NULL")
  if (inherits(x, "rbridge_object")) {
    return(sprintf("a %s %s", rb_field(x, "class"), rb_field(x, "kind")))
  }
  if (is.data.frame(x)) return("a data frame")
  if (is.function(x)) return("a function")
  if (is.environment(x)) return("an environment")
  if (is.atomic(x) && is.null(dim(x)) && length(x) == 1L) {
    if (is.na(x)) return(if (is.logical(x)) "`NA`" else sprintf("`%s`", format(x)))
    if (is.character(x)) {
      shown <- encodeString(rb_cut(x, 60L), quote = "\"")
      return(sprintf("the string %s", shown))
    }
    if (is.logical(x)) return(sprintf("`%s`", x))
    if (is.numeric(x)) return(sprintf("the number %s", format(x, digits = 15L)))
  }
  type <- if (is.list(x)) "list" else if (is.matrix(x)) "matrix" else if (is.array(x)) "array" else
    paste(switch(typeof(x), double = "numeric", integer = "integer", typeof(x)), "vector")
  article <- if (grepl("^[aeiou]", type)) "an" else "a"
  if (length(x) == 0L) return(paste("an empty", type))
  sprintf("%s %s of length %d", article, type, length(x))
}

rb_is_whole <- function(x) is.finite(x) & x == trunc(x) & abs(x) <= .Machine$integer.max

# TRUE or FALSE (keras3's flags; NA is refused: reticulate would make it True).
rb_check_flag <- function(x, arg) {
  if (!is.logical(x) || length(x) != 1L || is.na(x) || !is.null(dim(x))) {
    rb_abort_arg(x, arg, "`TRUE` or `FALSE`")
  }
  as.vector(x)
}

# A single string (or NULL with null_ok).
rb_check_string <- function(x, arg, null_ok = FALSE) {
  if (null_ok && is.null(x)) return(NULL)
  if (!is.character(x) || length(x) != 1L || is.na(x) || !is.null(dim(x))) {
    rb_abort_arg(x, arg, if (null_ok) "a single string or `NULL`" else "a single string")
  }
  as.vector(x)
}

# A finite number.
rb_check_number <- function(x, arg) {
  if (!is.numeric(x) || length(x) != 1L || !is.finite(x) || !is.null(dim(x))) {
    rb_abort_arg(x, arg, "a finite number")
  }
  as.double(x)
}

# keras3's as_integer(): numbers become integers (784 -> 784L); NULL stays
# NULL; other types pass unchanged, for Python to judge with Keras's message.
# Unlike as.integer(), a number that is not whole (or NA, or too large) is
# an error instead of being truncated.
rb_as_integer <- function(x, arg) {
  if (is.null(x) || !is.numeric(x) || is.object(x)) return(x)
  if (!length(x) || !all(rb_is_whole(x))) {
    rb_abort_arg(x, arg, if (length(x) == 1L) "a whole number" else "whole numbers")
  }
  as.vector(if (is.integer(x)) x else as.integer(x))
}

# keras3's normalize_shape(): a vector or list of whole numbers, NA (or NULL
# in a list) for an unknown size, to a list (a Python tuple) with NULL for
# unknown sizes. NULL stays NULL.
rb_as_shape <- function(x, arg) {
  if (is.null(x)) return(NULL)
  dims <- if (is.list(x)) unclass(x) else x
  ok <- (is.list(dims) || is.numeric(dims) || (is.logical(dims) && all(is.na(dims)))) &&
    is.null(dim(dims)) && !inherits(x, "data.frame")
  if (ok) {
    dims <- lapply(dims, function(d) {
      if (is.null(d) || (length(d) == 1L && is.atomic(d) && is.na(d))) return(NULL)
      if (!is.numeric(d) || length(d) != 1L || !rb_is_whole(d) || d < 0) {
        ok <<- FALSE
        return(NULL)
      }
      as.integer(d)
    })
  }
  if (!ok) rb_abort_arg(x, arg, "a vector of whole numbers (`NA` for an unknown size)")
  dims
}

# Values that may cross to Python in `...`: NULL, vectors, lists of them,
# and rbridge objects. Anything else gets a clear error naming the
# argument, instead of a NumPy, pandas or reticulate message. R functions
# are refused: Python would hold an R closure that holds Python objects, a
# cycle that neither garbage collector can see whole, so neither frees it.
rb_check_plain <- function(x, arg) {
  if (is.null(x) || inherits(x, c("rbridge_object", "keras_shape"))) return(invisible(x))
  if (is.function(x)) {
    rb_cli_abort(c("{.arg {arg}} can't be an R function.",
                   i = "Pass the name of a Keras built-in instead (e.g. {.val glorot_uniform}).",
                   i = paste("Python holding an R function that holds Python objects is a reference cycle",
                             "neither side can free.")),
                 class = "rbridge_error_argument", argument = arg)
  }
  if (is.atomic(x) && is.null(dim(x)) && !is.object(x)) {
    if (is.complex(x) || is.raw(x)) rb_abort_arg(x, arg, "a number, string, logical or `NULL`")
    if (anyNA(x)) {
      # reticulate would send a logical NA as True, and NA_character_ as "NA".
      rb_cli_abort("{.arg {arg}} can't be or contain {.code NA}.", class = "rbridge_error_argument",
                   argument = arg)
    }
    return(invisible(x))
  }
  if (is.list(x) && !is.object(x)) {
    for (i in seq_along(x)) rb_check_plain(x[[i]], sprintf("%s[[%d]]", arg, i))
    return(invisible(x))
  }
  rb_abort_arg(x, arg, "a number, string, logical, list or `NULL`")
}

# `dtype`: a string (Keras's own message for anything else).
rb_check_dtype <- function(x, arg = "dtype") {
  if (is.null(x)) return(NULL)
  if (!is.character(x) || length(x) != 1L || is.na(x)) {
    what <- rb_describe(x)
    rb_cli_abort("Cannot interpret {.arg {arg}} argument. Expected a string. Received: {arg}={what}",
                 class = "rbridge_error_argument", argument = arg)
  }
  x
}

# The arguments the caller was called with (as keras3's capture_args():
# only those the user supplied, so Python's defaults apply), evaluated,
# converted by `modifiers` (a list of functions(value, arg)) and checked.
# `ignore`: arguments not passed on. `...` must be named.
rb_capture_args <- function(modifiers = list(), ignore = "object") {
  fn <- sys.function(-1L)
  env <- parent.frame()
  call <- match.call(fn, sys.call(-1L), expand.dots = FALSE, envir = parent.frame(2L))
  formal_names <- names(formals(fn))
  supplied <- setdiff(intersect(as.character(names(call)[-1L]), formal_names), c(ignore, "..."))
  args <- mget(supplied, envir = env)
  if ("..." %in% formal_names) {
    dots <- eval(quote(rlang::list2(...)), env) # a trailing empty argument is allowed, as keras3
    nms <- names(dots)
    if (length(dots) && (is.null(nms) || any(!nzchar(nms)))) {
      rb_cli_abort("All arguments in {.arg ...} must be named.",
                   class = "rbridge_error_argument", argument = "...")
    }
    args <- c(args, dots[setdiff(nms, ignore)])
  }
  for (nm in names(args)) {
    mod <- modifiers[[nm]]
    if (!is.null(mod)) args[nm] <- list(mod(args[[nm]], nm))
    rb_check_plain(args[[nm]], nm)
  }
  args
}

# keras3's per-argument conversions, by argument name, shared by every
# layer function.
rb_layer_modifiers <- list(
  units = rb_as_integer, seed = rb_as_integer, batch_size = rb_as_integer,
  lora_rank = rb_as_integer, lora_alpha = rb_as_integer,
  input_shape = rb_as_shape, batch_input_shape = rb_as_shape, noise_shape = rb_as_shape,
  trainable = rb_check_flag, dtype = function(x, arg) rb_check_dtype(x, arg),
  activation = function(x, arg) rb_as_activation(x, arg)
)

rb_input_modifiers <- list(
  shape = rb_as_shape, batch_shape = rb_as_shape, batch_size = rb_as_integer,
  dtype = function(x, arg) rb_check_dtype(x, arg), sparse = rb_check_flag, ragged = rb_check_flag,
  optional = rb_check_flag, name = function(x, arg) rb_check_string(x, arg, null_ok = TRUE)
)
rb_sequential_modifiers <- list(
  input_shape = rb_as_shape, input_batch_shape = rb_as_shape, input_batch_size = rb_as_integer,
  input_dtype = function(x, arg) rb_check_dtype(x, arg), input_sparse = rb_check_flag,
  input_ragged = rb_check_flag, input_optional = rb_check_flag, trainable = rb_check_flag,
  name = function(x, arg) rb_check_string(x, arg, null_ok = TRUE),
  input_name = function(x, arg) rb_check_string(x, arg, null_ok = TRUE)
)
