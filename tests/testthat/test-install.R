test_that("install_rbridge() validates its arguments", {
  expect_error(install_rbridge(envname = 1), "`envname` must be a single string, not the number 1.",
               fixed = TRUE, class = "rbridge_error_argument")
  expect_error(install_rbridge(new_env = "yes"), "`new_env` must be `TRUE` or `FALSE`", fixed = TRUE,
               class = "rbridge_error_argument")
  expect_error(install_rbridge(extra = 1), class = "rlib_error_dots_nonempty")
})

test_that("the installed package carries the Python sources it installs", {
  src <- rbridge:::rb_python_sources()
  expect_true(file.exists(file.path(src, "r_bridge", "api.py")))
  expect_true(file.exists(file.path(src, "r_bridge", "bridge", "dispatch.py")))
  stamp <- rbridge:::rb_sources_stamp(src)
  expect_equal(stamp[[1]], as.character(packageVersion("rbridge")))
  expect_true(any(grepl("^api.py [0-9a-f]{32}$", stamp)))
})

test_that("a Python that can't make the environment is refused with the reason", {
  fake <- withr::local_tempfile(fileext = ".sh")
  writeLines(c("#!/bin/sh", "echo 'the ssl module, which pip needs to fetch numpy'"), fake)
  Sys.chmod(fake, "755")
  err <- tryCatch(rbridge:::rb_check_base_python(fake), error = identity)
  expect_s3_class(err, "rbridge_error_python")
  expect_match(conditionMessage(err), "lacks.*the ssl module")
  broken <- withr::local_tempfile(fileext = ".sh")
  writeLines(c("#!/bin/sh", "echo 'no pyenv here' >&2", "exit 127"), broken)
  Sys.chmod(broken, "755")
  expect_error(rbridge:::rb_check_base_python(broken), "does not run")
  expect_error(rbridge:::rb_check_base_python(""), "No Python to create the environment with")
})
# Creating an environment end to end (numpy from the index) is .ci/outside's
# job: it runs install_rbridge() from a clean clone outside the repository.
