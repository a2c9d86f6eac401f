# Keras's formats: configs, JSON, `.keras` files and weights files, with
# keras3's names and arguments. The files are Keras 3's own: a model saved
# here loads in keras3 (and Keras in Python), and the reverse.

#' Layer/Model configuration
#'
#' `get_config()` returns the configuration of a layer or model as Keras
#' writes it (a named list: for a Dense layer `name`, `trainable`, `dtype`,
#' `units`, `activation`, ...). `from_config()` makes a new object of the
#' same class from such a list: for a model, with the same layers and
#' freshly initialized weights. The class travels with the config as the
#' attribute `"rbridge_class"` (keras3 keeps it in `"__class__"`).
#'
#' @param object A layer or model.
#' @param config A configuration as returned by `get_config()`.
#' @param custom_objects Must be `NULL`: rbridge has no custom objects.
#' @returns `get_config()`: a named list. `from_config()`: a new layer or
#'   model.
#' @family saving
#' @export
#' @examplesIf rbridge_available()
#' layer <- layer_dense(units = 3, activation = "relu")
#' config <- get_config(layer)
#' str(config[c("units", "activation")])
#' config$name <- "my_dense"
#' from_config(config)
get_config <- function(object) {
  handle <- rb_check_layer(object)
  rec <- rb_call("get_config", object = handle)
  config <- rec[["config"]]
  attr(config, "rbridge_class") <- rec[c("module", "class_name", "registered_name")]
  config
}

#' @rdname get_config
#' @export
from_config <- function(config, custom_objects = NULL) {
  cls <- attr(config, "rbridge_class", exact = TRUE)
  if (!is.list(config) || is.null(cls) || is.null(cls[["class_name"]])) {
    rb_abort_arg(config, "config", "a configuration from `get_config()`")
  }
  rb_check_no_custom_objects(custom_objects)
  attr(config, "rbridge_class") <- NULL
  rb_call_object("from_config", config = config, class_name = cls[["class_name"]],
                 module = cls[["module"]], registered_name = cls[["registered_name"]])
}

#' Save a model as a `.keras` file, and load it
#'
#' The `.keras` file is Keras 3's own format: a zip archive of the model's
#' configuration (`config.json`), `metadata.json` and its weights
#' (`model.weights.h5`). Files saved by rbridge load in keras3 (and
#' `keras.saving.load_model()` in Python), and files saved by keras3 load in
#' rbridge, as long as they use the layers rbridge has. Weights need the
#' Python package h5py.
#'
#' @param model For `save_model()`, a model. For `load_model()`, a path to a
#'   `.keras` file, a raw vector as returned by `save_model(filepath =
#'   NULL)`, or a Keras model object (from keras3 or
#'   `reticulate::import("keras")`), which is copied into rbridge through
#'   its `.keras` file. The other way, `reticulate::r_to_py(model)` gives a
#'   Keras copy of an rbridge model (see [r_to_py.rbridge_model()]).
#' @param filepath Path of the file, ending in `.keras`; `NULL` returns the
#'   file's content as a raw vector instead.
#' @param overwrite Whether to replace an existing file. If `FALSE` and the
#'   file exists, an interactive session asks, otherwise it is an error.
#' @param ... For compatibility with keras3; must be empty.
#' @param custom_objects Must be `NULL`: rbridge has no custom objects.
#' @param compile,safe_mode Accepted for compatibility with keras3: rbridge
#'   models are not compiled and never run code from a file.
#' @returns `save_model()`: `model`, invisibly, or a raw vector if
#'   `filepath` is `NULL`. `load_model()`: the model.
#' @family saving
#' @export
#' @examplesIf rbridge_available()
#' model <- keras_model_sequential(input_shape = 3) |>
#'   layer_dense(units = 5) |>
#'   layer_activation("softmax")
#' path <- tempfile(fileext = ".keras")
#' save_model(model, path)
#' loaded <- load_model(path)
#' x <- matrix(runif(6), 2, 3)
#' all.equal(predict(model, x), predict(loaded, x))
#' bytes <- save_model(model)
#' load_model(bytes)
#' unlink(path)
save_model <- function(model, filepath = NULL, overwrite = FALSE, ...) {
  handle <- rb_check_model(model, "model")
  rb_check_dots_empty(...)
  overwrite <- rb_check_flag(overwrite, "overwrite")
  if (is.null(filepath)) {
    path <- tempfile(pattern = "keras_model-", fileext = ".keras")
    on.exit(unlink(path), add = TRUE)
    rb_call("save_model", object = handle, filepath = path, overwrite = TRUE)
    return(readBin(path, what = "raw", n = file.size(path)))
  }
  path <- rb_check_filepath(filepath)
  if (rb_confirm_overwrite(path, overwrite)) {
    rb_call("save_model", object = handle, filepath = path, overwrite = TRUE)
  }
  invisible(model)
}

#' @rdname save_model
#' @export
load_model <- function(model, custom_objects = NULL, compile = TRUE, safe_mode = TRUE) {
  rb_check_no_custom_objects(custom_objects)
  rb_check_flag(compile, "compile")
  rb_check_flag(safe_mode, "safe_mode")
  if (is.raw(model)) {
    path <- tempfile(pattern = "keras_model-", fileext = ".keras")
    on.exit(unlink(path), add = TRUE)
    writeBin(model, path)
  } else if (inherits(model, "python.builtin.object")) {
    path <- tempfile(pattern = "keras_model-", fileext = ".keras")
    on.exit(unlink(path), add = TRUE)
    if (!reticulate::py_has_attr(model, "save")) rb_abort_arg(model, "model", "a Keras model, a path or a raw vector")
    model$save(path)
  } else {
    path <- rb_check_filepath(model, "model")
  }
  rb_call_object("load_model", filepath = path)
}

#' Hand an rbridge model to Keras in memory
#'
#' `reticulate::r_to_py(model)` (what reticulate, and so keras3, calls when
#' an R object is passed to Python) gives a copy of an rbridge model as a
#' model of the real Keras: same architecture, names and weights, made by
#' `keras.saving.load_model()` from the model's `.keras` file. It needs
#' Keras and h5py in the Python rbridge uses, reached through reticulate.
#' Back: [load_model()] accepts a Keras model.
#'
#' @param x An rbridge model.
#' @param convert Whether the result converts values to R automatically
#'   (reticulate's `convert`).
#' @returns A Keras model (a reticulate Python object).
#' @family saving
#' @exportS3Method reticulate::r_to_py
#' @examples
#' # (runs where the Python rbridge uses has Keras)
#' if (rbridge_available() && reticulate::py_module_available("keras")) {
#'   model <- keras_model_sequential(input_shape = 3) |> layer_dense(units = 2)
#'   in_keras <- reticulate::r_to_py(model)
#'   in_keras$name
#'   back <- load_model(in_keras)
#' }
r_to_py.rbridge_model <- function(x, convert = FALSE) { # nolint: object_name_linter. (an S3 method)
  source <- rbridge_python()$source
  if (identical(source, "rbridge.transport")) {
    rb_cli_abort("Handing a model to Keras in memory needs reticulate; R runs inside Python here (rpy2).")
  }
  path <- tempfile(pattern = "keras_model-", fileext = ".keras")
  on.exit(unlink(path), add = TRUE)
  rb_call("save_model", object = rb_handle(x), filepath = path, overwrite = TRUE)
  keras <- reticulate::import("keras", convert = convert)
  keras$saving$load_model(path)
}

#' Save a model's configuration as JSON, and load it
#'
#' The JSON is Keras's (`model$to_json()` in Python): the architecture
#' only, no weights. A model loaded from it has freshly initialized weights.
#'
#' @param model Model object to save.
#' @param filepath Path of the JSON file.
#' @param overwrite Whether to replace an existing file (if `FALSE` and the
#'   file exists, an interactive session asks, otherwise it is an error).
#' @param custom_objects Must be `NULL`: rbridge has no custom objects.
#' @returns `save_model_config()`: `model`, invisibly. `load_model_config()`:
#'   a new model.
#' @family saving
#' @export
#' @examplesIf rbridge_available()
#' model <- keras_model_sequential(input_shape = 10) |> layer_dense(10)
#' file <- tempfile("model-config-", fileext = ".json")
#' save_model_config(model, file)
#' model2 <- load_model_config(file)
#' all.equal(get_config(model), get_config(model2))
#' unlink(file)
save_model_config <- function(model, filepath = NULL, overwrite = FALSE) {
  handle <- rb_check_model(model, "model")
  overwrite <- rb_check_flag(overwrite, "overwrite")
  path <- rb_check_filepath(filepath)
  if (rb_confirm_overwrite(path, overwrite)) {
    writeLines(rb_call("to_json", object = handle), path)
  }
  invisible(model)
}

#' @rdname save_model_config
#' @export
load_model_config <- function(filepath, custom_objects = NULL) {
  rb_check_no_custom_objects(custom_objects)
  path <- rb_check_filepath(filepath)
  json <- paste0(readLines(path, warn = FALSE), collapse = "\n")
  rb_call_object("model_from_json", json_string = json)
}

#' Save a model's weights to a `.weights.h5` file, and load them
#'
#' The file is Keras 3's (`model$save_weights()`): weights are addressed by
#' each layer's place in the model, so they load into a model of the same
#' architecture, made by rbridge or by keras3. `load_model_weights()` also
#' reads the weights of a `.keras` file. Needs the Python package h5py.
#'
#' @param model A model.
#' @param filepath Path of the file, ending in `.weights.h5`.
#' @param overwrite Whether to replace an existing file (if `FALSE` and the
#'   file exists, an interactive session asks, otherwise it is an error).
#' @param skip_mismatch Whether to skip the layers whose weights do not
#'   match (in number or shape) instead of failing; without it, a mismatch
#'   changes no weight.
#' @param ... For compatibility with keras3; must be empty.
#' @returns `model`, invisibly.
#' @family saving
#' @export
#' @examplesIf rbridge_available()
#' model <- keras_model_sequential(input_shape = 3) |> layer_dense(2)
#' path <- tempfile(fileext = ".weights.h5")
#' save_model_weights(model, path)
#' other <- clone_model(model)
#' load_model_weights(other, path)
#' all.equal(get_weights(model), get_weights(other))
#' unlink(path)
save_model_weights <- function(model, filepath, overwrite = FALSE) {
  handle <- rb_check_model(model, "model")
  overwrite <- rb_check_flag(overwrite, "overwrite")
  path <- rb_check_filepath(filepath)
  if (rb_confirm_overwrite(path, overwrite)) {
    rb_call("save_weights", object = handle, filepath = path, overwrite = TRUE)
  }
  invisible(model)
}

#' @rdname save_model_weights
#' @export
load_model_weights <- function(model, filepath, skip_mismatch = FALSE, ...) {
  handle <- rb_check_model(model, "model")
  rb_check_dots_empty(...)
  path <- rb_check_filepath(filepath)
  skip_mismatch <- rb_check_flag(skip_mismatch, "skip_mismatch")
  rb_call("load_weights", object = handle, filepath = path, skip_mismatch = skip_mismatch)
  invisible(model)
}

#' Clone a model
#'
#' A new model from the same configuration: the same layers with the same
#' names (as Keras keeps them), and freshly initialized weights. The
#' original model is unchanged.
#'
#' @param model A model.
#' @param input_tensors,clone_function,call_function Must be `NULL`: only
#'   Keras's default cloning is supported.
#' @param recursive Ignored without `clone_function` (as in Keras).
#' @param ... For compatibility with keras3; must be empty.
#' @returns A new model.
#' @family saving
#' @export
#' @examplesIf rbridge_available()
#' model <- keras_model_sequential(input_shape = 3) |> layer_dense(2, name = "d")
#' clone <- clone_model(model)
#' clone$layers[[1]]$name
#' identical(get_weights(model), get_weights(clone))
clone_model <- function(model, input_tensors = NULL, clone_function = NULL,
                        call_function = NULL, recursive = FALSE, ...) {
  handle <- rb_check_model(model, "model")
  rb_check_dots_empty(...)
  for (arg in c("input_tensors", "clone_function", "call_function")) {
    if (!is.null(get(arg))) {
      rb_cli_abort("{.arg {arg}} is not supported by rbridge's {.fn clone_model}: leave it {.code NULL}.",
                   class = "rbridge_error_argument", argument = arg)
    }
  }
  rb_call_object("clone_model", object = handle)
}


rb_check_model <- function(x, arg) {
  if (!inherits(x, "rbridge_model")) rb_abort_arg(x, arg, "a model")
  rb_handle(x)
}

rb_check_filepath <- function(x, arg = "filepath") {
  if (!is.character(x) || length(x) != 1L || is.na(x) || !nzchar(x)) {
    rb_abort_arg(x, arg, "a file path (a single string)")
  }
  # Only a path starting with "~" needs it (path.expand() of any path longer
  # than the system allows warns, echoing all of it).
  if (startsWith(x, "~")) path.expand(x) else x
}

rb_check_no_custom_objects <- function(custom_objects) {
  if (length(custom_objects)) {
    rb_cli_abort("{.arg custom_objects} are not supported: rbridge loads only Keras's built-in layers.",
                 class = "rbridge_error_argument", argument = "custom_objects")
  }
}

rb_check_dots_empty <- function(...) {
  if (...length()) {
    rb_cli_abort("Unused argument{?s}: {.arg {names(list(...))}}.",
                 class = "rbridge_error_argument", argument = "...")
  }
}

# keras3's confirm_overwrite(): TRUE to write. An existing file is replaced
# only with `overwrite = TRUE` or the user's yes in an interactive session.
rb_confirm_overwrite <- function(path, overwrite) {
  if (overwrite || !file.exists(path)) return(TRUE)
  if (interactive()) {
    answer <- utils::askYesNo(sprintf("File '%s' already exists - overwrite?", path), default = FALSE)
    return(isTRUE(answer))
  }
  rb_cli_abort("File {.file {path}} already exists (pass {.code overwrite = TRUE} to replace it).",
               class = "rbridge_error_argument", argument = "overwrite")
}
