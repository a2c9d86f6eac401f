test_that("loading rbridge starts no Python and loads no reticulate", {
  res <- run_r('library(rbridge); cat(isNamespaceLoaded("reticulate"))')
  expect_match(res$out, "FALSE$")
})

test_that("candidates follow the documented order", {
  root <- withr::local_tempdir()
  dir.create(file.path(root, "r-bridge", "bin"), recursive = TRUE)
  file.create(file.path(root, "r-bridge", "bin", "python"))
  withr::local_options(rbridge.python = "/nonexistent/opt/python")
  withr::local_envvar(RBRIDGE_PYTHON = "/nonexistent/env/python", WORKON_HOME = root,
                      RETICULATE_VIRTUALENV_ROOT = NA, RETICULATE_PYTHON = "/nonexistent/reticulate/python")
  cands <- rbridge:::rb_python_candidates()
  expect_equal(vapply(cands, `[[`, "", "source"),
               c("option rbridge.python", "RBRIDGE_PYTHON", "install_rbridge() environment", "RETICULATE_PYTHON"))
  expect_equal(cands[[3]]$path, file.path(root, "r-bridge", "bin", "python"))
})

test_that("rbridge_python() reports the Python in use and a compatible API", {
  skip_if_no_python()
  info <- rbridge_python()
  expect_named(info, c("python", "source", "version", "arrays", "api_version"))
  expect_equal(strsplit(info$api_version, ".", fixed = TRUE)[[1]][1], rbridge:::rb_api_major)
  expect_true(info$arrays %in% c("native", "buffer"))
  expect_true(rbridge_available())
})

test_that("an incompatible or missing API version is refused with a fix", {
  for (version in list("1.0.0", NULL, 3L)) {
    err <- tryCatch(rbridge:::rb_check_version(version, "test"), error = identity)
    expect_s3_class(err, "rbridge_error_python")
    expect_match(conditionMessage(err), "this rbridge needs 2.x")
    expect_match(conditionMessage(err), "install_rbridge()", fixed = TRUE)
  }
  expect_equal(rbridge:::rb_check_version("2.1.0", "test"), "2.1.0")
})

test_that("with no Python configured, the error says what was tried and how to fix it", {
  home <- withr::local_tempdir()
  res <- run_r("library(rbridge); layer_dense(units = 1)",
               env = c("RBRIDGE_PYTHON=", "RETICULATE_PYTHON=", paste0("WORKON_HOME=", home),
                       paste0("HOME=", home), "RETICULATE_VIRTUALENV_ROOT="))
  expect_false(res$status == 0L)
  expect_match(res$out, "No Python for rbridge was found")
  expect_match(res$out, "install_rbridge()", fixed = TRUE)
  expect_no_match(res$out, "uv|Downloading|provision", ignore.case = TRUE)
})

test_that("a Python started by reticulate through RETICULATE_PYTHON is named in the error", {
  skip_if_no_python()
  base <- Sys.which("python3")
  skip_if(!nzchar(base), "no python3 on PATH")
  venv <- withr::local_tempdir() # a Python without r_bridge
  skip_if(system2(base, c("-m", "venv", "--without-pip", venv)) != 0L, "python3 can't make a venv")
  plain <- file.path(venv, "bin", "python")
  res <- run_r("invisible(reticulate::py_config()); library(rbridge); layer_dense(units = 1)",
               env = c(paste0("RETICULATE_PYTHON=", plain),
                       paste0("RBRIDGE_PYTHON=", rbridge_python()$python)))
  expect_false(res$status == 0L)
  expect_match(res$out, "reticulate started this Python before rbridge could choose")
  expect_match(res$out, "RETICULATE_PYTHON names it")
})
