test_that("%>% is re-exported, as keras3 does", {
  expect_identical(rbridge::`%>%`, magrittr::`%>%`)
  expect_equal(c(1, 4) %>% sqrt(), c(1, 2))
})

test_that("keras3 code written with %>% runs", {
  skip_if_no_python()
  clear_session()
  model <- keras_model_sequential(input_shape = 3) %>%
    layer_dense(units = 4, activation = "relu") %>%
    layer_dense(units = 1)
  expect_equal(vapply(model$layers, \(l) l$name, ""), c("dense", "dense_1"))
  x <- keras_input(shape = 3)
  y <- x %>% layer_dense(2)
  expect_identical(y$shape, list(NULL, 2L))
})
