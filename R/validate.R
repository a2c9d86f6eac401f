# Argument checks and conversions done in R, before anything crosses to
# Python. Each returns the (possibly converted) value or signals an
# "rbridge_error_argument" naming the argument and the user's function:
#   Error in `layer_dense()`:
#   ! `units` must be a whole number, not the string "a".
# rlang's idiom: check(x, arg = caller_arg(x), call = caller_env()). Called
# from an exported function, the defaults name its argument and its call;
# from a helper, the exported function's `call` is passed down.

# A short description of a value for messages (a long string is described,
# not echoed).
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
      n <- nchar(x, type = "chars", allowNA = TRUE)
      if (is.na(n) || n > 60L) return(sprintf("a string of %s characters", if (is.na(n)) "invalid" else n))
      return(sprintf("the string %s", encodeString(x, quote = "\"")))
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
rb_check_flag <- function(x, arg = rlang::caller_arg(x), call = rlang::caller_env()) {
  if (!is.logical(x) || length(x) != 1L || is.na(x) || !is.null(dim(x))) {
    rb_abort_arg(x, arg, "`TRUE` or `FALSE`", call = call)
  }
  as.vector(x)
}

# A single string (or NULL with null_ok).
rb_check_string <- function(x, arg = rlang::caller_arg(x), null_ok = FALSE, call = rlang::caller_env()) {
  if (null_ok && is.null(x)) return(NULL)
  if (!is.character(x) || length(x) != 1L || is.na(x) || !is.null(dim(x))) {
    rb_abort_arg(x, arg, if (null_ok) "a single string or `NULL`" else "a single string", call = call)
  }
  as.vector(x)
}

# A name for a layer or input (or NULL): Keras's rule and wording.
rb_check_name <- function(x, arg = rlang::caller_arg(x), call = rlang::caller_env()) {
  x <- rb_check_string(x, arg, null_ok = TRUE, call = call)
  if (!is.null(x) && grepl("/", x, fixed = TRUE)) {
    shown <- rb_cut(x)
    rb_cli_abort("Argument {.arg {arg}} must be a string and cannot contain character `/`. Received: {arg}={shown}",
                 class = "rbridge_error_argument", call = call, argument = arg)
  }
  x
}

# A finite number (with min: at least `min`).
rb_check_number <- function(x, arg = rlang::caller_arg(x), min = -Inf, call = rlang::caller_env()) {
  if (!is.numeric(x) || length(x) != 1L || !is.finite(x) || !is.null(dim(x)) || x < min) {
    rb_abort_arg(x, arg, if (min == 0) "a finite, non-negative number" else "a finite number", call = call)
  }
  as.double(x)
}

# keras3's as_integer(): numbers become integers (784 -> 784L); NULL stays
# NULL; other types pass unchanged, for Python to judge with Keras's message.
# Unlike as.integer(), a number that is not whole (or NA, or too large) is
# an error instead of being truncated.
rb_as_integer <- function(x, arg = rlang::caller_arg(x), call = rlang::caller_env()) {
  if (is.double(x) && length(x) == 1L && is.null(attributes(x)) && is.finite(x) && x == trunc(x) &&
      abs(x) <= .Machine$integer.max) {
    return(as.integer(x)) # the usual case (units = 10), kept short
  }
  if (!is.double(x)) {
    if (is.integer(x) && !is.object(x)) {
      if (!length(x) || anyNA(x)) {
        rb_abort_arg(x, arg, if (length(x) == 1L) "a whole number" else "whole numbers", call = call)
      }
      return(as.vector(x))
    }
    return(x)
  }
  if (is.object(x)) return(x)
  if (!length(x) || !all(rb_is_whole(x))) {
    rb_abort_arg(x, arg, if (length(x) == 1L) "a whole number" else "whole numbers", call = call)
  }
  as.integer(x)
}

# keras3's normalize_shape(): a vector, matrix or list of whole numbers, NA
# (or NULL in a list) for an unknown size, to a list (a Python tuple) with
# NULL for unknown sizes. NULL stays NULL.
rb_as_shape <- function(x, arg = rlang::caller_arg(x), call = rlang::caller_env()) {
  if (is.null(x)) return(NULL)
  dims <- if (is.list(x)) unclass(x) else x
  if (is.atomic(dims) && !is.object(dims)) dims <- as.vector(dims) # shape = matrix(4), as keras3
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
  if (!ok) rb_abort_arg(x, arg, "a vector of whole numbers (`NA` for an unknown size)", call = call)
  dims
}

# Values that may cross to Python as arguments: NULL, vectors, lists of
# them, and rbridge objects, which become references to their Python
# objects (`list(__rbridge_object__ = handle)`: keras3 passes the Python
# object). Returns the value to send. Anything else gets a clear error
# naming the argument, instead of a NumPy, pandas or reticulate message. R
# functions are refused: Python would hold an R closure that holds Python
# objects, a cycle that neither garbage collector can see whole, so neither
# frees it.
rb_check_plain <- function(x, arg = rlang::caller_arg(x), call = rlang::caller_env()) {
  if (is.atomic(x) && is.null(attributes(x)) && !anyNA(x) && !is.complex(x) && !is.raw(x)) return(x)
  if (is.null(x) || inherits(x, "keras_shape")) return(x)
  if (inherits(x, "rbridge_object")) return(rb_object_arg(x))
  if (is.function(x)) {
    rb_cli_abort(c("{.arg {arg}} can't be an R function.",
                   i = "Pass the name of a Keras built-in instead (e.g. {.val glorot_uniform}).",
                   i = paste("Python holding an R function that holds Python objects is a reference cycle",
                             "neither side can free.")),
                 class = "rbridge_error_argument", call = call, argument = arg)
  }
  if (is.atomic(x) && is.null(dim(x)) && !is.object(x)) {
    if (is.complex(x) || is.raw(x)) rb_abort_arg(x, arg, "a number, string, logical or `NULL`", call = call)
    if (anyNA(x)) {
      # reticulate would send a logical NA as True, and NA_character_ as "NA".
      rb_cli_abort("{.arg {arg}} can't be or contain {.code NA}.", class = "rbridge_error_argument",
                   call = call, argument = arg)
    }
    return(x)
  }
  if (is.list(x) && !is.object(x)) {
    for (i in seq_along(x)) {
      v <- rb_check_plain(x[[i]], sprintf("%s[[%d]]", arg, i), call = call)
      if (!is.null(v)) x[[i]] <- v
    }
    return(x)
  }
  rb_abort_arg(x, arg, "a number, string, logical, list or `NULL`", call = call)
}

rb_object_key <- "__rbridge_object__"

# An rbridge object as an argument: a reference to its Python object.
rb_object_arg <- function(x) stats::setNames(list(rb_handle(x)), rb_object_key)

# `dtype`: a string (Keras's own message for anything else).
rb_check_dtype <- function(x, arg = rlang::caller_arg(x), call = rlang::caller_env()) {
  if (is.null(x)) return(NULL)
  if (!is.character(x) || length(x) != 1L || is.na(x)) {
    what <- rb_describe(x)
    rb_cli_abort("Cannot interpret {.arg {arg}} argument. Expected a string. Received: {arg}={what}",
                 class = "rbridge_error_argument", call = call, argument = arg)
  }
  x
}

# A modifier's answer for "not passed: Python's default applies".
rb_omit <- structure(list(), class = "rbridge_omit")

# NULL means the default (Keras: `kernel_initializer=None` is the default).
rb_null_default <- function(x, arg = rlang::caller_arg(x), call = rlang::caller_env()) {
  if (is.null(x)) rb_omit else x
}

# The arguments the caller was called with (as keras3's capture_args():
# only those the user supplied, so Python's defaults apply), evaluated,
# converted by `modifiers` (a list of functions(x, arg, call) by argument
# name; one that returns `rb_omit` drops the argument) and checked with
# rb_check_plain(). `ignore`: arguments not passed on. `...` must be named.
# Errors name the caller's call. Kept lean: it runs on every layer_*().
rb_capture_args <- function(modifiers = list(), ignore = "object") {
  env <- parent.frame()
  mc <- match.call(sys.function(-1L), sys.call(-1L), expand.dots = FALSE, envir = parent.frame(2L))
  args <- list()
  dots <- FALSE
  for (nm in names(mc)[-1L]) { # the supplied arguments, in the order of the formals
    if (nm == "...") {
      dots <- TRUE
    } else if (!any(nm == ignore)) {
      args[nm] <- list(env[[nm]])
    }
  }
  if (dots) args <- c(args, rb_capture_dots(env, ignore))
  for (nm in names(args)) {
    value <- args[[nm]]
    mod <- modifiers[[nm]]
    if (!is.null(mod)) {
      value <- mod(value, nm, call = env)
      if (is.object(value) && identical(value, rb_omit)) {
        args[[nm]] <- NULL
        next
      }
    }
    if (is.null(value)) next # (kept: `args[[nm]] <- NULL` would drop it)
    # (rb_check_plain()'s first test, inline: most values are plain vectors)
    if (!(is.atomic(value) && is.null(attributes(value)) && !anyNA(value) && !is.complex(value) &&
          !is.raw(value))) {
      value <- rb_check_plain(value, nm, call = env)
    }
    args[[nm]] <- value
  }
  args
}

# The arguments in the `...` of `env`, all named; those in `ignore` dropped.
rb_capture_dots <- function(env, ignore) {
  extra <- eval(quote(rlang::list2(...)), env) # a trailing empty argument is allowed, as keras3
  enames <- names(extra)
  if (length(extra) && (is.null(enames) || !all(nzchar(enames)))) {
    rb_cli_abort("All arguments in {.arg ...} must be named.",
                 class = "rbridge_error_argument", call = env, argument = "...")
  }
  extra[!(enames %in% ignore)]
}

# keras3's per-argument conversions, by argument name, shared by every
# layer function.
rb_layer_modifiers <- list(
  units = rb_as_integer, seed = rb_as_integer, batch_size = rb_as_integer,
  lora_rank = rb_as_integer, lora_alpha = rb_as_integer,
  input_shape = rb_as_shape, batch_input_shape = rb_as_shape, noise_shape = rb_as_shape,
  trainable = rb_check_flag, dtype = rb_check_dtype, kernel_initializer = rb_null_default,
  activation = function(x, arg, call) rb_as_activation(x, arg, call = call)
)

rb_input_modifiers <- list(
  shape = rb_as_shape, batch_shape = rb_as_shape, batch_size = rb_as_integer,
  dtype = rb_check_dtype, sparse = rb_check_flag, ragged = rb_check_flag,
  optional = rb_check_flag,
  name = function(x, arg, call) rb_check_string(x, arg, null_ok = TRUE, call = call)
)
rb_sequential_modifiers <- list(
  input_shape = rb_as_shape, input_batch_shape = rb_as_shape, input_batch_size = rb_as_integer,
  input_dtype = rb_check_dtype, input_sparse = rb_check_flag,
  input_ragged = rb_check_flag, input_optional = rb_check_flag, trainable = rb_check_flag,
  name = function(x, arg, call) rb_check_string(x, arg, null_ok = TRUE, call = call),
  input_name = rb_check_name
)
