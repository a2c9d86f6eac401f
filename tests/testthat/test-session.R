test_that("seed example 2: clear_session() resets the layer name counter", {
  skip_if_no_python()
  clear_session()
  layers <- lapply(1:10, \(i) layer_dense(units = 10))

  new_layer <- layer_dense(units = 10)
  expect_equal(new_layer$name, "dense_10")

  clear_session()
  new_layer <- layer_dense(units = 10)
  expect_equal(new_layer$name, "dense")
})

test_that("seed example 1 runs verbatim and ends with a fresh session", {
  skip_if_no_python()
  for (i in 1:100) {
    # Without `clear_session()`, each iteration of this loop will
    # slightly increase the size of the global state managed by Keras
    model <- keras_model_sequential()
    for (j in 1:10) {
      model <- model |> layer_dense(units = 10)
    }
  }

  for (i in 1:100) {
    # With `clear_session()` called at the beginning,
    # Keras starts with a blank state at each iteration
    # and memory consumption is constant over time.
    clear_session()
    model <- keras_model_sequential()
    for (j in 1:10) {
      model <- model |> layer_dense(units = 10)
    }
  }
  expect_equal(model$name, "sequential")
  expect_equal(vapply(model$layers, \(l) l$name, ""), c("dense", paste0("dense_", 1:9)))
})

test_that("clear_session() returns NULL invisibly, for both values of free_memory", {
  skip_if_no_python()
  res <- withVisible(clear_session())
  expect_false(res$visible)
  expect_null(res$value)
  res <- withVisible(clear_session(free_memory = FALSE))
  expect_false(res$visible)
  expect_null(res$value)
  layer_dense(units = 1)
  clear_session(FALSE)
  expect_equal(layer_dense(units = 1)$name, "dense")
})

test_that("clear_session() validates free_memory before touching the session", {
  skip_if_no_python()
  clear_session()
  layer_dense(units = 1)
  before <- session_state()
  expect_error(clear_session("yes"),
               "`free_memory` must be `TRUE` or `FALSE`, not the string \"yes\".", fixed = TRUE)
  expect_error(clear_session(NA), "`free_memory` must be `TRUE` or `FALSE`, not `NA`.", fixed = TRUE)
  expect_error(clear_session(c(TRUE, FALSE)), "`free_memory` must be `TRUE` or `FALSE`, not a logical vector of length 2.", fixed = TRUE)
  expect_error(clear_session(1), "`free_memory` must be `TRUE` or `FALSE`, not the number 1.", fixed = TRUE)
  expect_equal(session_state(), before)
  expect_equal(layer_dense(units = 1)$name, "dense_1")
})

test_that("errors are reported against the user-facing function", {
  skip_if_no_python()
  err <- tryCatch(clear_session("yes"), error = identity)
  expect_s3_class(err, "rbridge_error_argument")
  expect_equal(deparse(conditionCall(err)), "clear_session(\"yes\")")
  f <- function() with_session(layer_dense(units = 1.5))
  err <- tryCatch(f(), error = identity)
  expect_equal(as.character(conditionCall(err)[[1]]), "layer_dense")
})

test_that("get_uid() shares counters with layer names; reset_uids() resets them", {
  skip_if_no_python()
  clear_session()
  expect_identical(get_uid("block"), 1L)
  expect_identical(get_uid("block"), 2L)
  layer_dense(units = 1)
  expect_identical(get_uid("dense"), 2L)
  expect_equal(layer_dense(units = 1)$name, "dense_2")
  expect_null(reset_uids())
  expect_identical(get_uid("block"), 1L)
  expect_equal(layer_dense(units = 1)$name, "dense")
  expect_error(get_uid(1), "`prefix` must be a single string, not the number 1.", fixed = TRUE)
})

test_that("session_info() lists counters and describes the session", {
  skip_if_no_python()
  clear_session()
  expect_equal(nrow(session_info()), 0L)
  layer_dense(units = 1)
  layer_dense(units = 1)
  layer_dropout(rate = 0.1)
  info <- session_info()
  expect_s3_class(info, "data.frame")
  expect_equal(info$prefix, sort(info$prefix))
  expect_identical(info$count[info$prefix == "dense"], 2L)
  expect_identical(info$count[info$prefix == "dropout"], 1L)
  expect_type(info$count, "integer")
  expect_type(attr(info, "handles"), "integer")
  expect_equal(attr(info, "config")$floatx, config_floatx())
  expect_match(attr(info, "api_version"), "^2\\.")
  expect_output(print(info), "handles held")
})

test_that("local_session() and with_session() give fresh names and restore the outer ones", {
  skip_if_no_python()
  clear_session()
  layer_dense(units = 1)
  layer_dense(units = 1)
  inner <- with_session({
    a <- layer_dense(units = 1)$name
    b <- layer_dense(units = 1)$name
    c(a, b)
  })
  expect_equal(inner, c("dense", "dense_1"))
  expect_equal(layer_dense(units = 1)$name, "dense_2")

  f <- function() {
    local_session()
    config_disable_interactive_logging()
    layer_dense(units = 1)$name
  }
  expect_equal(f(), "dense")
  expect_true(config_is_interactive_logging_enabled())
  expect_equal(layer_dense(units = 1)$name, "dense_3")

  # restored also when the code fails
  expect_error(with_session({
    layer_dense(units = 1)
    stop("boom")
  }), "boom")
  expect_equal(layer_dense(units = 1)$name, "dense_4")
})

test_that("memory stays flat over Example 1's second loop", {
  skip_if_no_python()
  skip_if_not(file.exists("/proc/self/status"), "no /proc/self/status to read RSS from")
  run <- function(n) {
    for (i in seq_len(n)) {
      clear_session()
      model <- keras_model_sequential()
      for (j in 1:10) {
        model <- model |> layer_dense(units = 10)
      }
    }
  }
  run(50) # warm-up
  start <- rss_mb()
  run(150)
  middle <- rss_mb()
  run(150)
  end <- rss_mb()
  expect_lt(end - middle, 5)
  expect_lt(end - start, 5)
  # The Python side holds only what R still references.
  expect_lt(attr(session_info(), "handles"), 50)
})

test_that("session_info() has exactly the documented attributes", {
  skip_if_no_python()
  info <- session_info()
  extra <- setdiff(names(attributes(info)), c("names", "row.names", "class"))
  expect_setequal(extra, c("handles", "r_objects", "pending_release", "thread", "name_scope",
                           "config", "api_version", "keras_linked", "keras_version"))
  expect_false(attr(info, "keras_linked"))  # (this Python has no Keras: tests/interop links one)
  expect_identical(attr(info, "keras_version"), NA_character_)
  expect_type(attr(info, "thread"), "character")
  expect_null(attr(info, "threads_with_state"))
})

test_that("clear_session() runs R's young collection once enough rbridge objects were made", {
  skip_if_no_python()
  rb <- rbridge:::.rb
  rb$young_gc_at <- rb$created # start counting now
  count <- new.env()
  count$n <- 0L
  suppressMessages(trace("gc", tracer = bquote(assign("n", .(count)$n + 1L, envir = .(count))), print = FALSE,
                         where = baseenv()))
  withr::defer(suppressMessages(untrace("gc", where = baseenv())))
  for (i in seq_len(rbridge:::rb_gc_young_growth - 1L)) {
    layer_dense(units = 1)
    clear_session()
  }
  expect_equal(count$n, 0L) # fewer objects than the threshold: no collection yet
  layer_dense(units = 1)
  clear_session()
  expect_equal(count$n, 1L)
  layer_dense(units = 1)
  clear_session(FALSE)
  expect_equal(count$n, 1L) # free_memory = FALSE never collects
})
