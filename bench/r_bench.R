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
