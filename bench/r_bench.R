# R-side figures for bench/run. One process per implementation (reticulate
# binds one Python per process):
#
#   Rscript bench/r_bench.R rbridge speed|memory|rprof [out_dir]
#   RETICULATE_PYTHON=.venv-keras/bin/python Rscript bench/r_bench.R keras speed|memory
#
# Prints "RESULT <key> <value>" lines; bench/run collects them.
args <- commandArgs(trailingOnly = TRUE)
impl <- args[[1]]
mode <- args[[2]]
out_dir <- if (length(args) >= 3) args[[3]] else "bench/out"
iters_mem <- as.integer(Sys.getenv("BENCH_R_MEM_ITERS", if (impl == "keras") "150" else "2000"))

result <- function(key, value) cat(sprintf("RESULT %s %.6g\n", key, value))
now <- function() proc.time()[["elapsed"]]
rss_kb <- function() {
  as.numeric(sub("\\D*(\\d+).*", "\\1", grep("^VmRSS", readLines("/proc/self/status"), value = TRUE)))
}
# Median seconds per call of expr (as a function), `n` calls per repeat.
per_call <- function(f, n, repeats = 7) {
  times <- vapply(seq_len(repeats), function(r) {
    t0 <- now()
    for (i in seq_len(n)) f()
    (now() - t0) / n
  }, 1)
  stats::median(times)
}

if (impl == "rbridge") {
  suppressPackageStartupMessages(library(rbridge))
  # --- seed Example 1, verbatim (?clear_session)
  loop1 <- function() {
    for (i in 1:100) {
      # Without `clear_session()`, each iteration of this loop will
      # slightly increase the size of the global state managed by Keras
      model <- keras_model_sequential()
      for (j in 1:10) {
        model <- model |> layer_dense(units = 10)
      }
    }
  }
  loop2 <- function() {
    for (i in 1:100) {
      # With `clear_session()` called at the beginning,
      # Keras starts with a blank state at each iteration
      # and memory consumption is constant over time.
      clear_session()
      model <- keras_model_sequential()
      for (j in 1:10) {
        model <- model |> layer_dense(units = 10)
      }
    }
  }
  one_iter <- function() {
    model <- keras_model_sequential()
    for (j in 1:10) model <- model |> layer_dense(units = 10)
  }
  clear <- function() clear_session()
} else {
  keras <- reticulate::import("keras")
  loop1 <- function() {
    for (i in 1:100) {
      model <- keras$Sequential()
      for (j in 1:10) {
        model$add(keras$layers$Dense(10L))
      }
    }
  }
  loop2 <- function() {
    for (i in 1:100) {
      keras$utils$clear_session()
      model <- keras$Sequential()
      for (j in 1:10) {
        model$add(keras$layers$Dense(10L))
      }
    }
  }
  one_iter <- function() {
    model <- keras$Sequential()
    for (j in 1:10) model$add(keras$layers$Dense(10L))
  }
  clear <- function() keras$utils$clear_session()
}

if (mode == "speed") {
  one_iter(); one_iter()  # Python started, modules imported, caches warm
  t0 <- now(); loop1(); t1 <- now(); loop2(); t2 <- now()
  result("seed_loop1_s", t1 - t0)
  result("seed_loop2_s", t2 - t1)
  result("seed_total_s", t2 - t0)
  noop <- reticulate::py_eval("lambda: None")
  if (impl == "rbridge") {
    result("clear_false_us", 1e6 * per_call(function() clear_session(FALSE), 500))
    result("noop_us", 1e6 * per_call(function() noop(), 500))
    result("clear_true_ms", 1e3 * per_call(function() clear_session(TRUE), 3, repeats = 7))
    result("gc_full_ms", 1e3 * per_call(function() gc(full = TRUE), 1, repeats = 7))
    result("layer_dense_us", 1e6 * per_call(function() layer_dense(units = 10), 200))
    m <- keras_model_sequential()
    result("pipe_dense_us", 1e6 * per_call(function() m |> layer_dense(units = 10), 100))
    # reticulate calls per user operation (traced, counted)
    counts <- new.env()
    counts$call <- 0; counts$attr <- 0; counts$import <- 0
    suppressMessages({
      trace("py_call_impl", quote(counts$call <- counts$call + 1), print = FALSE, where = asNamespace("reticulate"))
      trace("py_get_attr_impl", quote(counts$attr <- counts$attr + 1), print = FALSE, where = asNamespace("reticulate"))
      trace("import", quote(counts$import <- counts$import + 1), print = FALSE, where = asNamespace("reticulate"))
    })
    # rbridge caches reticulate's call function: make it pick up the traced one
    rb_state <- get(".rb", envir = asNamespace("rbridge"))
    rb_state$py_call <- get("py_call_impl", envir = asNamespace("reticulate"))
    ops <- list(
      clear_session_false = function() clear_session(FALSE),
      layer_dense = function() layer_dense(units = 10),
      pipe_layer_dense = function() m |> layer_dense(units = 10),
      keras_model_sequential = function() keras_model_sequential()
    )
    for (op in names(ops)) {
      counts$call <- 0; counts$attr <- 0; counts$import <- 0
      for (k in 1:20) ops[[op]]()
      result(paste0("pycalls_", op), counts$call / 20)
      result(paste0("pyattrs_", op), counts$attr / 20)
      result(paste0("pyimports_", op), counts$import / 20)
    }
    suppressMessages({
      untrace("py_call_impl", where = asNamespace("reticulate"))
      untrace("py_get_attr_impl", where = asNamespace("reticulate"))
      untrace("import", where = asNamespace("reticulate"))
    })
    rb_state$py_call <- get("py_call_impl", envir = asNamespace("reticulate"))
  } else {
    result("clear_false_us", 1e6 * per_call(function() keras$utils$clear_session(free_memory = FALSE), 200))
    result("noop_us", 1e6 * per_call(function() noop(), 500))
  }
} else if (mode == "memory") {
  # Example 1's second loop (clear_session() each iteration), RSS sampled.
  for (i in 1:20) { clear(); one_iter() }
  half <- iters_mem %/% 2
  r0 <- rss_kb()
  t0 <- now()
  for (i in seq_len(iters_mem)) {
    clear()
    one_iter()
    if (i == half) r1 <- rss_kb()
  }
  r2 <- rss_kb()
  result("mem_iters", iters_mem)
  result("rss_start_kb", r0)
  result("rss_end_kb", r2)
  result("slope1_kb_per_iter", (r1 - r0) / half)
  result("slope2_kb_per_iter", (r2 - r1) / (iters_mem - half))
  result("mem_seconds", now() - t0)
} else if (mode == "transport") {
  # Issue 10: arrays and bare crossings, R against the same work in Python,
  # alternated in this one process. Python times are taken in Python.
  invisible(rbridge_python()) # rbridge starts Python, not reticulate
  api <- reticulate::import("r_bridge.api")
  py <- reticulate::py_run_string(paste(
    "import time",
    "def timed(f, *a):",
    "    t0 = time.perf_counter(); f(*a); return time.perf_counter() - t0",
    sep = "\n"), convert = TRUE)
  pyobj <- function(x) api$table$get(rbridge:::rb_handle(x))
  alternate <- function(r_fun, py_fun, rounds) {
    r <- p <- numeric(rounds)
    for (k in seq_len(rounds)) {
      t0 <- now(); r_fun(); r[k] <- now() - t0
      p[k] <- py_fun()
    }
    c(r = stats::median(r), py = stats::median(p), ratio = stats::median(r / p))
  }
  result("arrays_native", as.numeric(rbridge_python()$arrays == "native"))
  set.seed(1)
  x <- matrix(stats::rnorm(1e7), 1e5, 100)
  model <- keras_model_sequential(input_shape = 100) |>
    layer_dense(units = 64, activation = "relu") |> layer_dense(units = 10)
  pm <- pyobj(model)
  x_np <- reticulate::r_to_py(x) # the same data, already in Python
  x_np <- if (inherits(x_np, "numpy.ndarray")) x_np else reticulate::import("numpy")$array(x)
  predict(model, x[1:10, ]) # warm
  p <- alternate(function() predict(model, x), function() py$timed(pm$predict, x_np), 5)
  result("predict_r_s", p[["r"]]); result("predict_py_s", p[["py"]]); result("predict_ratio", p[["ratio"]])
  wm <- keras_model_sequential(input_shape = 1000) |> layer_dense(units = 1000)
  pw <- pyobj(wm)
  w <- get_weights(wm)
  w_py <- pw$get_weights()
  g <- alternate(function() get_weights(wm), function() py$timed(pw$get_weights), 11)
  result("get_weights_r_s", g[["r"]]); result("get_weights_py_s", g[["py"]]); result("get_weights_ratio", g[["ratio"]])
  s <- alternate(function() set_weights(wm, w), function() py$timed(pw$set_weights, w_py), 11)
  result("set_weights_r_s", s[["r"]]); result("set_weights_py_s", s[["py"]]); result("set_weights_ratio", s[["ratio"]])
  # clear_session(FALSE) against a bare reticulate call of a Python no-op,
  # in alternating batches.
  noop <- reticulate::py_eval("lambda: None")
  n <- 500L
  batch <- function(f) { t0 <- now(); for (i in seq_len(n)) f(); (now() - t0) / n }
  rounds <- 21L
  cs <- nb <- numeric(rounds)
  for (k in seq_len(rounds)) {
    cs[k] <- batch(function() clear_session(FALSE))
    nb[k] <- batch(function() noop())
  }
  result("clear_false_us", 1e6 * stats::median(cs))
  result("noop_us", 1e6 * stats::median(nb))
  result("clear_false_ratio", stats::median(cs / nb))
} else if (mode == "rprof") {
  dir.create(out_dir, showWarnings = FALSE, recursive = TRUE)
  one_iter()
  prof <- function(label, expr_fun, n) {
    f <- file.path(out_dir, paste0("rprof_", label, ".out"))
    Rprof(f, interval = 0.002)
    for (i in seq_len(n)) expr_fun()
    Rprof(NULL)
    s <- summaryRprof(f)
    sink(file.path(out_dir, paste0("rprof_", label, ".txt")))
    cat(sprintf("Rprof of %d x %s; sampling time %.2f s\n\n-- by.self (top 15)\n", n, label, s$sampling.time))
    print(utils::head(s$by.self, 15))
    cat("\n-- by.total (top 25)\n")
    print(utils::head(s$by.total, 25))
    sink()
    unlink(f)
  }
  prof("example1_loop1_iteration", one_iter, 300)
  prof("example1_loop2_iteration", function() { clear_session(); one_iter() }, 100)
  prof("clear_session_false", function() for (k in 1:100) clear_session(FALSE), 100)
}
