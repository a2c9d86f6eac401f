# Normalization layers: keras3's layer_batch_normalization(),
# layer_layer_normalization().

test_that("batch normalization: names, weights in Keras's order, inference with the moving statistics", {
  skip_if_no_python()
  clear_session()
  bn <- layer_batch_normalization()
  expect_equal(bn$name, "batch_normalization")
  expect_equal(bn$class, "BatchNormalization")
  expect_identical(bn$axis, -1L)
  expect_equal(bn$momentum, 0.99)
  expect_equal(layer_batch_normalization(axis = 2)$axis, 1L)
  x <- keras_input(shape = 3)
  y <- bn(x)
  expect_identical(y$shape, list(NULL, 3L))
  w <- get_weights(bn)
  expect_length(w, 4L) # gamma, beta, moving_mean, moving_variance
  expect_equal(lengths(w), rep(3L, 4L))
  expect_length(get_weights(bn, trainable = FALSE), 2L)
  gamma <- c(1, 2, 0.5); beta <- c(0, 1, -1); mm <- c(1, 2, 3); mv <- c(4, 1, 0.25)
  set_weights(bn, list(array(gamma), array(beta), array(mm), array(mv)))
  m <- matrix(c(1, 5, 2, 0, 3, 3.5), 2, 3)
  expected <- sweep(sweep(sweep(m, 2, mm), 2, sqrt(mv + 0.001), "/"), 2, gamma, "*")
  expected <- sweep(expected, 2, beta, "+")
  expect_equal(bn(m), expected, tolerance = 1e-6)
  model <- keras_model(x, y)
  expect_equal(predict(model, m, verbose = 0), expected, tolerance = 1e-6)
})

test_that("batch normalization with training = TRUE uses the batch and updates the moving averages", {
  skip_if_no_python()
  clear_session()
  bn <- layer_batch_normalization(momentum = 0.5, center = FALSE, scale = FALSE)
  m <- matrix(c(1, 3, 2, 6), 2, 2)
  out <- bn(m, training = TRUE)
  mu <- colMeans(m)
  v <- colMeans(sweep(m, 2, mu)^2)
  expect_equal(out, sweep(sweep(m, 2, mu), 2, sqrt(v + 0.001), "/"), tolerance = 1e-5)
  w <- get_weights(bn)
  expect_equal(as.vector(w[[1]]), 0.5 * 0 + 0.5 * mu, tolerance = 1e-6)
  expect_equal(as.vector(w[[2]]), 0.5 * 1 + 0.5 * v, tolerance = 1e-6)
})

test_that("layer normalization normalizes each example across the axis", {
  skip_if_no_python()
  clear_session()
  ln <- layer_layer_normalization()
  expect_equal(ln$name, "layer_normalization")
  m <- matrix(c(10, 20, 30, 40, 0, 5), 2, 3)
  mu <- rowMeans(m)
  v <- rowMeans(sweep(m, 1, mu)^2)
  expect_equal(ln(m), sweep(sweep(m, 1, mu), 1, sqrt(v + 0.001), "/"), tolerance = 1e-5)
  x <- keras_input(shape = c(4, 8))
  expect_identical(layer_layer_normalization(x, axis = c(2, 3))$shape, list(NULL, 4L, 8L))
  expect_identical(layer_layer_normalization(axis = c(2, 3))$axis, c(1L, 2L))
})

test_that("a residual MLP with batch normalization runs (issue 19's bench model)", {
  skip_if_no_python()
  clear_session()
  inputs <- keras_input(shape = 8)
  h <- inputs |> layer_dense(8) |> layer_batch_normalization() |> layer_activation(activation_relu)
  outputs <- layer_add(inputs, h) |> layer_dense(1)
  model <- keras_model(inputs, outputs)
  expect_equal(vapply(model$layers, \(l) l$name, ""),
               c("input_layer", "dense", "batch_normalization", "activation", "add", "dense_1"))
  expect_identical(dim(predict(model, matrix(1, 5, 8), verbose = 0)), c(5L, 1L))
  expect_identical(count_params(model), 8L * 8L + 8L + 4L * 8L + 8L + 1L)
})

test_that("bad arguments name the argument", {
  skip_if_no_python()
  clear_session()
  expect_error(layer_batch_normalization(axis = 0), "`axis` argument is 1 based, received 0", fixed = TRUE,
               class = "rbridge_error_argument")
  expect_error(layer_batch_normalization(center = "yes"), "`center` must be `TRUE` or `FALSE`", fixed = TRUE)
  expect_error(layer_layer_normalization(scale = NA), "`scale` must be `TRUE` or `FALSE`", fixed = TRUE)
  expect_error(layer_batch_normalization(beta_initializer = function(s) 0), "can't be an R function", fixed = TRUE)
  expect_equal(layer_batch_normalization()$name, "batch_normalization")
})

test_that("a model of the new layers round-trips through its config and a .keras file", {
  skip_if_no_python()
  clear_session()
  inputs <- keras_input(shape = 8)
  h <- inputs |> layer_dense(8) |> layer_batch_normalization() |> layer_activation(activation_relu)
  e <- keras_input(shape = 3)
  emb <- e |> layer_embedding(10, 4) |> layer_flatten()
  outputs <- layer_concatenate(layer_add(inputs, h), emb) |>
    layer_reshape(c(4, 5)) |> layer_permute(c(2, 1)) |> layer_layer_normalization() |>
    layer_flatten() |> layer_dense(1)
  model <- keras_model(list(inputs, e), outputs)
  bn <- get_layer(model, "batch_normalization")
  w <- get_weights(bn)
  set_weights(bn, list(w[[1]] * 2, w[[2]] + 1, w[[3]] + 0.5, w[[4]] * 3))
  x <- list(matrix(seq(-1, 1, length.out = 16), 2, 8), matrix(c(1, 2, 3, 4, 5, 9), 2, 3))
  expected <- predict(model, x, verbose = 0)

  copy <- from_config(get_config(model))
  expect_equal(vapply(copy$layers, \(l) l$class, ""), vapply(model$layers, \(l) l$class, ""))
  set_weights(copy, get_weights(model))
  expect_equal(predict(copy, x, verbose = 0), expected, tolerance = 1e-6)

  f <- tempfile(fileext = ".keras")
  on.exit(unlink(f))
  saved <- tryCatch({
    save_model(model, f)
    TRUE
  }, error = function(e) if (grepl("h5py", conditionMessage(e))) FALSE else stop(e))
  skip_if_not(saved, "the Python package h5py (the r_bridge[keras] extra) is not installed")
  expect_equal(predict(load_model(f), x, verbose = 0), expected, tolerance = 1e-6)
})
