# shape(): keras3's tensor-shape helper.

#' Tensor shape utility
#'
#' `shape()` builds a shape from numbers (`NA` or `NULL` for an unknown
#' size), arrays (their `dim()`) and symbolic tensors (their shape), as
#' keras3's does. Shapes print as `shape(NA, 4)`, and can be passed
#' wherever a shape argument is expected (`keras_input(shape = shape(4))`).
#'
#' @param ... Shapes, numbers, `NA`/`NULL`, arrays or symbolic tensors,
#'   concatenated.
#' @param x A shape.
#' @param prefix Whether to print the `shape` prefix.
#' @returns A list of integers (`NULL` for an unknown size) of class
#'   `keras_shape`.
#' @export
#' @examples
#' shape(1, 2, 3)
#' shape(NA, 4)
#' as.integer(shape(NA, 4))
#' shape(array(0, c(2, 3)))
#' @examplesIf rbridge_available()
#' shape(keras_input(shape = c(NA, 3)))
shape <- function(...) {
  call <- environment()
  fix <- function(x) {
    if (inherits(x, "rbridge_tensor")) {
      return(vapply(rb_field(x, "shape"), function(d) if (is.null(d)) NA_integer_ else d, 1L))
    }
    if (inherits(x, "keras_shape")) return(vapply(x, function(d) d %||% NA_integer_, 1L))
    if (is.array(x)) return(dim(x))
    if (is.null(x) || (length(x) == 1L && is.atomic(x) && is.na(x))) return(NA_integer_)
    if (is.list(x)) return(unlist(lapply(x, fix)))
    if (!is.numeric(x) || !all(rb_is_whole(x)) || any(x < 0)) {
      rb_abort_arg(x, "...", "numbers, `NA`, arrays or tensors", call = call)
    }
    as.integer(x)
  }
  dims <- unlist(lapply(list(...), fix), use.names = FALSE)
  out <- lapply(dims, function(d) if (is.na(d)) NULL else d)
  class(out) <- "keras_shape"
  out
}

#' @rdname shape
#' @export
format.keras_shape <- function(x, ..., prefix = TRUE) {
  dims <- vapply(unclass(x), function(d) if (is.null(d)) "NA" else format(d), "")
  paste0(if (isTRUE(prefix)) "shape" else "", "(", paste0(dims, collapse = ", "), ")")
}

#' @rdname shape
#' @export
print.keras_shape <- function(x, ...) {
  writeLines(format(x, ...))
  invisible(x)
}

#' @export
`[.keras_shape` <- function(x, ...) {
  out <- unclass(x)[...]
  class(out) <- class(x)
  out
}

#' @rdname shape
#' @export
as.integer.keras_shape <- function(x, ...) vapply(unclass(x), function(d) d %||% NA_integer_, 1L)

#' @export
as.list.keras_shape <- function(x, ...) unclass(x)

#' @export
`==.keras_shape` <- function(e1, e2) identical(unclass(shape(e1)), unclass(shape(e2)))

#' @export
`!=.keras_shape` <- function(e1, e2) !identical(unclass(shape(e1)), unclass(shape(e2)))
