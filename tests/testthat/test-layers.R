test_that("a layer function without object returns the layer, a callable object", {
  skip_if_no_python()
  clear_session()
  layer <- layer_dense(units = 10, activation = "relu")
  expect_s3_class(layer, "rbridge_layer")
  expect_true(is.function(layer))
  expect_false(inherits(layer, "rbridge_model"))
  expect_equal(layer$name, "dense")
  expect_equal(layer$class, "Dense")
  expect_identical(layer$units, 10L)
  expect_equal(layer$activation, "relu")
  expect_false(layer$built)
  expect_equal(capture.output(print(layer)),
               c("<Dense name=dense, built=False>", " signature: (*args, **kwargs)"))
  expect_equal(layer_dropout(rate = 0.25)$rate, 0.25)
  expect_equal(layer_activation(activation = "tanh")$class, "Activation")
  expect_equal(layer_flatten(name = "flat")$name, "flat")
})

test_that("piping into a Sequential model adds the layer and returns the model invisibly", {
  skip_if_no_python()
  clear_session()
  model <- keras_model_sequential(input_shape = 4)
  res <- withVisible(model |> layer_dense(units = 8))
  expect_false(res$visible)
  expect_identical(res$value, model)
  model |> layer_dropout(rate = 0.5) |> layer_dense(units = 2)
  expect_s3_class(model, "rbridge_model")
  expect_equal(vapply(model$layers, \(l) l$name, ""), c("dense", "dropout", "dense_1"))
  expect_true(model$layers[[1]]$built)
  expect_identical(count_params(model), 4L * 8L + 8L + 8L * 2L + 2L)
})

test_that("calling a layer function on a tensor returns the output tensor", {
  skip_if_no_python()
  clear_session()
  x <- keras_input(shape = c(2, 3))
  y <- x |> layer_flatten() |> layer_dense(units = 4) |> layer_activation("relu")
  expect_s3_class(y, "rbridge_tensor")
  expect_identical(y$shape, list(NULL, 4L))
  expect_output(print(y), "<KerasTensor shape=(None, 4), dtype=float32, sparse=False, ragged=False, name=",
                fixed = TRUE)
})

test_that("integer arguments are converted as keras3's as_integer() does", {
  skip_if_no_python()
  clear_session()
  expect_identical(layer_dense(units = 10)$units, 10L)
  expect_identical(layer_dense(units = 10L)$units, 10L)
  model <- keras_model_sequential() |> layer_dense(32, input_shape = 784)
  expect_identical(count_params(model), 784L * 32L + 32L)
  drop <- layer_dropout(rate = 0.5, seed = 1)
  expect_equal(drop$rate, 0.5)
  expect_equal(layer_dropout(rate = 0.5, noise_shape = c(NA, 1))$name, "dropout_1")
})

test_that("arguments are checked in R or in Python, naming the argument and the user's function", {
  skip_if_no_python()
  clear_session()
  layer_dense(units = 1)
  before <- session_counters()
  expect_error(layer_dense(units = 1.5), "`units` must be a whole number, not the number 1.5.", fixed = TRUE,
               class = "rbridge_error_argument")
  expect_error(layer_dense(units = NA), "`units` can't be or contain `NA`.", fixed = TRUE)
  expect_error(layer_dense(units = NA_real_), "`units` must be a whole number, not `NA`.", fixed = TRUE)
  expect_error(layer_dense(units = 2, name = NA_character_), "`name` can't be or contain `NA`.", fixed = TRUE)
  expect_error(layer_dense(units = c(1, 2.5)), "`units` must be whole numbers", fixed = TRUE)
  expect_error(layer_dense(units = 0), "units", class = "rbridge_error_python")
  expect_error(layer_dense(units = "10"), "units", class = "rbridge_error_python")
  expect_error(layer_dense(units = 2, trainable = NA), "`trainable` must be `TRUE` or `FALSE`, not `NA`.",
               fixed = TRUE)
  expect_error(layer_dense(units = 2, dtype = TRUE), "Cannot interpret `dtype` argument", fixed = TRUE)
  expect_error(layer_dropout(rate = 1.5), "rate", class = "rbridge_error_python")
  expect_error(layer_dense("a", units = 2), "`object` must be a numeric matrix or array, not the string \"a\".",
               fixed = TRUE)
  expect_error(layer_flatten(NULL, NULL, 3), "All arguments in `...` must be named.", fixed = TRUE)
  err <- tryCatch(layer_dense(units = 1.5), error = identity)
  expect_equal(deparse(conditionCall(err)), "layer_dense(units = 1.5)")
  expect_equal(session_counters(), before)
  expect_equal(layer_dense(units = 1)$name, "dense_1")
})

test_that("in a pipe chain the error names the function whose argument is wrong", {
  skip_if_no_python()
  clear_session()
  err <- tryCatch(keras_model_sequential() |> layer_dense(units = "a") |> layer_activation("relu"),
                  error = identity)
  expect_s3_class(err, "rbridge_error")
  expect_equal(as.character(conditionCall(err)[[1]]), "layer_dense")
  err <- tryCatch(keras_model_sequential() |> layer_dense(units = 1.5) |> layer_activation("relu"),
                  error = identity)
  expect_equal(as.character(conditionCall(err)[[1]]), "layer_dense")
  shown <- paste(capture.output(print(err)), collapse = "\n")
  expect_match(shown, "Error in `layer_dense()`:\n! `units` must be a whole number", fixed = TRUE)
})

test_that("Python errors surface with Keras's message and consume no name", {
  skip_if_no_python()
  clear_session()
  before <- session_counters()
  err <- tryCatch(layer_activation(activation = "no_such_activation"), error = identity)
  expect_s3_class(err, "rbridge_error_python")
  expect_match(conditionMessage(err), "no_such_activation")
  expect_no_match(conditionMessage(err), "Traceback|py_call_impl|^ValueError")
  expect_equal(as.character(conditionCall(err)[[1]]), "layer_activation")
  expect_error(layer_dense(units = 2, foo = 1), "Unrecognized keyword arguments")
  expect_equal(session_counters(), before)
})

test_that("hostile values in ... get a clear rbridge error naming the argument", {
  skip_if_no_python()
  clear_session()
  before <- session_counters()
  expect_error(layer_dense(units = 2, kernel_initializer = function(shape) 1),
               "`kernel_initializer` can't be an R function.", fixed = TRUE, class = "rbridge_error_argument")
  expect_error(layer_dense(units = 2, name = matrix(1, 2, 2)), "`name` must be a number, string",
               fixed = TRUE, class = "rbridge_error_argument")
  expect_error(layer_dense(units = 2, name = data.frame(a = 1)), "`name` must be a number, string",
               fixed = TRUE)
  expect_error(layer_dense(units = 2, name = new.env()), "not an environment", fixed = TRUE)
  expect_error(layer_dense(units = 2, name = list(1, mean)), "`name[[2]]` can't be an R function", fixed = TRUE)
  expect_equal(session_counters(), before)
  long <- strrep("x", 1e5)
  err <- tryCatch(layer_activation(activation = long), error = identity)
  expect_s3_class(err, "rbridge_error_python")
  expect_lt(nchar(conditionMessage(err)), 2500) # the echoed value is cut (in Python, or by rb_abort())
  err <- tryCatch(layer_dense(units = long), error = identity)
  expect_lt(nchar(conditionMessage(err)), 2500)
  expect_equal(session_counters(), before)
})

test_that("a layer object is a function: eager on arrays, symbolic on tensors, a pipe step on models", {
  skip_if_no_python()
  clear_session()
  relu <- layer_activation(activation = "relu")
  expect_equal(relu(array(c(-3, -1, 0, 2))), array(c(0, 0, 0, 2)))
  dense <- layer_dense(units = 3)
  x <- keras_input(shape = 4)
  y <- dense(x)
  expect_s3_class(y, "rbridge_tensor")
  expect_identical(y$shape, list(NULL, 3L))
  out <- dense(matrix(1, 2, 4))
  expect_equal(dim(out), c(2L, 3L))
  model <- keras_model_sequential(input_shape = 3)
  layer1 <- layer_dense(units = 2, name = "layer1")
  res <- withVisible(model |> layer1())
  expect_false(res$visible)
  expect_identical(res$value, model)
  expect_equal(model$layers[[1]]$name, "layer1")
  expect_error(dense(), "`object` is missing", fixed = TRUE)
  expect_equal(layer_activation(array(c(-1, 2)), "relu"), array(c(0, 2)))
  before <- session_counters()
  expect_error(layer_dense(2^70, units = 2), class = "rbridge_error_python") # a 1-d input: Keras's error
  expect_equal(session_counters(), before) # one atomic crossing: no name consumed
  err <- tryCatch(dense(keras_input(shape = 5)), error = identity)
  expect_match(conditionMessage(err), "incompatible with the layer")
  expect_equal(as.character(conditionCall(err)[[1]]), "dense")
})

test_that("a layer passed as an argument reaches Keras as the Python layer (issue 21)", {
  skip_if_no_python()
  clear_session()
  inner <- layer_dense(units = 3, kernel_initializer = "ones", use_bias = FALSE)
  outer <- layer_dense(units = 2, activation = inner, kernel_initializer = "ones", use_bias = FALSE)
  out <- outer(matrix(1, 2, 4))
  expect_equal(dim(out), c(2L, 3L)) # Keras: Dense(2) then its activation, Dense(3)
  expect_equal(out, matrix(8, 2, 3)) # 4 ones summed, twice, then 2 of those summed
  expect_equal(outer$activation$name, inner$name)
})

test_that("a model can't be an argument of a layer added to it; nothing is kept (issue 21)", {
  skip_if_no_python()
  clear_session()
  gc(); clear_session()
  base <- attr(session_info(), "handles")
  before <- session_counters()
  for (i in 1:5) {
    m <- keras_model_sequential(input_shape = 4, name = "m")
    err <- tryCatch(m |> layer_dense(units = 4, activation = m), error = identity)
    expect_s3_class(err, "rbridge_error_argument")
    expect_equal(err$argument, "activation")
    expect_equal(as.character(conditionCall(err)[[1]]), "layer_dense")
    expect_length(m$layers, 0L)
  }
  rm(m, err)
  gc()
  clear_session()
  expect_equal(attr(session_info(), "handles"), base) # every model was freed
  expect_equal(session_counters()$prefix[session_counters()$prefix == "dense"], character())
  local_snapshots_everywhere()
  expect_snapshot(keras_model_sequential(input_shape = 4, name = "m") |> (\(m) layer_dense(m, units = 4, activation = m))(), # nolint: line_length_linter.
                  error = TRUE)
})

test_that("a symbolic tensor where a number or string belongs is an error naming the argument, printing nothing", {
  skip_if_no_python()
  clear_session()
  x <- keras_input(shape = 4)
  before <- session_counters()
  cases <- list(
    list(layer_dense, list(units = x), "units"),
    list(layer_dense, list(units = 2, name = x), "name"),
    list(layer_dense, list(units = 2, use_bias = x), "use_bias"),
    list(layer_dense, list(units = 2, kernel_initializer = x), "initializer"),
    list(layer_dense, list(units = 2, input_shape = x), "input_shape"),
    list(layer_dropout, list(rate = x), "rate"),
    list(layer_dropout, list(rate = 0.5, seed = x), "seed"),
    list(layer_dropout, list(rate = 0.5, noise_shape = x), "noise_shape"),
    list(layer_flatten, list(data_format = x), "data_format"),
    list(layer_activation, list(activation = x), "activation")
  )
  for (case in cases) {
    out <- capture.output(err <- tryCatch(do.call(case[[1]], case[[2]]), error = identity))
    expect_equal(out, character(), label = case[[3]])
    expect_s3_class(err, "rbridge_error")
    expect_match(conditionMessage(err), case[[3]], fixed = TRUE)
    expect_no_match(conditionMessage(err), "Unable to convert", fixed = TRUE)
  }
  expect_equal(session_counters(), before)
})

test_that("kernel_initializer = NULL means the default, as in Keras", {
  skip_if_no_python()
  set_random_seed(3)
  a <- get_weights(keras_model_sequential(input_shape = 3) |> layer_dense(units = 2, kernel_initializer = NULL))
  set_random_seed(3)
  b <- get_weights(keras_model_sequential(input_shape = 3) |> layer_dense(units = 2))
  expect_identical(a, b)
})

test_that("argument errors users see", {
  skip_if_no_python()
  clear_session()
  local_snapshots_everywhere()
  expect_snapshot(error = TRUE, {
    layer_dense(units = 1.5)
    layer_dense(units = 2, trainable = NA)
    layer_dense(units = 2, input_shape = "a")
    layer_dense(units = 2, kernel_initializer = function(shape) 1)
    layer_dense(units = 2, name = list(1, mean))
    layer_dense(units = 2, 3)
    layer_dense(units = 2, dtype = TRUE)
    layer_dropout(rate = 0.5, noise_shape = 1.5)
  })
})
