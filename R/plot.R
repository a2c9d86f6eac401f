#' Plot a model's layer graph
#'
#' `plot(model)` draws the graph of a model's layers (their names, classes,
#' shapes and connections) as keras3 does: into a PNG file it then shows
#' on the current graphics device, or, while knitr runs, includes in the
#' document. `plot_model()` writes the picture to a file (PNG, SVG, PDF,
#' ... by its extension), with Keras's `keras.utils.plot_model()` defaults.
#' The graph is Keras's `model_to_dot()`'s, node for node.
#'
#' @param x,model A model (built: a Sequential model needs an input shape).
#' @param show_shapes Whether to show each layer's input and output shapes.
#' @param show_dtype Whether to show each layer's output dtype.
#' @param show_layer_names Whether to show layer names (else class names only).
#' @param ... Passed on to Python's `r_bridge.utils.plot_model()` (Keras's
#'   arguments, e.g. `splines = "curved"`).
#' @param rankdir `"TB"` for a vertical plot, `"LR"` for a horizontal one.
#' @param expand_nested Whether to draw nested models as clusters of their
#'   layers.
#' @param dpi Dots per inch of the image (`plot()`: by default the option
#'   `keras.plot.model.dpi`, else 200).
#' @param layer_range Not supported (as in Keras 3): `NULL`.
#' @param show_layer_activations Whether to show the activation of the
#'   layers that have one.
#' @param show_trainable Whether to mark layers with weights as trainable or
#'   not. For `plot()`, `NA` (the default) marks them when the model has
#'   non-trainable weights, as keras3 does.
#' @param to_file The image file. For `plot()`, `NULL` (the default) draws
#'   the picture instead of keeping a file.
#' @returns `plot()`: nothing (`NULL` invisibly), or, while knitr runs, the
#'   image to include. `plot_model()`: `to_file`, invisibly.
#'
#' @section Requirements:
#' Graphviz's `dot` program (Debian and Ubuntu: `sudo apt-get install
#' graphviz`; macOS: `brew install graphviz`; others:
#' <https://graphviz.gitlab.io/download/>) and the Python package `pydot` in
#' the Python rbridge uses (in the virtualenv of [install_rbridge()]:
#' `reticulate::virtualenv_install("r-bridge", "pydot")`). `plot()` also
#' needs the R package png. Without them the error says what is missing.
#' @family models
#' @export
#' @examplesIf rbridge_available() && nzchar(Sys.which("dot")) && requireNamespace("png", quietly = TRUE)
#' inputs <- keras_input(shape = 4, name = "features")
#' hidden <- inputs |> layer_dense(units = 8, activation = "relu")
#' outputs <- list(hidden |> layer_dense(units = 1, name = "score"),
#'                 hidden |> layer_dense(units = 3, activation = "softmax", name = "class"))
#' model <- keras_model(inputs, outputs)
#' try(plot(model, show_shapes = TRUE))
#' file <- tempfile(fileext = ".png")
#' try(plot_model(model, to_file = file, show_layer_names = TRUE))
plot.rbridge_model <- function(x, show_shapes = FALSE, show_dtype = FALSE, show_layer_names = FALSE, ...,
                               rankdir = "TB", expand_nested = FALSE,
                               dpi = getOption("keras.plot.model.dpi", 200L), layer_range = NULL,
                               show_layer_activations = FALSE, show_trainable = NA, to_file = NULL) {
  call <- rlang::current_call()
  call[[1L]] <- quote(plot) # the generic the user called, not the method
  rb_plot_calling(call, {
    if (!is.null(to_file)) to_file <- rb_check_string(to_file, "to_file")
    if (identical(show_trainable, NA)) {
      show_trainable <- isTRUE(x$built) && length(x$non_trainable_weights) > 0L
    }
    args <- rb_plot_args(show_shapes, show_dtype, show_layer_names, rankdir, expand_nested, dpi,
                         layer_range, show_layer_activations, show_trainable, list(...))
    knitting <- is.null(to_file) && isTRUE(getOption("knitr.in.progress"))
    file <- to_file %||% if (knitting) rb_knitr_figure() else tempfile(fileext = ".png")
    if (is.null(to_file) && !knitting) on.exit(unlink(file), add = TRUE)
    if (is.null(to_file) && !knitting && !rb_has_png()) {
      rb_cli_abort(c("{.fn plot} of a model needs the R package {.pkg png}.",
                     i = "Install it, or write the picture to a file with {.arg to_file}."), call = call)
    }
    rb_plot_write(x, file, args)
  })
  if (!is.null(to_file)) return(invisible())
  if (isTRUE(getOption("knitr.in.progress"))) return(knitr::include_graphics(file, dpi = dpi))
  img <- png::readPNG(file, native = TRUE)
  graphics::plot.new()
  graphics::plot.window(xlim = c(0, ncol(img)), ylim = c(0, nrow(img)), asp = 1, xaxs = "i", yaxs = "i")
  graphics::rasterImage(img, 0, 0, ncol(img), nrow(img), interpolate = TRUE)
  invisible()
}

#' @rdname plot.rbridge_model
#' @export
plot_model <- function(model, to_file = "model.png", show_shapes = FALSE, show_dtype = FALSE,
                       show_layer_names = FALSE, rankdir = "TB", expand_nested = FALSE, dpi = 200L,
                       show_layer_activations = FALSE, show_trainable = FALSE, ...) {
  call <- rlang::current_call()
  rb_plot_calling(call, {
    if (!inherits(model, "rbridge_model")) rb_abort_arg(model, "model", "a model", call = call)
    to_file <- rb_check_string(to_file, "to_file")
    args <- rb_plot_args(show_shapes, show_dtype, show_layer_names, rankdir, expand_nested, dpi,
                         NULL, show_layer_activations, show_trainable, list(...))
    rb_plot_write(model, to_file, args)
  })
  invisible(to_file)
}

# The checked arguments of Keras's plot_model(), for Python.
rb_plot_args <- function(show_shapes, show_dtype, show_layer_names, rankdir, expand_nested, dpi,
                         layer_range, show_layer_activations, show_trainable, dots) {
  if (length(dots) && (is.null(names(dots)) || any(!nzchar(names(dots))))) {
    rb_cli_abort("Arguments in {.arg ...} must be named.", class = "rbridge_error_argument")
  }
  for (nm in names(dots)) rb_check_plain(dots[[nm]], nm)
  c(list(show_shapes = rb_check_flag(show_shapes, "show_shapes"),
         show_dtype = rb_check_flag(show_dtype, "show_dtype"),
         show_layer_names = rb_check_flag(show_layer_names, "show_layer_names"),
         rankdir = rb_check_string(rankdir, "rankdir"),
         expand_nested = rb_check_flag(expand_nested, "expand_nested"),
         dpi = rb_as_integer(dpi, "dpi"),
         show_layer_activations = rb_check_flag(show_layer_activations, "show_layer_activations"),
         show_trainable = rb_check_flag(show_trainable, "show_trainable")),
    if (!is.null(layer_range)) list(layer_range = layer_range),
    dots)
}

# Python draws `model` into `file`; without pydot or Graphviz, Keras's error
# says what is missing and a hint says how to install it from R.
rb_plot_write <- function(model, file, args) {
  withCallingHandlers(
    do.call(rb_call, c(list("plot_model", object = rb_handle(model), to_file = path.expand(file)), args)),
    rbridge_python_ImportError = function(e) {
      rb_abort(c(e$message,
                 i = paste("Graphviz: `sudo apt-get install graphviz` (Debian, Ubuntu), `brew install graphviz`",
                           "(macOS), or https://graphviz.gitlab.io/download/."),
                 i = "pydot: `reticulate::virtualenv_install(\"r-bridge\", \"pydot\")` (see ?plot_model)."),
               class = setdiff(class(e)[startsWith(class(e), "rbridge_")], "rbridge_error"), call = NULL,
               python_class = e$python_class)
    })
}

# Run `code`, reporting its rbridge errors as `call`'s (a method of plot()
# is not a function rb_user_call() knows).
rb_plot_calling <- function(call, code) {
  withCallingHandlers(code, rbridge_error = function(e) {
    if (!identical(e$call, call)) {
      e$call <- call
      stop(e)
    }
  })
}

# Whether the R package png (to read the picture back for the device) is there.
rb_has_png <- function() requireNamespace("png", quietly = TRUE)

# Where knitr wants this chunk's next figure.
rb_knitr_figure <- function() {
  options <- knitr::opts_current$get()
  number <- asNamespace("knitr")$plot_counter()
  file <- knitr::fig_path(suffix = ".png", options = options, number = number)
  dir.create(dirname(file), recursive = TRUE, showWarnings = FALSE)
  file
}
