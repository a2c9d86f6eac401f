# The shared scenarios (tests/scenarios/*.json, see tests/scenarios/README.md)
# run through rbridge's keras3-style R functions. The same JSON is checked
# against r_bridge's Python API and r_bridge.api by
# tests/python/test_scenarios.py, and its "keras" expectations come from real
# Keras (tests/scenarios/generate.py).
#
# The scenario directory is $RBRIDGE_SCENARIOS (the Makefile sets it, since
# R CMD check runs the tests from a copy of the package), else the first
# tests/scenarios found walking up from the working directory.

rb_scenario_dir <- function() {
  env <- Sys.getenv("RBRIDGE_SCENARIOS")
  if (nzchar(env) && file.exists(file.path(env, "naming.json"))) return(env)
  dir <- normalizePath(getwd(), mustWork = FALSE)
  repeat {
    cand <- file.path(dir, "tests", "scenarios")
    if (file.exists(file.path(cand, "naming.json"))) return(cand)
    cand <- file.path(dir, "scenarios")  # running from tests/
    if (file.exists(file.path(cand, "naming.json"))) return(cand)
    parent <- dirname(dir)
    if (identical(parent, dir)) return(NULL)
    dir <- parent
  }
}

# r_bridge / rbridge gaps these scenarios found, still to fix (mirrors
# KNOWN_GAPS in tests/python/test_scenarios.py). Delete an entry once fixed.
rb_known_gaps <- c(
  # id = "reason"
)

rb_scenario_skip_reason <- function(sc) {
  if (sc$id %in% names(rb_known_gaps)) return(paste("known gap:", rb_known_gaps[[sc$id]]))
  plat <- sc$platforms
  if (!is.null(plat) && !"r" %in% unlist(plat)) return("scenario is Python-only")
  NULL
}

rb_get_var <- function(env, name) {
  if (!exists(name, envir = env, inherits = FALSE)) stop("unknown scenario variable ", name)
  get(name, envir = env, inherits = FALSE)
}

rb_get_vars <- function(env, names) {
  if (is.list(names)) lapply(names, function(n) rb_get_var(env, n)) else rb_get_var(env, names)
}

rb_uids <- function() {
  info <- session_info()
  stats::setNames(as.list(info$count), info$prefix)
}

rb_sorted <- function(x) {
  if (!length(x)) return(list())
  x <- x[order(names(x))]
  lapply(x, as.numeric)
}

# Perform one step; returns its value (NULL for ops without one).
rb_run_step <- function(step, env) {
  op <- step$op
  assign_as <- function(obj) {
    if (!is.null(step$as)) assign(step$as, obj, envir = env)
    obj
  }
  switch(op,
    layer = {
      fn <- match.fun(paste0("layer_", step$kind))
      args <- step$args
      if (!is.null(step$into)) {
        model <- do.call(fn, c(list(rb_get_var(env, step$into)), args))
        layers <- model$layers
        last <- layers[[length(layers)]]
        assign_as(last)
        last$name
      } else if (!is.null(step$on)) {
        # `on`: a tensor var, or a list of them (merging layers take a list)
        assign_as(do.call(fn, c(list(rb_get_vars(env, step$on)), args)))$name
      } else {
        assign_as(do.call(fn, args))$name
      }
    },
    input = assign_as(keras_input(shape = unlist(step$shape), name = step$name))$name,
    sequential = {
      layers <- if (is.null(step$layers)) list() else step$layers
      args <- list(layers = rb_get_vars(env, layers), name = step$name)
      if (!is.null(step$input_shape)) args$input_shape <- unlist(step$input_shape)
      if (is.null(args$name)) args$name <- NULL
      assign_as(do.call(keras_model_sequential, args))$name
    },
    model = assign_as(keras_model(rb_get_vars(env, step$inputs), rb_get_vars(env, step$outputs),
                                  name = step$name))$name,
    add = {
      rb_get_var(env, step$model)$add(rb_get_var(env, step$layer))
      NULL
    },
    call = {
      fn <- rb_get_var(env, step$layer)
      assign_as(fn(rb_get_vars(env, step$on)))$name
    },
    pop = assign_as(pop_layer(rb_get_var(env, step$model)))$name,
    names = vapply(rb_get_var(env, step$model)$layers, function(l) l$name, ""),
    name = rb_get_var(env, step$var)$name,
    get_uid = if (is.null(step$prefix)) get_uid() else get_uid(step$prefix),
    reset_uids = reset_uids(),
    clear_session = clear_session(free_memory = step$free_memory),
    uids = rb_uids(),
    config_get = match.fun(paste0("config_", step$name))(),
    config_set = match.fun(paste0("config_set_", step$name))(step$value),
    set_random_seed = set_random_seed(step$seed),
    stop("unknown op ", op)
  )
}

rb_value_ops <- c("layer", "input", "sequential", "model", "call", "pop", "names", "name",
                  "get_uid", "uids", "config_get")

rb_check_value <- function(value, expect, op, label) {
  if (op == "uids") {
    # a uids dict: compare as name -> count, in any order
    expect(identical(rb_sorted(value), rb_sorted(expect)),
           sprintf("%s: got %s, expected %s", label,
                   deparse(rb_sorted(value)), deparse(rb_sorted(expect))))
  } else if (is.list(expect)) {
    exp_vec <- as.character(unlist(expect))
    expect_identical(as.character(value), exp_vec, label = label)
  } else if (is.numeric(expect)) {
    expect_equal(as.numeric(value), as.numeric(expect), tolerance = 1e-12, label = label)
  } else {
    expect_identical(value, expect, label = label)
  }
}

rb_config_defaults <- function() {
  config_set_floatx("float32")
  config_set_epsilon(1e-7)
  config_set_image_data_format("channels_last")
  clear_session(free_memory = FALSE)
}

rb_run_scenario <- function(sc) {
  env <- new.env(parent = emptyenv())
  rb_config_defaults()
  on.exit(rb_config_defaults(), add = TRUE)
  for (i in seq_along(sc$steps)) {
    step <- sc$steps[[i]]
    label <- sprintf("%s step %d (%s)", sc$id, i - 1L, step$op)
    if (step$op == "error") {
      cond <- tryCatch({
        rb_run_step(step$step, env)
        NULL
      }, error = function(e) e)
      expect(!is.null(cond), sprintf("%s: expected an error containing %s", label,
                                     encodeString(step$expect_error, quote = '"')))
      if (!is.null(cond) && !inherits(cond, "rbridge_error_argument")) {
        # R-side argument checks (class rbridge_error_argument) word their own
        # messages; errors from Python must carry the scenario's substring.
        expect(grepl(step$expect_error, conditionMessage(cond), fixed = TRUE),
               sprintf("%s: message %s lacks %s", label,
                       encodeString(conditionMessage(cond), quote = '"'),
                       encodeString(step$expect_error, quote = '"')))
      }
      next
    }
    value <- rb_run_step(step, env)
    if (step$op %in% rb_value_ops && "expect" %in% names(step)) {
      rb_check_value(value, step[["expect", exact = TRUE]], step$op, label)
    }
  }
}

dir <- rb_scenario_dir()
if (is.null(dir)) {
  test_that("shared scenarios", {
    skip("tests/scenarios not found: set RBRIDGE_SCENARIOS to its path")
  })
} else if (!requireNamespace("jsonlite", quietly = TRUE)) {
  test_that("shared scenarios", skip("jsonlite is not installed"))
} else {
  files <- sort(list.files(dir, pattern = "\\.json$", full.names = TRUE))
  for (file in files) {
    data <- jsonlite::fromJSON(file, simplifyVector = FALSE)
    for (sc in data$scenarios) {
      local({
        sc <- sc
        test_that(paste0(data$topic, "/", sc$id), {
          skip_if_not(rbridge_available(), "Python with r_bridge is not available")
          why <- rb_scenario_skip_reason(sc)
          if (!is.null(why)) skip(why)
          rb_run_scenario(sc)
        })
      })
    }
  }
}
