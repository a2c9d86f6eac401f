# R-side objects for layers, models and symbolic tensors.
#
# R never holds Python objects, and no session state: an rbridge object
# carries one object record from r_bridge.api (handle, kind, class, name
# and, for tensors, shape and dtype) in a small environment, its "self".
# Layers and models are R functions whose enclosing environment is that
# self, as keras3's are: `layer(x)`, `model(x)`, `model |> layer()`.
# Tensors, which keras3 does not call, are the self environment itself.
#
# Each record is one reference held in Python: the self that keeps it owns
# its handle (rb_own(), handles.R).

rb_classes <- list(
  layer = c("rbridge_layer", "rbridge_object"),
  model = c("rbridge_model", "rbridge_layer", "rbridge_object"),
  tensor = c("rbridge_tensor", "rbridge_object")
)

rb_is_record <- function(x) {
  is.list(x) && !is.object(x) && is.character(x[["handle"]]) && is.character(x[["kind"]]) &&
    !is.null(rb_classes[[x[["kind"]]]])
}

# Wrap one object record, taking over (claiming) its reference; `owned`:
# called inside the crossing that returned it, interrupts already held back.
# Kept lean (it runs for every object a crossing returns): the self is the
# record itself as an environment, and a layer or model is a copy of a
# template function, class included, given that self.
rb_wrap <- function(rec, owned = FALSE) {
  self <- list2env(rec, parent = rb_namespace, size = 8L)
  self$refs <- 1L # references of the handle this self owns (see rb_finalize())
  kind <- .subset2(rec, "kind") # (a string: see rb_is_record())
  if (kind == "tensor") self$shape <- rb_shape_from_py(.subset2(rec, "shape"))
  if (owned) rb_own_now(self) else rb_own(self)
  switch(kind,
    layer = {
      obj <- rb_layer_template
      environment(obj) <- self
    },
    model = {
      obj <- rb_model_template
      environment(obj) <- self
    },
    {
      obj <- self
      class(obj) <- rb_classes[[kind]]
    }
  )
  obj
}

rb_namespace <- environment()

# A layer or model as an R function of its inputs, keras3's
# `function(object, ...)`, whose enclosing environment is its self.
rb_callable <- function(object, ...) rb_invoke(parent.env(environment()), object, ...)
rb_layer_template <- structure(rb_callable, class = rb_classes$layer)
rb_model_template <- structure(rb_callable, class = rb_classes$model)

# A result from Python as R values: records become objects (each keeps the
# reference its record counts), lists and dicts are walked.
rb_from_py <- function(x, owned = FALSE) {
  if (rb_is_record(x)) return(rb_wrap(x, owned))
  if (is.list(x) && !is.object(x)) {
    out <- lapply(x, rb_from_py, owned = owned)
    names(out) <- names(x)
    return(out)
  }
  x
}

rb_self <- function(x) {
  self <- if (is.function(x)) environment(x) else x
  if (!is.environment(self)) NULL else self
}

rb_field <- function(x, name) {
  self <- rb_self(x)
  if (is.null(self)) NULL else get0(name, envir = self, inherits = FALSE)
}

rb_handle <- function(x, call = rlang::caller_env()) {
  h <- rb_field(x, "handle")
  if (!is.character(h) || length(h) != 1L) {
    rb_cli_abort("This is not an rbridge object made in this R session (it has no handle).",
                 class = "rbridge_error_argument", call = call)
  }
  h
}

# Shape from Python (a list, NULL for None) as keras3 shows it: a list of
# integers, NULL for an unknown size.
rb_shape_from_py <- function(shape) lapply(shape, function(d) if (is.null(d)) NULL else as.integer(d))

# --------------------------------------------------------------- calling
# `layer(object, ...)`, as keras3's compose_layer(): a Sequential model gets
# the layer added (the model is returned invisibly); a symbolic tensor (or a
# list of them) gives the output tensor(s); an array is computed eagerly.
rb_invoke <- function(self, object, ...) {
  call <- parent.frame() # the object's own frame: errors name `dense(x)`
  if (missing(object)) {
    rb_cli_abort("{.arg object} is missing: call a layer or model on a tensor, an array or a Sequential model.",
                 class = "rbridge_error_argument", argument = "object", call = call)
  }
  handle <- .subset2(self, "handle")
  if (inherits(object, "rbridge_model") && identical(rb_field(object, "class"), "Sequential")) {
    if (...length()) warning("arguments passed via `...` are ignored when adding a layer to a model")
    return(invisible(rb_call_object("add", object = rb_handle(object, call), layer = handle, .call = call,
                                    .same = object)))
  }
  kwargs <- list(...)
  for (nm in names(kwargs)) {
    value <- rb_check_plain(kwargs[[nm]], nm, call = call)
    if (!is.null(value)) kwargs[[nm]] <- value
  }
  if (rb_is_tensors(object)) {
    return(rb_call_object("call", object = handle, args = list(rb_handles(object, call)), kwargs = kwargs,
                          .call = call))
  }
  if (inherits(object, "rbridge_object")) {
    rb_abort_arg(object, expected = "a symbolic tensor, an array or a Sequential model", call = call)
  }
  x <- if (is.list(object) && !is.data.frame(object)) lapply(object, rb_as_array, arg = "object", call = call) else
    rb_as_array(object, call = call)
  rb_call_arrays("call", object = handle, args = list(x), kwargs = kwargs, .call = call)
}

rb_is_tensors <- function(x) {
  inherits(x, "rbridge_tensor") ||
    (is.list(x) && !is.object(x) && length(x) && all(vapply(x, inherits, TRUE, what = "rbridge_tensor")))
}

# Handles of a tensor, or of a list of them (names kept: a dict in Python).
rb_handles <- function(x, call = rlang::caller_env()) {
  if (inherits(x, "rbridge_object")) return(rb_handle(x, call))
  out <- lapply(x, rb_handle, call = call)
  names(out) <- names(x)
  out
}

# R numbers (vector, matrix, array, data frame) to a double array.
rb_as_array <- function(x, arg = rlang::caller_arg(x), call = rlang::caller_env()) {
  if (is.data.frame(x)) {
    if (!all(vapply(x, function(col) is.numeric(col) || is.logical(col), TRUE))) {
      rb_abort_arg(x, arg, "a numeric matrix, array or data frame", call = call)
    }
    x <- as.matrix(x)
  }
  if (!(is.numeric(x) || is.logical(x)) || is.object(x) || (!length(x) && is.null(dim(x)))) {
    rb_abort_arg(x, arg, "a numeric matrix or array", call = call)
  }
  # Changed only where needed: after any replacement (even one that changes
  # nothing) reticulate copies the array instead of sharing R's memory
  # (measured: set_weights() of a 1000 x 1000 kernel 12x slower, with R
  # collections).
  if (is.null(dim(x))) x <- array(x, dim = length(x))
  if (!is.double(x)) storage.mode(x) <- "double"
  if (!is.null(dimnames(x))) dimnames(x) <- NULL
  x
}

# ---------------------------------------------------------------- fields
#' Access the fields and methods of layers, models and tensors
#'
#' Layers and models are R functions (call them on a tensor, an array, or
#' a Sequential model to add them to), tensors are symbolic values; all
#' keep a handle to their object in the Python session. `$` and `[[` (by
#' name only) read what Keras has: `name`, `trainable`, `built`, `dtype`,
#' `weights`, `trainable_weights`, `non_trainable_weights`, `layers`,
#' `input`, `output`, `inputs`, `outputs`, `units`, `rate`, `activation`,
#' `use_bias`, ...; tensors have `shape` (a list, `NULL` for an unknown
#' size), `dtype` and `name`. Methods are functions: `model$count_params()`,
#' `model$get_weights()`, `model$set_weights(w)`, `model$summary()`,
#' `model$predict(x)`, `model$get_layer(name)`, and for a Sequential model
#' `model$add(layer)` and `model$pop()`. `$<-` sets `trainable` and `name`
#' (where Keras allows it).
#'
#' @section rbridge objects as arguments:
#' A layer, model or tensor passed as an argument of a layer function
#' reaches Keras as the Python object, as in keras3: `layer_dense(units = 2,
#' activation = layer_dense(units = 3))` uses the inner layer as the
#' activation. A model can't be an argument of a layer added to it
#' (`model |> layer_dense(activation = model)`): that is an error naming the
#' argument.
#'
#' @section R functions as arguments:
#' R functions can't be passed to layers (e.g. `kernel_initializer =
#' function(shape) ...`): Python would hold an R closure that itself holds
#' Python objects, a reference cycle that spans both languages and that
#' neither garbage collector can see whole, so the model would never be
#' freed. rbridge refuses them with an error naming the argument; pass the
#' name of a Keras built-in instead (`"glorot_uniform"`, `"relu"`, ...).
#'
#' @param x A layer, model or tensor.
#' @param name The field to read or set (a string).
#' @param value The new value.
#' @param pattern Used by completion.
#' @returns The field's value; `$<-`: `x`.
#' @family layers
#' @name rbridge-object
#' @examplesIf rbridge_available()
#' layer <- layer_dense(units = 3)
#' layer$name
#' layer$units
#' layer$trainable <- FALSE
#' layer$trainable
#' model <- keras_model_sequential(input_shape = 2) |> layer_dense(units = 3)
#' model$count_params()
#' length(model$layers)
#' model$add(layer_dense(units = 1))
#' length(model$layers)
#' model$layers[[1]]$weights
NULL

rb_local_fields <- c("handle", "kind", "class", "name")
rb_tensor_fields <- c("shape", "dtype")
rb_object_methods <- c("count_params", "get_weights", "set_weights", "summary", "predict",
                       "get_layer", "add", "pop")

#' @rdname rbridge-object
#' @export
`$.rbridge_object` <- function(x, name) rb_get_field(x, name)

#' @rdname rbridge-object
#' @export
`[[.rbridge_object` <- function(x, name) {
  if (!is.character(name) || length(name) != 1L || is.na(name)) {
    what <- rb_describe(name)
    rb_cli_abort(c("Fields of rbridge objects are taken by name: {.code x[[\"name\"]]}, not {what}.",
                   i = "Use {.code model$layers[[i]]} or {.fn get_layer} for a layer by position."),
                 class = "rbridge_error_argument", argument = "name")
  }
  rb_get_field(x, name)
}

rb_get_field <- function(x, name, call = rlang::caller_env()) {
  if (name %in% rb_local_fields) return(rb_field(x, name))
  if (inherits(x, "rbridge_tensor") && name %in% rb_tensor_fields) return(rb_field(x, name))
  if (!inherits(x, "rbridge_tensor") && name %in% rb_object_methods) return(rb_method(x, name))
  rb_call_arrays("get", object = rb_handle(x, call), attr = name, .call = call, .wrap = TRUE)
}

rb_method <- function(x, name) {
  force(x)
  switch(name,
    count_params = function() count_params(x),
    get_weights = function(trainable = NA) get_weights(x, trainable = trainable),
    set_weights = function(weights) set_weights(x, weights),
    summary = function(...) summary(x, ...),
    predict = function(x_new, ...) stats::predict(x, x_new, ...),
    get_layer = function(name = NULL, index = NULL) get_layer(x, name = name, index = index),
    add = function(layer) rb_add(x, layer),
    pop = function(rebuild = TRUE) pop_layer(x, rebuild = rebuild)
  )
}

#' @rdname rbridge-object
#' @export
`$<-.rbridge_object` <- function(x, name, value) rb_set_field(x, name, value)

#' @rdname rbridge-object
#' @export
`[[<-.rbridge_object` <- function(x, name, value) {
  if (!is.character(name) || length(name) != 1L || is.na(name)) {
    rb_cli_abort("Fields of rbridge objects are set by name.", class = "rbridge_error_argument",
                 argument = "name")
  }
  rb_set_field(x, name, value)
}

rb_set_field <- function(x, name, value, call = rlang::caller_env()) {
  if (!name %in% c("trainable", "name")) {
    cls <- rb_field(x, "class")
    shown <- rb_cut(name) # a field name can be any string, even 1 MB
    rb_cli_abort("Can't set {.field {shown}} of a {cls}: only {.field trainable} and {.field name} can be set.",
                 class = "rbridge_error_argument", argument = "name", call = call)
  }
  value <- if (name == "trainable") rb_check_flag(value, call = call) else
    rb_check_string(value, call = call)
  rb_call("set", object = rb_handle(x, call), attr = name, value = value, .call = call)
  if (name == "name") assign("name", value, envir = rb_self(x))
  x
}

#' @rdname rbridge-object
#' @rawNamespace S3method(utils::.DollarNames, rbridge_object)
.DollarNames.rbridge_object <- function(x, pattern = "") {
  fields <- c("name", "class")
  if (inherits(x, "rbridge_tensor")) {
    fields <- c(fields, rb_tensor_fields, "sparse", "ragged")
  } else {
    fields <- c(fields, setdiff(rb_object_methods, c("add", "pop")), "built", "trainable", "dtype",
                "weights", "trainable_weights", "non_trainable_weights", "input", "output")
    if (inherits(x, "rbridge_model")) {
      fields <- c(fields, "layers", "inputs", "outputs")
      if (identical(rb_field(x, "class"), "Sequential")) fields <- c(fields, "add", "pop")
    }
  }
  grep(pattern, fields, value = TRUE)
}

#' @export
names.rbridge_object <- function(x) .DollarNames.rbridge_object(x)

#' @export
length.rbridge_object <- function(x) 1L

# --------------------------------------------------------------- printing
#' @export
format.rbridge_layer <- function(x, ...) {
  built <- tryCatch(rb_call("get", object = rb_handle(x), attr = "built"), error = function(e) NA)
  sprintf("<%s name=%s, built=%s>", rb_field(x, "class"), rb_field(x, "name"), rb_py_bool(built))
}

rb_py_bool <- function(x) if (isTRUE(x)) "True" else if (isFALSE(x)) "False" else "None"

#' @export
print.rbridge_layer <- function(x, ...) {
  writeLines(c(format(x, ...), " signature: (*args, **kwargs)"))
  invisible(x)
}

#' @export
format.rbridge_tensor <- function(x, ...) {
  dims <- vapply(rb_field(x, "shape"), function(d) if (is.null(d)) "None" else as.character(d), "")
  tuple <- if (length(dims) == 1L) paste0("(", dims, ",)") else paste0("(", paste(dims, collapse = ", "), ")")
  sprintf("<KerasTensor shape=%s, dtype=%s, sparse=%s, ragged=%s, name=%s>", tuple,
          rb_field(x, "dtype"), rb_py_bool(rb_tensor_flag(x, "sparse")),
          rb_py_bool(rb_tensor_flag(x, "ragged")), rb_field(x, "name"))
}

# A tensor's sparse/ragged flag, FALSE where the session's tensors have none.
rb_tensor_flag <- function(x, name) {
  tryCatch(isTRUE(rb_call("get", object = rb_handle(x), attr = name)),
           rbridge_python_AttributeError = function(e) FALSE)
}

#' @export
print.rbridge_tensor <- function(x, ...) {
  writeLines(format(x, ...))
  invisible(x)
}

#' @export
str.rbridge_object <- function(object, ...) {
  cat(format(object, line_length = getOption("width")), sep = "\n")
  invisible()
}

#' Summarize and print a model
#'
#' `format()` gives the Keras summary table of a model (its layers, output
#' shapes and parameter counts) as a string; `print()` prints it and
#' returns the model invisibly; `summary()` prints it and returns the text
#' invisibly, as keras3 does. The table is `line_length` characters wide,
#' by default the console width (`getOption("width")`, at most 180).
#'
#' @param object,x A model.
#' @param line_length Total length of printed lines.
#' @param positions Relative or absolute positions of the column ends in
#'   each line; by default `c(0.33, 0.55, 0.67, 1.0)` (Keras's).
#' @param ... For `summary()` and `print()`, passed on to `format()`; for
#'   `format()`, other named arguments of Keras's `Model.summary()`.
#' @param compact Whether to remove blank lines from the summary.
#' @returns `format()`: a string. `print()`: `x`, invisibly. `summary()`:
#'   the string, invisibly.
#' @family models
#' @export
#' @examplesIf rbridge_available()
#' model <- keras_model_sequential(input_shape = 4) |> layer_dense(units = 2)
#' summary(model)
#' text <- format(model, line_length = 50)
#' cat(text)
format.rbridge_model <- function(x, line_length = min(getOption("width"), 180), positions = NULL, ...,
                                 compact = TRUE) {
  args <- c(list(line_length = rb_as_integer(line_length),
                 positions = positions), list(...))
  args <- args[!vapply(args, is.null, TRUE)]
  for (nm in names(args)) args[[nm]] <- rb_check_plain(args[[nm]], nm)
  out <- do.call(rb_call, c(list("summary", object = rb_handle(x)), args))
  out <- sub("\\s+$", "", out)
  if (compact) out <- gsub("\n\\s*\n", "\n", out, perl = TRUE)
  out
}

#' @rdname format.rbridge_model
#' @export
print.rbridge_model <- function(x, ...) {
  writeLines(format(x, ...))
  invisible(x)
}

#' @rdname format.rbridge_model
#' @export
summary.rbridge_model <- function(object, ...) {
  writeLines(text <- format(object, ...))
  invisible(text)
}
