# Layers: keras3's layer_*() functions, one api call (make_layer) per use.

# Create a layer of `kind` from the arguments its caller was called with
# (keras3's create_layer()), and compose it with `object`: missing -> the
# layer; a Sequential model -> the layer is added and the model returned
# invisibly; a symbolic tensor (or list of them) -> the output; an array ->
# the layer's output on it, computed eagerly. All in one atomic crossing.
rb_create_layer <- function(kind, object, args, call = rlang::caller_env()) {
  if (is.null(object)) return(rb_cross("make_layer", list(kind = kind, args = args), call, wrap = TRUE))
  if (inherits(object, "rbridge_model")) {
    rb_check_not_self(args, object, call)
    out <- rb_cross("make_layer", list(kind = kind, args = args, object = rb_handle(object, call)), call,
                    wrap = TRUE, same = object)
    return(if (identical(out, object)) invisible(out) else out)
  }
  if (rb_is_tensors(object)) {
    return(rb_call_object("make_layer", kind = kind, args = args, object = rb_handles(object, call),
                          .call = call))
  }
  if (inherits(object, "rbridge_object")) {
    rb_abort_arg(object, expected = "missing, a Sequential model, a symbolic tensor or an array", call = call)
  }
  rb_call_arrays("make_layer", kind = kind, args = args, object = rb_as_array(object, call = call),
                 .call = call)
}

# `model |> layer_dense(activation = model)` would make the model hold
# itself (and call itself forever): refused, naming the argument. (Only a
# list can be an object's reference, see rb_object_arg().)
rb_check_not_self <- function(args, model, call) {
  for (nm in names(args)) {
    if (is.list(args[[nm]]) && identical(args[[nm]], rb_object_arg(model))) {
      rb_cli_abort(c("{.arg {nm}} can't be the model the layer is added to.",
                     i = "The model would hold itself, and calling it would never end."),
                   class = "rbridge_error_argument", argument = nm, call = call)
    }
  }
}

#' Just your regular densely-connected NN layer
#'
#' `layer_dense()` implements the operation
#' `output = activation(dot(input, kernel) + bias)` where `activation` is
#' the element-wise activation function passed as the `activation`
#' argument, `kernel` is a weights matrix created by the layer, and `bias`
#' is a bias vector created by the layer (only applicable if `use_bias` is
#' `TRUE`).
#'
#' @param object Object to compose the layer with. Missing: the layer is
#'   returned. A Sequential model ([keras_model_sequential()]): the layer is
#'   added to it and the model is returned, invisibly. A symbolic tensor
#'   (from [keras_input()] or another layer): the layer is called on it and
#'   the output tensor is returned. An array: the layer is called on it and
#'   the result returned.
#' @param units Positive integer, dimensionality of the output space.
#' @param activation Activation function to use, by name (e.g. `"relu"`)
#'   or as an [activations] function (`activation_relu`).
#'   If you don't specify anything, no activation is applied (ie.
#'   "linear" activation: `a(x) = x`).
#' @param use_bias Boolean, whether the layer uses a bias vector.
#' @param kernel_initializer Initializer for the `kernel` weights matrix,
#'   by name.
#' @param bias_initializer Initializer for the bias vector, by name.
#' @param kernel_regularizer,bias_regularizer,activity_regularizer,kernel_constraint,bias_constraint
#'   As in Keras (not supported by rbridge's session yet).
#' @param lora_rank,lora_alpha As in Keras (not supported by rbridge's
#'   session yet).
#' @param ... Other named arguments of the Keras layer: `name`, `dtype`,
#'   `trainable`, `input_shape`, ... R functions are refused (see
#'   [rbridge-object]).
#' @returns The return value depends on `object` (see above).
#' @family layers
#' @export
#' @examplesIf rbridge_available()
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
#'
#' dense <- layer_dense(units = 2)
#' dense(array(1, c(3, 4)))
layer_dense <- function(object, units, activation = NULL, use_bias = TRUE,
                        kernel_initializer = "glorot_uniform", bias_initializer = "zeros",
                        kernel_regularizer = NULL, bias_regularizer = NULL,
                        activity_regularizer = NULL, kernel_constraint = NULL,
                        bias_constraint = NULL, lora_rank = NULL, lora_alpha = NULL, ...) {
  object <- if (missing(object)) NULL else object # forced first: pipe steps run in order
  args <- rb_capture_args(rb_layer_modifiers)
  rb_create_layer("dense", object, args)
}

#' Applies dropout to the input
#'
#' The `Dropout` layer randomly sets input units to 0 with a frequency of
#' `rate` at each step during training time, which helps prevent
#' overfitting. Inputs not set to 0 are scaled up by `1 / (1 - rate)`. It
#' does nothing at inference (`predict()`).
#'
#' @inheritParams layer_dense
#' @param rate Float between 0 and 1. Fraction of the input units to drop.
#' @param noise_shape The shape of the binary dropout mask that will be
#'   multiplied with the input (`NA` for sizes taken from the input).
#' @param seed An integer to use as random seed.
#' @param ... Other named arguments of the Keras layer (`name`, ...).
#' @returns The return value depends on `object` (see [layer_dense()]).
#' @family layers
#' @export
#' @examplesIf rbridge_available()
#' layer_dropout(rate = 0.5, seed = 1)
#' keras_model_sequential(input_shape = 3) |> layer_dropout(rate = 0.2)
layer_dropout <- function(object, rate, noise_shape = NULL, seed = NULL, ...) {
  object <- if (missing(object)) NULL else object # forced first: pipe steps run in order
  args <- rb_capture_args(rb_layer_modifiers)
  rb_create_layer("dropout", object, args)
}

#' Applies an activation function to an output
#'
#' @inheritParams layer_dense
#' @param activation Activation function, by name (e.g. `"relu"`) or as
#'   an [activations] function (`activation_relu`).
#' @param ... Other named arguments of the Keras layer (`name`, ...).
#' @returns The return value depends on `object` (see [layer_dense()]).
#' @family layers
#' @export
#' @examplesIf rbridge_available()
#' layer <- layer_activation(activation = "relu")
#' layer(array(c(-3, -1, 0, 2)))
#' x <- keras_input(shape = 3)
#' layer_activation(x, "sigmoid")
layer_activation <- function(object, activation, ...) {
  object <- if (missing(object)) NULL else object # forced first: pipe steps run in order
  args <- rb_capture_args(rb_layer_modifiers)
  rb_create_layer("activation", object, args)
}

#' Flattens the input
#'
#' Does not affect the batch size.
#'
#' @inheritParams layer_dense
#' @param data_format `"channels_last"` (default) or `"channels_first"`:
#'   the ordering of the dimensions in the inputs.
#' @param ... Other named arguments of the Keras layer (`name`, ...).
#' @returns The return value depends on `object` (see [layer_dense()]).
#' @family layers
#' @export
#' @examplesIf rbridge_available()
#' x <- keras_input(shape = c(2, 3))
#' layer_flatten(x)
layer_flatten <- function(object, data_format = NULL, ...) {
  object <- if (missing(object)) NULL else object # forced first: pipe steps run in order
  args <- rb_capture_args(rb_layer_modifiers)
  rb_create_layer("flatten", object, args)
}
