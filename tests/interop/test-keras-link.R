# One session with real Keras 3 (issue 17 part 1), from R: rbridge and Keras
# imported through reticulate share names, and either clear_session() resets
# both. Run by `.ci/testthat.R OUT VERSION tests/interop` with RBRIDGE_PYTHON set to a Python with Keras 3.
# The tests run in order in one R process: Python starts once, rbridge first.

skip_if_no_keras <- function() {
  skip_if_not(rbridge_available(), "no Python with r_bridge (set RBRIDGE_PYTHON)")
  # (found, not imported: py_module_available() imports it, and the first
  # test imports Keras itself, after rbridge)
  skip_if(is.null(reticulate::import("importlib.util")$find_spec("keras")),
              "Keras 3 is not installed in rbridge's Python (RBRIDGE_PYTHON=.venv-keras/bin/python)")
}

test_that("names rbridge dealt before Keras was imported are not dealt again by Keras", {
  skip_if_no_keras()
  clear_session()
  first <- c(layer_dense(units = 1)$name, layer_dense(units = 1)$name)
  before <- session_info()
  expect_false(attr(before, "keras_linked"))
  expect_identical(attr(before, "keras_version"), NA_character_)
  expect_false(grepl("Keras", paste(capture.output(print(before)), collapse = "\n")))
  keras <- reticulate::import("keras")
  expect_equal(c(first, keras$layers$Dense(1L)$name), c("dense", "dense_1", "dense_2"))
  info <- session_info()
  expect_true(attr(info, "keras_linked"))
  expect_equal(attr(info, "keras_version"), keras$`__version__`)
  expect_output(print(info), paste("shared with Keras", keras$`__version__`), fixed = TRUE)
})

test_that("interleaved layer_dense() and keras$layers$Dense() get unique names", {
  skip_if_no_keras()
  keras <- reticulate::import("keras")
  clear_session()
  names <- character()
  for (i in 1:3) names <- c(names, layer_dense(units = 1)$name, keras$layers$Dense(1L)$name)
  expect_equal(names, c("dense", paste0("dense_", 1:5)))
  model <- keras_model_sequential(input_shape = 2) |> layer_dense(units = 1)
  expect_equal(keras$layers$Dense(1L)$name, "dense_7")
  expect_equal(session_info()$count[session_info()$prefix == "dense"], 8L)
})

test_that("keras$utils$clear_session() resets rbridge", {
  skip_if_no_keras()
  keras <- reticulate::import("keras")
  for (i in 1:3) layer_dense(units = 1)
  keras$utils$clear_session()
  expect_equal(layer_dense(units = 1)$name, "dense")
  expect_equal(get_uid("x"), 1L)
  keras$backend$clear_session(free_memory = FALSE)
  expect_equal(nrow(session_info()), 0L)
})

test_that("rbridge::clear_session() resets Keras", {
  skip_if_no_keras()
  keras <- reticulate::import("keras")
  for (i in 1:3) keras$layers$Dense(1L)
  keras$config$set_dtype_policy("mixed_float16")
  rbridge::clear_session()
  expect_equal(keras$layers$Dense(1L)$name, "dense")
  expect_equal(keras$config$dtype_policy()$name, "float32")  # Keras's own clear ran
  rbridge::clear_session(free_memory = FALSE)
  expect_equal(keras$backend$get_uid("dense"), 1L)
})

test_that("local_session() restores the counters Keras shares", {
  skip_if_no_keras()
  keras <- reticulate::import("keras")
  clear_session()
  layer_dense(units = 1)
  with_session({
    expect_equal(keras$layers$Dense(1L)$name, "dense")
  })
  expect_equal(keras$layers$Dense(1L)$name, "dense_1")
})
