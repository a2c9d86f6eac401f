# Merging layers: keras3's layer_add(), layer_concatenate(), ... They take
# the tensors to merge first (`inputs`, a list, and more unnamed in `...`)
# and return the output, or the layer when there are none.

# Create a merging layer of `kind` with the wrapper's own supplied
# arguments `args` and the named ones in `dots`, and call it on `inputs`
# plus the unnamed ones in `dots` (keras3's split of `...`): all symbolic
# tensors (the output tensor) or all arrays (the result, computed at once).
rb_merging_layer <- function(kind, inputs, dots, args = list(), call = rlang::caller_env()) {
  nms <- names(dots) %||% rep("", length(dots))
  named <- dots[nzchar(nms)]
  if (!is.null(inputs) && !(is.list(inputs) && !is.object(inputs))) inputs <- list(inputs)
  inputs <- c(inputs, unname(dots[!nzchar(nms)]))
  args <- c(args, named)
  for (nm in names(args)) {
    mod <- rb_layer_modifiers[[nm]]
    if (!is.null(mod)) args[nm] <- list(mod(args[[nm]], nm, call = call))
    rb_check_plain(args[[nm]], nm, call = call)
  }
  if (!length(inputs)) return(rb_call_object("make_layer", kind = kind, args = args, .call = call))
  tensors <- vapply(inputs, inherits, TRUE, what = "rbridge_tensor")
  if (all(tensors)) {
    return(rb_call_object("make_layer", kind = kind, args = args, object = rb_handles(inputs), .call = call))
  }
  if (any(tensors) || any(vapply(inputs, inherits, TRUE, what = "rbridge_object"))) {
    rb_cli_abort("{.arg inputs} must be all symbolic tensors or all arrays.",
                 class = "rbridge_error_argument", argument = "inputs", call = call)
  }
  arrays <- lapply(seq_along(inputs), function(i) rb_as_array(inputs[[i]], sprintf("inputs[[%d]]", i), call = call))
  rb_call_arrays("make_layer", kind = kind, args = args, object = arrays, .call = call)
}

#' Performs elementwise addition
#'
#' It takes as input a list of tensors, all of the same shape, and returns a
#' single tensor (also of the same shape).
#'
#' @param inputs The tensors to merge: a list of symbolic tensors or
#'   arrays (more can follow, unnamed, in `...`). Missing: the layer is
#'   returned, to be called on such a list.
#' @param ... Unnamed: more inputs. Named: other arguments of the Keras
#'   layer (`name`, `dtype`, ...).
#' @returns The merged output (a symbolic tensor, or an array for array
#'   inputs), or the layer when `inputs` is missing.
#' @family merging layers
#' @family layers
#' @export
#' @examplesIf rbridge_available()
#' x1 <- op_ones(c(1, 2, 3))
#' x2 <- op_ones(c(1, 2, 3))
#' layer_add(x1, x2)
#'
#' input1 <- keras_input(shape = 16)
#' input2 <- keras_input(shape = 32)
#' y1 <- input1 |> layer_dense(8, activation = "relu")
#' y2 <- input2 |> layer_dense(8, activation = "relu")
#' output <- layer_add(list(y1, y2)) |> layer_dense(4)
#' model <- keras_model(inputs = list(input1, input2), outputs = output)
layer_add <- function(inputs, ...) {
  rb_merging_layer("add", if (missing(inputs)) NULL else inputs, rlang::list2(...))
}

#' Performs elementwise subtraction
#'
#' It takes as input a list of two tensors of the same shape, and returns a
#' single tensor, `inputs[[1]] - inputs[[2]]`, also of the same shape.
#'
#' @param inputs The tensors to merge: a list of symbolic tensors or
#'   arrays (more can follow, unnamed, in `...`). Missing: the layer is
#'   returned, to be called on such a list.
#' @param ... Unnamed: more inputs. Named: other arguments of the Keras
#'   layer (`name`, `dtype`, ...).
#' @returns The merged output (a symbolic tensor, or an array for array
#'   inputs), or the layer when `inputs` is missing.
#' @family merging layers
#' @family layers
#' @export
#' @examplesIf rbridge_available()
#' x1 <- op_ones(c(2, 3))
#' x2 <- op_zeros(c(2, 3))
#' layer_subtract(x1, x2)
#'
#' input1 <- keras_input(shape = 16)
#' input2 <- keras_input(shape = 32)
#' y1 <- input1 |> layer_dense(8, activation = "relu")
#' y2 <- input2 |> layer_dense(8, activation = "relu")
#' output <- layer_subtract(list(y1, y2)) |> layer_dense(4)
#' model <- keras_model(inputs = list(input1, input2), outputs = output)
layer_subtract <- function(inputs, ...) {
  rb_merging_layer("subtract", if (missing(inputs)) NULL else inputs, rlang::list2(...))
}

#' Performs elementwise multiplication
#'
#' It takes as input a list of tensors, all of the same shape, and returns a
#' single tensor (also of the same shape).
#'
#' @param inputs The tensors to merge: a list of symbolic tensors or
#'   arrays (more can follow, unnamed, in `...`). Missing: the layer is
#'   returned, to be called on such a list.
#' @param ... Unnamed: more inputs. Named: other arguments of the Keras
#'   layer (`name`, `dtype`, ...).
#' @returns The merged output (a symbolic tensor, or an array for array
#'   inputs), or the layer when `inputs` is missing.
#' @family merging layers
#' @family layers
#' @export
#' @examplesIf rbridge_available()
#' x1 <- op_ones(c(2, 3))
#' x2 <- op_ones(c(2, 3))
#' layer_multiply(x1, x2)
#'
#' input1 <- keras_input(shape = 16)
#' input2 <- keras_input(shape = 32)
#' y1 <- input1 |> layer_dense(8, activation = "relu")
#' y2 <- input2 |> layer_dense(8, activation = "relu")
#' output <- layer_multiply(list(y1, y2)) |> layer_dense(4)
#' model <- keras_model(inputs = list(input1, input2), outputs = output)
layer_multiply <- function(inputs, ...) {
  rb_merging_layer("multiply", if (missing(inputs)) NULL else inputs, rlang::list2(...))
}

#' Averages a list of inputs element-wise
#'
#' It takes as input a list of tensors, all of the same shape, and returns a
#' single tensor (also of the same shape).
#'
#' @param inputs The tensors to merge: a list of symbolic tensors or
#'   arrays (more can follow, unnamed, in `...`). Missing: the layer is
#'   returned, to be called on such a list.
#' @param ... Unnamed: more inputs. Named: other arguments of the Keras
#'   layer (`name`, `dtype`, ...).
#' @returns The merged output (a symbolic tensor, or an array for array
#'   inputs), or the layer when `inputs` is missing.
#' @family merging layers
#' @family layers
#' @export
#' @examplesIf rbridge_available()
#' x1 <- op_ones(c(1, 2, 3))
#' x2 <- op_zeros(c(1, 2, 3))
#' layer_average(x1, x2)
#'
#' input1 <- keras_input(shape = 16)
#' input2 <- keras_input(shape = 32)
#' y1 <- input1 |> layer_dense(8, activation = "relu")
#' y2 <- input2 |> layer_dense(8, activation = "relu")
#' output <- layer_average(list(y1, y2)) |> layer_dense(4)
#' model <- keras_model(inputs = list(input1, input2), outputs = output)
layer_average <- function(inputs, ...) {
  rb_merging_layer("average", if (missing(inputs)) NULL else inputs, rlang::list2(...))
}

#' Computes element-wise maximum on a list of inputs
#'
#' It takes as input a list of tensors, all of the same shape, and returns a
#' single tensor (also of the same shape).
#'
#' @param inputs The tensors to merge: a list of symbolic tensors or
#'   arrays (more can follow, unnamed, in `...`). Missing: the layer is
#'   returned, to be called on such a list.
#' @param ... Unnamed: more inputs. Named: other arguments of the Keras
#'   layer (`name`, `dtype`, ...).
#' @returns The merged output (a symbolic tensor, or an array for array
#'   inputs), or the layer when `inputs` is missing.
#' @family merging layers
#' @family layers
#' @export
#' @examplesIf rbridge_available()
#' x1 <- op_ones(c(2, 3))
#' x2 <- op_zeros(c(2, 3))
#' layer_maximum(x1, x2)
#'
#' input1 <- keras_input(shape = 16)
#' input2 <- keras_input(shape = 32)
#' y1 <- input1 |> layer_dense(8, activation = "relu")
#' y2 <- input2 |> layer_dense(8, activation = "relu")
#' output <- layer_maximum(list(y1, y2)) |> layer_dense(4)
#' model <- keras_model(inputs = list(input1, input2), outputs = output)
layer_maximum <- function(inputs, ...) {
  rb_merging_layer("maximum", if (missing(inputs)) NULL else inputs, rlang::list2(...))
}

#' Computes elementwise minimum on a list of inputs
#'
#' It takes as input a list of tensors, all of the same shape, and returns a
#' single tensor (also of the same shape).
#'
#' @param inputs The tensors to merge: a list of symbolic tensors or
#'   arrays (more can follow, unnamed, in `...`). Missing: the layer is
#'   returned, to be called on such a list.
#' @param ... Unnamed: more inputs. Named: other arguments of the Keras
#'   layer (`name`, `dtype`, ...).
#' @returns The merged output (a symbolic tensor, or an array for array
#'   inputs), or the layer when `inputs` is missing.
#' @family merging layers
#' @family layers
#' @export
#' @examplesIf rbridge_available()
#' x1 <- op_ones(c(2, 3))
#' x2 <- op_zeros(c(2, 3))
#' layer_minimum(x1, x2)
#'
#' input1 <- keras_input(shape = 16)
#' input2 <- keras_input(shape = 32)
#' y1 <- input1 |> layer_dense(8, activation = "relu")
#' y2 <- input2 |> layer_dense(8, activation = "relu")
#' output <- layer_minimum(list(y1, y2)) |> layer_dense(4)
#' model <- keras_model(inputs = list(input1, input2), outputs = output)
layer_minimum <- function(inputs, ...) {
  rb_merging_layer("minimum", if (missing(inputs)) NULL else inputs, rlang::list2(...))
}

#' Concatenates a list of inputs
#'
#' It takes as input a list of tensors, all of the same shape except for
#' the concatenation axis, and returns a single tensor that is the
#' concatenation of all inputs.
#'
#' @inheritParams layer_add
#' @param axis Axis along which to concatenate (1-based as in keras3; the
#'   default `-1` is the last).
#' @returns The concatenation of the inputs along `axis` (a symbolic
#'   tensor, or an array for array inputs), or the layer when `inputs` is
#'   missing.
#' @family merging layers
#' @family layers
#' @export
#' @examplesIf rbridge_available()
#' x <- op_arange(20) |> op_reshape(c(2, 2, 5))
#' y <- op_arange(21, 40) |> op_reshape(c(2, 2, 5))
#' layer_concatenate(x, y, axis = 2)
#'
#' x1 <- keras_input(shape = 3)
#' x2 <- keras_input(shape = 5)
#' layer_concatenate(list(x1, x2))
layer_concatenate <- function(inputs, ..., axis = -1L) {
  args <- if (!missing(axis)) list(axis = rb_as_axis(axis, "axis"))
  rb_merging_layer("concatenate", if (missing(inputs)) NULL else inputs, rlang::list2(...), args)
}

#' Computes element-wise dot product of two tensors
#'
#' It takes a list of two inputs and the axes along which the dot product
#' is taken. With inputs of shapes `(2, 3, 5)` and `(2, 10, 3)` and
#' `axes = c(2, 3)` (1-based, as in keras3: axis 1 is the batch), the
#' output has shape `(2, 5, 10)`.
#'
#' @inheritParams layer_add
#' @param axes Integer or vector of two integers: the axis, or the axis of
#'   the first input and of the second, along which to take the dot
#'   product (1-based, as in keras3).
#' @param normalize Whether to L2-normalize samples along the dot product
#'   axis before taking the dot product (the output is then the cosine
#'   proximity).
#' @returns The dot product (a symbolic tensor, or an array for array
#'   inputs), or the layer when `inputs` is missing.
#' @family merging layers
#' @family layers
#' @export
#' @examplesIf rbridge_available()
#' x <- op_reshape(0:9, c(1, 5, 2))
#' y <- op_reshape(10:19, c(1, 2, 5))
#' layer_dot(x, y, axes = c(2, 3))
#'
#' x1 <- keras_input(shape = 8)
#' x2 <- keras_input(shape = 8)
#' layer_dot(x1, x2, axes = 2)
layer_dot <- function(inputs, ..., axes, normalize = FALSE) {
  args <- list()
  if (!missing(axes)) args$axes <- rb_as_axis(axes, "axes")
  if (!missing(normalize)) args$normalize <- rb_check_flag(normalize, "normalize")
  rb_merging_layer("dot", if (missing(inputs)) NULL else inputs, rlang::list2(...), args)
}
