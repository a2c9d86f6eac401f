# Ops: keras3's op_*() functions, and R's operators on symbolic tensors.
#
# Each op is one crossing, r_bridge.api.op(name, args, kwargs), with Keras's
# op names. On symbolic tensors an op gives a symbolic tensor (recorded in
# the graph, so a Functional model built with it runs); on R values it is
# computed at once and gives an R array of the result's dtype (integer,
# logical or double), as keras3 does with the numpy backend.
#
# R values cross as reticulate would send them to keras3's Python: a number
# (no dim) as a Python number, a vector (no dim) as a Python list (Keras
# gives both floatx), an array (with dim) as a numpy array of its type. Two
# tagged lists carry what the transports can't: a tensor (its handle, so a
# string stays a string) and an integer or logical array (the buffer
# transport sends doubles only).

rb_tensor_key <- "__rbridge_tensor__"
rb_dtype_key <- "__rbridge_dtype__"

# An op's argument as it crosses (see above); `arg` names it in errors.
rb_op_value <- function(x, arg = rlang::caller_arg(x), strings = FALSE, call = rlang::caller_env()) {
  if (is.null(x)) return(NULL)
  if (inherits(x, "rbridge_tensor")) return(stats::setNames(list(rb_handle(x)), rb_tensor_key))
  if (inherits(x, "keras_shape")) x <- unclass(x)
  if (is.list(x) && identical(names(x)[1L], rb_dtype_key)) return(x) # from rb_op_array()
  if (strings && is.character(x) && length(x) == 1L && !is.na(x)) return(x) # a dtype
  if (is.list(x) && !is.object(x)) {
    out <- lapply(seq_along(x), function(i) rb_op_value(x[[i]], sprintf("%s[[%d]]", arg, i), call = call))
    names(out) <- names(x)
    return(out)
  }
  if (is.data.frame(x)) x <- as.matrix(x)
  if (!(is.numeric(x) || is.logical(x)) || is.object(x)) {
    rb_abort_arg(x, arg, "a tensor, an array or a number", call = call)
  }
  if (is.null(dim(x))) {
    # reticulate would send a logical or integer NA as True or a large number.
    if (!is.double(x) && anyNA(x)) {
      rb_cli_abort("{.arg {arg}} can't contain {.code NA}.", class = "rbridge_error_argument", argument = arg,
                   call = call)
    }
    return(as.vector(x))
  }
  rb_op_array(x)
}

# An R array as it crosses: doubles as they are (float64), integers and
# logicals (or any array when `dtype` is given) as a tagged double array.
# `dtype = "floatx"` is the session's floatx.
rb_op_array <- function(x, dtype = NULL) {
  if (is.null(dim(x))) x <- array(x, dim = length(x))
  dimnames(x) <- NULL
  dtype <- dtype %||% switch(typeof(x), integer = "int32", logical = "bool")
  if (is.null(dtype)) return(x)
  storage.mode(x) <- "double"
  stats::setNames(list(dtype, x), c(rb_dtype_key, "value"))
}

# An op's result as R values: tensor records become tensors, tagged arrays
# R arrays of their dtype.
rb_op_result <- function(x) {
  if (rb_is_record(x)) return(rb_wrap(x))
  if (is.list(x) && !is.object(x)) {
    dtype <- x[[rb_dtype_key]]
    if (is.character(dtype)) return(rb_from_dtype(x[["value"]], dtype))
    out <- lapply(x, rb_op_result)
    names(out) <- names(x)
    return(out)
  }
  x
}

rb_from_dtype <- function(v, dtype) {
  if (identical(dtype, "bool")) {
    storage.mode(v) <- "logical"
  } else if (grepl("int", dtype, fixed = TRUE) && all(abs(v) <= .Machine$integer.max, na.rm = TRUE)) {
    storage.mode(v) <- "integer"
  }
  v
}

# Run op `name` on the named arguments in `...` (positional in Python, named
# here for errors) and keyword arguments `kwargs` (NULLs dropped: Keras's
# defaults apply; a string is allowed there only, for a dtype).
rb_op <- function(name, ..., kwargs = list(), call = rlang::caller_env()) {
  args <- list(...)
  args <- lapply(names(args), function(nm) rb_op_value(args[[nm]], nm, call = call))
  kwargs <- kwargs[!vapply(kwargs, is.null, TRUE)]
  kwargs <- stats::setNames(lapply(names(kwargs), function(nm) {
    rb_op_value(kwargs[[nm]], nm, strings = TRUE, call = call)
  }), names(kwargs))
  rb_op_result(rb_call_arrays("op", name = name, args = args, kwargs = kwargs, .call = call))
}

rb_is_tensor <- function(x) inherits(x, "rbridge_tensor")

# keras3's as_axis(): 1-based axes (positive) become 0-based; negative
# axes count from the end as in Keras; 0 is an error. Several axes: a list.
rb_as_axis <- function(x, arg = rlang::caller_arg(x), call = rlang::caller_env()) {
  if (is.null(x)) return(NULL)
  x <- rb_as_integer(x, arg, call = call)
  if (!is.integer(x)) rb_abort_arg(x, arg, "a whole number", call = call)
  if (any(x == 0L)) {
    rb_cli_abort("{.arg {arg}} argument is 1 based, received 0", class = "rbridge_error_argument",
                 argument = arg, call = call)
  }
  x <- ifelse(x > 0L, x - 1L, x)
  if (length(x) > 1L) as.list(x) else x
}

# ----------------------------------------------------------------- arithmetic
#' Element-wise arithmetic
#'
#' `op_add()`, `op_subtract()`, `op_multiply()`, `op_divide()`,
#' `op_power()`, `op_floor_divide()` and `op_mod()` compute `x1 + x2`,
#' `x1 - x2`, `x1 * x2`, `x1 / x2`, `x1 ^ x2`, `x1 %/% x2` and `x1 %% x2`
#' element-wise, with broadcasting; `op_maximum()` and `op_minimum()` the
#' element-wise larger and smaller of the two; `op_negative()` is `-x`. On
#' symbolic tensors they give a symbolic tensor (and the operation is part
#' of the model built from it); on R arrays and numbers they give an R
#' array. R's operators `+`, `-`, `*`, `/`, `^`, `%/%`, `%%` and unary `-`
#' call them on symbolic tensors.
#'
#' @param x1 First input tensor (a symbolic tensor, an R array or a number).
#' @param x2 Second input tensor.
#' @returns A tensor (symbolic inputs) or an R array.
#' @family ops
#' @export
#' @examplesIf rbridge_available()
#' x1 <- op_convert_to_tensor(c(1, 4))
#' x2 <- op_convert_to_tensor(c(5, 6))
#' op_add(x1, x2)
#' op_subtract(x1, x2)
#' op_multiply(x1, x2)
#' op_divide(x1, x2)
#' op_power(x1, 2)
#' op_mod(x2, 4)
#' op_maximum(x1, c(3, 3))
#' op_negative(x1)
#' # broadcasting
#' op_add(op_convert_to_tensor(array(c(5, 5, 4, 6), dim = c(2, 2))), x2)
#' # symbolic tensors
#' x <- keras_input(shape = 3)
#' op_add(x, x)
op_add <- function(x1, x2) rb_op("add", x1 = x1, x2 = x2)

#' @rdname op_add
#' @export
op_subtract <- function(x1, x2) rb_op("subtract", x1 = x1, x2 = x2)

#' @rdname op_add
#' @export
op_multiply <- function(x1, x2) rb_op("multiply", x1 = x1, x2 = x2)

#' @rdname op_add
#' @export
op_divide <- function(x1, x2) rb_op("divide", x1 = x1, x2 = x2)

#' @rdname op_add
#' @export
op_power <- function(x1, x2) rb_op("power", x1 = x1, x2 = x2)

#' @rdname op_add
#' @export
op_floor_divide <- function(x1, x2) rb_op("floor_divide", x1 = x1, x2 = x2)

#' @rdname op_add
#' @export
op_mod <- function(x1, x2) rb_op("mod", x1 = x1, x2 = x2)

#' @rdname op_add
#' @export
op_maximum <- function(x1, x2) rb_op("maximum", x1 = x1, x2 = x2)

#' @rdname op_add
#' @export
op_minimum <- function(x1, x2) rb_op("minimum", x1 = x1, x2 = x2)

#' @rdname op_add
#' @param x Input tensor.
#' @export
op_negative <- function(x) rb_op("negative", x = x)

#' Element-wise comparisons and logical operations
#'
#' `op_equal()`, `op_not_equal()`, `op_greater()`, `op_greater_equal()`,
#' `op_less()` and `op_less_equal()` compare `x1` and `x2` element-wise
#' (with broadcasting); `op_logical_and()`, `op_logical_or()`,
#' `op_logical_xor()` and `op_logical_not()` combine truth values. The
#' result is a `bool` tensor (a logical R array). R's `==`, `!=`, `>`,
#' `>=`, `<`, `<=`, `&`, `|` and `!` call them on symbolic tensors.
#'
#' @param x1,x2 Input tensors.
#' @param x Input tensor.
#' @returns A `bool` tensor (symbolic inputs) or a logical R array.
#' @family ops
#' @export
#' @examplesIf rbridge_available()
#' x1 <- op_convert_to_tensor(c(1, 2, 3))
#' x2 <- op_convert_to_tensor(c(3, 2, 1))
#' op_equal(x1, x2)
#' op_greater(x1, x2)
#' op_less_equal(x1, 2)
#' op_logical_and(op_greater(x1, 1), op_less(x2, 3))
#' op_logical_not(array(c(TRUE, FALSE)))
op_equal <- function(x1, x2) rb_op("equal", x1 = x1, x2 = x2)

#' @rdname op_equal
#' @export
op_not_equal <- function(x1, x2) rb_op("not_equal", x1 = x1, x2 = x2)

#' @rdname op_equal
#' @export
op_greater <- function(x1, x2) rb_op("greater", x1 = x1, x2 = x2)

#' @rdname op_equal
#' @export
op_greater_equal <- function(x1, x2) rb_op("greater_equal", x1 = x1, x2 = x2)

#' @rdname op_equal
#' @export
op_less <- function(x1, x2) rb_op("less", x1 = x1, x2 = x2)

#' @rdname op_equal
#' @export
op_less_equal <- function(x1, x2) rb_op("less_equal", x1 = x1, x2 = x2)

#' @rdname op_equal
#' @export
op_logical_and <- function(x1, x2) rb_op("logical_and", x1 = x1, x2 = x2)

#' @rdname op_equal
#' @export
op_logical_or <- function(x1, x2) rb_op("logical_or", x1 = x1, x2 = x2)

#' @rdname op_equal
#' @export
op_logical_xor <- function(x1, x2) rb_op("logical_xor", x1 = x1, x2 = x2)

#' @rdname op_equal
#' @export
op_logical_not <- function(x) rb_op("logical_not", x = x)

#' Matrix product of two tensors
#'
#' As keras3's: an R vector or array with a tensor is first converted to
#' the tensor's dtype. `x %*% y` calls it on symbolic tensors (R 4.3 and
#' later, where `%*%` dispatches on S3 classes).
#'
#' @param x1 First tensor.
#' @param x2 Second tensor.
#' @returns The matrix product: a tensor (symbolic inputs) or an R array.
#' @family ops
#' @export
#' @examplesIf rbridge_available()
#' op_matmul(array(1, c(2, 3)), array(1:6, c(3, 2)))
#' x <- keras_input(shape = 3)
#' op_matmul(x, array(1, c(3, 4)))
op_matmul <- function(x1, x2) {
  if (is.atomic(x1) && rb_is_tensor(x2)) {
    x1 <- rb_op_array(x1, rb_field(x2, "dtype"))
  } else if (rb_is_tensor(x1) && is.atomic(x2)) {
    x2 <- rb_op_array(x2, rb_field(x1, "dtype"))
  }
  rb_op("matmul", x1 = x1, x2 = x2)
}

# ----------------------------------------------------------------- shapes
#' Join a list of tensors along an axis
#'
#' @param xs A list of tensors (symbolic tensors or R arrays).
#' @param axis Axis (1-based, as in keras3) along which to join.
#' @returns The concatenated tensor.
#' @family ops
#' @export
#' @examplesIf rbridge_available()
#' op_concatenate(list(array(1, c(2, 2)), array(2, c(1, 2))))
#' op_concatenate(list(array(1, c(2, 2)), array(2, c(2, 1))), axis = 2)
op_concatenate <- function(xs, axis = 1L) {
  if (!is.list(xs) || is.object(xs)) rb_abort_arg(xs, "xs", "a list of tensors")
  rb_op("concatenate", xs = xs, kwargs = list(axis = rb_as_axis(axis, "axis")))
}

#' Give a tensor a new shape without changing its data
#'
#' As keras3's: `NA` (or `-1`) is a size inferred from the others; an R
#' double array or vector becomes floatx first.
#'
#' @param x Input tensor.
#' @param newshape The new shape, e.g. `c(2, NA)`.
#' @returns The reshaped tensor.
#' @family ops
#' @export
#' @examplesIf rbridge_available()
#' op_reshape(op_arange(6), c(2, 3))
#' op_reshape(op_arange(6), c(NA, 2))
op_reshape <- function(x, newshape) {
  if (!rb_is_tensor(x) && (is.numeric(x) || is.logical(x))) {
    x <- rb_op_array(x, if (is.double(x)) "floatx")
  }
  rb_op("reshape", x = x, newshape = rb_as_newshape(newshape, "newshape"))
}

# A shape where NA (or -1) is an inferred size, as a list with -1 for it.
rb_as_newshape <- function(x, arg = rlang::caller_arg(x), call = rlang::caller_env()) {
  if (inherits(x, "keras_shape")) x <- lapply(unclass(x), function(d) d %||% NA_integer_)
  dims <- if (is.list(x)) x else as.list(x)
  ok <- (is.numeric(x) || is.list(x) || is.logical(x)) && length(dims) > 0L
  out <- lapply(dims, function(d) {
    if (is.null(d) || (is.atomic(d) && length(d) == 1L && is.na(d))) return(-1L)
    if (!is.numeric(d) || length(d) != 1L || !rb_is_whole(d) || d < -1) {
      ok <<- FALSE
      return(NULL)
    }
    as.integer(d)
  })
  if (!ok) rb_abort_arg(x, arg, "a vector of whole numbers (`NA` for a size to infer)", call = call)
  out
}

#' Permute the axes of a tensor
#'
#' @param x Input tensor.
#' @param axes The permutation (1-based, as in keras3). `NULL` reverses the
#'   axes.
#' @returns The tensor with its axes permuted.
#' @family ops
#' @export
#' @examplesIf rbridge_available()
#' x <- array(1:6, c(2, 3))
#' op_transpose(x)
#' op_transpose(array(1:24, c(2, 3, 4)), axes = c(2, 1, 3))
op_transpose <- function(x, axes = NULL) {
  axes <- rb_as_axis(axes, "axes")
  if (!is.null(axes) && !is.list(axes)) axes <- list(axes)
  rb_op("transpose", x = x, kwargs = list(axes = axes))
}

#' Add or remove axes of length one
#'
#' `op_expand_dims()` inserts a new axis of length one at `axis`;
#' `op_squeeze()` removes axes of length one (all of them when `axis` is
#' `NULL`).
#'
#' @param x Input tensor.
#' @param axis Position(s) (1-based, as in keras3).
#' @returns The reshaped tensor.
#' @family ops
#' @export
#' @examplesIf rbridge_available()
#' x <- op_convert_to_tensor(c(1, 2))
#' op_expand_dims(x, 1)
#' op_expand_dims(x, 2)
#' op_squeeze(array(1:3, c(1, 3, 1)))
op_expand_dims <- function(x, axis) rb_op("expand_dims", x = x, axis = rb_as_axis(axis, "axis"))

#' @rdname op_expand_dims
#' @export
op_squeeze <- function(x, axis = NULL) rb_op("squeeze", x = x, kwargs = list(axis = rb_as_axis(axis, "axis")))

# ----------------------------------------------------------------- reductions
#' Reductions: sum, mean, maximum and minimum
#'
#' @param x Input tensor.
#' @param axis Axis or axes (1-based, as in keras3) to reduce; `NULL`: all.
#' @param keepdims If `TRUE`, the reduced axes are kept with length one.
#' @param initial For `op_max()` and `op_min()`: the starting value of the
#'   reduction.
#' @returns The reduced tensor.
#' @family ops
#' @export
#' @examplesIf rbridge_available()
#' x <- array(c(1, 2, 3, 4, 5, 6), c(2, 3))
#' op_sum(x)
#' op_sum(x, axis = 1)
#' op_mean(x, axis = 2, keepdims = TRUE)
#' op_max(x, axis = 1)
#' op_min(x)
op_sum <- function(x, axis = NULL, keepdims = FALSE) rb_reduce("sum", x, axis, keepdims)

#' @rdname op_sum
#' @export
op_mean <- function(x, axis = NULL, keepdims = FALSE) rb_reduce("mean", x, axis, keepdims)

#' @rdname op_sum
#' @export
op_max <- function(x, axis = NULL, keepdims = FALSE, initial = NULL) rb_reduce("max", x, axis, keepdims, initial)

#' @rdname op_sum
#' @export
op_min <- function(x, axis = NULL, keepdims = FALSE, initial = NULL) rb_reduce("min", x, axis, keepdims, initial)

rb_reduce <- function(name, x, axis, keepdims, initial = NULL) {
  kwargs <- list(axis = rb_as_axis(axis, "axis"), keepdims = rb_check_flag(keepdims, "keepdims"))
  if (!is.null(initial)) kwargs$initial <- rb_check_number(initial, "initial")
  rb_op(name, x = x, kwargs = kwargs)
}

# ----------------------------------------------------------------- math
#' Element-wise math: square root, exponential, logarithm, absolute value,
#' square
#'
#' R's `sqrt()`, `exp()`, `log()` and `abs()` call them on symbolic tensors.
#'
#' @param x Input tensor.
#' @returns A tensor of the same shape.
#' @family ops
#' @export
#' @examplesIf rbridge_available()
#' x <- op_convert_to_tensor(c(1, 4, 9))
#' op_sqrt(x)
#' op_exp(x)
#' op_log(x)
#' op_abs(op_convert_to_tensor(c(-1, 2)))
#' op_square(x)
op_sqrt <- function(x) rb_op("sqrt", x = x)

#' @rdname op_sqrt
#' @export
op_exp <- function(x) rb_op("exp", x = x)

#' @rdname op_sqrt
#' @export
op_log <- function(x) rb_op("log", x = x)

#' @rdname op_sqrt
#' @export
op_abs <- function(x) rb_op("absolute", x = x)

#' @rdname op_sqrt
#' @export
op_square <- function(x) rb_op("square", x = x)

#' Cast a tensor to a dtype
#'
#' @param x A tensor.
#' @param dtype The target type, e.g. `"int32"`.
#' @returns The tensor, of type `dtype`.
#' @family ops
#' @export
#' @examplesIf rbridge_available()
#' x <- op_arange(4)
#' op_cast(x, dtype = "int32")
op_cast <- function(x, dtype) rb_op("cast", x = x, kwargs = list(dtype = rb_check_dtype(dtype, "dtype")))

#' Choose elements from `x1` or `x2`, depending on `condition`
#'
#' @param condition Where `TRUE`, take `x1`, otherwise `x2`.
#' @param x1 Values taken where `condition` is `TRUE`.
#' @param x2 Values taken where `condition` is `FALSE`.
#' @returns A tensor of the elements of `x1` where `condition` is `TRUE`
#'   and of `x2` elsewhere.
#' @family ops
#' @export
#' @examplesIf rbridge_available()
#' op_where(array(c(TRUE, FALSE, TRUE)), array(c(1, 2, 3)), array(c(-1, -2, -3)))
op_where <- function(condition, x1 = NULL, x2 = NULL) {
  rb_op("where", condition = condition, x1 = x1, x2 = x2)
}

# ----------------------------------------------------------------- creation
#' Tensors of ones or zeros
#'
#' @param shape Shape of the new tensor (`c(2, 3)`, [shape()]).
#' @param dtype Its dtype (default: floatx).
#' @returns An R array.
#' @family ops
#' @export
#' @examplesIf rbridge_available()
#' op_ones(c(2, 3))
#' op_zeros(3, dtype = "int32")
op_ones <- function(shape, dtype = NULL) rb_creation("ones", shape, dtype)

#' @rdname op_ones
#' @export
op_zeros <- function(shape, dtype = NULL) rb_creation("zeros", shape, dtype)

rb_creation <- function(name, shape, dtype) {
  rb_op(name, shape = rb_as_shape(shape, "shape"), kwargs = list(dtype = rb_check_dtype(dtype, "dtype")))
}

#' Evenly spaced values within an interval
#'
#' As keras3's: `op_arange(n)` counts from 1 to `n`, and the interval
#' includes `end` (`include_end = TRUE`).
#'
#' @param start Start of the interval (included).
#' @param end End of the interval. If missing, `start` is the end and the
#'   interval starts at 1.
#' @param step Spacing between values.
#' @param dtype The result's dtype; by default inferred from the other
#'   arguments (integers give `int32`, doubles floatx).
#' @param include_end Whether `end` is included.
#' @returns An R array.
#' @family ops
#' @export
#' @examplesIf rbridge_available()
#' op_arange(3L)
#' op_arange(3)
#' op_arange(3, dtype = "int32")
#' op_arange(3L, 7L)
#' op_arange(3L, 7L, 2L)
op_arange <- function(start, end, step = 1L, dtype = NULL, include_end = TRUE) {
  if (missing(end)) {
    end <- start
    start <- if (is.double(end)) 1 else 1L
  }
  for (arg in c("start", "end", "step")) rb_check_number(get(arg), arg)
  dtype <- rb_check_dtype(dtype, "dtype")
  if (!is.null(dtype) && grepl("int", dtype, fixed = TRUE)) {
    if (is.double(start)) start <- rb_as_integer(start, "start")
    if (is.double(end)) end <- rb_as_integer(end, "end")
  }
  if (rb_check_flag(include_end, "include_end")) end <- end + step
  rb_op("arange", start = start, end = end, step = step, kwargs = list(dtype = dtype))
}

#' Create a tensor
#'
#' `op_array()` and `op_convert_to_tensor()` make a tensor from R values,
#' as keras3's: with the numpy backend, the result is an R array of the
#' tensor's dtype. An integer `dtype` turns doubles into integers first.
#'
#' @param x R values: a number, a vector or an array.
#' @param dtype The dtype (by default inferred as Keras infers it: doubles
#'   give floatx, integers `int32`, logicals `bool`).
#' @param sparse,ragged As in Keras (not supported by rbridge's session:
#'   `NULL` or `FALSE`).
#' @returns An R array.
#' @family ops
#' @export
#' @examplesIf rbridge_available()
#' op_array(c(1, 2, 3))
#' op_array(c(1, 2, 3), dtype = "int32")
#' op_convert_to_tensor(c(1, -1))
#' op_convert_to_tensor(1:3)
op_array <- function(x, dtype = NULL) {
  dtype <- rb_check_dtype(dtype, "dtype")
  x <- rb_int_for_dtype(x, dtype)
  rb_op("array", x = x, kwargs = list(dtype = dtype))
}

#' @rdname op_array
#' @export
op_convert_to_tensor <- function(x, dtype = NULL, sparse = NULL, ragged = NULL) {
  dtype <- rb_check_dtype(dtype, "dtype")
  x <- rb_int_for_dtype(x, dtype)
  if (is.atomic(x) && length(x) > 1L && is.null(dim(x))) x <- as.array(x)
  rb_op("convert_to_tensor", x = x, kwargs = list(dtype = dtype, sparse = sparse))
}

rb_int_for_dtype <- function(x, dtype) {
  if (!is.null(dtype) && typeof(x) == "double" && grepl("int", dtype, fixed = TRUE)) {
    storage.mode(x) <- "integer"
  }
  x
}

# ----------------------------------------------------------------- operators
# R's operators on symbolic tensors, as Python's on KerasTensors (keras3
# gets them from reticulate's Ops method: `x + y` is `x.__add__(y)`).
rb_ops_names <- c(
  "+" = "add", "-" = "subtract", "*" = "multiply", "/" = "divide", "^" = "power",
  "%%" = "mod", "%/%" = "floor_divide", "==" = "equal", "!=" = "not_equal", "<" = "less",
  "<=" = "less_equal", ">" = "greater", ">=" = "greater_equal", "&" = "logical_and",
  "|" = "logical_or"
)

#' R operators on symbolic tensors
#'
#' Arithmetic (`+`, `-`, `*`, `/`, `^`, `%%`, `%/%`, unary `-`),
#' comparison and logical operators, and the math functions `sqrt()`,
#' `exp()`, `log()` and `abs()`, on symbolic tensors (from [keras_input()]
#' or a layer), give symbolic tensors, as keras3's do: `x + y` is
#' [op_add()]. An operand may be an R number or array. `x %*% y` is
#' [op_matmul()] (R 4.3 and later).
#'
#' @param e1,e2,x Symbolic tensors, R numbers or arrays.
#' @param ... Not used.
#' @returns A symbolic tensor.
#' @name rbridge-operators
#' @family ops
#' @examplesIf rbridge_available()
#' inputs <- keras_input(shape = 4)
#' outputs <- inputs |> layer_dense(units = 4)
#' residual <- inputs + outputs
#' residual
#' model <- keras_model(inputs, residual * 2)
#' predict(model, matrix(1, 2, 4), verbose = 0)
NULL

#' @rdname rbridge-operators
#' @export
Ops.rbridge_tensor <- function(e1, e2) {
  call <- rb_generic_call(sys.call(), .Generic)
  if (missing(e2)) {
    return(switch(.Generic,
      "+" = e1,
      "-" = rb_op("negative", x = e1, call = call),
      "!" = rb_op("logical_not", x = e1, call = call)
    ))
  }
  rb_op(rb_ops_names[[.Generic]], e1 = e1, e2 = e2, call = call)
}

# The call as the user wrote it (`x + "a"`, `round(x)`), for errors: a
# group method's own call names the method.
rb_generic_call <- function(call, generic) {
  call[[1L]] <- as.name(generic)
  call
}

#' @rdname rbridge-operators
#' @export
Math.rbridge_tensor <- function(x, ...) {
  call <- rb_generic_call(sys.call(), .Generic)
  name <- switch(.Generic, sqrt = "sqrt", exp = "exp", log = "log", abs = "absolute")
  if (is.null(name) || ...length()) {
    generic <- .Generic
    rb_cli_abort("{.fn {generic}} with these arguments is not supported on symbolic tensors.",
                 class = "rbridge_error_argument", argument = "x", call = call)
  }
  rb_op(name, x = x, call = call)
}

# `%*%` dispatches on S3 classes from R 4.3 on (the matrixOps group); the
# NAMESPACE registers this only there.
#' @rawNamespace if (getRversion() >= "4.3.0") S3method(matrixOps, rbridge_tensor)
matrixOps.rbridge_tensor <- function(x, y) op_matmul(x, y) # nolint: object_name_linter. (an S3 method)
