# R hosting Python: an R session that uses rbridge (through reticulate, the
# default transport) and Python code run in the same process with
# reticulate::py_run_string() share one r_bridge session: names continue the
# other language's counters, clear_session() resets both views, config is
# shared, and objects made in R are the Python objects.
#
# (The opposite direction, Python hosting R through rpy2, is
# tests/python/test_rhost.py: there reticulate must not start Python.)

skip_unless_python_host <- function() {
  if (is.function(getOption("rbridge.transport"))) {
    skip("R is embedded in Python (rbridge.transport is set): R hosting Python does not apply")
  }
  skip_if_not(rbridge_available(), "no Python with the r_bridge package (see rbridge_python())")
  # Python code below must reach the same interpreter rbridge uses.
  skip_if_not(reticulate::py_available(initialize = FALSE), "reticulate has not started Python")
}

py_value <- function(code) {
  reticulate::py_run_string(paste0("__rb_test_value = ", code))
  reticulate::py_eval("__rb_test_value")
}

test_that("Python run from R uses the Python rbridge started", {
  skip_unless_python_host()
  expect_equal(rbridge_python()$python, reticulate::py_config()$python)
  expect_identical(py_value("__import__('r_bridge').api.API_VERSION"), rbridge_python()$api_version)
})

test_that("names made in Python continue R's counters and vice versa", {
  skip_unless_python_host()
  clear_session()
  withr::defer(clear_session())
  expect_equal(layer_dense(units = 2)$name, "dense")
  reticulate::py_run_string("import r_bridge; n = r_bridge.layers.Dense(2).name")
  expect_equal(reticulate::py$n, "dense_1")
  expect_equal(layer_dense(units = 3)$name, "dense_2")
  expect_equal(py_value("r_bridge.get_uid('dense')"), 4L)
  expect_equal(get_uid("dense"), 5L)
})

test_that("clear_session() from either side resets what the other sees", {
  skip_unless_python_host()
  layer_dense(units = 2)
  reticulate::py_run_string("import r_bridge; r_bridge.layers.Dense(2)")
  clear_session()
  expect_equal(py_value("r_bridge.layers.Dense(2).name"), "dense")
  layer_dense(units = 2)
  reticulate::py_run_string("r_bridge.clear_session()")
  expect_equal(layer_dense(units = 2)$name, "dense")
  clear_session()
})

test_that("config set in Python is seen by R and vice versa", {
  skip_unless_python_host()
  old <- config_floatx()
  withr::defer(config_set_floatx(old))
  reticulate::py_run_string("import r_bridge; r_bridge.config.set_floatx('float64')")
  expect_equal(config_floatx(), "float64")
  config_set_floatx("float16")
  expect_equal(py_value("r_bridge.config.floatx()"), "float16")
})

test_that("a model built in R is the Python object, with the same layer names", {
  skip_unless_python_host()
  clear_session()
  withr::defer(clear_session())
  model <- keras_model_sequential(input_shape = 4) |>
    layer_dense(units = 8, activation = "relu") |>
    layer_dense(units = 1)
  r_names <- vapply(model$layers, function(l) l$name, "")
  py_names <- py_value(sprintf(
    "[l.name for l in __import__('r_bridge').api._obj('%s').layers]", model$handle))
  expect_equal(unlist(py_names), r_names)
  expect_equal(r_names, c("dense", "dense_1"))
  expect_equal(py_value(sprintf("__import__('r_bridge').api._obj('%s').name", model$handle)),
               "sequential")
})
