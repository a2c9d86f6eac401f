test_that("a transport function in the rbridge.transport option replaces reticulate", {
  skip_if_no_python()
  rb <- rbridge:::.rb
  seen <- list()
  withr::local_options(rbridge.transport = function(fn, args) {
    seen[[length(seen) + 1L]] <<- list(fn = fn, args = args)
    do.call(rb$api[[fn]], args)
  })
  clear_session(FALSE)
  layer <- layer_dense(units = 3)
  expect_equal(layer$name, "dense")
  fns <- vapply(seen, `[[`, "", "fn")
  expect_equal(fns[fns != "release"], c("clear_session", "make_layer"))
  expect_identical(layer$units, 3L)
  expect_equal(vapply(seen, `[[`, "", "fn")[length(seen)], "get")
  mk <- seen[[which(fns == "make_layer")]]$args
  expect_equal(mk$kind, "dense")
  expect_identical(mk$args$units, 3L)
  expect_named(mk, c("kind", "args", "target"))
})

test_that("errors from the transport are R errors with the Python message only", {
  skip_if_no_python()
  withr::local_options(rbridge.transport = function(fn, args) {
    stop("ValueError: something Keras said")
  })
  err <- tryCatch(layer_dense(units = 2), error = identity)
  expect_equal(conditionMessage(err), "something Keras said")
  expect_equal(deparse(conditionCall(err)), "layer_dense()")
})

test_that("Python messages lose the exception type and reticulate's hints", {
  msg <- function(m) rbridge:::rb_python_message(simpleError(m))
  expect_equal(msg("ValueError: bad value\n"), "bad value")
  expect_equal(msg("KeyError: '`handle` 3 is not live'\n"), "`handle` 3 is not live")
  expect_equal(msg("TypeError: x\n\nDetailed traceback:\n  File ..."), "x")
  expect_equal(msg("plain message"), "plain message")
})

test_that("arrays cross as nested lists and come back as R arrays", {
  enc <- rbridge:::rb_encode
  expect_equal(enc(list(x = matrix(1:6, 2))), list(x = list(list(1L, 3L, 5L), list(2L, 4L, 6L))))
  expect_equal(enc(array(1, 1)), list(1))
  a <- array(1:24, c(2, 3, 4))
  expect_equal(enc(a)[[2]][[3]][[4]], a[2, 3, 4])
})

test_that("errors from a custom transport carry the Python exception class", {
  skip_if_no_python()
  withr::local_options(rbridge.transport = function(fn, args) {
    stop("ValueError: something Keras said")
  })
  err <- tryCatch(layer_dense(units = 2), error = identity)
  expect_s3_class(err, "rbridge_python_ValueError")
  expect_s3_class(err, "rbridge_error_python")
})

test_that("R-side argument errors are not turned into Python errors", {
  skip_if_no_python()
  err <- tryCatch(config_set_epsilon("a"), error = identity)
  expect_s3_class(err, "rbridge_error_argument")
  expect_false(inherits(err, "rbridge_error_python"))
})

test_that("api functions are looked up once and cached", {
  skip_if_no_python()
  clear_session(FALSE)
  fns <- rbridge:::.rb$fns
  expect_true(exists("clear_session", envir = fns, inherits = FALSE))
  f <- fns$clear_session
  clear_session(FALSE)
  expect_identical(fns$clear_session, f)
})
