# Hostile values through the exported functions (issue 13, R side): every
# failure is an rbridge error (classed, naming the user's function), never
# a raw NumPy/pandas/reticulate message or a crash, and consumes no name.

hostile_values <- list(
  na = NA, na_chr = NA_character_, na_real = NA_real_, huge = 1e300, neg = -1, frac = 0.5,
  long_string = strrep("x", 1e5), empty_list = list(), env = new.env(), closure = function(x) x,
  df = data.frame(a = 1:2), mat = matrix(1, 2, 2), arr3 = array(1, c(2, 2, 2)), raw = as.raw(1),
  cplx = 1i, vec = c(1, 2), flag = TRUE, nested = list(list(mean))
)

hostile_calls <- list(
  layer_dense = function(v) layer_dense(units = v),
  layer_dense_name = function(v) layer_dense(units = 1, name = v),
  layer_dense_activation = function(v) layer_dense(units = 1, activation = v),
  layer_dense_dtype = function(v) layer_dense(units = 1, dtype = v),
  layer_dense_trainable = function(v) layer_dense(units = 1, trainable = v),
  layer_dropout = function(v) layer_dropout(rate = v),
  layer_dropout_seed = function(v) layer_dropout(rate = 0.5, seed = v),
  layer_activation = function(v) layer_activation(activation = v),
  layer_flatten = function(v) layer_flatten(data_format = v),
  keras_input = function(v) keras_input(shape = v),
  keras_input_batch = function(v) keras_input(shape = 2, batch_size = v),
  keras_input_name = function(v) keras_input(shape = 2, name = v),
  keras_model_sequential = function(v) keras_model_sequential(input_shape = v),
  keras_model_sequential_name = function(v) keras_model_sequential(name = v),
  keras_model = function(v) keras_model(inputs = v, outputs = v),
  get_uid = function(v) get_uid(v),
  clear_session = function(v) clear_session(v),
  set_random_seed = function(v) set_random_seed(v),
  shape = function(v) shape(v),
  object = function(v) count_params(v),
  pop_layer = function(v) pop_layer(v)
)

test_that("hostile values give rbridge errors and consume no name", {
  skip_if_no_python()
  clear_session()
  withr::local_options(warn = -1)
  model <- keras_model_sequential(input_shape = 4) |> layer_dense(units = 2)
  empty <- keras_model_sequential()
  layer_calls <- list(
    predict = function(v) predict(model, v),
    set_weights = function(v) set_weights(model, v),
    get_weights = function(v) get_weights(model, trainable = v),
    get_layer_name = function(v) get_layer(model, name = v),
    get_layer_index = function(v) get_layer(model, index = v),
    pop_layer_rebuild = function(v) pop_layer(empty, rebuild = v),
    call_layer = function(v) model(v),
    set_trainable = function(v) model$trainable <- v
  )
  calls <- c(hostile_calls, layer_calls)
  bad <- character()
  n <- 0L
  for (fn in names(calls)) {
    for (vn in names(hostile_values)) {
      before <- session_counters()
      res <- tryCatch({
        with_config(floatx = "float32", epsilon = 1e-7, code = calls[[fn]](hostile_values[[vn]]))
        NULL
      }, error = identity)
      n <- n + 1L
      if (!is.null(res) && !inherits(res, "rbridge_error")) {
        bad <- c(bad, sprintf("%s(%s): %s", fn, vn, substr(conditionMessage(res), 1, 80)))
      }
      if (!is.null(res) && !identical(session_counters(), before)) {
        bad <- c(bad, sprintf("%s(%s) consumed a name", fn, vn))
      }
      if (!is.null(res)) expect_lt(nchar(conditionMessage(res)), 3000)
    }
  }
  clear_session()
  expect_gt(n, 400)
  expect_equal(bad, character())
})

# Layers and models called on empty and list values and on rbridge objects
# (issue 21, items 2 and 3): Keras's messages, the layer left unbuilt, no
# name consumed.
test_that("a layer called on list() raises Keras's error and stays unbuilt", {
  skip_if_no_python()
  clear_session()
  dense <- layer_dense(units = 3)
  before <- session_counters()
  expect_error(dense(list()), 'Layer "dense" expects 1 input(s), but it received 0 input tensors.',
               fixed = TRUE, class = "rbridge_python_ValueError")
  expect_false(dense$built)
  expect_error(dense(list(1)), "expected min_ndim=2, found ndim=1", class = "rbridge_python_ValueError")
  expect_error(dense(list(matrix(1, 2, 4))), "Cannot convert '((2, 4), 3)' to a shape.", fixed = TRUE,
               class = "rbridge_python_ValueError")
  expect_error(dense(list(a = matrix(1, 2, 4))), "to a shape", class = "rbridge_python_ValueError")
  expect_error(dense(list(keras_input(shape = 4))), "Cannot convert '((None, 4), 3)' to a shape.",
               fixed = TRUE, class = "rbridge_python_ValueError")
  expect_false(dense$built)
  expect_equal(length(get_weights(dense)), 0L)
  expect_error(layer_flatten()(list()), "expects 1 input(s)", fixed = TRUE, class = "rbridge_python_ValueError")
  clear_session()
  dense <- layer_dense(units = 3)
  expect_equal(dim(dense(matrix(1, 2, 4))), c(2L, 3L))
  expect_equal(lapply(get_weights(dense), dim), list(c(4L, 3L), 3L))
})

test_that("models called on list() and list(1) give Keras's errors", {
  skip_if_no_python()
  clear_session()
  seq_model <- keras_model_sequential(input_shape = 4) |> layer_dense(units = 2)
  inputs <- keras_input(shape = 4)
  fn_model <- keras_model(inputs, inputs |> layer_dense(units = 2))
  before <- session_counters()
  # Python's warning about the structure (Keras gives it too) is not under test
  quietly <- function(code) suppressWarnings(code)
  expect_error(quietly(seq_model(list())), "Output with path `` is not connected to `inputs`",
               fixed = TRUE, class = "rbridge_python_ValueError")
  expect_error(quietly(seq_model(list(1))), "Expected shape (None, 4)", fixed = TRUE,
               class = "rbridge_python_ValueError")
  expect_error(fn_model(list()), "expects 1 named input(s) with keys ['input_layer", fixed = TRUE,
               class = "rbridge_python_ValueError")
  expect_identical(session_counters(), before)
  expect_equal(dim(seq_model(matrix(1, 3, 4))), c(3L, 2L))
  expect_equal(dim(fn_model(matrix(1, 3, 4))), c(3L, 2L))
})

test_that("layers and models called on rbridge objects give clear errors", {
  skip_if_no_python()
  clear_session()
  dense <- layer_dense(units = 4)
  other <- layer_dense(units = 2)
  seq_model <- keras_model_sequential(input_shape = 4) |> layer_dense(units = 4)
  inputs <- keras_input(shape = 4)
  fn_model <- keras_model(inputs, inputs |> layer_dense(units = 4))
  before <- session_counters()
  expect_error(dense(dense), "`object` must be a symbolic tensor", class = "rbridge_error_argument")
  expect_error(dense(other), "`object` must be a symbolic tensor", class = "rbridge_error_argument")
  expect_error(dense(fn_model), "`object` must be a symbolic tensor", class = "rbridge_error_argument")
  expect_error(dense(list(other)), "`object`", class = "rbridge_error")
  expect_error(dense(list(inputs, 1)), "`object`", class = "rbridge_error")
  # a Sequential model applied to a Sequential model is added to it: not to
  # itself, nor to a model it is part of
  expect_error(seq_model(seq_model), "can't contain itself", class = "rbridge_python_ValueError")
  outer <- keras_model_sequential(input_shape = 4) |> seq_model()
  expect_error(outer(seq_model), "can't contain itself", class = "rbridge_python_ValueError")
  expect_equal(length(seq_model$layers), 1L)
  expect_equal(dim(seq_model(matrix(1, 2, 4))), c(2L, 4L))
  expect_equal(dim(dense(matrix(1, 2, 4))), c(2L, 4L))
})
