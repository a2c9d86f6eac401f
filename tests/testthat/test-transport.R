test_that("one crossing per operation; queued releases are given back by the next one", {
  skip_if_no_python()
  dispatch <- real_dispatch()
  table <- reticulate::import("r_bridge.api")$table
  seen <- list()
  local_dispatch(function(fn, args, releases) {
    seen[[length(seen) + 1L]] <<- list(fn = fn, args = args, releases = releases,
                                       inbox = unlist(table$inbox))
    dispatch(fn, args, releases)
  })
  layer <- layer_dense(units = 3)
  handle <- rbridge:::rb_handle(layer)
  expect_equal(vapply(seen, `[[`, "", "fn"), "make_layer")
  expect_identical(seen[[1]]$args$args$units, 3L)
  rm(layer)
  gc()
  expect_true(handle %in% rbridge:::rb_queued_handles()) # the finalizer only queued it
  clear_session(free_memory = FALSE)
  last <- seen[[length(seen)]]
  expect_equal(last$fn, "clear_session") # no extra dispatcher call
  # handed over through the handle table's inbox (an interrupt on entry to
  # the dispatcher can't lose it), or with the call where there is no inbox
  expect_true(handle %in% c(last$inbox, last$releases))
  expect_length(rbridge:::rb_queued_handles(), 0)
  expect_length(table$inbox, 0)
  expect_error(table$get(handle), "has been released")
})

test_that("error records become classed rlang errors naming the user's call and argument", {
  local_dispatch(function(fn, args, releases) {
    list(.rbridge_error = "ValueError", message = "Keras said {no} glue", argument = "units",
         classes = list("ValueError", "Exception"))
  })
  err <- tryCatch(get_uid("a"), error = identity)
  expect_s3_class(err, c("rbridge_python_ValueError", "rbridge_python_Exception",
                         "rbridge_error_python", "rbridge_error", "rlang_error"))
  expect_equal(conditionMessage(err), "Keras said {no} glue")
  expect_equal(err$argument, "units")
  expect_equal(deparse(conditionCall(err)), "get_uid(\"a\")") # rlang shows it as `get_uid()`
})

test_that("an interrupt raised in Python comes back as an R interrupt", {
  local_dispatch(function(fn, args, releases) {
    list(.rbridge_error = "KeyboardInterrupt", message = "", argument = NULL,
         classes = list("KeyboardInterrupt"))
  })
  got <- tryCatch(get_uid("a"), interrupt = function(cnd) "interrupt", error = function(e) "error")
  expect_equal(got, "interrupt")
})

test_that("a failure of the transport itself is an rbridge error", {
  local_dispatch(function(fn, args, releases) stop("conversion failed"))
  err <- tryCatch(get_uid("a"), error = identity)
  expect_s3_class(err, "rbridge_error_python")
  expect_match(conditionMessage(err), "Calling Python failed.*conversion failed")
})

test_that("arrays cross unchanged, natively and as buffers", {
  skip_if_no_python()
  api <- reticulate::import("r_bridge.api")
  for (mode in c("native", "buffer")) {
    if (mode == "native" && !rbridge:::rb_numpy_native()) next # reticulate can't convert this NumPy
    local_dispatch(if (mode == "native") api$dispatch else api$dispatch_buffers, arrays = mode)
    clear_session(FALSE)
    x <- keras_input(shape = c(2, 3))
    layer <- layer_flatten()
    model <- keras_model(x, layer_flatten(x))
    values <- array(c(NA, NaN, Inf, -Inf, -0, 2^100, 1:18), dim = c(4, 2, 3))
    out <- predict(model, values)
    expect_equal(dim(out), c(4L, 6L))
    # Flatten is a reshape in NumPy's (row-major) order of the trailing axes
    expect_identical(out[2, ], as.vector(t(values[2, , ])))
    # 0 rows cross too (Keras's predict() refuses empty data; a layer call takes it)
    empty <- rbridge:::rb_call_arrays("call", object = rbridge:::rb_handle(layer),
                                      args = list(values[0, , , drop = FALSE]))
    expect_identical(dim(empty), c(0L, 6L))
    w_model <- keras_model_sequential(input_shape = 1) |> layer_dense(units = 2)
    w <- list(matrix(c(NA, Inf), 1, 2), array(c(NaN, -1), 2))
    set_weights(w_model, w)
    back <- get_weights(w_model)
    expect_identical(is.na(back[[1]]), matrix(TRUE, 1, 2) & c(TRUE, FALSE))
    expect_identical(back[[1]][1, 2], Inf)
    expect_identical(as.vector(back[[2]]), c(NaN, -1))
    int_in <- predict(w_model, matrix(1:3, 3, 1))
    lgl_in <- predict(w_model, matrix(c(TRUE, FALSE, NA), 3, 1))
    expect_identical(dim(int_in), c(3L, 2L))
    expect_true(is.na(lgl_in[3, 1]))
  }
})

test_that("an object saved in another R process is refused, not mistaken for a live one", {
  skip_if_no_python()
  path <- withr::local_tempfile(fileext = ".rds")
  res <- run_r(sprintf('library(rbridge); m <- keras_model_sequential(input_shape = 2) |> layer_dense(units = 1); saveRDS(m, "%s")', path))
  expect_equal(res$status, 0L, info = res$out)
  clear_session(FALSE)
  mine <- keras_model_sequential(input_shape = 3) |> layer_dense(units = 5) # a live object here
  stale <- readRDS(path)
  expect_error(count_params(stale), "not from this session", class = "rbridge_error")
  expect_equal(count_params(mine), 20L)
})

test_that("two R objects of one Python object each give back their reference, once", {
  skip_if_no_python()
  clear_session(FALSE)
  model <- keras_model_sequential(input_shape = 2) |> layer_dense(units = 1)
  a <- model$layers[[1]]
  b <- model$layers[[1]]
  handle <- rbridge:::rb_handle(a)
  expect_identical(rbridge:::rb_handle(b), handle) # one handle, two references
  rm(a, b)
  gc()
  expect_identical(sum(rbridge:::rb_queued_handles() == handle), 2L)
  clear_session(FALSE)
  expect_length(rbridge:::rb_queued_handles(), 0)
  expect_equal(count_params(model), 3L) # the model's own reference still holds the layer
})
