# activation_*(): keras3's activation functions, on arrays and as a layer's
# activation (by their Keras name, never as a closure).

test_that("activations on R arrays give R arrays, computed with Keras's formulas", {
  skip_if_no_python()
  x <- c(-3, -1, 0, 0.5, 3)
  expect_equal(activation_relu(x), as.array(pmax(x, 0)))
  expect_equal(dim(activation_relu(x)), 5L)
  expect_equal(activation_relu(x, negative_slope = 0.1, max_value = 2),
               as.array(ifelse(x > 0, pmin(x, 2), 0.1 * x)))
  expect_equal(activation_relu(x, threshold = 1), as.array(ifelse(x > 1, x, 0)))
  expect_equal(activation_sigmoid(x), as.array(1 / (1 + exp(-x))), tolerance = 1e-7)
  expect_equal(activation_tanh(x), as.array(tanh(x)), tolerance = 1e-7)
  expect_equal(activation_elu(x, alpha = 2), as.array(ifelse(x > 0, x, 2 * (exp(x) - 1))), tolerance = 1e-7)
  expect_equal(activation_leaky_relu(x), as.array(ifelse(x > 0, x, 0.2 * x)))
  expect_equal(activation_softplus(x), as.array(log1p(exp(x))), tolerance = 1e-7)
  expect_equal(activation_softsign(x), as.array(x / (abs(x) + 1)), tolerance = 1e-7)
  expect_equal(activation_exponential(x), as.array(exp(x)), tolerance = 1e-7)
  expect_equal(activation_silu(x), as.array(x / (1 + exp(-x))), tolerance = 1e-7)
  expect_equal(activation_hard_sigmoid(x), as.array(pmin(pmax(x + 3, 0), 6) / 6), tolerance = 1e-7)
  expect_equal(activation_hard_swish(x), activation_hard_silu(x))
  expect_equal(activation_linear(x), as.array(x))
  expect_equal(activation_threshold(x, threshold = 0, default_value = -9), as.array(ifelse(x > 0, x, -9)))
  expect_identical(activation_relu(2), 2)
})

test_that("softmax and friends take keras3's 1-based axis", {
  skip_if_no_python()
  m <- array(c(1, 2, 3, 1, 5, 0), c(2, 3))
  rows <- t(apply(m, 1, function(r) exp(r) / sum(exp(r))))
  cols <- apply(m, 2, function(r) exp(r) / sum(exp(r)))
  expect_equal(activation_softmax(m), rows, tolerance = 1e-7)
  expect_equal(activation_softmax(m, axis = 2), rows, tolerance = 1e-7)
  expect_equal(activation_softmax(m, axis = 1), cols, tolerance = 1e-7)
  expect_equal(activation_log_softmax(m, axis = -1), log(rows), tolerance = 1e-7)
  expect_error(activation_softmax(m, axis = 0), "`axis` argument is 1 based, received 0", fixed = TRUE,
               class = "rbridge_error_argument")
  expect_error(activation_softmax(m, axis = 1.5), "`axis` must be a whole number", fixed = TRUE)
})

test_that("an activation function passed to a layer is its Keras name", {
  skip_if_no_python()
  clear_session()
  act <- layer_activation(activation = activation_relu)
  expect_equal(act$activation, "relu")
  expect_equal(act(array(c(-1, 2), c(1, 2))), array(c(0, 2), c(1, 2)))
  expect_equal(layer_dense(units = 2, activation = activation_tanh)$activation, "tanh")
  expect_equal(layer_activation(activation = activation_hard_swish)$activation, "hard_silu")
  model <- keras_model_sequential(input_shape = 3) |>
    layer_dense(units = 2, activation = activation_softmax)
  out <- predict(model, matrix(1:6, 2, 3), verbose = 0)
  expect_equal(rowSums(out), c(1, 1), tolerance = 1e-6)
  # Any other R function is still refused, naming the argument.
  expect_error(layer_activation(activation = function(x) x), "`activation` can't be an R function.",
               fixed = TRUE, class = "rbridge_error_argument")
  expect_error(layer_dense(units = 2, activation = sum), "`activation` can't be an R function.", fixed = TRUE)
})

test_that("activations check their inputs in R", {
  skip_if_no_python()
  expect_error(activation_relu("a"), "`x` must be a tensor, an array or a number, not the string \"a\".",
               fixed = TRUE, class = "rbridge_error_argument")
  err <- tryCatch(activation_relu(list(1, "a")), error = identity)
  expect_match(conditionMessage(err), "`x[[2]]` must be a tensor", fixed = TRUE)
  expect_equal(as.character(conditionCall(err)[[1]]), "activation_relu")
  expect_error(activation_gelu(1, approximate = NA), "`approximate` must be `TRUE` or `FALSE`", fixed = TRUE)
})

test_that("activations on symbolic tensors are recorded in the graph, named as Keras names them", {
  skip_if_no_python()
  clear_session()
  inputs <- keras_input(shape = 3)
  h <- inputs |> layer_dense(4) |> activation_relu()
  expect_s3_class(h, "rbridge_tensor")
  expect_identical(h$shape, list(NULL, 4L))
  out <- activation_softmax(h)
  model <- keras_model(inputs, out)
  text <- format(model, line_length = 80)
  expect_match(text, "re_lu (ReLU)", fixed = TRUE)
  expect_match(text, "softmax (Softmax)", fixed = TRUE)
  m <- matrix(c(1, -2, 0.5, 3, 0, -1), 2, 3)
  wb <- get_weights(model$layers[[2]])
  z <- pmax(m %*% wb[[1]] + matrix(wb[[2]], 2, 4, byrow = TRUE), 0)
  expect_equal(predict(model, m, verbose = 0), exp(z) / rowSums(exp(z)), tolerance = 1e-6)
  expect_identical(activation_linear(inputs), inputs)
})
