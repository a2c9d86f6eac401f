# Errors: how rbridge signals them, and which call they name.
#
# Every error is an rlang error of class "rbridge_error" (plus a class
# saying what kind: "rbridge_error_argument", "rbridge_error_python",
# "rbridge_python_<PythonClass>"), reported against the function the user
# called, as keras3's are: ``Error in `layer_dense()`:`` then `! ...`.
# rlang's idiom names that call: each exported function's frame is passed
# down as `call = caller_env()` (the default of every function here, so a
# check called directly from an exported function needs no argument).

# Longest message line kept, and how it is cut: the same rule as
# r_bridge's dispatcher (bridge/dispatch.py MAX_MESSAGE), so a message cut
# in Python is not cut again in R. A message can echo a 1 MB value.
rb_max_message <- 1000L

# Cut each element of `x` longer than `n` characters the way Python does:
# as many of its first and last characters as fit in `n` characters with
# the marker that says how many were left out.
rb_cut <- function(x, n = rb_max_message) {
  len <- nchar(x, type = "chars", allowNA = TRUE)
  long <- !is.na(len) & len > n
  if (any(long)) {
    s <- x[long]
    l <- len[long]
    room <- n - nchar(paste0(" \u2026[", l, " characters cut]\u2026 ")) # (the marker's count is smaller)
    half <- pmax(room %/% 2L, 1L)
    x[long] <- paste0(substr(s, 1L, half), " \u2026[", l - 2L * half, " characters cut]\u2026 ",
                      substr(s, l - half + 1L, l))
  }
  x
}

# Signal an rbridge error from `call` (an exported function's frame, or a
# call). `message` may have rlang bullets (names "i", "x", "*"). It is never
# interpolated, so Python messages with braces are safe; long lines are cut
# (`cut = FALSE`: a Python message, which Python cut by the same rule).
#
# Signalled with interrupts held back (as rb_cli_abort()): rlang::abort()
# sets options that point to `call`'s frame (`rlang:::error_frame`) and
# restores them on exit. An interrupt between the two leaves the option set
# for the rest of the session (every later abort saves and restores the
# stale value), and with it the user's frame and the rbridge objects in it
# (`model |> layer_dense()`: the model), whose handles Python then holds
# with no way back. Handlers still run (held back too); an exiting one
# unwinds past suspendInterrupts(), which lets interrupts in again.
rb_abort <- function(message, class = NULL, call = rlang::caller_env(), ..., cut = TRUE) {
  suspendInterrupts(
    rlang::abort(if (cut) rb_cut(message) else message, class = c(class, "rbridge_error"), call = call, ...)
  )
}

# Our own messages, written with cli markup (`{.arg {arg}}`); values are
# always interpolated as variables, never pasted into the template.
rb_cli_abort <- function(message, class = NULL, call = rlang::caller_env(), ..., .envir = parent.frame()) {
  suspendInterrupts(cli::cli_abort(message, class = c(class, "rbridge_error"), call = call, ..., .envir = .envir))
}

# An argument error: `arg` must be `expected`, not <what x is>.
rb_abort_arg <- function(x, arg = rlang::caller_arg(x), expected, call = rlang::caller_env()) {
  what <- rb_describe(x)
  arg <- rb_cut(arg)
  rb_cli_abort("{.arg {arg}} must be {expected}, not {what}.",
               class = "rbridge_error_argument", call = call, argument = arg)
}
