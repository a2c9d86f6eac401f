# plot(model) and plot_model(): the picture of a model's graph (the graph
# itself is compared with Keras's in tests/python/test_plot_model_keras.py).

skip_if_no_graphviz <- function() {
  skip_if_not(nzchar(Sys.which("dot")), "Graphviz's dot not installed (apt-get install graphviz)")
  has_pydot <- tryCatch(reticulate::py_module_available("pydot"), error = function(e) FALSE)
  skip_if_not(has_pydot, "pydot not installed in rbridge's Python (pip install pydot)")
}

branched_model <- function() {
  inputs <- keras_input(shape = 4, name = "features")
  hidden <- inputs |> layer_dense(units = 8, activation = "relu", name = "hidden")
  keras_model(inputs, list(hidden |> layer_dense(units = 1, name = "score"),
                           hidden |> layer_dense(units = 3, activation = "softmax", name = "class")))
}

png_dim <- function(file) {
  bytes <- readBin(file, "raw", 24L)
  expect_identical(bytes[1:8], as.raw(c(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)))
  c(width = readBin(bytes[17:20], "integer", endian = "big"), height = readBin(bytes[21:24], "integer", endian = "big"))
}

test_that("plot_model() writes the graph with Keras's labels, in the format of the extension", {
  skip_if_no_python()
  skip_if_no_graphviz()
  local_session()
  model <- branched_model()
  svg <- withr::local_tempfile(fileext = ".svg")
  expect_identical(plot_model(model, to_file = svg, show_shapes = TRUE, show_layer_names = TRUE,
                              show_layer_activations = TRUE), svg)
  text <- paste(readLines(svg, warn = FALSE), collapse = "\n")
  for (s in c("features", "hidden", "score", "class", "(None, 8)", "softmax")) expect_match(text, s, fixed = TRUE)
  # features -> hidden, hidden -> score, hidden -> class
  expect_equal(lengths(regmatches(text, gregexpr('class="edge"', text))), 3L)
  names_off <- withr::local_tempfile(fileext = ".svg")
  plot_model(model, to_file = names_off)
  expect_no_match(paste(readLines(names_off, warn = FALSE), collapse = "\n"), "hidden", fixed = TRUE)

  png1 <- withr::local_tempfile(fileext = ".png")
  png2 <- withr::local_tempfile(fileext = ".png")
  expect_invisible(plot_model(model, to_file = png1, dpi = 100))
  plot_model(model, to_file = png2, dpi = 50, rankdir = "LR")
  d1 <- png_dim(png1)
  d2 <- png_dim(png2)
  expect_gt(min(d1), 100) # a real picture at 100 dpi
  expect_gt(d1[["width"]] / d2[["height"]], 1) # 100 dpi against 50 dpi
  expect_gt(d1[["height"]] / d1[["width"]], d2[["height"]] / d2[["width"]]) # TB is taller than LR
})

test_that("plot() draws on the current device and keeps no file", {
  skip_if_no_python()
  skip_if_no_graphviz()
  skip_if_not_installed("png")
  local_session()
  model <- branched_model()
  out <- withr::local_tempfile(fileext = ".png")
  before <- list.files(tempdir())
  grDevices::png(out, width = 300, height = 300)
  res <- withVisible(plot(model, show_shapes = TRUE, dpi = 50))
  grDevices::dev.off()
  expect_null(res$value)
  expect_false(res$visible)
  expect_setequal(setdiff(list.files(tempdir()), basename(out)), setdiff(before, basename(out)))
  img <- png::readPNG(out)
  expect_gt(mean(img[, , 1:3] < 0.5), 0.01) # black title bars were drawn on the white page
  file <- withr::local_tempfile(fileext = ".png")
  expect_null(plot(model, to_file = file))
  expect_true(file.exists(file))
})

test_that("show_trainable = NA marks layers when the model has frozen weights, as keras3 does", {
  skip_if_no_python()
  skip_if_no_graphviz()
  local_session()
  frozen <- layer_dense(units = 2, name = "frozen")
  model <- keras_model_sequential(input_shape = 3) |> frozen() |> layer_dense(units = 1)
  read_plot <- function(...) {
    f <- withr::local_tempfile(fileext = ".svg")
    plot(model, to_file = f, ...)
    paste(readLines(f, warn = FALSE), collapse = "\n")
  }
  expect_no_match(read_plot(), "Trainable")
  frozen$trainable <- FALSE
  text <- read_plot()
  expect_match(text, "Non&#45;trainable", fixed = TRUE) # SVG escapes the hyphen
  expect_match(text, ">Trainable<", fixed = TRUE)
  expect_no_match(read_plot(show_trainable = FALSE), "Trainable")
})

test_that("bad arguments are errors naming the argument and the user's call, consuming no name", {
  skip_if_no_python()
  local_session()
  model <- branched_model()
  dense <- layer_dense(units = 2)
  before <- session_counters()
  expect_error(plot(model, show_shapes = NA), class = "rbridge_error_argument")
  expect_snapshot_error <- function(expr, pattern, call) {
    e <- tryCatch(expr, error = identity)
    expect_match(conditionMessage(e), pattern)
    expect_identical(deparse(e$call), call)
  }
  expect_snapshot_error(plot(model, show_shapes = NA), "`show_shapes` must be `TRUE` or `FALSE`, not `NA`",
                        "plot(model, show_shapes = NA)")
  expect_snapshot_error(plot(model, to_file = 1), "`to_file` must be a single string",
                        "plot(model, to_file = 1)")
  expect_snapshot_error(plot(model, dpi = 1.5), "`dpi` must be a whole number", "plot(model, dpi = 1.5)")
  # Keras checks for pydot and Graphviz before these two (its order kept).
  ready <- tryCatch(reticulate::py_module_available("pydot"), error = function(e) FALSE) &&
    nzchar(Sys.which("dot"))
  keras_first <- function(message) if (ready) message else "^You must install (pydot|graphviz)"
  expect_snapshot_error(plot(model, layer_range = c("a", "b")),
                        keras_first("Argument `layer_range` is no longer supported"),
                        "plot(model, layer_range = c(\"a\", \"b\"))")
  expect_snapshot_error(plot(model, FALSE, FALSE, FALSE, "red"), "Arguments in `...` must be named",
                        "plot(model, FALSE, FALSE, FALSE, \"red\")")
  expect_snapshot_error(plot_model(model, colour = "red", to_file = tempfile()),
                        keras_first("Unrecognized keyword arguments: \\{'colour': 'red'\\}"),
                        "plot_model(model, colour = \"red\", to_file = tempfile())")
  expect_snapshot_error(plot_model(dense), "`model` must be a model, not", "plot_model(dense)")
  expect_snapshot_error(plot(keras_model_sequential()), "^This model has not yet been built\\.",
                        "plot(keras_model_sequential())")
  expect_equal(session_counters()[session_counters()$prefix != "sequential", ],
               before[before$prefix != "sequential", ], ignore_attr = TRUE)
})

test_that("without Graphviz the error is Keras's, with how to install it from R", {
  skip_if_no_python()
  skip_if_no_graphviz()
  local_session()
  model <- branched_model()
  os <- reticulate::import("os")
  path <- os$environ$get("PATH")
  withr::defer(os$environ$update(list(PATH = path)))
  os$environ$update(list(PATH = tempdir())) # Python's PATH: no `dot` on it
  file <- withr::local_tempfile(fileext = ".png")
  e <- tryCatch(plot_model(model, to_file = file), error = identity)
  expect_s3_class(e, c("rbridge_python_ImportError", "rbridge_error_python", "rbridge_error"))
  expect_match(conditionMessage(e), "You must install graphviz (see instructions at https://graphviz", fixed = TRUE)
  expect_match(conditionMessage(e), "apt-get install graphviz", fixed = TRUE)
  expect_match(conditionMessage(e), "virtualenv_install(\"r-bridge\", \"pydot\")", fixed = TRUE)
  expect_identical(deparse(e$call), "plot_model(model, to_file = file)")
  expect_false(file.exists(file))
  e <- tryCatch(plot(model), error = identity)
  expect_identical(deparse(e$call), "plot(model)")
})

test_that("plot() without the png package says so, before any work", {
  skip_if_no_python()
  local_session()
  # As if png were not installed (testthat 3.1.6 has no local_mocked_bindings()).
  ns <- asNamespace("rbridge")
  has_png <- ns$rb_has_png
  unlockBinding("rb_has_png", ns)
  assign("rb_has_png", function() FALSE, envir = ns)
  withr::defer({
    assign("rb_has_png", has_png, envir = ns)
    lockBinding("rb_has_png", ns)
  })
  model <- branched_model()
  e <- tryCatch(plot(model), error = identity)
  expect_s3_class(e, "rbridge_error")
  expect_match(conditionMessage(e), "`plot()` of a model needs the R package png", fixed = TRUE)
  expect_identical(deparse(e$call), "plot(model)")
})

test_that("while knitr runs, plot() puts the picture in the document", {
  skip_if_no_python()
  skip_if_no_graphviz()
  skip_if_not_installed("knitr")
  local_session()
  dir <- withr::local_tempdir()
  writeLines(c("```{r model-graph}",
               "model <- keras_model_sequential(input_shape = 4) |> layer_dense(units = 2)",
               "plot(model, dpi = 50)",
               "```"), file.path(dir, "doc.Rmd"))
  withr::local_dir(dir)
  knitr::knit("doc.Rmd", "doc.md", quiet = TRUE, envir = new.env(parent = asNamespace("rbridge")))
  md <- readLines("doc.md")
  figure <- list.files("figure", pattern = "^model-graph-1\\.png$", full.names = TRUE)
  expect_length(figure, 1L)
  expect_true(any(grepl(figure, md, fixed = TRUE)))
  expect_gt(png_dim(figure)[["width"]], 50)
})
