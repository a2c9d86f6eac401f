#' @keywords internal
#' @importFrom stats predict
#' @importFrom utils str
#' @importFrom rlang %||%
"_PACKAGE"

# .onLoad() is deliberately absent: loading rbridge starts no Python.
# Python is found and started on the first call that needs it (rb_connect()).
