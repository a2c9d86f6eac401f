# R-side objects for layers, models and symbolic tensors.
#
# R never holds Python objects: an rbridge object is a small environment
# carrying an object record from r_bridge.api (handle, kind, class, name and,
# for tensors, shape). Each record is one reference on the Python side; the
# finalizer gives it back. Finalizers run inside R's garbage collector, where
# calling Python is not safe, so they only queue the handle in
# `.rb$pending`; the next rb_call() releases the queue in one call.

rb_finalize <- function(env) {
  .rb$pending <- c(.rb$pending, .subset2(env, "handle"))
  .rb$finalized <- .rb$finalized + 1
  invisible()
}

rb_classes <- list(
  layer = c("rbridge_layer", "rbridge_object"),
  model = c("rbridge_model", "rbridge_layer", "rbridge_object"),
  tensor = c("rbridge_tensor", "rbridge_object")
)

# Shape from Python (list, NULL for None) to an integer vector (NA unknown).
rb_shape <- function(shape) {
  vapply(shape, function(d) if (is.null(d)) NA_integer_ else as.integer(d), 1L)
}

# Wrap one object record into an rbridge object (taking over its reference).
rb_wrap <- function(rec) {
  env <- new.env(parent = emptyenv(), size = 8L)
  env$handle <- rec[["handle"]] # one reference, given back by the finalizer
  rb_claim(env$handle)
  env$kind <- rec[["kind"]]
  env$class <- rec[["class"]]
  env$name <- rec[["name"]]
  if (identical(rec[["kind"]], "tensor")) env$shape <- rb_shape(rec[["shape"]])
  reg.finalizer(env, rb_finalize, onexit = FALSE)
  .rb$created <- .rb$created + 1
  class(env) <- rb_classes[[rec[["kind"]]]]
  env
}

rb_wrap_list <- function(recs) lapply(recs, rb_wrap)

# The result of an operation on `object` that may return `object` itself
# (a pipe step `model |> layer_dense()` returns the model's record): then
# the existing wrapper is returned and takes over the record's reference
# (given back with the others when it is finalized), instead of a new
# wrapper and finalizer per step.
rb_wrap_same <- function(rec, object) {
  if (is.environment(object) && identical(rec[["handle"]], .subset2(object, "handle"))) {
    return(object) # the wrapper already holds a reference: this one goes back unclaimed
  }
  rb_wrap(rec)
}

rb_handle <- function(x) .subset2(x, "handle")

# Number of rbridge objects alive in R (made and not yet finalized).
rb_outstanding <- function() .rb$created - .rb$finalized

#' Access the properties and methods of rbridge objects
#'
#' Layers, models and symbolic tensors are R handles to objects kept in the
#' Python session. `$` reads their properties like keras3 does:
#' `name`, `class`, `kind`, `handle`, `shape` (tensors) are stored in R;
#' `layers`, `input`, `output`, `inputs`, `outputs`, `built`, `trainable`,
#' `units`, `rate`, `activation`, `use_bias`, `dtype` are read from Python;
#' `count_params`, `get_weights`, `set_weights`, `summary` and `predict`
#' return functions, so `model$count_params()` works; a Sequential model
#' also has `add` (`model$add(layer)` adds an existing layer, or a
#' [keras_input()] first, and returns the model invisibly) and `pop`
#' (same as [pop_layer()]).
#'
#' @param x An rbridge layer, model or tensor.
#' @param name The property to read.
#' @param value Not used: rbridge objects are read-only.
#' @param pattern Used by completion.
#' @returns The property value.
#' @family layers
#' @name rbridge-object
#' @examples
#' layer <- layer_dense(units = 3)
#' layer$name
#' layer$units
#' model <- keras_model_sequential(input_shape = 2) |> layer_dense(units = 3)
#' model$count_params()
#' length(model$layers)
#' model$add(layer_dense(units = 1))
#' length(model$layers)
NULL

rb_local_fields <- c("handle", "kind", "class", "name", "shape")
rb_methods <- c("count_params", "get_weights", "set_weights", "summary", "predict")
rb_remote_fields <- c("layers", "input", "output", "inputs", "outputs", "built", "trainable",
                      "units", "rate", "activation", "use_bias", "dtype")

#' @rdname rbridge-object
#' @export
`$.rbridge_object` <- function(x, name) {
  if (name %in% rb_local_fields) {
    return(get0(name, envir = x, inherits = FALSE))
  }
  switch(name,
    count_params = function() count_params(x),
    get_weights = function() get_weights(x),
    set_weights = function(weights) set_weights(x, weights),
    summary = function() summary(x),
    predict = function(x_new, ...) stats::predict(x, x_new, ...),
    add = function(layer) rb_add(x, layer),
    pop = function() pop_layer(x),
    layers = rb_wrap_list(rb_call("get", object = rb_handle(x), attr = "layers")),
    inputs = rb_wrap_list(rb_call("get", object = rb_handle(x), attr = "inputs")),
    outputs = rb_wrap_list(rb_call("get", object = rb_handle(x), attr = "outputs")),
    input = rb_unlist1(rb_wrap_list(rb_call("get", object = rb_handle(x), attr = "inputs"))),
    output = rb_unlist1(rb_wrap_list(rb_call("get", object = rb_handle(x), attr = "outputs"))),
    rb_call("get", object = rb_handle(x), attr = name)
  )
}

# Keras's model.input: the tensor itself when there is one, else a list.
rb_unlist1 <- function(x) if (length(x) == 1L) x[[1L]] else x

#' @rdname rbridge-object
#' @export
`[[.rbridge_object` <- function(x, name) `$.rbridge_object`(x, name)

#' @rdname rbridge-object
#' @export
`$<-.rbridge_object` <- function(x, name, value) {
  rb_abort(sprintf("rbridge objects are read-only: can't set `%s`.", name))
}

#' @rdname rbridge-object
#' @export
`[[<-.rbridge_object` <- `$<-.rbridge_object`

#' @rdname rbridge-object
#' @rawNamespace S3method(utils::.DollarNames, rbridge_object)
.DollarNames.rbridge_object <- function(x, pattern = "") {
  fields <- c("name", "class", "kind", "handle")
  if (inherits(x, "rbridge_tensor")) {
    fields <- c(fields, "shape")
  } else {
    fields <- c(fields, rb_methods, "built", "trainable", "dtype")
    if (inherits(x, "rbridge_model")) {
      fields <- c(fields, "layers", "input", "output", "inputs", "outputs")
      if (identical(.subset2(x, "class"), "Sequential")) fields <- c(fields, "add", "pop")
    }
  }
  grep(pattern, fields, value = TRUE)
}

#' @export
names.rbridge_object <- function(x) .DollarNames.rbridge_object(x)

#' @export
format.rbridge_layer <- function(x, ...) {
  built <- tryCatch(rb_call("get", object = rb_handle(x), attr = "built"), error = function(e) NA)
  sprintf("<%s name=%s, built=%s>", .subset2(x, "class"), .subset2(x, "name"), built)
}

#' @export
format.rbridge_tensor <- function(x, ...) {
  shape <- .subset2(x, "shape")
  dims <- ifelse(is.na(shape), "None", as.character(shape))
  tuple <- if (length(dims) == 1L) paste0("(", dims, ",)") else paste0("(", paste(dims, collapse = ", "), ")")
  sprintf("<KerasTensor shape=%s, name=%s>", tuple, .subset2(x, "name"))
}

#' @export
print.rbridge_layer <- function(x, ...) {
  cat(format(x, ...), "\n", sep = "")
  invisible(x)
}

#' @export
print.rbridge_tensor <- print.rbridge_layer

#' @export
format.rbridge_model <- function(x, ...) {
  rb_call("summary", object = rb_handle(x))
}

#' @export
print.rbridge_model <- function(x, ...) {
  cat(format(x, ...), "\n", sep = "")
  invisible(x)
}

#' Print a summary of a model
#'
#' Prints the Keras-style summary table of a model (its layers, output
#' shapes and parameter counts).
#'
#' @param object A model.
#' @param ... Unused.
#' @returns `object`, invisibly.
#' @family models
#' @export
#' @examples
#' model <- keras_model_sequential(input_shape = 4) |> layer_dense(units = 2)
#' summary(model)
summary.rbridge_model <- function(object, ...) {
  cat(format(object), "\n", sep = "")
  invisible(object)
}
