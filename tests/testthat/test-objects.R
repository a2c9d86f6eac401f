test_that("rbridge objects have the documented classes and fields", {
  skip_if_no_python()
  clear_session()
  layer <- layer_dense(units = 2)
  expect_s3_class(layer, c("rbridge_layer", "rbridge_object"), exact = TRUE)
  expect_true(is.function(layer))
  expect_type(layer$handle, "character")
  expect_equal(layer$kind, "layer")
  expect_true(all(c("name", "count_params", "weights") %in% names(layer)))
  expect_identical(layer[["name"]], "dense")
  expect_identical(length(layer), 1L)
  x <- keras_input(shape = 2)
  expect_s3_class(x, c("rbridge_tensor", "rbridge_object"), exact = TRUE)
  expect_false(is.function(x))
  expect_identical(length(x), 1L)
  expect_equal(format(x), "<KerasTensor shape=(None, 2), dtype=float32, sparse=False, ragged=False, name=keras_tensor>")
  expect_equal(capture.output(str(x)), format(x))
  expect_equal(capture.output(str(layer))[1], "<Dense name=dense, built=False>")
  expect_error(layer$units <- 3, "Can't set units of a Dense", fixed = TRUE)
  expect_error(layer$no_such_field, "has no attribute `no_such_field`")
})

test_that("[[ takes fields by name only, never by position", {
  skip_if_no_python()
  clear_session()
  model <- keras_model_sequential(input_shape = 3) |> layer_dense(units = 2) |> layer_dense(units = 1)
  for (i in list(7, 1L, NA, NA_character_, c("name", "class"), TRUE)) {
    err <- tryCatch(model[[i]], error = identity)
    expect_s3_class(err, "rbridge_error_argument")
    expect_match(conditionMessage(err), "taken by name", fixed = TRUE)
  }
  err <- tryCatch(model[[7]], error = identity)
  expect_equal(deparse(conditionCall(err)), "model[[7]]")
  expect_length(model$layers, 2L) # nothing popped
  expect_equal(model[["name"]], "sequential")
  expect_error(model[[1]] <- 1, "set by name")
})

test_that("$<- sets trainable and name where Keras allows, and checks the value", {
  skip_if_no_python()
  clear_session()
  layer <- layer_dense(units = 2)
  layer$trainable <- FALSE
  expect_false(layer$trainable)
  layer[["trainable"]] <- TRUE
  expect_true(layer$trainable)
  expect_error(layer$trainable <- NA, "`value` must be `TRUE` or `FALSE`, not `NA`.", fixed = TRUE)
  layer$name <- "renamed"
  expect_equal(layer$name, "renamed")
  expect_output(print(layer), "name=renamed", fixed = TRUE)
})

test_that("fields come from Python: weights, output, input", {
  skip_if_no_python()
  clear_session()
  layer <- layer_dense(units = 3)
  expect_identical(layer$weights, list())
  y <- layer(matrix(1, 1, 4))
  w <- layer$weights
  expect_length(w, 2L)
  expect_equal(dim(w[[1]]), c(4L, 3L))
  model <- keras_model_sequential(input_shape = 4) |> layer_dense(units = 2)
  expect_s3_class(model$input, "rbridge_tensor")
  expect_identical(model$output$shape, list(NULL, 2L))
  x <- keras_input(shape = 4)
  d <- layer_dense(units = 2)
  out <- d(x)
  expect_equal(d$output$name, out$name)
})

test_that("dropped objects are released in Python after gc and the next call", {
  skip_if_no_python()
  clear_session()
  gc()
  base <- attr(session_info(), "handles")
  layers <- lapply(1:20, \(i) layer_dense(units = 2))
  expect_equal(attr(session_info(), "handles"), base + 20L)
  rm(layers)
  gc()
  info <- session_info()
  expect_equal(attr(info, "handles"), base)
  expect_equal(attr(info, "pending_release"), 0L)
})

test_that("a copy of a layer object is the same object; both gone, the handle is released", {
  skip_if_no_python()
  clear_session()
  gc()
  base <- attr(session_info(), "handles")
  a <- layer_dense(units = 1)
  b <- a
  rm(a)
  gc()
  expect_equal(attr(session_info(), "handles"), base + 1L)
  expect_equal(b$name, "dense")
  rm(b)
  gc()
  expect_equal(attr(session_info(), "handles"), base)
})

test_that("the same Python object held twice stays alive until both are dropped", {
  skip_if_no_python()
  clear_session()
  gc()
  base <- attr(session_info(), "handles")
  m <- keras_model_sequential()
  m2 <- m$add(layer_dense(units = 2))
  l1 <- m$layers[[1]]
  l2 <- m$layers[[1]]
  expect_equal(l1$handle, l2$handle)
  rm(m, l1)
  gc()
  expect_equal(m2$layers[[1]]$name, "dense")
  rm(m2, l2)
  gc()
  expect_equal(attr(session_info(), "handles"), base)
})

test_that("a pipe step returns the model's own object, which gives back every reference", {
  skip_if_no_python()
  clear_session(FALSE)
  gc()
  reset_uids()
  base <- attr(session_info(), "handles")
  rb <- rbridge:::.rb
  created <- rb$created
  model <- keras_model_sequential(input_shape = 2)
  model2 <- model |> layer_dense(units = 3) |> layer_dense(units = 1)
  expect_identical(model2, model)
  expect_equal(length(model$layers), 2L)
  rm(model, model2)
  gc()
  expect_equal(attr(session_info(), "handles"), base)
})

test_that("an object that is not from this session gives a clear error", {
  skip_if_no_python()
  fake <- structure(function(object, ...) NULL, class = c("rbridge_layer", "rbridge_object"))
  expect_error(count_params(fake), "not an rbridge object made in this R session", fixed = TRUE)
  layer <- layer_dense(units = 1)
  path <- withr::local_tempfile(fileext = ".rds")
  saveRDS(layer, path)
  restored <- readRDS(path)
  expect_equal(restored$name, layer$name) # the same R process: the same live object
})

test_that("R functions in ... are refused: the reference cycle is documented", {
  skip_if_no_python()
  clear_session()
  gc()
  base <- attr(session_info(), "handles")
  for (i in 1:5) {
    expect_error(layer_dense(units = 2, kernel_initializer = function(shape) array(0, shape)),
                 "can't be an R function", fixed = TRUE)
  }
  gc()
  expect_equal(attr(session_info(), "handles"), base)
})

test_that("setting a field by a huge name gives a short message", {
  skip_if_no_python()
  l <- layer_dense(units = 2)
  long <- strrep("f", 1e6)
  err <- tryCatch(l[[long]] <- 1, error = identity)
  expect_s3_class(err, "rbridge_error_argument")
  expect_lt(nchar(conditionMessage(err)), rbridge:::rb_max_message + 200)
  expect_equal(as.character(conditionCall(err)[[1]]), "[[<-")
  local_snapshots_everywhere()
  expect_snapshot(error = TRUE, {
    l$units <- 3
    l[[1]]
    l$trainable <- "yes"
    l(1)
    l("a")
  })
})

test_that("a pipe step keeps the model's returned reference in its R object; all go back when it is dropped", {
  skip_if_no_python()
  gc(); clear_session()
  base <- attr(session_info(), "handles")
  m <- keras_model_sequential(input_shape = 3)
  for (i in 1:5) m <- m |> layer_dense(units = 2)
  m$add(layer_dense(units = 1))
  info <- session_info()
  expect_equal(attr(info, "pending_release"), 0L) # nothing waits: the model's object owns the references
  expect_equal(get("refs", environment(m)), 7L) # made, 5 pipe steps, add()
  rm(m)
  gc()
  clear_session()
  expect_equal(attr(session_info(), "handles"), base)
})
