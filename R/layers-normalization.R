# Normalization layers: keras3's layer_batch_normalization(),
# layer_layer_normalization().

rb_normalization_modifiers <- function() {
  c(rb_layer_modifiers, list(
    axis = function(x, arg, call) rb_as_axis(x, arg, call = call),
    center = function(x, arg, call) rb_check_flag(x, arg, call = call),
    scale = function(x, arg, call) rb_check_flag(x, arg, call = call),
    synchronized = function(x, arg, call) rb_check_flag(x, arg, call = call)
  ))
}

#' Layer that normalizes its inputs
#'
#' Batch normalization applies a transformation that keeps the mean output
#' close to 0 and the output standard deviation close to 1. At inference
#' (`predict()`, or a call with `training = FALSE`, the default) it uses the
#' moving mean and variance: `gamma * (x - moving_mean) /
#' sqrt(moving_variance + epsilon) + beta`. Called with `training = TRUE`, it
#' normalizes with the batch's own statistics and updates the moving
#' averages (`moving = moving * momentum + batch * (1 - momentum)`).
#'
#' @inheritParams layer_dense
#' @param axis The axis that should be normalized (typically the features
#'   axis), 1-based as in keras3; `-1` is the last.
#' @param momentum Momentum for the moving average.
#' @param epsilon Small float added to the variance to avoid dividing by
#'   zero.
#' @param center If `TRUE`, add offset `beta` to the normalized tensor.
#' @param scale If `TRUE`, multiply by `gamma`.
#' @param beta_initializer,gamma_initializer,moving_mean_initializer,moving_variance_initializer
#'   Initializers of the weights, by name.
#' @param beta_regularizer,gamma_regularizer,beta_constraint,gamma_constraint
#'   As in Keras (not supported by rbridge's session yet).
#' @param synchronized Only used with the TensorFlow backend in Keras.
#' @param ... Other named arguments of the Keras layer (`name`, ...).
#' @returns The return value depends on `object` (see [layer_dense()]).
#' @family normalization layers
#' @family layers
#' @export
#' @examplesIf rbridge_available()
#' model <- keras_model_sequential(input_shape = 4) |>
#'   layer_dense(units = 8) |>
#'   layer_batch_normalization() |>
#'   layer_dense(units = 1)
#' model
#' bn <- layer_batch_normalization()
#' bn(array(c(1, 2, 3, 4), c(2, 2)))
layer_batch_normalization <- function(object, axis = -1L, momentum = 0.99, epsilon = 0.001,
                                      center = TRUE, scale = TRUE, beta_initializer = "zeros",
                                      gamma_initializer = "ones", moving_mean_initializer = "zeros",
                                      moving_variance_initializer = "ones", beta_regularizer = NULL,
                                      gamma_regularizer = NULL, beta_constraint = NULL,
                                      gamma_constraint = NULL, synchronized = FALSE, ...) {
  object <- if (missing(object)) NULL else object # forced first: pipe steps run in order
  args <- rb_capture_args(rb_normalization_modifiers())
  rb_create_layer("batch_normalization", object, args)
}

#' Layer normalization layer (Ba et al., 2016)
#'
#' Normalizes the activations of the previous layer for each given example
#' in a batch independently, rather than across a batch:
#' `gamma * (x - mean) / sqrt(var + epsilon) + beta`, with the mean and
#' variance taken over `axis`.
#'
#' @inheritParams layer_batch_normalization
#' @param axis Integer or vector: the axis or axes to normalize across,
#'   1-based as in keras3; `-1` is the last.
#' @param beta_initializer,gamma_initializer Initializers of the weights,
#'   by name.
#' @param ... Other named arguments of the Keras layer (`name`, ...).
#' @returns The return value depends on `object` (see [layer_dense()]).
#' @family normalization layers
#' @family layers
#' @export
#' @examplesIf rbridge_available()
#' x <- array(c(10, 20, 30, 40), c(2, 2))
#' layer_layer_normalization(x, axis = 2)
#' inputs <- keras_input(shape = 8)
#' layer_layer_normalization(inputs)
layer_layer_normalization <- function(object, axis = -1L, epsilon = 0.001, center = TRUE,
                                      scale = TRUE, beta_initializer = "zeros",
                                      gamma_initializer = "ones", beta_regularizer = NULL,
                                      gamma_regularizer = NULL, beta_constraint = NULL,
                                      gamma_constraint = NULL, ...) {
  object <- if (missing(object)) NULL else object # forced first: pipe steps run in order
  args <- rb_capture_args(rb_normalization_modifiers())
  rb_create_layer("layer_normalization", object, args)
}
