# Knit each vignettes/NAME.Rmd.orig (the code) into vignettes/NAME.Rmd (the
# code with its outputs, and figures as vignettes/NAME-*.png), so that every
# build of the package shows real results, with or without Python: R CMD
# build then only renders markdown. As keras3 does.
#
# Needs rbridge installed and a Python with r_bridge. From the repository root:
#   make vignettes   (or: R_LIBS=$PWD/.Rlib RBRIDGE_PYTHON=$PWD/.venv/bin/python \
#                         Rscript vignettes/precompute.R [NAME ...]; absolute paths: knitr runs in vignettes/)
# then commit vignettes/*.Rmd and vignettes/*.png.
args <- commandArgs(trailingOnly = TRUE)
dir <- "vignettes"
if (!dir.exists(dir)) stop("run from the repository root")
if (!rbridge::rbridge_available()) {
  stop("rbridge can't reach a Python with r_bridge (set RBRIDGE_PYTHON): the outputs would be missing")
}
origs <- list.files(dir, pattern = "\\.Rmd\\.orig$", full.names = TRUE)
names(origs) <- sub("\\.Rmd\\.orig$", "", basename(origs))
if (length(args)) origs <- origs[args]
if (anyNA(origs)) stop("no such vignette: ", paste(args[is.na(origs)], collapse = ", "))

old <- setwd(dir)
on.exit(setwd(old), add = TRUE)
for (name in names(origs)) {
  unlink(Sys.glob(paste0(name, "-*.png")))
  # Each vignette in a fresh R process, as R CMD build would knit it.
  status <- system2(file.path(R.home("bin"), "Rscript"), c("-e", shQuote(sprintf(
    paste("knitr::opts_chunk$set(fig.path = '%s-', dev = 'png', dpi = 96);",
          "knitr::knit('%s.Rmd.orig', '%s.Rmd', quiet = TRUE)"),
    name, name, name))))
  if (status != 0) stop("knitting ", name, ".Rmd.orig failed")
  out <- readLines(paste0(name, ".Rmd"))
  cat(sprintf("%s.Rmd: %d lines, figures: %s\n", name, length(out),
              paste(Sys.glob(paste0(name, "-*.png")), collapse = ", ")))
}
