test_that("rb_abort() signals a classed rlang error, never interpolating the message", {
  err <- tryCatch(rbridge:::rb_abort("Python said {x} and {{y}}", class = "rbridge_error_python", call = NULL),
                  error = identity)
  expect_s3_class(err, c("rbridge_error_python", "rbridge_error", "rlang_error"))
  expect_equal(conditionMessage(err), "Python said {x} and {{y}}")
})

test_that("rb_abort() cuts long message lines as Python does, saying how much was left out", {
  long <- paste0("head", strrep("a", 1e6), "tail")
  err <- tryCatch(rbridge:::rb_abort(c(long, i = "short"), call = NULL), error = identity)
  msg <- conditionMessage(err)
  limit <- rbridge:::rb_max_message
  line <- strsplit(msg, "\n", fixed = TRUE)[[1L]][1L]
  expect_lte(nchar(line), limit) # the marker included
  parts <- regmatches(line, regexec("^(.*) \u2026\\[([0-9]+) characters cut\\]\u2026 (.*)$", line))[[1L]]
  expect_length(parts, 4L)
  expect_equal(nchar(parts[2]) + as.integer(parts[3]) + nchar(parts[4]), nchar(long))
  expect_match(msg, "^head")
  expect_match(msg, "tail\n")
  expect_match(msg, "short", fixed = TRUE)
  # the same rule and limit as r_bridge's dispatcher: a message cut in Python is not cut again
  skip_if_no_python()
  messages <- reticulate::import("r_bridge.messages") # the one cut rule in Python
  expect_equal(messages$MESSAGE_LIMIT, limit)
  expect_equal(rbridge:::rb_cut(long), messages$cut(long, limit))
})

test_that("a message Python cut is not cut again in R", {
  long <- strrep("b", 1e5)
  cut <- rbridge:::rb_cut(long) # what the dispatcher sends (compared with Python's above)
  rec <- list(.rbridge_error = "ValueError", message = cut, argument = NULL, classes = list("ValueError", "Exception"))
  err <- tryCatch(rbridge:::rb_raise_python(rec, call = NULL), error = identity)
  expect_s3_class(err, c("rbridge_python_ValueError", "rbridge_error_python", "rbridge_error"))
  expect_identical(conditionMessage(err), cut)
})

test_that("errors name the function the user called, not rbridge's internals", {
  skip_if_no_python()
  err <- tryCatch(get_uid(1), error = identity)
  expect_equal(deparse(conditionCall(err)), "get_uid(1)")
  f <- function(n) layer_dense(units = n)
  err <- tryCatch(f(1.5), error = identity)
  expect_equal(deparse(conditionCall(err)), "layer_dense(units = n)")
  err <- tryCatch(rbridge::keras_input(shape = "a"), error = identity)
  expect_equal(deparse(conditionCall(err)), "rbridge::keras_input(shape = \"a\")")
  model <- keras_model_sequential(input_shape = 2) |> layer_dense(1)
  err <- tryCatch(predict(model, "x"), error = identity)
  expect_equal(deparse(conditionCall(err)), "predict(model, \"x\")")
  err <- tryCatch(model$no_field, error = identity)
  expect_equal(deparse(conditionCall(err)), "model$no_field")
  m2 <- keras_model_sequential()
  err <- tryCatch(m2$count_params(), error = identity)
  expect_equal(as.character(conditionCall(err)[[1]]), "count_params")
  err <- tryCatch(with_config(epsilon = "a", 1), error = identity)
  expect_equal(as.character(conditionCall(err)[[1]]), "with_config")
})

test_that("errors show as keras3's do: Error in `fn()`: then ! message", {
  skip_if_no_python()
  err <- tryCatch(layer_dense(units = 2, trainable = "yes"), error = identity)
  shown <- capture.output(print(err))
  expect_equal(shown[2:3], c("Error in `layer_dense()`:", "! `trainable` must be `TRUE` or `FALSE`, not the string \"yes\"."))
  expect_equal(err$argument, "trainable")
})

test_that("an interrupt while an rbridge error is raised leaves no frame in rlang's options", {
  # rlang::abort(call = <frame>) sets the option rlang:::error_frame to that
  # frame, then registers its restore (rlang's local_options(): options(),
  # then defer()). A SIGINT between the two, as r.sigint sends, left the
  # option set for the session, and the user's frame (and the rbridge
  # objects in it) alive. Here the SIGINT lands exactly there, in a child R
  # (a real SIGINT leaves this R unable to take later interrupts as conditions).
  skip_on_os("windows") # (no SIGINT to oneself)
  out <- system2(file.path(R.home("bin"), "Rscript"), test_path("sigint-child.R"), stdout = TRUE, stderr = TRUE,
                 env = paste0("R_LIBS=", paste(.libPaths(), collapse = .Platform$path.sep)))
  expect_true("armed: FALSE " %in% out) # the SIGINT was sent inside rlang's window
  expect_true("seen: error interrupt " %in% out) # taken once the error was raised
  expect_true("frame_option_null: TRUE " %in% out)
})
