# Config settings, read and written in the Python session.
#
# floatx, epsilon, image_data_format and backend are process-wide and
# survive clear_session(); the logging and traceback-filtering flags are
# session state and go back to enabled on clear_session().

rb_config_get <- function(name, call = rlang::caller_env()) rb_call("config_get", name = name, .call = call)

rb_config_set <- function(name, value, call = rlang::caller_env()) {
  invisible(rb_call("config_set", name = name, value = value, .call = call))
}

#' Config settings
#'
#' Read and change the settings of the Keras session. `config_floatx()` is
#' the default float type of weights (`"float32"`, or `"float16"`,
#' `"bfloat16"`, `"float64"`); `config_epsilon()` the fuzz factor used in
#' numeric expressions; `config_image_data_format()` either
#' `"channels_last"` or `"channels_first"`; `config_backend()` the name of
#' the backend (read-only). These survive [clear_session()].
#'
#' `config_dtype_policy()` is the name of the default dtype policy of new
#' layers (`"float32"`, or a float type, `"mixed_float16"`,
#' `"mixed_bfloat16"`); [clear_session()] resets it.
#'
#' @param value,data_format,policy The new value. Keras's checks apply, with
#'   Keras's messages.
#' @returns The getters return the current value. The setters return the
#'   previous value, invisibly.
#' @seealso [local_config()] to change settings temporarily.
#' @family config
#' @name config
#' @examplesIf rbridge_available()
#' config_backend()
#' config_floatx()
#' old <- config_set_floatx("float64")
#' config_floatx()
#' config_set_floatx(old)
#'
#' config_epsilon()
#' old <- config_set_epsilon(1e-5)
#' config_set_epsilon(old)
#'
#' config_image_data_format()
#' config_dtype_policy()
NULL

#' @rdname config
#' @export
config_backend <- function() rb_config_get("backend")

#' @rdname config
#' @export
config_floatx <- function() rb_config_get("floatx")

#' @rdname config
#' @export
config_set_floatx <- function(value) {
  rb_config_set("floatx", rb_check_string(value))
}

#' @rdname config
#' @export
config_epsilon <- function() rb_config_get("epsilon")

#' @rdname config
#' @export
config_set_epsilon <- function(value) {
  rb_config_set("epsilon", rb_check_number(value, min = 0))
}

#' @rdname config
#' @export
config_image_data_format <- function() rb_config_get("image_data_format")

#' @rdname config
#' @export
config_set_image_data_format <- function(data_format) {
  rb_config_set("image_data_format", rb_check_string(data_format))
}

#' @rdname config
#' @export
config_dtype_policy <- function() rb_config_get("dtype_policy")

#' @rdname config
#' @export
config_set_dtype_policy <- function(policy) {
  rb_config_set("dtype_policy", rb_check_string(policy))
}

#' Interactive logging and traceback filtering
#'
#' Interactive logging prints progress to standard output; when disabled,
#' messages go to the log. Traceback filtering hides Keras-internal frames
#' from error tracebacks. Both are enabled by default and re-enabled by
#' [clear_session()].
#'
#' @returns `config_is_*()`: `TRUE` or `FALSE`. The others: the previous
#'   value, invisibly.
#' @family config
#' @name config_logging
#' @examplesIf rbridge_available()
#' config_is_interactive_logging_enabled()
#' config_disable_interactive_logging()
#' config_is_interactive_logging_enabled()
#' config_enable_interactive_logging()
#'
#' config_is_traceback_filtering_enabled()
NULL

#' @rdname config_logging
#' @export
config_enable_interactive_logging <- function() rb_config_set("interactive_logging", TRUE)

#' @rdname config_logging
#' @export
config_disable_interactive_logging <- function() rb_config_set("interactive_logging", FALSE)

#' @rdname config_logging
#' @export
config_is_interactive_logging_enabled <- function() rb_config_get("interactive_logging")

#' @rdname config_logging
#' @export
config_enable_traceback_filtering <- function() rb_config_set("traceback_filtering", TRUE)

#' @rdname config_logging
#' @export
config_disable_traceback_filtering <- function() rb_config_set("traceback_filtering", FALSE)

#' @rdname config_logging
#' @export
config_is_traceback_filtering_enabled <- function() rb_config_get("traceback_filtering")

#' Set the global random seed
#'
#' Seeds the random generator of the Keras session (used for weight
#' initialization), like Keras's `set_random_seed()`.
#'
#' @param seed A non-negative whole number (below 2^31).
#' @returns `NULL`, invisibly.
#' @family config
#' @export
#' @examplesIf rbridge_available()
#' set_random_seed(1)
#' a <- get_weights(keras_model_sequential(input_shape = 2) |> layer_dense(units = 1))
#' set_random_seed(1)
#' b <- get_weights(keras_model_sequential(input_shape = 2) |> layer_dense(units = 1))
#' identical(a, b)
set_random_seed <- function(seed) {
  if (!is.numeric(seed) || length(seed) != 1L || !rb_is_whole(seed) || seed < 0) {
    rb_abort_arg(seed, expected = "a non-negative whole number")
  }
  rb_call("set_random_seed", seed = as.integer(seed))
  invisible(NULL)
}

# Settings local_config() knows, with their R checks.
# Each is function(x, arg, call), as rb_capture_args()'s modifiers.
# (Closures: validate.R is loaded after this file.)
rb_config_checks <- list(
  floatx = function(x, arg, call) rb_check_string(x, arg, call = call),
  epsilon = function(x, arg, call) rb_check_number(x, arg, min = 0, call = call),
  image_data_format = function(x, arg, call) rb_check_string(x, arg, call = call),
  dtype_policy = function(x, arg, call) rb_check_string(x, arg, call = call),
  interactive_logging = function(x, arg, call) rb_check_flag(x, arg, call = call),
  traceback_filtering = function(x, arg, call) rb_check_flag(x, arg, call = call)
)

#' Change config settings temporarily
#'
#' `local_config()` sets config settings and restores their previous values
#' when `.local_envir` exits; `with_config()` does the same around `code`.
#' Settings: `floatx`, `epsilon`, `image_data_format`,
#' `interactive_logging`, `traceback_filtering`.
#'
#' @param ... Named settings, e.g. `floatx = "float64"`. In `with_config()`,
#'   the code to run may also be given as the one unnamed argument.
#' @param .local_envir The environment whose exit restores the settings.
#' @param code Code to run with the settings.
#' @returns `local_config()`: the previous values (a named list),
#'   invisibly. `with_config()`: the value of `code`.
#' @family config
#' @export
#' @examplesIf rbridge_available()
#' with_config(floatx = "float64", config_floatx())
#' config_floatx()
#'
#' f <- function() {
#'   local_config(epsilon = 1e-3)
#'   config_epsilon()
#' }
#' f()
#' config_epsilon()
local_config <- function(..., .local_envir = parent.frame()) {
  rb_local_config(list(...), .local_envir, environment())
}

#' @rdname local_config
#' @export
with_config <- function(..., code) {
  if (missing(code)) {
    exprs <- as.list(substitute(list(...)))[-1L]
    nms <- names(exprs) %||% rep("", length(exprs))
    unnamed <- which(nms == "")
    if (length(unnamed) != 1L) {
      rb_cli_abort("{.arg code} must be given, as {.code code =} or as the one unnamed argument.",
                   class = "rbridge_error_argument", argument = "code")
    }
    env <- parent.frame()
    settings <- lapply(exprs[-unnamed], eval, envir = env)
    rb_local_config(settings, environment(), environment())
    eval(exprs[[unnamed]], env)
  } else {
    rb_local_config(list(...), environment(), environment())
    force(code)
  }
}

rb_local_config <- function(settings, envir, call) {
  nms <- names(settings)
  if (length(settings) && (is.null(nms) || any(nms == ""))) {
    rb_cli_abort("All settings in {.arg ...} must be named, e.g. {.code floatx = \"float64\"}.",
                 class = "rbridge_error_argument", argument = "...", call = call)
  }
  unknown <- setdiff(nms, names(rb_config_checks))
  if (length(unknown)) {
    known <- names(rb_config_checks)
    rb_cli_abort(c("Unknown {cli::qty(length(unknown))}setting{?s} {.arg {unknown}}.",
                   i = "Expected one of: {.val {known}}."),
                 class = "rbridge_error_argument", argument = "...", call = call)
  }
  for (nm in nms) settings[nm] <- list(rb_config_checks[[nm]](settings[[nm]], nm, call = call))
  old <- list()
  restore <- function() {
    for (nm in rev(names(old))) rb_call("config_set", name = nm, value = old[[nm]], .call = call)
  }
  withr::defer(restore(), envir = envir)
  for (nm in nms) {
    old[nm] <- list(rb_call("config_set", name = nm, value = settings[[nm]], .call = call))
  }
  invisible(old)
}
