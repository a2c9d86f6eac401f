# R half of the stress suite (issue 13). Run by tests/stress/run through
# driver.py, one child Rscript per part, so that a crash is seen, not fatal:
#
#   Rscript stress_r.R PART SEED SECONDS
#
# Parts:
#   sigint     the driver sends SIGINT to this process at random moments
#              while it loops over rbridge calls (it prints READY first);
#   timelimit  setTimeLimit() interrupts at random moments during the calls;
#   hostile    hostile values through every exported function;
#   calls      layers and models called on empty, list and rbridge-object
#              values, and self-referencing arguments (issue 21).
#
# Prints PROGRESS lines (the step about to run, for a crash report) and,
# last, one line "RESULT {json}" with the same fields as stress_py.py.
#
# Written against exported names and generic checks only (the R API is
# being rewritten): the steps and the hostile argument table are data.

suppressPackageStartupMessages(library(rbridge))
args <- commandArgs(trailingOnly = TRUE)
part <- args[[1]]
seed <- as.integer(args[[2]])
seconds <- as.numeric(args[[3]])
set.seed(seed)

# ------------------------------------------------------------ reporting
rep <- new.env()
rep$checks <- list()
rep$failures <- list()
rep$ops <- 0
rep$interrupts <- 0

check <- function(name, ok, detail = "", repro = "") {
  cur <- rep$checks[[name]] %||% c(0, 0)
  cur[if (isTRUE(ok)) 1 else 2] <- cur[if (isTRUE(ok)) 1 else 2] + 1
  rep$checks[[name]] <- cur
  if (!isTRUE(ok) && sum(vapply(rep$failures, function(f) f$check == name, logical(1))) < 15) {
    rep$failures[[length(rep$failures) + 1]] <- list(check = name, detail = substr(detail, 1, 400), repro = repro)
  }
  invisible(ok)
}
`%||%` <- function(x, y) if (is.null(x)) y else x

# RESULT at the end; PARTIAL now and then, for the driver to count what a
# child that crashes did before.
emit <- function(tag = "RESULT ") {
  suspendInterrupts({
    checks <- lapply(rep$checks, function(x) as.integer(x))
    out <- list(part = part, seed = seed, checks = checks, failures = rep$failures,
                ops = rep$ops, interrupts = rep$interrupts)
    cat(tag, jsonlite::toJSON(out, auto_unbox = TRUE), "\n", sep = "")
    flush(stdout())
  })
}

progress <- function(...) {
  cat("PROGRESS ", ..., "\n", sep = "")
  flush(stdout()) # so that a crash report names the right step
}

# ------------------------------------------------------------ session
# Name counters as a named integer vector, whatever shape session_info()
# has (a data frame prefix/count today; a list with `uids` tomorrow).
counters_now <- function() {
  si <- session_info()
  if (is.data.frame(si) && all(c("prefix", "count") %in% names(si))) {
    v <- as.integer(si$count)
    names(v) <- as.character(si$prefix)
  } else {
    u <- si$uids %||% si$counters %||% list()
    v <- vapply(u, as.integer, integer(1))
  }
  v[order(names(v))]
}

handles_now <- function() {
  si <- session_info()
  as.integer(attr(si, "handles") %||% si$handles %||% NA)
}

config_now <- function() {
  si <- session_info()
  attr(si, "config") %||% si$config
}

# Run f() until it completes without an interrupt (the checks themselves
# cross into Python and can be interrupted too).
retry <- function(f) {
  repeat {
    r <- tryCatch(list(f()), interrupt = function(e) NULL,
                  error = function(e) if (grepl("time limit", conditionMessage(e))) NULL else stop(e))
    if (is.list(r)) return(r[[1]])
  }
}

same_counts <- function(a, b) identical(a[order(names(a))], b[order(names(b))])

delta <- function(before, after) {
  keys <- union(names(before), names(after))
  d <- vapply(keys, function(k) (after[k] %|NA|% 0L) - (before[k] %|NA|% 0L), numeric(1))
  d <- d[d != 0]
  d[order(names(d))]
}
`%|NA|%` <- function(x, y) if (is.na(x)) y else x

fmt <- function(v) if (length(v)) paste0(names(v), "=", v, collapse = ",") else "{}"

# ------------------------------------------------------------ steps
# An iteration is a list of steps, each one user-level call. Each step's
# effect on the counters is measured once, uninterrupted; an interrupted
# step must have had none or all of it.
iterations <- list(
  dense = list(
    function(e) e$d <- layer_dense(units = 2)
  ),
  sequential_pop = list(
    function(e) e$m <- keras_model_sequential(input_shape = 4),
    function(e) e$m <- layer_dense(e$m, units = 2),
    function(e) e$m <- layer_dense(e$m, units = 3),
    function(e) e$p <- pop_layer(e$m)
  ),
  functional = list(
    function(e) e$x <- keras_input(shape = 3),
    function(e) e$y <- layer_dense(e$x, units = 2),
    function(e) e$model <- keras_model(e$x, e$y)
  ),
  dropout = list(
    function(e) e$d <- layer_dropout(rate = 0.5)
  ),
  bad_dense = list(
    function(e) e$d <- layer_dense(units = -1)
  ),
  bad_sequential = list(
    function(e) e$m <- keras_model_sequential(input_shape = 4, name = "a/b")
  ),
  bad_add = list(
    function(e) e$m <- keras_model_sequential(input_shape = 4),
    function(e) e$m <- layer_dense(e$m, units = 2, name = "same"),
    function(e) e$m <- layer_dense(e$m, units = 2, name = "same")
  ),
  get_uid = list(
    function(e) e$u <- get_uid("x")
  ),
  clear = list(
    function(e) clear_session(free_memory = FALSE)
  )
)
weights <- c(dense = 4, sequential_pop = 4, functional = 3, dropout = 2, bad_dense = 2,
             bad_sequential = 1, bad_add = 2, get_uid = 1, clear = 1)

# Each step's uninterrupted effect: list(delta, error?).
calibrate <- function() {
  clear_session(free_memory = FALSE)
  lapply(iterations, function(steps) {
    e <- new.env()
    lapply(steps, function(step) {
      before <- counters_now()
      err <- tryCatch({ step(e); NULL }, error = function(err) conditionMessage(err))
      list(delta = delta(before, counters_now()), error = err)
    })
  })
}

# Run one step under interruption; returns "ok", "error" or "interrupt".
run_step <- function(step, e, limit = NULL) {
  outcome <- "ok"
  msg <- NULL
  tryCatch({
    if (!is.null(limit)) setTimeLimit(elapsed = limit, transient = TRUE)
    step(e)
    setTimeLimit(elapsed = Inf)
  }, interrupt = function(c) {
    outcome <<- "interrupt"
  }, error = function(c) {
    msg <<- conditionMessage(c)
    outcome <<- if (grepl("elapsed time limit", msg)) "interrupt" else "error"
  })
  setTimeLimit(elapsed = Inf)
  list(outcome = outcome, message = msg)
}

# Loop state lives here, so that an interrupt landing between iterations
# (in the loop's own code) only restarts the loop where it was.
st <- new.env()

loop <- function(limit_fn) {
  if (is.null(st$end)) {
    st$expected <- retry(calibrate)
    retry(function() clear_session(free_memory = TRUE))
    st$base <- retry(handles_now)
    st$i <- 0
    if (part == "sigint") {
      cat("READY\n")
      flush(stdout())
    }
    st$end <- Sys.time() + seconds
  }
  expected <- st$expected
  base <- st$base
  end <- st$end
  kinds <- rep(names(weights), weights)
  while (Sys.time() < end) {
    tryCatch(tryCatch({
      st$i <- i <- st$i + 1
      if (i %% 100 == 0) emit("PARTIAL ")
      kind <- sample(kinds, 1)
      steps <- iterations[[kind]]
      e <- new.env()
      if (max(c(0, retry(counters_now))) > 200) retry(function() clear_session(free_memory = FALSE))
      for (k in seq_along(steps)) {
        repro <- sprintf("%s iteration %d step %d (seed %d)", kind, i, k, seed)
        before <- retry(counters_now)
        progress(repro)
        rep$ops <- rep$ops + 1
        r <- run_step(steps[[k]], e, limit_fn())
        after <- retry(counters_now)
        full <- expected[[kind]][[k]]$delta
        d <- delta(before, after)
        if (kind == "clear") {
          check("counters_after_interrupt", length(after) == 0 || same_counts(after, before) ||
                  r$outcome == "error",
                sprintf("clear: %s -> %s", fmt(before), fmt(after)), repro)
          if (r$outcome == "interrupt") rep$interrupts <- rep$interrupts + 1
          break
        }
        if (r$outcome == "interrupt") {
          rep$interrupts <- rep$interrupts + 1
          cat("INTERRUPTED\n")
          check("counters_after_interrupt", length(d) == 0 || identical(d, full) || all.equal(d, full) == TRUE,
                sprintf("%s step %d interrupted: changed %s (uninterrupted: %s)", kind, k, fmt(d), fmt(full)), repro)
          break
        }
        if (r$outcome == "error") {
          check("counters_after_failure", length(d) == 0,
                sprintf("%s step %d failed (%s) and changed %s", kind, k, substr(r$message, 1, 120), fmt(d)),
                repro)
          break
        }
        # Counters only grow between clears: a name is never dealt twice.
        check("unique_names", all(d > 0), sprintf("%s step %d moved counters back: %s", kind, k, fmt(d)), repro)
      }
    }, interrupt = function(c) rep$interrupts <- rep$interrupts + 1),
    # (an interrupt can land in the handler above: catch that one too)
    interrupt = function(c) rep$interrupts <- rep$interrupts + 1,
    error = function(c) {
      if (grepl("time limit", conditionMessage(c))) {
        rep$interrupts <- rep$interrupts + 1
      } else {
        check("part_completed", FALSE, paste("R error in the loop:", conditionMessage(c)), part)
      }
    })
  }
  # Everything dropped: every handle goes back (no handle without owner).
  e <- NULL
  retry(function() {
    for (j in 1:3) gc()
    clear_session(free_memory = TRUE)
  })
  left <- retry(handles_now) - base
  # (diagnosis only: R wrappers still alive, if the package can say)
  alive <- tryCatch(get("rb_outstanding", asNamespace("rbridge"))(), error = function(e) NA)
  check("handles_released", left == 0, sprintf("%d handles held by Python with no R owner after %d interrupts (R wrappers alive: %s)",
                                              left, rep$interrupts, alive), sprintf("%s (seed %d)", part, seed))
}

# ------------------------------------------------------------ hostile
hostile_values <- list(
  "NULL" = NULL, "NA" = NA, NA_integer = NA_integer_, NA_character = NA_character_, "NaN" = NaN,
  "Inf" = Inf, neg_Inf = -Inf, minus1 = -1, zero = 0, huge = 1e308, two70 = 2^70,
  int_max = .Machine$integer.max, TRUE_ = TRUE, FALSE_ = FALSE, vec2 = c(1, 2), empty_chr = character(0),
  empty_num = numeric(0), str1e5 = strrep("x", 1e5), slash = "a/b", empty_str = "", list0 = list(),
  list_named = list(a = 1, b = "x"), env = new.env(), closure = function(x) x, raw = as.raw(1:3),
  matrix = matrix(1:6, 2), array3 = array(1:24, c(2, 3, 4)), data_frame = data.frame(a = 1:2),
  factor = factor("a"), complex = complex(real = 1, imaginary = 2), symbol = quote(x),
  date = as.Date("2020-01-01"), long_vec = seq_len(1e5), utf8 = "\u00e9\u4e2d\U0001F600",
  nested = list(list(list(1)))
)

# Valid values by formal name, made fresh for each call (some calls change
# their arguments, e.g. pop_layer()).
valid_for <- function(fname, formal) {
  model <- function() keras_model_sequential(input_shape = 3) |> layer_dense(units = 2)
  switch(formal,
    object = if (startsWith(fname, "layer_")) NULL else model(),
    units = 2, rate = 0.5, activation = "relu", shape = 3, prefix = "x", seed = 1,
    free_memory = FALSE, code = 1,
    inputs = , outputs = {
      x <- keras_input(shape = 3)
      list(x = x, y = layer_dense(x, units = 2))
    },
    weights = get_weights(model()),
    value = switch(fname, config_set_floatx = "float32", config_set_epsilon = 1e-7,
                   config_set_image_data_format = "channels_last", NULL),
    NULL)
}

skip_functions <- c("install_rbridge")

bad_message <- function(msg) {
  bad <- c("Traceback", "numpy", "basic_string", "py_call_impl", "<environment", "reticulate::")
  hits <- bad[vapply(bad, function(b) grepl(b, msg, fixed = TRUE), logical(1))]
  if (nchar(msg) > 1000) hits <- c(hits, sprintf("%d characters", nchar(msg)))
  hits
}

hostile <- function() {
  ns <- sort(getNamespaceExports("rbridge"))
  fns <- Filter(function(n) is.function(getExportedValue("rbridge", n)) && !n %in% skip_functions, ns)
  cases <- list()
  for (fname in fns) {
    fn <- getExportedValue("rbridge", fname)
    formals_ <- names(formals(fn))
    if (is.null(formals_)) next
    for (formal in formals_) for (v in names(hostile_values)) cases[[length(cases) + 1]] <- c(fname, formal, v)
  }
  cases <- cases[sample(length(cases))]
  clear_session(free_memory = TRUE)
  base <- handles_now()
  end <- Sys.time() + seconds
  done <- 0
  for (case in cases) {
    if (Sys.time() > end) break
    fname <- case[[1]]; formal <- case[[2]]; vname <- case[[3]]
    repro <- sprintf("%s(%s = <%s>)", fname, formal, vname)
    fn <- getExportedValue("rbridge", fname)
    fml <- formals(fn)
    # Required formals (no default) other than the target get a valid value.
    call_args <- list()
    io <- NULL
    for (f in setdiff(names(fml), c(formal, "..."))) {
      has_default <- !(is.symbol(fml[[f]]) && identical(as.character(fml[[f]]), ""))
      if (has_default) next
      val <- valid_for(fname, f)
      if (f %in% c("inputs", "outputs")) {
        io <- io %||% val
        val <- if (f == "inputs") io$x else io$y
      }
      if (!is.null(val)) call_args[[f]] <- val
    }
    target <- if (formal == "...") "bogus" else formal
    call_args[target] <- list(hostile_values[[vname]])
    before <- list(counters_now(), config_now())
    progress(repro)
    done <- done + 1
    rep$ops <- rep$ops + 1
    err <- NULL
    tryCatch({
      setTimeLimit(elapsed = 10, transient = TRUE)
      withCallingHandlers(do.call(fn, call_args),
                          warning = function(w) invokeRestart("muffleWarning"),
                          message = function(m) invokeRestart("muffleMessage"))
      setTimeLimit(elapsed = Inf)
    }, error = function(e) err <<- e)
    setTimeLimit(elapsed = Inf)
    if (fname %in% c("clear_session", "reset_uids", "set_random_seed", "local_session", "with_session",
                     "local_config", "with_config") || startsWith(fname, "config_")) {
      # These change the session or config when they succeed: start afresh.
      try(config_set_floatx("float32"), silent = TRUE)
      try(config_set_epsilon(1e-7), silent = TRUE)
      try(config_set_image_data_format("channels_last"), silent = TRUE)
    }
    if (is.null(err)) next
    msg <- conditionMessage(err)
    if (grepl("elapsed time limit", msg)) {
      check("no_hang", FALSE, paste(repro, "ran 10 s"), repro)
      next
    }
    after <- list(counters_now(), config_now())
    check("counters_after_failure", identical(before, after),
          sprintf("%s failed and changed the session: %s -> %s", repro, fmt(before[[1]]), fmt(after[[1]])), repro)
    check("classed_error", inherits(err, "rbridge_error") || inherits(err, "error"),
          sprintf("%s: class %s", repro, paste(class(err), collapse = "/")), repro)
    hits <- bad_message(msg)
    check("clean_error", length(hits) == 0,
          sprintf("%s: %s: %s", repro, paste(hits, collapse = ", "), substr(msg, 1, 200)), repro)
    if (done %% 200 == 0) clear_session(free_memory = FALSE)
  }
  rm(list = setdiff(ls(), c("base", "done", "cases")))
  for (j in 1:3) gc()
  clear_session(free_memory = TRUE)
  left <- handles_now() - base
  check("handles_released", left == 0, sprintf("%d handles left after %d hostile calls", left, done),
        sprintf("hostile (seed %d)", seed))
  message(sprintf("hostile: %d of %d cases in the time budget", done, length(cases)))
}

# ------------------------------------------------------------ calls
# Layers and models called on empty, list and rbridge-object values, and
# self-referencing arguments (issue 21).
call_targets <- list(
  dense = function() layer_dense(units = 2),
  dense_built = function() { d <- layer_dense(units = 2); d(matrix(1, 1, 3)); d },
  dropout = function() layer_dropout(rate = 0.5),
  flatten = function() layer_flatten(),
  sequential = function() keras_model_sequential(input_shape = 3) |> layer_dense(units = 2),
  functional = function() { x <- keras_input(shape = 3); keras_model(x, layer_dense(x, units = 2)) }
)

call_values <- function(callee) {
  x <- keras_input(shape = 3)
  list(
    list0 = list(), list1 = list(1), list_na = list(NA), list_matrix = list(matrix(1, 2, 3)),
    list_named = list(a = matrix(1, 2, 3)), list_two = list(matrix(1, 2, 3), matrix(1, 2, 3)),
    list_list0 = list(list()), nested = list(list(matrix(1, 2, 3))), "NULL" = NULL, "NA" = NA,
    chr = "a", empty_num = numeric(0), vec = c(1, 2, 3), zero_rows = matrix(0, 0, 3),
    tensor_list = list(x), tensor_mixed = list(x, 1), self = callee, list_self = list(callee),
    other_layer = layer_dense(units = 1), env = new.env(), closure = function(z) z,
    data_frame = data.frame(a = 1:2, b = 3:4, c = 5:6)
  )
}

# Its weights, and whether it is built if it makes weights itself (a layer
# without weights, or a model, is marked built by a failed call, as in Keras).
callee_state <- function(callee) {
  w <- tryCatch(lapply(get_weights(callee), dim), error = function(e) "unbuilt")
  list(built = if (identical(callee$class, "Dense")) callee$built, weights = w)
}

# name: list(setup(), op(ctx)): op() is refused, or what it made is freed
# once R drops it (no handle left: no cycle).
self_reference_cases <- list(
  "model(model)" = list(function() keras_model_sequential(input_shape = 3) |> layer_dense(units = 3),
                        function(m) m(m)),
  "outer(inner), outer holding inner" = list(
    function() {
      inner <- keras_model_sequential(input_shape = 3) |> layer_dense(units = 3)
      list(inner = inner, outer = keras_model_sequential(input_shape = 3) |> inner())
    },
    function(ctx) ctx$outer(ctx$inner)),
  "layer_dense(m, activation = m)" = list(
    function() keras_model_sequential(input_shape = 3) |> layer_dense(units = 3),
    function(m) layer_dense(m, units = 3, activation = m))
)

calls <- function() {
  clear_session(free_memory = TRUE)
  base <- handles_now()
  cases <- list()
  for (t in names(call_targets)) for (v in names(call_values(NULL))) cases[[length(cases) + 1]] <- c(t, v)
  cases <- cases[sample(length(cases))]
  end <- Sys.time() + seconds
  for (case in cases) {
    if (Sys.time() > end) break
    target <- case[[1]]; vname <- case[[2]]
    repro <- sprintf("calls %s(<%s>)", target, vname)
    progress(repro)
    clear_session(free_memory = FALSE)
    callee <- call_targets[[target]]()
    value <- call_values(callee)[[vname]]
    before <- list(counters_now(), callee_state(callee))
    rep$ops <- rep$ops + 1
    err <- NULL
    tryCatch(suppressWarnings(callee(value)), error = function(e) err <<- e)
    after <- list(counters_now(), callee_state(callee))
    if (!is.null(err)) {
      msg <- conditionMessage(err)
      check("failure_changes_nothing", identical(before, after),
            sprintf("%s failed and changed %s -> %s", repro, fmt(delta(before[[1]], after[[1]])),
                    paste(deparse(after[[2]]), collapse = "")), repro)
      check("classed_error", inherits(err, "rbridge_error"),
            sprintf("%s: class %s: %s", repro, paste(class(err), collapse = "/"), substr(msg, 1, 120)), repro)
      hits <- c(bad_message(msg), if (grepl("^[[:space:]-]*[0-9]+[[:space:]]*$", msg)) "a bare number",
                if (grepl("has no attribute|concatenate|KeyError", msg)) "an internal message")
      check("clean_call_error", length(hits) == 0,
            sprintf("%s: %s: %s", repro, paste(hits, collapse = ", "), substr(msg, 1, 200)), repro)
    }
    if (vname %in% c("list0", "list_list0") && target %in% c("dense", "dense_built", "flatten")) {
      check("empty_input_refused", !is.null(err), paste(repro, "returned a value"), repro)
    }
    w <- after[[2]]$weights
    check("no_zero_width_weight", !is.list(w) || all(vapply(w, function(d) !any(d == 0), logical(1))),
          sprintf("%s built weights %s", repro, paste(deparse(w), collapse = "")), repro)
  }
  for (name in names(self_reference_cases)) {
    repro <- sprintf("calls self-reference %s", name)
    progress(repro)
    clear_session(free_memory = FALSE)
    start <- handles_now()
    rep$ops <- rep$ops + 1
    for (i in 1:3) {
      ctx <- self_reference_cases[[name]][[1]]()
      before <- counters_now()
      err <- NULL
      made <- tryCatch(self_reference_cases[[name]][[2]](ctx), error = function(e) { err <<- e; NULL })
      if (!is.null(err)) {
        check("failure_changes_nothing", identical(before, counters_now()), paste(repro, "changed counters"), repro)
        check("clean_call_error", inherits(err, "rbridge_error") && !length(bad_message(conditionMessage(err))),
              sprintf("%s: %s", repro, substr(conditionMessage(err), 1, 200)), repro)
      }
      rm(ctx, made, err)  # (an error's call and trace hold the objects too)
    }
    gc()  # a full collection: the objects of earlier rounds may be old already
    clear_session(free_memory = TRUE)
    check("no_reference_cycle", handles_now() <= start,
          sprintf("%s: %d handles left after 3 rounds", repro, handles_now() - start), repro)
  }
  rm(list = setdiff(ls(), c("base")))
  for (j in 1:3) gc()
  clear_session(free_memory = TRUE)
  left <- handles_now() - base
  check("handles_released", left <= 0, sprintf("%d handles left after the calls", left),
        sprintf("calls (seed %d)", seed))
}

# ------------------------------------------------------------ main
# An interrupt that lands in the loop's own code (between two protected
# iterations) restarts it where it was.
loop_until_done <- function(limit_fn) {
  repeat {
    done <- tryCatch({ loop(limit_fn); TRUE }, interrupt = function(c) FALSE,
                     error = function(e) if (grepl("time limit", conditionMessage(e))) FALSE else stop(e))
    if (isTRUE(done)) break
    rep$interrupts <- rep$interrupts + 1
  }
}

result <- tryCatch({
  if (part == "sigint") {
    loop_until_done(function() NULL)
  } else if (part == "timelimit") {
    loop_until_done(function() runif(1, 0, 0.0005))
  } else if (part == "hostile") {
    hostile()
  } else if (part == "calls") {
    calls()
  } else {
    stop("unknown part ", part)
  }
}, error = function(e) {
  check("part_completed", FALSE, paste("R error:", conditionMessage(e)), sprintf("%s (seed %d)", part, seed))
})
emit()
