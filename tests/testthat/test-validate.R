test_that("rb_describe() names values the way messages need, and cuts long ones", {
  d <- rbridge:::rb_describe
  expect_equal(d("yes"), "the string \"yes\"")
  expect_equal(d(NA), "`NA`")
  expect_equal(d(NA_real_), "`NA`")
  expect_equal(d(1.5), "the number 1.5")
  expect_equal(d(TRUE), "`TRUE`")
  expect_equal(d(NULL), "NULL")
  expect_equal(d(c(1, 2)), "a numeric vector of length 2")
  expect_equal(d(character()), "an empty character vector")
  expect_equal(d(list(1)), "a list of length 1")
  expect_equal(d(mean), "a function")
  expect_equal(d(matrix(1, 2, 2)), "a matrix of length 4")
  expect_lt(nchar(d(strrep("a", 1e6))), 120)
})

test_that("rb_as_integer() converts numbers as keras3's as_integer(), refusing what it would truncate", {
  f <- rbridge:::rb_as_integer
  expect_identical(f(784, "units"), 784L)
  expect_identical(f(c(1, 2), "x"), c(1L, 2L))
  expect_identical(f(NULL, "x"), NULL)
  expect_identical(f("a", "x"), "a") # Python judges it, with Keras's message
  expect_error(f(1.5, "units"), "`units` must be a whole number, not the number 1.5.", fixed = TRUE)
  expect_error(f(3e9, "units"), "whole number")
  expect_error(f(Inf, "units"), "whole number")
  expect_error(f(NA_real_, "units"), "whole number")
})

test_that("rb_as_shape() takes vectors or lists, NA or NULL for unknown sizes", {
  f <- rbridge:::rb_as_shape
  expect_identical(f(c(NA, 3), "shape"), list(NULL, 3L))
  expect_identical(f(NA, "shape"), list(NULL))
  expect_identical(f(list(NULL, 2), "shape"), list(NULL, 2L))
  expect_identical(f(784, "shape"), list(784L))
  expect_identical(f(shape(NA, 4), "shape"), list(NULL, 4L))
  expect_null(f(NULL, "shape"))
  expect_error(f(1.5, "shape"), "`shape` must be a vector of whole numbers", fixed = TRUE)
  expect_error(f("a", "shape"), "`shape` must be")
  expect_error(f(-1, "shape"), "`shape` must be")
  expect_error(f(list(1, "a"), "shape"), "`shape` must be")
})

test_that("flag, string and number checks reject with the argument named", {
  expect_identical(rbridge:::rb_check_flag(TRUE, "x"), TRUE)
  expect_error(rbridge:::rb_check_flag(NA, "x"), "`x` must be `TRUE` or `FALSE`, not `NA`.", fixed = TRUE)
  expect_identical(rbridge:::rb_check_string(NULL, "name", null_ok = TRUE), NULL)
  expect_error(rbridge:::rb_check_string(1, "name"), "`name` must be a single string, not the number 1.",
               fixed = TRUE)
  expect_error(rbridge:::rb_check_number("a", "value"), "`value` must be a finite number", fixed = TRUE)
  expect_error(rbridge:::rb_check_dtype(TRUE, "dtype"), "Cannot interpret `dtype` argument.", fixed = TRUE)
})

test_that("no base or rlang name is shadowed", {
  ns <- asNamespace("rbridge")
  own <- grep("^\\.__", ls(ns, all.names = TRUE), value = TRUE, invert = TRUE)
  expect_false(any(c("%||%", "check_string", "check_dots_empty", "check_flag", "check_number",
                     "check_shape", "check_whole") %in% own))
  for (pkg in c("base", "rlang", "cli")) {
    clash <- intersect(own, getNamespaceExports(pkg))
    expect_equal(clash, character(), label = paste("names shared with", pkg))
  }
})

test_that("rb_check_plain() lets plain values through and refuses the rest", {
  f <- rbridge:::rb_check_plain
  expect_silent(f(list(1, "a", NULL, list(TRUE)), "x"))
  expect_error(f(function() 1, "x"), "can't be an R function", fixed = TRUE)
  expect_error(f(new.env(), "x"), "not an environment", fixed = TRUE)
  expect_error(f(array(1, c(1, 1, 1)), "x"), "not an array", fixed = TRUE)
  expect_error(f(as.raw(1), "x"), "`x` must be")
})

test_that("argument capture matches arguments as R does, by any route", {
  f <- function(object, units, activation = NULL, ...) {
    object <- if (missing(object)) NULL else object
    rbridge:::rb_capture_args(list(units = rbridge:::rb_as_integer))
  }
  g <- function(...) f(...)
  expect_identical(f(units = 2), list(units = 2L))
  expect_identical(f("model", units = 2), list(units = 2L))
  expect_identical("model" |> f(units = 2, activation = "relu"), list(units = 2L, activation = "relu"))
  expect_identical(f(units = 2, "model"), list(units = 2L))
  expect_identical(f("model", 2), list(units = 2L))
  expect_identical(f(activation = "relu", units = 2), list(units = 2L, activation = "relu")) # formals' order
  expect_identical(f(uni = 2), list(units = 2L)) # a partial name
  expect_identical(f(units = 2, name = "d"), list(units = 2L, name = "d"))
  expect_identical(g(units = 2), list(units = 2L))
  expect_identical(g("model", 2, name = "d"), list(units = 2L, name = "d"))
  expect_identical(do.call(f, list("model", units = 2)), list(units = 2L))
  expect_identical(f(), list())
  h <- function(input_shape = NULL, name = NULL, ..., trainable = TRUE) {
    rbridge:::rb_capture_args(ignore = character())
  }
  expect_identical(h(4), list(input_shape = 4))
  expect_identical(h(trainable = FALSE, 4), list(input_shape = 4, trainable = FALSE))
  expect_identical(h(4, name = "s", dtype = "x"), list(input_shape = 4, name = "s", dtype = "x"))
  local_fn <- function(object, x, steps = NULL) {
    handle <- "bound before the capture"
    rbridge:::rb_capture_args(ignore = c("object", "x"))
  }
  expect_identical(local_fn(1, x = 2, steps = 3), list(steps = 3))
})
