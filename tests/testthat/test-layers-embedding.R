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

test_that("bad arguments name the argument", {
  skip_if_no_python()
  clear_session()
  expect_error(layer_embedding(input_dim = 2.5, output_dim = 2), "`input_dim` must be a whole number",
               fixed = TRUE, class = "rbridge_error_argument")
  expect_error(layer_embedding(input_dim = 2, output_dim = 2, mask_zero = NA),
               "`mask_zero` must be `TRUE` or `FALSE`", fixed = TRUE)
  expect_equal(layer_embedding(input_dim = 2, output_dim = 2)$name, "embedding")
})
