# Layers: one api call (make_layer) per user operation.

# Create a layer of `kind` and compose it with `object` (keras3 semantics):
# missing/NULL -> the layer; a Sequential model -> the model with the layer
# added; a tensor -> the output tensor.
rb_make_layer <- function(object, kind, args) {
  target <- if (is.null(object)) NULL else rb_target(object)
  args <- args[!vapply(args, is.null, TRUE)]
  rb_wrap_same(rb_call("make_layer", kind = kind, args = args, object = target), object)
}

rb_target <- function(object) {
  if (inherits(object, c("rbridge_model", "rbridge_tensor"))) return(rb_handle(object))
  rb_bad_arg("object", "missing, a Sequential model or a symbolic tensor", object)
}

rb_layer_args <- function(name, dots) {
  c(list(name = check_string(name, "name", null_ok = TRUE)), check_dots_named(dots))
}

#' Densely-connected layer
#'
#' `output = activation(dot(input, kernel) + bias)`: a regular densely
#' connected layer with `units` outputs.
#'
#' @param object What to compose the layer with. Missing: the layer is
#'   returned. A Sequential model: the layer is added to it and the model is
#'   returned (so `model |> layer_dense(10)` works). A symbolic tensor (from
#'   [keras_input()] or another layer): the layer is called on it and the
#'   output tensor is returned.
#' @param units Positive whole number, dimensionality of the output space.
#' @param activation Name of the activation function (e.g. `"relu"`), or
#'   `NULL` for none (linear).
#' @param use_bias Whether the layer uses a bias vector.
#' @param name Name of the layer; `NULL` for an automatic unique name
#'   (`dense`, `dense_1`, ...).
#' @param ... Other named arguments passed to the Keras layer constructor.
#' @returns A layer, a model or a tensor, depending on `object`.
#' @family layers
#' @export
#' @examples
#' layer <- layer_dense(units = 10)
#' layer
#'
#' model <- keras_model_sequential(input_shape = 4) |>
#'   layer_dense(units = 8, activation = "relu") |>
#'   layer_dense(units = 1)
#' model
#'
#' x <- keras_input(shape = 4)
#' layer_dense(x, units = 2)
layer_dense <- function(object, units, activation = NULL, use_bias = TRUE, name = NULL, ...) {
  args <- c(list(units = check_whole(units, "units"),
                 activation = check_string(activation, "activation", null_ok = TRUE),
                 use_bias = check_flag(use_bias, "use_bias")),
            rb_layer_args(name, list(...)))
  rb_make_layer(if (missing(object)) NULL else object, "dense", args)
}

#' Dropout layer
#'
#' Randomly sets input units to 0 with a frequency of `rate` during
#' training; does nothing at inference (`predict()`).
#'
#' @inheritParams layer_dense
#' @param rate Number in `[0, 1]`: the fraction of the input units to drop.
#' @returns A layer, a model or a tensor, depending on `object`.
#' @family layers
#' @export
#' @examples
#' layer_dropout(rate = 0.5)
#' keras_model_sequential(input_shape = 3) |> layer_dropout(rate = 0.2)
layer_dropout <- function(object, rate, name = NULL, ...) {
  args <- c(list(rate = check_number(rate, "rate", lower = 0, upper = 1)),
            rb_layer_args(name, list(...)))
  rb_make_layer(if (missing(object)) NULL else object, "dropout", args)
}

#' Activation layer
#'
#' Applies an activation function to its input.
#'
#' @inheritParams layer_dense
#' @param activation Name of the activation function, e.g. `"relu"`.
#' @returns A layer, a model or a tensor, depending on `object`.
#' @family layers
#' @export
#' @examples
#' layer_activation(activation = "relu")
#' x <- keras_input(shape = 3)
#' layer_activation(x, "sigmoid")
layer_activation <- function(object, activation, name = NULL, ...) {
  args <- c(list(activation = check_string(activation, "activation")),
            rb_layer_args(name, list(...)))
  rb_make_layer(if (missing(object)) NULL else object, "activation", args)
}

#' Flatten layer
#'
#' Flattens the input, keeping the batch dimension.
#'
#' @inheritParams layer_dense
#' @returns A layer, a model or a tensor, depending on `object`.
#' @family layers
#' @export
#' @examples
#' x <- keras_input(shape = c(2, 3))
#' layer_flatten(x)
layer_flatten <- function(object, name = NULL, ...) {
  rb_make_layer(if (missing(object)) NULL else object, "flatten", rb_layer_args(name, list(...)))
}
