# keras3's layer_embedding().

test_that("an embedding looks up rows of its matrix (0-based indexes, as Keras)", {
  skip_if_no_python()
  clear_session()
  emb <- layer_embedding(input_dim = 5, output_dim = 2)
  expect_equal(emb$name, "embedding")
  expect_identical(emb$input_dim, 5L)
  expect_identical(emb$output_dim, 2L)
  expect_false(emb$mask_zero)
  x <- keras_input(shape = shape(NA), dtype = "int32")
  y <- emb(x)
  expect_identical(y$shape, list(NULL, NULL, 2L))
  w <- matrix(c(0, 1, 2, 3, 4, 10, 11, 12, 13, 14), 5, 2)
  set_weights(emb, list(w))
  idx <- matrix(c(0L, 4L, 2L, 1L), 2, 2)
  out <- emb(idx)
  expect_identical(dim(out), c(2L, 2L, 2L))
  expect_equal(out[1, 2, ], w[3, ])
  expect_equal(out[2, 1, ], w[5, ])
  expect_true(layer_embedding(input_dim = 3, output_dim = 2, mask_zero = TRUE)$mask_zero)
})

test_that("keras3's functional API guide: a shared embedding", {
  skip_if_no_python()
  clear_session()
  # Embedding for 1000 unique words mapped to 128-dimensional vectors
  shared_embedding <- layer_embedding(input_dim = 1000, output_dim = 128)

  # Variable-length sequence of integers
  text_input_a <- keras_input(shape = shape(NA), dtype="int32")

  # Variable-length sequence of integers
  text_input_b <- keras_input(shape = shape(NA), dtype="int32")

  # Reuse the same layer to encode both inputs
  encoded_input_a <- shared_embedding(text_input_a)
  encoded_input_b <- shared_embedding(text_input_b)

  expect_identical(encoded_input_a$shape, list(NULL, NULL, 128L))
  model <- keras_model(list(text_input_a, text_input_b), list(encoded_input_a, encoded_input_b))
  expect_length(model$layers, 3L)
  a <- matrix(c(1L, 2L, 3L, 999L), 2, 2)
  out <- predict(model, list(a, a), verbose = 0)
  expect_equal(out[[1]], out[[2]])
  expect_equal(out[[1]][2, 2, ], as.vector(get_weights(shared_embedding)[[1]][1000, ]))
})

test_that("bad arguments name the argument", {
  skip_if_no_python()
  clear_session()
  expect_error(layer_embedding(input_dim = 2.5, output_dim = 2), "`input_dim` must be a whole number",
               fixed = TRUE, class = "rbridge_error_argument")
  expect_error(layer_embedding(input_dim = 2, output_dim = 2, mask_zero = NA),
               "`mask_zero` must be `TRUE` or `FALSE`", fixed = TRUE)
  expect_equal(layer_embedding(input_dim = 2, output_dim = 2)$name, "embedding")
})
