#' Pipe operator
#'
#' keras3 re-exports magrittr's pipe, so keras3 code that uses `%>%`
#' runs unchanged. See \code{\link[magrittr]{\%>\%}} for details.
#'
#' @name %>%
#' @rdname pipe
#' @keywords internal
#' @returns The result of calling the right hand side with the left hand
#'   side as an argument: `rhs(lhs)`.
#' @export
#' @importFrom magrittr %>%
#' @usage lhs \%>\% rhs
#' @examples
#' c(1, 4) %>% sqrt()
NULL
