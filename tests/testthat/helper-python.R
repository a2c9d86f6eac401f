# Tests need a Python with the r_bridge package (found as documented in
# ?rbridge_python; R CMD check sets RBRIDGE_PYTHON).
skip_if_no_python <- function() {
  skip_if_not(rbridge_available(),
              "no Python with the r_bridge package (set RBRIDGE_PYTHON or run install_rbridge())")
}

# Resident memory of this process, in MB.
rss_mb <- function() {
  line <- grep("^VmRSS:", readLines("/proc/self/status"), value = TRUE)
  as.numeric(gsub("[^0-9]", "", line)) / 1024
}

# session_info() without the attributes that legitimately change between two
# calls made from R (R-side object counters).
session_state <- function() {
  info <- session_info()
  attr(info, "r_objects") <- NULL
  info
}

# Probes of features other branches are adding to the Python core; tests of
# the R side of those features skip (naming what is missing) until merged.
rb_py_true <- function(code) {
  tryCatch(isTRUE(reticulate::py_eval(code)), error = function(e) FALSE)
}
rb_core_accepts <- function(fn, arg) {
  rb_py_true(sprintf("'%s' in __import__('inspect').signature(__import__('r_bridge.models', fromlist=['x']).%s).parameters",
                     arg, fn))
}
rb_core_has <- function(cls, attr) {
  rb_py_true(sprintf("hasattr(__import__('r_bridge.models', fromlist=['x']).%s, '%s')", cls, attr))
}
rb_core_accepts_summary <- function(arg) {
  rb_py_true(sprintf("'%s' in __import__('inspect').signature(__import__('r_bridge.models', fromlist=['x']).Model.summary_text).parameters", arg))
}
rb_core_accepts_dict_outputs <- function() {
  tryCatch(with_session({
    x <- keras_input(shape = 1)
    keras_model(x, list(a = layer_dense(x, 1)))
    TRUE
  }), error = function(e) FALSE)
}
rb_core_checks_predict_input <- function() {
  with_session({
    m <- keras_model_sequential(input_shape = 4) |> layer_dense(1)
    inherits(tryCatch(predict(m, c(1, 2, 3, 4)), error = identity), "error")
  })
}

# The name counters only (handles change as R's collector finalizes objects).
session_counters <- function() {
  info <- session_info()
  data.frame(prefix = info$prefix, count = info$count)
}
