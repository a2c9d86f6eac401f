# Handles: the one owner of R's references to Python objects.
#
# Each object record a crossing returns ("handle", "kind", ...) is one
# reference held in Python for R. Its R object (objects.R) claims it
# (rb_claim()) and, when R's collector finalizes that object, gives it back
# (rb_finalize()). Both the unclaimed handles and the finalized ones go back
# one way: the queue of handles to give back, handed over at the start of the next
# crossing (rb_hand_over()). So an operation cut short after Python answered
# (an interrupt, setTimeLimit(), an R error before the object was made)
# leaves nothing held without an owner, and a handle is never given back
# twice.
#
# Finalizers run inside R's garbage collector, where calling Python is not
# safe, so they only queue.

.rb <- new.env(parent = emptyenv())
# Handles to give back with the next crossing, by handle: how many
# references of it to give back (a handle names one Python object, and each
# record of it that R got counts one reference). One binding per handle, so
# a collection that finalizes thousands of objects queues each in constant
# time (appending to a vector copies it every time), and a finalizer writes
# it with one `[[<-` (no number formatted into a key).
.rb$queue <- new.env(hash = TRUE, parent = emptyenv())
.rb$unclaimed <- character() # handles returned by the last crossing, not yet claimed
.rb$inbox <- NULL            # the handle table's inbox$extend (reticulate), else NULL
.rb$created <- 0             # R objects made, for the R collection strategy (session.R)
.rb$finalized <- 0           # R objects finalized (their handle queued)

# Called by rb_cross() with interrupts held back, when the queue or the
# unclaimed handles are not empty: the handles to send as the
# crossing's `releases` (NULL: none). With reticulate they go into the
# handle table's inbox instead, through list.extend: R's interrupt is
# forwarded to Python, where it can fire on entry to the dispatcher and
# lose that call's arguments, but not inside C code. A failed hand-over is
# not repeated (a handle is never given back twice). A host transport
# (rpy2) has no inbox: the queue rides with the call.
rb_hand_over <- function() {
  # Taken and emptied in one step each: a finalizer (R runs them between
  # any two expressions) that queues a handle meanwhile queues it for the
  # next crossing instead of into a queue about to be emptied.
  queue <- .rb$queue
  unclaimed <- .rb$unclaimed
  .rb$unclaimed <- character()
  .rb$queue <- new.env(hash = TRUE, parent = emptyenv())
  out <- c(rb_queue_handles(queue), unclaimed)
  if (!length(out)) return(NULL)
  inbox <- .rb$inbox
  if (is.null(inbox)) return(out)
  tryCatch(inbox(as.list(out)), error = function(e) NULL)
  NULL
}

# After a crossing, with interrupts still held back: the result's handles
# wait to be claimed, and with `wrap` (see rb_call_object()) its records
# become the R objects that claim them. `same`: an R object whose record the
# crossing may return again (a pipe step returns the model's): then that
# object is the result, and it keeps the record's reference too, so nothing
# waits to be given back.
rb_take <- function(res, wrap, same) {
  handle <- .subset2(res, "handle")
  if (is.character(handle) && length(handle) == 1L) { # one record: the usual result, kept short
    .rb$unclaimed <- handle # (noted first, in one statement: see below)
    if (!wrap) return(res)
    if (!is.null(same)) {
      self <- rb_self(same)
      if (identical(handle, .subset2(self, "handle"))) {
        rb_claim(handle) # (cut short between the two: a leak, never a double release)
        self$refs <- .subset2(self, "refs") + 1L
        return(same)
      }
    }
    return(if (rb_is_record(res)) rb_wrap(res, owned = TRUE) else rb_from_py(res, owned = TRUE))
  }
  if (identical(names(res)[1L], ".rbridge_error")) return(res)
  # Noted first, in one statement: setTimeLimit() is not held back, and a
  # handle not claimed when it fires goes back with the next crossing.
  .rb$unclaimed <- rb_record_handles(res)
  if (!wrap) return(res)
  rb_from_py(res, owned = TRUE)
}

# The R object that keeps a record's reference claims its handle (one
# occurrence: each record is one reference).
rb_claim <- function(handle) {
  unclaimed <- .rb$unclaimed
  if (length(unclaimed) == 1L && unclaimed == handle) { # the usual case: the crossing returned one record
    .rb$unclaimed <- character()
    return(invisible())
  }
  i <- match(handle, unclaimed)
  if (!is.na(i)) .rb$unclaimed <- unclaimed[-i]
  invisible()
}

# The finalizer of an R object's self: queue its handle, once per
# reference the self owns (`refs`, set when it was made).
rb_finalize <- function(self) {
  # Short, no loop and interrupts held back: R checks for interrupts and
  # setTimeLimit() while it evaluates, and a finalizer cut short loses its
  # handle (a time limit is not held back: the less code, the smaller the
  # window). The count is read and written back in one statement.
  suspendInterrupts({
    queue <- .rb$queue
    handle <- .subset2(self, "handle")
    queue[[handle]] <- sum(.subset2(queue, handle), .subset2(self, "refs")) # (sum(NULL, n) is n)
    .rb$finalized <- .rb$finalized + 1
  })
  invisible()
}

# The handles in a queue, each as many times as references are queued.
rb_queue_handles <- function(queue) {
  counts <- unlist(as.list(queue, all.names = TRUE, sorted = FALSE))
  if (is.null(counts)) character() else rep.int(names(counts), counts)
}

# Take over a record's reference in `self`: claim it and register the
# finalizer that gives it back, in one step (an interrupt between them would
# leave the reference with no owner, or with two).
rb_own <- function(self) {
  suspendInterrupts(rb_own_now(self))
  invisible()
}

# The handles waiting in the queue.
rb_queued_handles <- function() rb_queue_handles(.rb$queue)

# With interrupts held back (rb_own(), or a crossing for rb_wrap(owned = TRUE)).
rb_own_now <- function(self) {
  reg.finalizer(self, rb_finalize, onexit = FALSE)
  .rb$created <- .rb$created + 1
  handle <- .subset2(self, "handle")
  unclaimed <- .rb$unclaimed
  # (rb_claim()'s usual case inline: the crossing returned this one record)
  if (length(unclaimed) == 1L && unclaimed == handle) .rb$unclaimed <- character() else rb_claim(handle)
}

# The handles of the object records in a result (records: lists whose
# "handle" is a string; they may sit in lists and named lists).
rb_record_handles <- function(x) {
  if (!is.list(x) || inherits(x, "error")) return(character())
  h <- x[["handle"]]
  if (is.character(h) && length(h) == 1L) return(h)
  if (!length(x)) return(character())
  unlist(lapply(x, rb_record_handles), use.names = FALSE) %||% character()
}

# Number of rbridge objects alive in R (made and not yet finalized).
rb_outstanding <- function() .rb$created - .rb$finalized
