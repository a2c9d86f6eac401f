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

# The name counters only (handles change as R's collector finalizes objects).
session_counters <- function() {
  info <- session_info()
  data.frame(prefix = info$prefix, count = info$count)
}
