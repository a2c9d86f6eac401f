# Keras's formats from R: configs, .keras files (and raw bytes), JSON,
# weights files, clone_model(). Files exchanged with keras3 are tested in
# the interop suite (tests/interop, the file test-saving-with-keras).

skip_if_no_h5py <- function() {
  skip_if_no_python()
  ok <- tryCatch({
    save_model(keras_model_sequential(input_shape = 1) |> layer_dense(1))
    TRUE
  }, error = function(e) !grepl("h5py", conditionMessage(e)))
  skip_if_not(ok, "the Python package h5py (the r_bridge[keras] extra) is not installed")
}

small_model <- function() {
  keras_model_sequential(input_shape = 3, name = "small") |>
    layer_dense(units = 4, activation = "relu") |>
    layer_dropout(rate = 0.1) |>
    layer_dense(units = 2, name = "out")
}

test_that("get_config() gives Keras's config and from_config() makes a new object", {
  skip_if_no_python()
  clear_session()
  layer <- layer_dense(units = 3, activation = "relu", use_bias = FALSE)
  config <- get_config(layer)
  expect_identical(config$name, "dense")
  expect_identical(config$units, 3L)
  expect_identical(config$activation, "relu")
  expect_false(config$use_bias)
  expect_identical(config$kernel_initializer$class_name, "GlorotUniform")
  expect_identical(config$dtype$config$name, "float32")
  expect_identical(attr(config, "rbridge_class")$class_name, "Dense")
  config$name <- "renamed"
  config$units <- 7L
  copy <- from_config(config)
  expect_s3_class(copy, "rbridge_layer")
  expect_identical(copy$name, "renamed")
  expect_identical(get_config(copy)$units, 7L)

  model <- small_model()
  config <- get_config(model)
  expect_identical(vapply(config$layers, `[[`, "", "class_name"), c("InputLayer", "Dense", "Dropout", "Dense"))
  again <- from_config(config)
  expect_s3_class(again, "rbridge_model")
  expect_identical(get_config(again), config)
  expect_false(isTRUE(all.equal(get_weights(again), get_weights(model))))
})

test_that("from_config() checks its argument and names what it cannot build", {
  skip_if_no_python()
  expect_error(from_config(list(units = 2)), class = "rbridge_error_argument")
  config <- get_config(layer_dense(units = 2, name = "reg"))
  config$kernel_regularizer <- list(class_name = "L2", config = list(l2 = 0.01))
  before <- session_counters()
  expect_error(from_config(config), "Layer 'reg'.*regularizers")
  expect_identical(session_counters(), before)
  expect_error(from_config(get_config(layer_dense(units = 2)), custom_objects = list(a = 1)),
               class = "rbridge_error_argument")
})

test_that("save_model() and load_model(): files, raw bytes, overwrite", {
  skip_if_no_h5py()
  model <- small_model()
  path <- withr::local_tempfile(fileext = ".keras")
  expect_identical(save_model(model, path), model)
  expect_true(file.exists(path))
  expect_identical(sort(utils::unzip(path, list = TRUE)$Name),
                   c("config.json", "metadata.json", "model.weights.h5"))
  loaded <- load_model(path)
  expect_s3_class(loaded, "rbridge_model")
  x <- matrix(runif(12), 4, 3)
  expect_identical(predict(loaded, x), predict(model, x))
  expect_identical(get_config(loaded), get_config(model))

  expect_error(save_model(model, path), "already exists", class = "rbridge_error_argument")
  save_model(model, path, overwrite = TRUE)

  bytes <- save_model(model)
  expect_type(bytes, "raw")
  expect_identical(predict(load_model(bytes), x), predict(model, x))

  expect_error(save_model(model, tempfile(fileext = ".h5")), "extension")
  expect_error(load_model(tempfile(fileext = ".keras")), "File not found")
  expect_error(save_model(layer_dense(units = 1), path), class = "rbridge_error_argument")
})

test_that("save_model_config() and load_model_config() round-trip the architecture", {
  skip_if_no_python()
  model <- small_model()
  path <- withr::local_tempfile(fileext = ".json")
  expect_identical(save_model_config(model, path), model)
  json <- paste(readLines(path), collapse = "")
  expect_match(json, '"class_name": "Sequential"', fixed = TRUE)
  again <- load_model_config(path)
  expect_identical(get_config(again), get_config(model))
  expect_error(save_model_config(model, path), "already exists")
})

test_that("save_model_weights() and load_model_weights(), all or nothing", {
  skip_if_no_h5py()
  model <- small_model()
  path <- withr::local_tempfile(fileext = ".weights.h5")
  save_model_weights(model, path)
  other <- clone_model(model)
  expect_false(isTRUE(all.equal(get_weights(other), get_weights(model))))
  load_model_weights(other, path)
  expect_identical(get_weights(other), get_weights(model))

  wrong <- keras_model_sequential(input_shape = 3) |> layer_dense(units = 4) |> layer_dense(units = 5)
  before <- get_weights(wrong)
  expect_error(load_model_weights(wrong, path), "expected|not compatible")
  expect_identical(get_weights(wrong), before)
  expect_error(save_model_weights(model, tempfile(fileext = ".h5")), "weights.h5")
})

test_that("clone_model() keeps the names and makes fresh weights", {
  skip_if_no_python()
  model <- small_model()
  weights <- get_weights(model)
  clone <- clone_model(model)
  expect_identical(clone$name, "small")
  expect_identical(vapply(clone$layers, function(l) l$name, ""), vapply(model$layers, function(l) l$name, ""))
  expect_false(isTRUE(all.equal(get_weights(clone), weights)))
  expect_identical(get_weights(model), weights)
  expect_error(clone_model(model, clone_function = identity), class = "rbridge_error_argument")
  expect_error(clone_model(layer_dense(units = 1)), class = "rbridge_error_argument")
})
