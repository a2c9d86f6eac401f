# The two examples from ?clear_session (keras3's reference page), verbatim.
library(rbridge)

# Example 1: calling `clear_session()` when creating models in a loop
rss <- function() {
  as.numeric(sub("\\D*(\\d+).*", "\\1", grep("^VmRSS", readLines("/proc/self/status"), value = TRUE))) / 1024
}

for (i in 1:100) {
  # Without `clear_session()`, each iteration of this loop will
  # slightly increase the size of the global state managed by Keras
  model <- keras_model_sequential()
  for (j in 1:10) {
    model <- model |> layer_dense(units = 10)
  }
}
cat(sprintf("after the loop without clear_session(): last layer is %s, RSS %.1f MB\n",
            model$layers[[10]]$name, rss()))

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
cat(sprintf("after the loop with clear_session():    last layer is %s, RSS %.1f MB\n",
            model$layers[[10]]$name, rss()))

# Example 2: resetting the layer name generation counter
# (from a fresh session, as on the reference page: Example 1 left `dense_9` behind)
clear_session()
layers <- lapply(1:10, \(i) layer_dense(units = 10))

new_layer <- layer_dense(units = 10)
print(new_layer$name)

clear_session()
new_layer <- layer_dense(units = 10)
print(new_layer$name)
