# Runs after test-keras-link.R (alphabetical order), whose first test needs a process where Keras is not imported yet.
# .keras files between rbridge and the real Keras 3 through reticulate, in one
# R session: what keras3's save_model()/load_model() do (they call
# keras$saving$save_model / load_model) against rbridge's. Run with
# RBRIDGE_PYTHON set to a Python that has Keras and h5py (.venv-keras), e.g.
#   KERAS_BACKEND=numpy RBRIDGE_PYTHON=.venv-keras/bin/python PYTHONPATH=. \
#     Rscript -e 'testthat::test_file("tests/interop/r/test-files.R", package = "rbridge", load_package = "installed")'

skip_if_no_keras <- function() {
  testthat::skip_if_not(rbridge_available(), "no Python with the r_bridge package")
  rbridge_python()  # start Python through rbridge's discovery first
  testthat::skip_if_not(reticulate::py_module_available("keras"),
                        "Keras is not installed in the Python rbridge uses (set RBRIDGE_PYTHON to .venv-keras)")
  testthat::skip_if_not(reticulate::py_module_available("h5py"), "h5py is not installed")
}

keras_module <- function() {
  if (!nzchar(Sys.getenv("KERAS_BACKEND"))) Sys.setenv(KERAS_BACKEND = "numpy")
  reticulate::import("keras", convert = FALSE)
}

# Arrays cross to Keras as nested Python lists: reticulate 1.28 cannot convert
# NumPy 2 arrays, and this test is about files, not about conversion.
keras_predict <- function(km, x) {
  np <- reticulate::import("numpy", convert = FALSE)
  rows <- reticulate::r_to_py(lapply(seq_len(nrow(x)), function(i) as.list(x[i, ])))
  out <- km$predict(np$array(rows, dtype = "float32"), verbose = 0L)
  as_matrix <- function(a) do.call(rbind, lapply(reticulate::py_to_r(a$tolist()), unlist))
  if (isTRUE(reticulate::import_builtins()$isinstance(out, np$ndarray))) {
    return(as_matrix(out))
  }
  lapply(seq_len(reticulate::py_len(out)) - 1L, function(i) as_matrix(out$`__getitem__`(i)))
}

layer_names <- function(km) {
  vapply(reticulate::py_to_r(reticulate::import_builtins(convert = FALSE)$list(km$layers)),
         function(l) reticulate::py_to_r(l$name), "")
}

test_that("an rbridge model saved as .keras loads in Keras and predicts the same", {
  skip_if_no_keras()
  keras <- keras_module()
  input <- keras_input(shape = 4, name = "x")
  hidden <- input |> layer_dense(units = 8, activation = "relu")
  out1 <- hidden |> layer_dense(units = 3, activation = "softmax", name = "probs")
  out2 <- hidden |> layer_dropout(rate = 0.2) |> layer_dense(units = 1, name = "value")
  model <- keras_model(input, list(out1, out2))
  path <- tempfile(fileext = ".keras")
  on.exit(unlink(path), add = TRUE)
  save_model(model, path)
  theirs <- keras$saving$load_model(path)
  x <- matrix(runif(20), 5, 4)
  ours <- predict(model, x)
  keras_pred <- keras_predict(theirs, x)
  expect_equal(keras_pred[[1]], ours[[1]], tolerance = 1e-6)
  expect_equal(keras_pred[[2]], ours[[2]], tolerance = 1e-6)
  expect_identical(layer_names(theirs), vapply(model$layers, function(l) l$name, ""))
})

test_that("a model Keras saved (as keras3's save_model() does) loads in rbridge, and back", {
  skip_if_no_keras()
  keras <- keras_module()
  km <- keras$Sequential(list(
    keras$Input(shape = list(3L)),
    keras$layers$Dense(5L, activation = "tanh"),
    keras$layers$Flatten(),
    keras$layers$Dense(2L)
  ), name = "from_keras")
  path <- tempfile(fileext = ".keras")
  on.exit(unlink(path), add = TRUE)
  keras$saving$save_model(km, path)
  x <- matrix(runif(12), 4, 3)
  expected <- keras_predict(km, x)

  model <- load_model(path)
  expect_identical(model$name, "from_keras")
  expect_identical(vapply(model$layers, function(l) l$name, ""), layer_names(km))
  expect_equal(predict(model, x), expected, tolerance = 1e-6)

  # keras3's save_model(filepath = NULL) gives the file's bytes
  bytes <- readBin(path, what = "raw", n = file.size(path))
  expect_equal(predict(load_model(bytes), x), expected, tolerance = 1e-6)

  # and back to Keras from rbridge's own file
  again <- tempfile(fileext = ".keras")
  on.exit(unlink(again), add = TRUE)
  save_model(model, again)
  expect_equal(keras_predict(keras$saving$load_model(again), x), expected, tolerance = 1e-6)
})

test_that("weights files cross both ways", {
  skip_if_no_keras()
  keras <- keras_module()
  model <- keras_model_sequential(input_shape = 3) |> layer_dense(units = 2)
  path <- tempfile(fileext = ".weights.h5")
  on.exit(unlink(path), add = TRUE)
  save_model_weights(model, path)
  km <- keras$Sequential(list(keras$Input(shape = list(3L)), keras$layers$Dense(2L)))
  km$load_weights(path)
  x <- matrix(runif(6), 2, 3)
  expect_equal(keras_predict(km, x), predict(model, x), tolerance = 1e-6)
})

test_that("a model crosses to Keras in memory with r_to_py() and back with load_model()", {
  skip_if_no_keras()
  keras_module()
  model <- keras_model_sequential(input_shape = 3, name = "in_memory") |>
    layer_dense(units = 4, activation = "relu") |>
    layer_dense(units = 2)
  in_keras <- reticulate::r_to_py(model)
  expect_true(inherits(in_keras, "keras.src.models.model.Model"))
  expect_identical(reticulate::py_to_r(in_keras$name), "in_memory")
  x <- matrix(runif(6), 2, 3)
  expect_equal(keras_predict(in_keras, x), predict(model, x), tolerance = 1e-6)
  back <- load_model(in_keras)
  expect_s3_class(back, "rbridge_model")
  expect_identical(predict(back, x), predict(model, x))
})
