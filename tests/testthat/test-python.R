test_that("loading rbridge starts no Python", {
  skip_if_not(nzchar(Sys.which("Rscript")), "Rscript not on PATH")
  out <- system2(file.path(R.home("bin"), "Rscript"),
                 c("-e", shQuote("library(rbridge); cat(reticulate::py_available())")),
                 stdout = TRUE, stderr = FALSE,
                 env = paste0("R_LIBS=", paste(.libPaths(), collapse = ":")))
  expect_equal(tail(out, 1), "FALSE")
})

test_that("candidates follow the documented order", {
  withr::local_options(rbridge.python = "/nonexistent/opt/python")
  withr::local_envvar(RBRIDGE_PYTHON = "/nonexistent/env/python",
                      RETICULATE_PYTHON = "/nonexistent/reticulate/python")
  cands <- rbridge:::rb_python_candidates()
  sources <- vapply(cands, `[[`, "", "source")
  expect_equal(sources[1:3], c("option rbridge.python", "RBRIDGE_PYTHON", "RETICULATE_PYTHON"))
  expect_equal(cands[[2]]$path, "/nonexistent/env/python")
})

test_that("rbridge_python() reports the Python in use and a compatible API", {
  skip_if_no_python()
  info <- rbridge_python()
  expect_named(info, c("python", "source", "version", "api_version"))
  expect_equal(strsplit(info$api_version, ".", fixed = TRUE)[[1]][1], "1")
  expect_true(rbridge_available())
})

test_that("a custom transport with an incompatible API version is refused", {
  skip_if_no_python()
  rb <- rbridge:::.rb
  old <- rb$api_version
  withr::defer(rb$api_version <- old)
  rb$api_version <- NULL
  withr::local_options(rbridge.transport = function(fn, args) {
    if (fn == "api_version") "2.0.0" else stop("not reached")
  })
  expect_error(get_uid("x"), "has API_VERSION 2.0.0; this rbridge needs 1.x", fixed = TRUE)
})
