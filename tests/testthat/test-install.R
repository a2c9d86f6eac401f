test_that("install_rbridge() validates its arguments", {
  expect_error(install_rbridge(envname = 1), "`envname` must be a single string, not the number 1.", fixed = TRUE)
  expect_error(install_rbridge(new_env = "yes"), "`new_env` must be `TRUE` or `FALSE`", fixed = TRUE)
})

test_that("install_rbridge() finds the shipped Python sources or says where it looked", {
  src <- system.file("python", package = "rbridge")
  if (nzchar(src) && file.exists(file.path(src, "r_bridge", "api.py"))) {
    expect_equal(rbridge:::rb_python_sources(), src)
    expect_true(dir.exists(file.path(src, "r_bridge")))
  } else {
    expect_error(rbridge:::rb_python_sources(), "does not ship the r_bridge Python package")
  }
  # Creating the virtualenv needs PyPI (numpy, pandas): not run in tests.
})
