# R-side figures for bench/run. One process per implementation (reticulate
# binds one Python per process):
#
#   Rscript bench/r_bench.R rbridge speed|memory|transport|link|rprof [out_dir]
#   (link: RBRIDGE_PYTHON = the Keras env, real Keras in the same Python)
#   RETICULATE_PYTHON=.venv-keras/bin/python Rscript bench/r_bench.R keras speed|memory
#
# The reticulate is the first one on R_LIBS; rbridge's Python comes from
# RBRIDGE_PYTHON (bench/run runs each configuration in its own process).
#
# Prints "RESULT <key> <value>" lines; bench/run collects them.
args <- commandArgs(trailingOnly = TRUE)
impl <- args[[1]]
mode <- args[[2]]
out_dir <- if (length(args) >= 3) args[[3]] else "bench/out"
iters_mem <- as.integer(Sys.getenv("BENCH_R_MEM_ITERS", if (impl == "keras") "150" else "2000"))

result <- function(key, value) cat(sprintf("RESULT %s %.6g\n", key, value))
now <- function() as.numeric(Sys.time()) # µs resolution (proc.time(): ms)
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
    # clear_session(FALSE) against the no-op: transport mode (alternated)
    result("noop_us", 1e6 * per_call(function() noop(), 500))
    result("clear_true_ms", 1e3 * per_call(function() clear_session(TRUE), 3, repeats = 7))
    result("gc_full_ms", 1e3 * per_call(function() gc(full = TRUE), 1, repeats = 7))
    result("layer_dense_us", 1e6 * per_call(function() layer_dense(units = 10), 200))
    m <- keras_model_sequential()
    result("pipe_dense_us", 1e6 * per_call(function() m |> layer_dense(units = 10), 100))
    # reticulate calls per user operation, counted by tracing reticulate's
    # internals: every reticulate version's R wrapper of a Python callable
    # calls py_call_impl(), and `$` on a Python object calls py_get_attr().
    counted <- c(call = "py_call_impl", attr = "py_get_attr", import = "import")
    counts <- new.env()
    tracing <- function(on) {
      for (k in names(counted)) {
        suppressMessages(if (on) {
          trace(counted[[k]], substitute(counts$K <- counts$K + 1, list(K = as.name(k))),
                print = FALSE, where = asNamespace("reticulate"))
        } else {
          untrace(counted[[k]], where = asNamespace("reticulate"))
        })
      }
    }
    ops <- list(
      clear_session_false = function() clear_session(FALSE),
      layer_dense = function() layer_dense(units = 10),
      pipe_layer_dense = function() m |> layer_dense(units = 10),
      keras_model_sequential = function() keras_model_sequential()
    )
    tracing(TRUE)
    for (op in names(ops)) {
      # Handles that earlier collections queued go back with the next
      # crossing (one extra call per R collection, not per op): handed back
      # here, before counting.
      invisible(gc())
      clear_session(FALSE)
      for (k in names(counted)) counts[[k]] <- 0
      for (k in 1:20) ops[[op]]()
      result(paste0("pycalls_", op), counts$call / 20)
      result(paste0("pyattrs_", op), counts$attr / 20)
      result(paste0("pyimports_", op), counts$import / 20)
    }
    tracing(FALSE)
  } else {
    result("clear_false_us", 1e6 * per_call(function() keras$utils$clear_session(free_memory = FALSE), 200))
    result("noop_us", 1e6 * per_call(function() noop(), 500))
  }
} else if (mode == "link") {
  # Real Keras in the same Python (RBRIDGE_PYTHON = the Keras env): the
  # session is linked (issue 17). rbridge::clear_session(TRUE) against
  # keras$utils$clear_session(TRUE), both called from R, in alternating
  # rounds. Each call is timed alone, after the same setup (one layer made
  # on each side, kept alive, so both clears find the same session); then
  # the loop a keras3 user runs, which also makes the layers.
  invisible(layer_dense(units = 10))
  keras <- reticulate::import("keras")
  info <- session_info()
  result("linked", as.numeric(isTRUE(attr(info, "keras_linked"))))
  keep <- NULL
  setup <- function() keep <<- list(layer_dense(units = 10), keras$layers$Dense(10L))
  clear_rb <- function() rbridge::clear_session(TRUE)
  clear_k <- function() keras$utils$clear_session(TRUE)
  one <- function(f, n = 5L) {
    ts <- numeric(n)
    for (i in seq_len(n)) { setup(); t0 <- now(); f(); ts[i] <- now() - t0 }
    stats::median(ts)
  }
  rounds <- 7L
  rb <- kk <- numeric(rounds)
  for (k in seq_len(rounds)) { rb[k] <- one(clear_rb); kk[k] <- one(clear_k) }
  result("link_clear_true_ms_rbridge", 1e3 * stats::median(rb))
  result("link_clear_true_ms_keras", 1e3 * stats::median(kk))
  result("link_clear_true_ratio", stats::median(rb / kk))
  loop <- function(clear) function() {
    for (i in 1:20) { a <- layer_dense(units = 10); b <- keras$layers$Dense(10L); clear() }
  }
  lr <- lk <- numeric(3L)
  for (k in 1:3) {
    t0 <- now(); loop(clear_rb)(); lr[k] <- (now() - t0) / 20
    t0 <- now(); loop(clear_k)(); lk[k] <- (now() - t0) / 20
  }
  result("link_loop_ms_rbridge", 1e3 * stats::median(lr))
  result("link_loop_ms_keras", 1e3 * stats::median(lk))
  result("link_loop_ratio", stats::median(lr / lk))
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
  # Issue 10: arrays and bare crossings from R, against the same call in
  # Python in this process (timed in Python), alternated call by call; then
  # where the R time goes: each step of the crossing timed alone.
  invisible(rbridge_python()) # rbridge starts Python, not reticulate
  native <- identical(rbridge_python()$arrays, "native")
  result("arrays_native", as.numeric(native))
  api <- reticulate::import("r_bridge.api", convert = FALSE)
  py <- reticulate::py_run_string(paste(
    "import time, numpy as np",
    "from r_bridge.bridge import arrays as rb_arrays",
    "def timed(f, *a):",
    "    t0 = time.perf_counter(); f(*a); return time.perf_counter() - t0",
    "def f64(w): return [a.astype(np.float64) for a in w]",
    "def c_array(buf, dims):  # the R array's doubles, as a Python user holds them",
    "    return np.ascontiguousarray(np.frombuffer(buf, '<f8').reshape([int(d) for d in dims], order='F'))",
    sep = "\n"), convert = FALSE)
  p2r <- reticulate::py_to_r
  pyobj <- function(x) api$table$get(rbridge:::rb_handle(x))
  gc_s <- function() sum(gc.time()[1:2]) # R's garbage collector, CPU seconds so far
  # R call and Python call alternated; medians of seconds, of per-round
  # ratios, and of R's collector time inside the R call; best times.
  alternate <- function(r_fun, py_fun, rounds) {
    r <- p <- g <- numeric(rounds)
    for (k in seq_len(rounds)) {
      g0 <- gc_s(); t0 <- now(); r_fun(); r[k] <- now() - t0; g[k] <- gc_s() - g0
      p[k] <- p2r(py_fun())
    }
    if (nzchar(Sys.getenv("BENCH_DEBUG"))) print(rbind(r = r, py = p, gc = g))
    c(r = stats::median(r), py = stats::median(p), ratio = stats::median(r / p), gc = stats::median(g),
      r_min = min(r), py_min = min(p))
  }
  report <- function(key, v) for (k in names(v)) result(paste0(key, "_", k), v[[k]])
  secs <- function(f, rounds = 5L) { # median seconds of one f()
    stats::median(vapply(seq_len(rounds), function(k) { t0 <- now(); f(); now() - t0 }, 1))
  }
  py_secs <- function(f, ..., rounds = 5L) { # the same, timed in Python
    stats::median(vapply(seq_len(rounds), function(k) p2r(py$timed(f, ...)), 1))
  }

  set.seed(1)
  x <- matrix(stats::rnorm(1e7), 1e5, 100) # 80 MB of doubles
  x_np <- py$c_array(writeBin(as.vector(x), raw(), endian = "little"), dim(x))
  model <- keras_model_sequential(input_shape = 100) |>
    layer_dense(units = 64, activation = "relu") |> layer_dense(units = 10)
  pm <- pyobj(model)
  invisible(predict(model, x[1:10, ])) # warm
  report("predict", alternate(function() predict(model, x), function() py$timed(pm$predict, x_np), 5L))
  wm <- keras_model_sequential(input_shape = 1000) |> layer_dense(units = 1000)
  pw <- pyobj(wm)
  w <- get_weights(wm)       # R doubles
  w_py <- pw$get_weights()   # float32, as Keras gives them
  report("get_weights", alternate(function() get_weights(wm), function() py$timed(pw$get_weights), 11L))
  report("set_weights", alternate(function() set_weights(wm, w), function() py$timed(pw$set_weights, w_py), 11L))
  if (native) {
    # Issue 18: against what keras3 users pay, reticulate's own conversion of
    # the same arrays (py_to_r() of Keras's float32 arrays; r_to_py() of R's
    # doubles + astype("float32")), alternated call by call.
    anchor <- function(r_fun, a_fun, rounds) {
      r <- a <- numeric(rounds)
      for (k in seq_len(rounds)) {
        t0 <- now(); r_fun(); r[k] <- now() - t0
        t0 <- now(); a_fun(); a[k] <- now() - t0
      }
      c(r = stats::median(r), anchor = stats::median(a), ratio = stats::median(r / a))
    }
    report("get_weights_vs_reticulate", anchor(function() get_weights(wm), function() p2r(w_py), 21L))
    report("set_weights_vs_reticulate", anchor(function() set_weights(wm, w),
                                               function() lapply(w, function(a) reticulate::r_to_py(a)$astype("float32")), 21L))
  }

  # Where the time goes.
  out_np <- pm$predict(x_np) # 100,000 x 10 float32
  w64 <- py$f64(w_py)
  result("py_set_weights_f64_s", py_secs(pw$set_weights, w64, rounds = 11L)) # what R sends: doubles
  result("copy_r_x_s", secs(function() { y <- x; y[1L] <- 0 }))     # one R copy of x (80 MB)
  result("copy_py_x_s", py_secs(py$np$copy, x_np))                  # one NumPy copy of it
  result("copy_py_w_s", py_secs(py$np$copy, w_py[0L], rounds = 11L)) # 4 MB float32 kernel
  if (native) {
    result("step_r_to_py_x_s", secs(function() reticulate::r_to_py(x)))
    result("step_py_to_r_out_s", secs(function() p2r(out_np)))
    result("step_py_to_r_w_s", secs(function() p2r(w_py), 11L))
    result("step_r_to_py_w_s", secs(function() reticulate::r_to_py(w), 11L))
  } else {
    v <- as.vector(x)
    result("step_asvector_x_s", secs(function() as.vector(x)))
    result("step_writebin_x_s", secs(function() writeBin(v, raw(), endian = "little")))
    raw_x <- writeBin(v, raw(), endian = "little")
    rm(v)
    result("step_r_to_py_raw_x_s", secs(function() reticulate::r_to_py(raw_x)))
    rm(raw_x)
    result("step_encode_out_s", py_secs(py$rb_arrays$encode, out_np))
    enc_out <- py$rb_arrays$encode(out_np)
    result("step_py_to_r_out_s", secs(function() p2r(enc_out)))
    raw_out <- p2r(enc_out)[[1L]]
    result("step_readbin_out_s", secs(function() readBin(raw_out, "double", n = length(raw_out) %/% 8L)))
    result("step_encode_w_s", py_secs(py$rb_arrays$encode, w_py, rounds = 11L))
    enc_w <- py$rb_arrays$encode(w_py)
    result("step_py_to_r_w_s", secs(function() p2r(enc_w), 11L))
    raw_w <- p2r(enc_w)[[1L]][[1L]]
    result("step_readbin_w_s", secs(function() readBin(raw_w, "double", n = length(raw_w) %/% 8L), 11L))
    result("step_asvector_w_s", secs(function() as.vector(w[[1L]]), 11L))
    vw <- as.vector(w[[1L]])
    result("step_writebin_w_s", secs(function() writeBin(vw, raw(), endian = "little"), 11L))
    result("step_r_to_py_raw_w_s", secs(function() reticulate::r_to_py(raw_w), 11L))
  }

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
  # layer_dense(units = 10) and a pipe step against the same no-op, in
  # alternating batches (issue 18: <= 2x and <= 2.5x). The pipe adds to a
  # fresh model each batch (a model's add() cost grows with its layers).
  n <- 100L
  ld <- pd <- nb <- numeric(rounds)
  for (k in seq_len(rounds)) {
    ld[k] <- batch(function() layer_dense(units = 10))
    m <- keras_model_sequential()
    pd[k] <- batch(function() m |> layer_dense(units = 10))
    nb[k] <- batch(function() noop())
  }
  result("layer_dense_alt_us", 1e6 * stats::median(ld))
  result("pipe_dense_alt_us", 1e6 * stats::median(pd))
  result("noop_alt_us", 1e6 * stats::median(nb))
  result("layer_dense_ratio", stats::median(ld / nb))
  result("pipe_dense_ratio", stats::median(pd / nb))

  # Where layer_dense(units = 10)'s time goes (issue 18 item 3): each step
  # timed alone, in alternating batches with the whole call and the no-op.
  # "crossing": the same transport (rbridge's R function of the dispatcher)
  # to a Python function that takes the same arguments and returns the same
  # record, made in advance: reticulate's share, both ways. "python": the
  # dispatcher's make_layer, timed in Python. "capture": rb_capture_args()
  # in a function with layer_dense()'s formals. "wrap": a record made into
  # the R layer (its self, its finalizer; the made-up handle it queues is
  # ignored by Python).
  reticulate::py_run_string(paste(
    "import sys, time, types",
    "from r_bridge.bridge.dispatch import dispatch as _rb_dispatch",
    "_rb_m = sys.modules.setdefault('rbridge_bench_steps', types.ModuleType('rbridge_bench_steps'))",
    "_rb_rec = {'handle': '000000000000:1', 'kind': 'layer', 'class': 'Dense', 'name': 'dense'}",
    "_rb_m.record = lambda fn, args, releases: _rb_rec",
    "def _rb_python_us(n):",
    "    a = {'kind': 'dense', 'args': {'units': 10}}",
    "    t0 = time.perf_counter()",
    "    for _ in range(n): _rb_dispatch('make_layer', a, None)",
    "    return 1e6 * (time.perf_counter() - t0) / n",
    "_rb_m.python_us = _rb_python_us",
    sep = "\n"))
  crossing <- rbridge:::rb_py_function("rbridge_bench_steps", "record")
  python_us <- reticulate::import("rbridge_bench_steps")$python_us
  capture <- function() NULL
  formals(capture) <- formals(layer_dense)
  body(capture) <- quote(rbridge:::rb_capture_args(rbridge:::rb_layer_modifiers))
  rec <- crossing("make_layer", list(kind = "dense", args = list(units = 10L)), NULL)
  steps <- list(
    whole = function() layer_dense(units = 10),
    noop = function() noop(),
    crossing = function() crossing("make_layer", list(kind = "dense", args = list(units = 10L)), NULL),
    capture = function() capture(units = 10),
    wrap = function() rbridge:::rb_wrap(rec)
  )
  st <- matrix(0, rounds, length(steps) + 1L, dimnames = list(NULL, c(names(steps), "python")))
  for (k in seq_len(rounds)) {
    for (s in names(steps)) st[k, s] <- 1e6 * batch(steps[[s]])
    st[k, "python"] <- python_us(n)
    clear_session(FALSE)
  }
  for (s in colnames(st)) result(paste0("dense_step_", s, "_us"), stats::median(st[, s]))
  result("dense_step_rest_us", stats::median(st[, "whole"] - st[, "crossing"] - st[, "python"] -
                                               st[, "capture"] - st[, "wrap"]))
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
