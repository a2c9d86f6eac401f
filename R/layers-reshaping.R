# Reshaping layers: keras3's layer_reshape(), layer_permute(),
# layer_repeat_vector().

rb_reshaping_modifiers <- function() {
  c(rb_layer_modifiers, list(
    target_shape = function(x, arg, call) rb_as_newshape(x, arg, call = call),
    dims = function(x, arg, call) as.list(rb_as_integer(x, arg, call = call)),
    n = function(x, arg, call) rb_as_integer(x, arg, call = call)
  ))
}

#' Layer that reshapes inputs into the given shape
#'
#' @inheritParams layer_dense
#' @param target_shape Target shape, not including the batch axis; `NA`
#'   (or `-1`) for one size inferred from the others.
#' @param ... Other named arguments of the Keras layer (`name`, ...).
#' @returns The return value depends on `object` (see [layer_dense()]).
#' @family reshaping layers
#' @family layers
#' @export
#' @examplesIf rbridge_available()
#' x <- keras_input(shape = 12)
#' y <- layer_reshape(x, c(3, 4))
#' shape(y)
#' y <- layer_reshape(x, c(NA, 2, 2))
#' shape(y)
layer_reshape <- function(object, target_shape, ...) {
  object <- if (missing(object)) NULL else object # forced first: pipe steps run in order
  args <- rb_capture_args(rb_reshaping_modifiers())
  rb_create_layer("reshape", object, args)
}

#' Permutes the dimensions of the input according to a given pattern
#'
#' Useful e.g. for connecting RNNs and convnets.
#'
#' @inheritParams layer_dense
#' @param dims Permutation pattern, not including the batch axis. Indexing
#'   starts at 1: `c(2, 1)` swaps the first and second non-batch axes.
#' @param ... Other named arguments of the Keras layer (`name`, ...).
#' @returns The return value depends on `object` (see [layer_dense()]).
#' @family reshaping layers
#' @family layers
#' @export
#' @examplesIf rbridge_available()
#' x <- keras_input(shape = c(10, 64))
#' y <- layer_permute(x, c(2, 1))
#' shape(y)
layer_permute <- function(object, dims, ...) {
  object <- if (missing(object)) NULL else object # forced first: pipe steps run in order
  args <- rb_capture_args(rb_reshaping_modifiers())
  rb_create_layer("permute", object, args)
}

#' Repeats the input n times
#'
#' @inheritParams layer_dense
#' @param n Integer, repetition factor.
#' @param ... Other named arguments of the Keras layer (`name`, ...).
#' @returns The return value depends on `object` (see [layer_dense()]).
#' @family reshaping layers
#' @family layers
#' @export
#' @examplesIf rbridge_available()
#' x <- keras_input(shape = 32)
#' y <- layer_repeat_vector(x, n = 3)
#' shape(y)
layer_repeat_vector <- function(object, n, ...) {
  object <- if (missing(object)) NULL else object # forced first: pipe steps run in order
  args <- rb_capture_args(rb_reshaping_modifiers())
  rb_create_layer("repeat_vector", object, args)
}
