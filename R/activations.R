# Activations: keras3's activation_*() functions.
#
# Each is an R function of an array or a symbolic tensor, and can also be
# passed to a layer (`layer_activation(activation = activation_relu)`,
# `layer_dense(activation = activation_relu)`): R closures are refused as
# layer arguments (a closure held by Python would be a reference cycle
# across the two collectors), so a layer gets the activation's Keras name,
# which each function carries as its "py_function_name" attribute (as
# keras3's activation_hard_silu() does).

# A layer's `activation` argument: an activation_*() function becomes its
# Keras name; anything else is left for the usual checks.
rb_as_activation <- function(x, arg = rlang::caller_arg(x), call = rlang::caller_env()) {
  if (is.function(x)) {
    name <- attr(x, "py_function_name", exact = TRUE)
    if (is.character(name) && length(name) == 1L) return(name)
  }
  x
}

# Apply activation `name` to `x` with the caller's other supplied arguments.
rb_activation <- function(name, x, kwargs, call = rlang::caller_env()) {
  if (is.atomic(x) && is.null(dim(x)) && length(x) > 1L) x <- as.array(x)
  rec <- rb_call_arrays("activation", name = name, x = rb_op_value(x, "x", call = call), kwargs = kwargs,
                        .call = call)
  rb_op_result(rec)
}

# (Functions defined in files collated later are looked up when called.)
rb_activation_modifiers <- list(axis = function(x, arg, call) rb_as_axis(x, arg, call = call),
                                approximate = function(x, arg, call) rb_check_flag(x, arg, call = call))

#' Activation functions
#'
#' keras3's activation functions, with Keras's formulas. Call one on an R
#' array (the result is an R array) or a symbolic tensor, or pass it as a
#' layer's `activation` (`layer_dense(units = 4, activation =
#' activation_relu)`), where it stands for the Keras activation of the same
#' name (`"relu"`); its other arguments then take their defaults.
#'
#' @param x Input: an R array (or number) or a symbolic tensor.
#' @param alpha Scale of the negative part.
#' @param approximate Whether to use the tanh approximation.
#' @param axis Axis along which the function is computed (1-based, as in
#'   keras3; `-1`: the last).
#' @param threshold The threshold value.
#' @param negative_slope Slope of the negative part.
#' @param max_value Saturation value (`NULL`: none).
#' @param b Smoothness parameter.
#' @param default_value Value for elements below `threshold`.
#' @returns An R array, or a symbolic tensor for a symbolic input.
#' @details
#' * `activation_celu()`: Continuously differentiable exponential linear unit:
#'   `alpha * (exp(x / alpha) - 1)` for `x < 0`, `x` otherwise.
#' * `activation_elu()`: Exponential linear unit: `alpha * (exp(x) - 1)` for `x < 0`, `x` otherwise.
#' * `activation_exponential()`: Exponential activation: `exp(x)`.
#' * `activation_gelu()`: Gaussian error linear unit (exact, or its tanh approximation).
#' * `activation_glu()`: Gated linear unit: `x` is split in two halves `a`, `b` along `axis`, giving `a * sigmoid(b)`.
#' * `activation_hard_shrink()`: Hard shrink: `x` where `abs(x) > threshold`, 0 elsewhere.
#' * `activation_hard_sigmoid()`: Hard sigmoid: `relu6(x + 3) / 6`.
#' * `activation_hard_silu()`: Hard SiLU (hard swish): `x * relu6(x + 3) / 6`.
#' * `activation_hard_swish()`: Alias of `activation_hard_silu()`.
#' * `activation_hard_tanh()`: Hard tanh: `x` clipped to `[-1, 1]`.
#' * `activation_leaky_relu()`: Leaky ReLU: `x` for `x > 0`, `negative_slope * x` otherwise.
#' * `activation_linear()`: Linear activation (pass-through).
#' * `activation_log_sigmoid()`: Logarithm of the sigmoid: `-softplus(-x)`.
#' * `activation_log_softmax()`: Logarithm of the softmax along `axis`.
#' * `activation_mish()`: Mish: `x * tanh(softplus(x))`.
#' * `activation_relu()`: Rectified linear unit: `max(x, 0)`, with a slope below
#'   `threshold`, and saturation at `max_value`.
#' * `activation_relu6()`: ReLU capped at 6: `min(max(x, 0), 6)`.
#' * `activation_selu()`: Scaled exponential linear unit.
#' * `activation_sigmoid()`: Sigmoid: `1 / (1 + exp(-x))`.
#' * `activation_silu()`: SiLU (swish): `x * sigmoid(x)`.
#' * `activation_soft_shrink()`: Soft shrink: `x - threshold` above `threshold`,
#'   `x + threshold` below `-threshold`, 0 between.
#' * `activation_softmax()`: Softmax along `axis`: `exp(x) / sum(exp(x))`.
#' * `activation_softplus()`: Softplus: `log(exp(x) + 1)`.
#' * `activation_softsign()`: Softsign: `x / (abs(x) + 1)`.
#' * `activation_sparse_plus()`: SparsePlus: 0 below -1, `(x + 1)^2 / 4` in `[-1, 1]`, `x` above 1.
#' * `activation_sparse_sigmoid()`: Sparse sigmoid: 0 below -1, `(x + 1) / 2` in `[-1, 1]`, 1 above 1.
#' * `activation_sparsemax()`: Sparsemax along `axis`: a probability distribution with exact zeros.
#' * `activation_squareplus()`: Squareplus: `(x + sqrt(x^2 + b)) / 2`.
#' * `activation_tanh()`: Hyperbolic tangent.
#' * `activation_tanh_shrink()`: Tanh shrink: `x - tanh(x)`.
#' * `activation_threshold()`: Threshold: `x` where `x > threshold`, `default_value` elsewhere.
#' @family activations
#' @name activations
#' @examplesIf rbridge_available()
#' x <- c(-3, -1, 0, 1, 3)
#' activation_relu(x)
#' activation_relu(x, negative_slope = 0.1, max_value = 2)
#' activation_sigmoid(x)
#' activation_softmax(array(c(1, 2, 3, 1, 2, 3), c(2, 3)))
#' layer_activation(activation = activation_relu)
#' layer_dense(units = 2, activation = activation_tanh)
NULL

#' @rdname activations
#' @export
activation_celu <- structure(function(x, alpha = 1) {
  args <- rb_capture_args(rb_activation_modifiers, ignore = "x") # in this frame: it reads the call
  rb_activation("celu", x, args)
}, py_function_name = "celu")

#' @rdname activations
#' @export
activation_elu <- structure(function(x, alpha = 1) {
  args <- rb_capture_args(rb_activation_modifiers, ignore = "x") # in this frame: it reads the call
  rb_activation("elu", x, args)
}, py_function_name = "elu")

#' @rdname activations
#' @export
activation_exponential <- structure(function(x) {
  args <- rb_capture_args(rb_activation_modifiers, ignore = "x") # in this frame: it reads the call
  rb_activation("exponential", x, args)
}, py_function_name = "exponential")

#' @rdname activations
#' @export
activation_gelu <- structure(function(x, approximate = FALSE) {
  args <- rb_capture_args(rb_activation_modifiers, ignore = "x") # in this frame: it reads the call
  rb_activation("gelu", x, args)
}, py_function_name = "gelu")

#' @rdname activations
#' @export
activation_glu <- structure(function(x, axis = -1L) {
  args <- rb_capture_args(rb_activation_modifiers, ignore = "x") # in this frame: it reads the call
  rb_activation("glu", x, args)
}, py_function_name = "glu")

#' @rdname activations
#' @export
activation_hard_shrink <- structure(function(x, threshold = 0.5) {
  args <- rb_capture_args(rb_activation_modifiers, ignore = "x") # in this frame: it reads the call
  rb_activation("hard_shrink", x, args)
}, py_function_name = "hard_shrink")

#' @rdname activations
#' @export
activation_hard_sigmoid <- structure(function(x) {
  args <- rb_capture_args(rb_activation_modifiers, ignore = "x") # in this frame: it reads the call
  rb_activation("hard_sigmoid", x, args)
}, py_function_name = "hard_sigmoid")

#' @rdname activations
#' @export
activation_hard_silu <- structure(function(x) {
  args <- rb_capture_args(rb_activation_modifiers, ignore = "x") # in this frame: it reads the call
  rb_activation("hard_silu", x, args)
}, py_function_name = "hard_silu")

#' @rdname activations
#' @export
activation_hard_swish <- structure(function(x) {
  args <- rb_capture_args(rb_activation_modifiers, ignore = "x") # in this frame: it reads the call
  rb_activation("hard_silu", x, args)
}, py_function_name = "hard_silu")

#' @rdname activations
#' @export
activation_hard_tanh <- structure(function(x) {
  args <- rb_capture_args(rb_activation_modifiers, ignore = "x") # in this frame: it reads the call
  rb_activation("hard_tanh", x, args)
}, py_function_name = "hard_tanh")

#' @rdname activations
#' @export
activation_leaky_relu <- structure(function(x, negative_slope = 0.2) {
  args <- rb_capture_args(rb_activation_modifiers, ignore = "x") # in this frame: it reads the call
  rb_activation("leaky_relu", x, args)
}, py_function_name = "leaky_relu")

#' @rdname activations
#' @export
activation_linear <- structure(function(x) {
  args <- rb_capture_args(rb_activation_modifiers, ignore = "x") # in this frame: it reads the call
  rb_activation("linear", x, args)
}, py_function_name = "linear")

#' @rdname activations
#' @export
activation_log_sigmoid <- structure(function(x) {
  args <- rb_capture_args(rb_activation_modifiers, ignore = "x") # in this frame: it reads the call
  rb_activation("log_sigmoid", x, args)
}, py_function_name = "log_sigmoid")

#' @rdname activations
#' @export
activation_log_softmax <- structure(function(x, axis = -1L) {
  args <- rb_capture_args(rb_activation_modifiers, ignore = "x") # in this frame: it reads the call
  rb_activation("log_softmax", x, args)
}, py_function_name = "log_softmax")

#' @rdname activations
#' @export
activation_mish <- structure(function(x) {
  args <- rb_capture_args(rb_activation_modifiers, ignore = "x") # in this frame: it reads the call
  rb_activation("mish", x, args)
}, py_function_name = "mish")

#' @rdname activations
#' @export
activation_relu <- structure(function(x, negative_slope = 0, max_value = NULL, threshold = 0) {
  args <- rb_capture_args(rb_activation_modifiers, ignore = "x") # in this frame: it reads the call
  rb_activation("relu", x, args)
}, py_function_name = "relu")

#' @rdname activations
#' @export
activation_relu6 <- structure(function(x) {
  args <- rb_capture_args(rb_activation_modifiers, ignore = "x") # in this frame: it reads the call
  rb_activation("relu6", x, args)
}, py_function_name = "relu6")

#' @rdname activations
#' @export
activation_selu <- structure(function(x) {
  args <- rb_capture_args(rb_activation_modifiers, ignore = "x") # in this frame: it reads the call
  rb_activation("selu", x, args)
}, py_function_name = "selu")

#' @rdname activations
#' @export
activation_sigmoid <- structure(function(x) {
  args <- rb_capture_args(rb_activation_modifiers, ignore = "x") # in this frame: it reads the call
  rb_activation("sigmoid", x, args)
}, py_function_name = "sigmoid")

#' @rdname activations
#' @export
activation_silu <- structure(function(x) {
  args <- rb_capture_args(rb_activation_modifiers, ignore = "x") # in this frame: it reads the call
  rb_activation("silu", x, args)
}, py_function_name = "silu")

#' @rdname activations
#' @export
activation_soft_shrink <- structure(function(x, threshold = 0.5) {
  args <- rb_capture_args(rb_activation_modifiers, ignore = "x") # in this frame: it reads the call
  rb_activation("soft_shrink", x, args)
}, py_function_name = "soft_shrink")

#' @rdname activations
#' @export
activation_softmax <- structure(function(x, axis = -1L) {
  args <- rb_capture_args(rb_activation_modifiers, ignore = "x") # in this frame: it reads the call
  rb_activation("softmax", x, args)
}, py_function_name = "softmax")

#' @rdname activations
#' @export
activation_softplus <- structure(function(x) {
  args <- rb_capture_args(rb_activation_modifiers, ignore = "x") # in this frame: it reads the call
  rb_activation("softplus", x, args)
}, py_function_name = "softplus")

#' @rdname activations
#' @export
activation_softsign <- structure(function(x) {
  args <- rb_capture_args(rb_activation_modifiers, ignore = "x") # in this frame: it reads the call
  rb_activation("softsign", x, args)
}, py_function_name = "softsign")

#' @rdname activations
#' @export
activation_sparse_plus <- structure(function(x) {
  args <- rb_capture_args(rb_activation_modifiers, ignore = "x") # in this frame: it reads the call
  rb_activation("sparse_plus", x, args)
}, py_function_name = "sparse_plus")

#' @rdname activations
#' @export
activation_sparse_sigmoid <- structure(function(x) {
  args <- rb_capture_args(rb_activation_modifiers, ignore = "x") # in this frame: it reads the call
  rb_activation("sparse_sigmoid", x, args)
}, py_function_name = "sparse_sigmoid")

#' @rdname activations
#' @export
activation_sparsemax <- structure(function(x, axis = -1L) {
  args <- rb_capture_args(rb_activation_modifiers, ignore = "x") # in this frame: it reads the call
  rb_activation("sparsemax", x, args)
}, py_function_name = "sparsemax")

#' @rdname activations
#' @export
activation_squareplus <- structure(function(x, b = 4L) {
  args <- rb_capture_args(rb_activation_modifiers, ignore = "x") # in this frame: it reads the call
  rb_activation("squareplus", x, args)
}, py_function_name = "squareplus")

#' @rdname activations
#' @export
activation_tanh <- structure(function(x) {
  args <- rb_capture_args(rb_activation_modifiers, ignore = "x") # in this frame: it reads the call
  rb_activation("tanh", x, args)
}, py_function_name = "tanh")

#' @rdname activations
#' @export
activation_tanh_shrink <- structure(function(x) {
  args <- rb_capture_args(rb_activation_modifiers, ignore = "x") # in this frame: it reads the call
  rb_activation("tanh_shrink", x, args)
}, py_function_name = "tanh_shrink")

#' @rdname activations
#' @export
activation_threshold <- structure(function(x, threshold, default_value) {
  args <- rb_capture_args(rb_activation_modifiers, ignore = "x") # in this frame: it reads the call
  rb_activation("threshold", x, args)
}, py_function_name = "threshold")
