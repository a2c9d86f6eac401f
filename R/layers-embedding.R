# keras3's layer_embedding().

rb_embedding_modifiers <- function() {
  c(rb_layer_modifiers, list(
    input_dim = function(x, arg, call) rb_as_integer(x, arg, call = call),
    output_dim = function(x, arg, call) rb_as_integer(x, arg, call = call),
    input_length = function(x, arg, call) rb_as_integer(x, arg, call = call),
    mask_zero = function(x, arg, call) rb_check_flag(x, arg, call = call)
  ))
}

#' Turns nonnegative integers (indexes) into dense vectors of fixed size
#'
#' e.g. `c(4, 20)` becomes `list(c(0.25, 0.1), c(0.6, -0.2))`. This layer
#' can only be used on nonnegative integer inputs of a fixed range. Indexes
#' are 0-based, as in Keras: an input `i` selects row `i + 1` of the
#' embeddings matrix.
#'
#' @inheritParams layer_dense
#' @param input_dim Integer. Size of the vocabulary, i.e. maximum integer
#'   index + 1.
#' @param output_dim Integer. Dimension of the dense embedding.
#' @param embeddings_initializer Initializer for the `embeddings` matrix,
#'   by name.
#' @param embeddings_regularizer,embeddings_constraint As in Keras (not
#'   supported by rbridge's session yet).
#' @param mask_zero Whether the input value 0 is a special "padding" value
#'   that should be masked out (recorded; masks are not propagated by
#'   rbridge's session).
#' @param weights Optional initial embeddings (not supported by rbridge's
#'   session yet: use `set_weights()`).
#' @param lora_rank,lora_alpha As in Keras (not supported by rbridge's
#'   session yet).
#' @param ... Other named arguments of the Keras layer (`name`, ...).
#' @returns The return value depends on `object` (see [layer_dense()]).
#' @family layers
#' @export
#' @examplesIf rbridge_available()
#' model <- keras_model_sequential(input_shape = 10) |>
#'   layer_embedding(input_dim = 1000, output_dim = 64)
#' model
#' x <- array(sample(0:999, 320, replace = TRUE), c(32, 10))
#' dim(predict(model, x, verbose = 0))
layer_embedding <- function(object, input_dim, output_dim, embeddings_initializer = "uniform",
                            embeddings_regularizer = NULL, embeddings_constraint = NULL,
                            mask_zero = FALSE, weights = NULL, lora_rank = NULL, lora_alpha = NULL,
                            ...) {
  object <- if (missing(object)) NULL else object # forced first: pipe steps run in order
  args <- rb_capture_args(rb_embedding_modifiers())
  rb_create_layer("embedding", object, args)
}
