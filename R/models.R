# Models, inputs, and what layers and models compute.

#' Create a Sequential model
#'
#' A Sequential model is a linear stack of layers. With `input_shape`, it
#' starts with an input of that shape (like Keras's
#' `Sequential([Input(shape = input_shape), ...])`), so its layers are built
#' as they are added.
#'
#' @param input_shape `NULL`, or the shape of one sample (without the batch
#'   dimension): positive whole numbers, `NA` for an unknown dimension.
#' @param name Name of the model; `NULL` for an automatic unique name
#'   (`sequential`, `sequential_1`, ...).
#' @param ... Not supported yet; must be empty.
#' @param input_name Name of the input made from `input_shape`.
#' @param layers A list of layers to add (a single layer also works). Like
#'   in Keras, the first element may be a symbolic input from
#'   [keras_input()] (instead of `input_shape`).
#' @returns A Sequential model.
#' @family models
#' @export
#' @examples
#' model <- keras_model_sequential(input_shape = 4) |>
#'   layer_dense(units = 2) |>
#'   layer_activation("softmax")
#' model
#'
#' keras_model_sequential(layers = list(layer_dense(units = 3)))
#' keras_model_sequential(layers = list(keras_input(shape = 4), layer_dense(units = 3)))
keras_model_sequential <- function(input_shape = NULL, name = NULL, ..., input_name = NULL,
                                   layers = list()) {
  check_dots_empty(list(...))
  name <- check_string(name, "name", null_ok = TRUE)
  input_name <- check_string(input_name, "input_name", null_ok = TRUE)
  if (inherits(layers, "rbridge_object")) layers <- list(layers)
  if (!is.list(layers) || is.object(layers) ||
      !all(vapply(layers, inherits, TRUE, what = c("rbridge_layer", "rbridge_tensor")))) {
    rb_bad_arg("layers", "a list of layers (the first may be a symbolic input)", layers)
  }
  handles <- lapply(layers, rb_handle)
  input <- if (is.null(input_shape)) NULL else
    list(shape = check_shape(input_shape, "input_shape"), name = input_name)
  rb_wrap(rb_call("make_sequential", layers = handles, name = name, input = input))
}

#' Create a symbolic input
#'
#' Starts a Functional model: call layers on it, then pass inputs and
#' outputs to [keras_model()].
#'
#' @param shape The shape of one sample, without the batch dimension:
#'   positive whole numbers, `NA` for an unknown dimension.
#' @param name Name of the input layer; `NULL` for an automatic unique name
#'   (`input_layer`, `input_layer_1`, ...).
#' @param ... Not supported yet; must be empty.
#' @returns A symbolic tensor, printed like
#'   `<KerasTensor shape=(None, 4), name=keras_tensor>`.
#' @family models
#' @export
#' @examples
#' x <- keras_input(shape = 4)
#' x
#' x$shape
keras_input <- function(shape, name = NULL, ...) {
  check_dots_empty(list(...))
  shape <- check_shape(shape, "shape")
  rb_wrap(rb_call("make_input", shape = shape, name = check_string(name, "name", null_ok = TRUE)))
}

#' Create a Functional model
#'
#' @param inputs A symbolic tensor from [keras_input()], or a list of them.
#' @param outputs A symbolic tensor computed from `inputs`, or a list.
#' @param name Name of the model; `NULL` for an automatic unique name
#'   (`functional`, `functional_1`, ...).
#' @param ... Not supported yet; must be empty.
#' @returns A Functional model.
#' @family models
#' @export
#' @examples
#' inputs <- keras_input(shape = 4)
#' outputs <- inputs |> layer_dense(units = 8, activation = "relu") |> layer_dense(units = 1)
#' model <- keras_model(inputs, outputs)
#' model
keras_model <- function(inputs, outputs, name = NULL, ...) {
  check_dots_empty(list(...))
  rb_wrap(rb_call("make_model", inputs = rb_tensor_handles(inputs, "inputs"),
                  outputs = rb_tensor_handles(outputs, "outputs"),
                  name = check_string(name, "name", null_ok = TRUE)))
}

rb_tensor_handles <- function(x, arg) {
  if (inherits(x, "rbridge_tensor")) return(rb_handle(x))
  if (is.list(x) && !is.object(x) && length(x) &&
      all(vapply(x, inherits, TRUE, what = "rbridge_tensor"))) {
    return(lapply(x, rb_handle))
  }
  rb_bad_arg(arg, "a symbolic tensor or a list of them", x)
}

rb_check_layer <- function(object, arg = "object") {
  if (!inherits(object, "rbridge_layer")) rb_bad_arg(arg, "a layer or a model", object)
  rb_handle(object)
}

# R numbers (vector, matrix, array, data frame) to a double array.
rb_as_array <- function(x, arg) {
  if (is.data.frame(x)) x <- as.matrix(x)
  if (!(is.numeric(x) || is.logical(x)) || (length(x) == 0L && is.null(dim(x)))) {
    rb_bad_arg(arg, "a numeric matrix or array", x)
  }
  if (is.null(dim(x))) x <- array(x, dim = length(x))
  storage.mode(x) <- "double"
  dimnames(x) <- NULL
  x
}

#' Generate predictions
#'
#' Runs the forward pass of a built layer or model on `x` (inference mode:
#' dropout does nothing).
#'
#' @param object A layer or model.
#' @param x A numeric matrix (samples in rows) or array.
#' @param ... Unused.
#' @returns A numeric matrix (or array) of outputs.
#' @family models
#' @export
#' @examples
#' model <- keras_model_sequential(input_shape = 3) |> layer_dense(units = 2)
#' predict(model, matrix(1, nrow = 5, ncol = 3))
predict.rbridge_layer <- function(object, x, ...) {
  handle <- rb_check_layer(object)
  rb_call_arrays("predict", object = handle, x = rb_as_array(x, "x"))
}

#' Count the weights of a layer or model
#'
#' @param object A built layer or model.
#' @returns The number of scalars in its weights (an integer).
#' @family models
#' @export
#' @examples
#' model <- keras_model_sequential(input_shape = 3) |> layer_dense(units = 2)
#' count_params(model)
count_params <- function(object) {
  as.integer(rb_call("count_params", object = rb_check_layer(object)))
}

#' Get and set the weights of a layer or model
#'
#' Weights are a list of R arrays in Keras's order and shapes (for a Dense
#' layer: the kernel, an `input_dim` x `units` matrix, then the bias, a
#' 1-d array of length `units`).
#'
#' @param object A built layer or model.
#' @param weights A list of numeric arrays with the shapes `get_weights()`
#'   returns.
#' @returns `get_weights()`: a list of arrays. `set_weights()`: `object`,
#'   invisibly.
#' @family models
#' @export
#' @examples
#' model <- keras_model_sequential(input_shape = 3) |> layer_dense(units = 2)
#' w <- get_weights(model)
#' str(w)
#' w[[1]][] <- 1
#' set_weights(model, w)
#' predict(model, matrix(1, 1, 3))
get_weights <- function(object) {
  rb_call_arrays("get_weights", object = rb_check_layer(object))
}

#' @rdname get_weights
#' @export
set_weights <- function(object, weights) {
  handle <- rb_check_layer(object)
  if (!is.list(weights) || is.data.frame(weights)) {
    rb_bad_arg("weights", "a list of numeric arrays", weights)
  }
  weights <- lapply(seq_along(weights), function(i) {
    rb_as_array(weights[[i]], sprintf("weights[[%d]]", i))
  })
  rb_call_arrays("set_weights", object = handle, weights = weights)
  invisible(object)
}

#' Remove the last layer of a Sequential model
#'
#' Like keras3's `pop_layer()` (Keras's `Sequential.pop()`): the last layer
#' is removed from `object` (in place) and the model is rebuilt without it.
#'
#' @param object A Sequential model.
#' @returns The removed layer.
#' @family models
#' @export
#' @examples
#' model <- keras_model_sequential(input_shape = 4) |>
#'   layer_dense(units = 3) |>
#'   layer_dense(units = 2)
#' pop_layer(model)
#' length(model$layers)
pop_layer <- function(object) {
  if (!inherits(object, "rbridge_model")) rb_bad_arg("object", "a Sequential model", object)
  rb_wrap(rb_call("pop", object = rb_handle(object)))
}

# model$add(layer): adds a layer (or, first, a symbolic input) to a
# Sequential model, like Keras's Sequential.add(); returns the model
# invisibly.
rb_add <- function(object, layer) {
  if (!inherits(layer, c("rbridge_layer", "rbridge_tensor"))) {
    rb_bad_arg("layer", "a layer or a symbolic input", layer)
  }
  invisible(rb_wrap_same(rb_call("add", object = rb_handle(object), layer = rb_handle(layer)), object))
}
