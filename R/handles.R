# Handles: the one owner of R's references to Python objects.
#
# Each object record a crossing returns ("handle", "kind", ...) is one
# reference held in Python for R. Its R object (objects.R) claims it
# (rb_claim()) and, when R's collector finalizes that object, gives it back
# (rb_finalize()). Both the unclaimed handles and the finalized ones go back
# one way: the queue .rb$pending, handed over at the start of the next
# crossing (rb_hand_over()). So an operation cut short after Python answered
# (an interrupt, setTimeLimit(), an R error before the object was made)
# leaves nothing held without an owner, and a handle is never given back
# twice.
#
# Finalizers run inside R's garbage collector, where calling Python is not
# safe, so they only queue.

.rb <- new.env(parent = emptyenv())
.rb$pending <- character()   # handles to give back with the next crossing
.rb$unclaimed <- character() # handles returned by the last crossing, not yet claimed
.rb$inbox <- NULL            # the handle table's inbox$extend (reticulate), else NULL
.rb$created <- 0             # R objects made, for the R collection strategy (session.R)
.rb$finalized <- 0           # R objects finalized (their handle queued)

# Called by rb_cross() with interrupts held back: the handles to send as the
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
  pending <- .rb$pending
  .rb$pending <- character()
  unclaimed <- .rb$unclaimed
  .rb$unclaimed <- character()
  out <- c(pending, unclaimed)
  if (!length(out)) return(NULL)
  inbox <- .rb$inbox
  if (is.null(inbox)) return(out)
  tryCatch(inbox(as.list(out)), error = function(e) NULL)
  NULL
}

# After a crossing (interrupts still held back): the handles of the records
# in its result wait to be claimed.
rb_note_returned <- function(res) {
  if (is.list(res)) .rb$unclaimed <- rb_record_handles(res)
  invisible()
}

# The R object that keeps a record's reference claims its handle (one
# occurrence: each record is one reference).
rb_claim <- function(handle) {
  i <- match(handle, .rb$unclaimed)
  if (!is.na(i)) .rb$unclaimed <- .rb$unclaimed[-i]
  invisible()
}

# The finalizer of an R object's self: queue its handle.
rb_finalize <- function(self) {
  .rb$pending <- c(.rb$pending, .subset2(self, "handle"))
  .rb$finalized <- .rb$finalized + 1
  invisible()
}

# Take over a record's reference in `self`: claim it and register the
# finalizer that gives it back, in one step (an interrupt between them would
# leave the reference with no owner, or with two).
rb_own <- function(self) {
  suspendInterrupts({
    reg.finalizer(self, rb_finalize, onexit = FALSE)
    rb_claim(.subset2(self, "handle"))
    .rb$created <- .rb$created + 1
  })
  invisible()
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
