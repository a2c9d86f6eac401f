# Merging layers: keras3's layer_add(), layer_concatenate(), ... (inputs
# first; the layer when there are none).

test_that("merging layers without inputs return the layer, named as Keras names them", {
  skip_if_no_python()
  clear_session()
  kinds <- list(add = layer_add, subtract = layer_subtract, multiply = layer_multiply,
                average = layer_average, maximum = layer_maximum, minimum = layer_minimum,
                concatenate = layer_concatenate, dot = function() layer_dot(axes = 2))
  classes <- c("Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum", "Concatenate", "Dot")
  for (i in seq_along(kinds)) {
    layer <- kinds[[i]]()
    expect_s3_class(layer, "rbridge_layer")
    expect_equal(layer$class, classes[[i]])
    expect_equal(layer$name, names(kinds)[[i]])
  }
  expect_equal(layer_concatenate()$name, "concatenate_1")
  expect_equal(layer_add(name = "plus")$name, "plus")
  expect_equal(layer_add()$name, "add_1")
})

test_that("on symbolic tensors they give the output tensor, with Keras's shapes", {
  skip_if_no_python()
  clear_session()
  x1 <- keras_input(shape = 8)
  x2 <- keras_input(shape = 8)
  x3 <- keras_input(shape = 3)
  for (f in list(layer_add, layer_subtract, layer_multiply, layer_average, layer_maximum, layer_minimum)) {
    y <- f(x1, x2)
    expect_s3_class(y, "rbridge_tensor")
    expect_identical(y$shape, list(NULL, 8L))
    expect_identical(f(list(x1, x2))$shape, list(NULL, 8L))
  }
  expect_identical(layer_concatenate(x1, x2, x3)$shape, list(NULL, 19L))
  expect_identical(layer_concatenate(list(x1, x3), axis = -1)$shape, list(NULL, 11L))
  expect_identical(layer_dot(x1, x2, axes = 2)$shape, list(NULL, 1L))
  a <- keras_input(shape = c(3, 5))
  b <- keras_input(shape = c(10, 3))
  expect_identical(layer_dot(list(a, b), axes = c(2, 3))$shape, list(NULL, 5L, 10L))
  add <- layer_add()
  expect_identical(add(list(x1, x2))$shape, list(NULL, 8L))
})

test_that("on arrays they compute the result as R computes it", {
  skip_if_no_python()
  clear_session()
  a <- array(c(1, -2, 3, 4, 5, -6), c(2, 3))
  b <- array(c(0.5, 2, -1, 4, 0, 1), c(2, 3))
  c3 <- array(1:6 / 10, c(2, 3))
  expect_equal(layer_add(a, b, c3), a + b + c3, tolerance = 1e-6)
  expect_equal(layer_subtract(list(a, b)), a - b, tolerance = 1e-6)
  expect_equal(layer_multiply(a, b), a * b, tolerance = 1e-6)
  expect_equal(layer_average(a, b), (a + b) / 2, tolerance = 1e-6)
  expect_equal(layer_maximum(a, b), pmax(a, b), tolerance = 1e-6)
  expect_equal(layer_minimum(a, b), pmin(a, b), tolerance = 1e-6)
  expect_equal(layer_concatenate(a, b), cbind(a, b), tolerance = 1e-6)
  expect_equal(layer_concatenate(a, b, axis = 1), rbind(a, b), tolerance = 1e-6, ignore_attr = TRUE)
  expect_equal(layer_dot(a, b, axes = 2), array(rowSums(a * b), c(2, 1)), tolerance = 1e-6)
  unit <- function(m) m / sqrt(rowSums(m^2))
  expect_equal(layer_dot(a, b, axes = 2, normalize = TRUE), array(rowSums(unit(a) * unit(b)), c(2, 1)),
               tolerance = 1e-6)
  layer <- layer_multiply()
  expect_equal(layer(list(a, b)), a * b, tolerance = 1e-6)
})

test_that("a merge of two branches builds a two-input model that runs", {
  skip_if_no_python()
  clear_session()
  input1 <- keras_input(shape = 16)
  x1 <- input1 |> layer_dense(8, activation = "relu")
  input2 <- keras_input(shape = 32)
  x2 <- input2 |> layer_dense(8, activation = "relu")
  added <- layer_add(x1, x2)
  output <- added |> layer_dense(4)
  model <- keras_model(inputs = list(input1, input2), outputs = output)
  expect_equal(vapply(model$layers, \(l) l$name, ""),
               c("input_layer", "input_layer_1", "dense", "dense_1", "add", "dense_2"))
  text <- format(model, line_length = 100)
  expect_match(text, "add (Add)", fixed = TRUE)
  lines <- strsplit(text, "\n")[[1]]
  at <- grep("add (Add)", lines, fixed = TRUE)
  expect_match(lines[at], "│ dense[0][0],", fixed = TRUE)
  expect_match(lines[at + 1L], "│ dense_1[0][0]", fixed = TRUE)
  a <- matrix(seq(-1, 1, length.out = 32), 2, 16)
  b <- matrix(seq(1, -1, length.out = 64), 2, 32)
  w <- lapply(model$layers[c(3, 4, 6)], get_weights)
  relu <- function(m) pmax(m, 0)
  dense <- function(m, wb) m %*% wb[[1]] + matrix(wb[[2]], nrow(m), length(wb[[2]]), byrow = TRUE)
  expected <- dense(relu(dense(a, w[[1]])) + relu(dense(b, w[[2]])), w[[3]])
  expect_equal(predict(model, list(a, b), verbose = 0), expected, tolerance = 1e-5)
})

test_that("bad inputs and arguments are errors naming the argument, consuming no name", {
  skip_if_no_python()
  clear_session()
  x <- keras_input(shape = 4)
  before <- session_counters()
  expect_error(layer_add(x, array(1, c(2, 4))), "`inputs` must be all symbolic tensors or all arrays.",
               fixed = TRUE, class = "rbridge_error_argument")
  expect_error(layer_add(array(1, c(2, 4)), "a"), "`inputs[[2]]` must be a numeric matrix or array",
               fixed = TRUE)
  expect_error(layer_concatenate(x, x, axis = 0), "`axis` argument is 1 based, received 0", fixed = TRUE)
  expect_error(layer_concatenate(x, x, axis = 1.5), "`axis` must be a whole number", fixed = TRUE)
  expect_error(layer_dot(x, x, axes = 2, normalize = NA), "`normalize` must be `TRUE` or `FALSE`", fixed = TRUE)
  expect_error(layer_add(x, x, name = function() 1), "`name` can't be an R function.", fixed = TRUE)
  err <- tryCatch(layer_concatenate(x, keras_input(shape = c(2, 3))), error = identity)
  expect_s3_class(err, "rbridge_error_python")
  expect_match(conditionMessage(err), "matching shapes", fixed = TRUE)
  expect_equal(as.character(conditionCall(err)[[1]]), "layer_concatenate")
  err <- tryCatch(layer_subtract(x, x, x), error = identity)
  expect_match(conditionMessage(err), "exactly 2 inputs", fixed = TRUE)
  # keras_input() made above consumed its own name; nothing else was consumed.
  counters <- session_counters()
  expect_equal(counters$count[counters$prefix == "concatenate"], integer())
  expect_equal(layer_add()$name, "add")
})
