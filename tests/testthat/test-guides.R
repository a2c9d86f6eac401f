# The functional-API and sequential-model guides of keras3
# (vignettes/functional_api.Rmd and vignettes/sequential_model.Rmd), cut to
# rbridge's scope: model building, naming, summaries, predict; no training.
# The guides' code runs unchanged except for layers rbridge's session does
# not have: Conv2D and pooling layers (Dense layers stand in), LSTM (a mean
# over the sequence and a Dense layer stand in); and the feature extractor's
# input, which is (1, 250) here, not an image.

test_that("functional API guide: inputs, calling layers, keras_model(), summary()", {
  skip_if_no_python()
  clear_session()
  inputs <- keras_input(shape = c(784))
  # Just for demonstration purposes.
  img_inputs <- keras_input(shape = c(32, 32, 3))
  expect_equal(format(shape(inputs)), "shape(NA, 784)")
  expect_equal(format(shape(img_inputs)), "shape(NA, 32, 32, 3)")
  expect_equal(inputs$dtype, "float32")

  dense <- layer_dense(units = 64, activation="relu")
  x <- dense(inputs)

  outputs <- x |>
    layer_dense(units = 64, activation = "relu") |>
    layer_dense(units = 10)

  model <- keras_model(inputs = inputs, outputs = outputs, name = "mnist_model")
  text <- capture.output(res <- summary(model))
  expect_match(text[1], "Model: \"mnist_model\"", fixed = TRUE)
  expect_true(any(grepl("Total params: 55,050 (215.04 KB)", text, fixed = TRUE)))
  expect_equal(res, paste(text, collapse = "\n"))
  expect_equal(vapply(model$layers, \(l) l$name, ""), c("input_layer", "dense", "dense_1", "dense_2"))
  expect_equal(dim(predict(model, matrix(0, 5, 784))), c(5L, 10L))
})

test_that("functional API guide: all models are callable, just like layers", {
  skip_if_no_python()
  clear_session()
  get_model <- function() {
    inputs <- keras_input(shape = 128)
    outputs <- inputs |> layer_dense(1)
    keras_model(inputs, outputs)
  }

  model1 <- get_model()
  model2 <- get_model()
  model3 <- get_model()

  inputs <- keras_input(shape = 128)
  y1 <- model1(inputs)
  y2 <- model2(inputs)
  y3 <- model3(inputs)
  expect_identical(y1$shape, list(NULL, 1L))
  outputs <- layer_average(list(y1, y2, y3))
  ensemble_model <- keras_model(inputs = inputs, outputs = outputs)
  expect_identical(outputs$shape, list(NULL, 1L))
  x <- matrix(seq(-1, 1, length.out = 256), 2, 128)
  expected <- (predict(model1, x, verbose = 0) + predict(model2, x, verbose = 0) +
                 predict(model3, x, verbose = 0)) / 3
  expect_equal(predict(ensemble_model, x, verbose = 0), expected, tolerance = 1e-6)
  ensemble_model <- keras_model(inputs = inputs, outputs = list(y1, y2, y3))
  expect_equal(vapply(ensemble_model$layers, \(l) l$name, ""),
               c("input_layer_3", "functional", "functional_1", "functional_2"))
  out <- predict(ensemble_model, matrix(1, 2, 128))
  expect_equal(out[[2]], predict(model2, matrix(1, 2, 128)), tolerance = 1e-6)
})

test_that("functional API guide: a model as a layer of another (encoder and decoder)", {
  skip_if_no_python()
  clear_session()
  encoder_input <- keras_input(shape = c(28 * 28), name="img")
  encoder_output <- encoder_input |> layer_dense(16, activation = "relu")
  encoder <- keras_model(encoder_input, encoder_output, name="encoder")
  decoder_input <- keras_input(shape = c(16), name = "encoded_img")
  decoder_output <- decoder_input |> layer_dense(28 * 28, activation = "relu")
  decoder <- keras_model(decoder_input, decoder_output, name = "decoder")

  autoencoder_input <- keras_input(shape = c(28 * 28), name = "img")
  encoded_img <- encoder(autoencoder_input)
  decoded_img <- decoder(encoded_img)
  autoencoder <- keras_model(autoencoder_input, decoded_img,
                             name = "autoencoder")
  text <- capture.output(summary(autoencoder))
  expect_match(text[1], "Model: \"autoencoder\"", fixed = TRUE)
  expect_true(any(grepl("encoder (Functional)", text, fixed = TRUE)))
  expect_equal(count_params(autoencoder), count_params(encoder) + count_params(decoder))
})

test_that("sequential guide: a Sequential model is equivalent to calling its layers", {
  skip_if_no_python()
  clear_session()
  model <- keras_model_sequential() |>
    layer_dense(units = 2, activation = "relu", name = "layer1") |>
    layer_dense(units = 3, activation = "relu", name = "layer2") |>
    layer_dense(units = 4, name = "layer3")

  # Call model on a test input
  x <- op_ones(c(3, 3))
  y <- model(x)
  expect_equal(dim(y), c(3L, 4L))

  # Create 3 layers
  layer1 <- layer_dense(units = 2, activation="relu", name="layer1")
  layer2 <- layer_dense(units = 3, activation="relu", name="layer2")
  layer3 <- layer_dense(units = 4, name="layer3")

  # Call layers on a test input
  x <- op_ones(c(3, 3))
  y <- x |> layer1() |> layer2() |> layer3()
  expect_equal(dim(y), c(3L, 4L))
})

test_that("sequential guide: creating a Sequential model, its layers, pop_layer(), names", {
  skip_if_no_python()
  clear_session()
  model <- keras_model_sequential() |>
    layer_dense(units = 2, activation = "relu") |>
    layer_dense(units = 3, activation = "relu") |>
    layer_dense(units = 4)

  model <- keras_model_sequential(layers = list(
    layer_dense(units = 2, activation = "relu"),
    layer_dense(units = 3, activation = "relu"),
    layer_dense(units = 4)
  ))
  expect_equal(capture.output(model$layers)[1:3],
               c("[[1]]", "<Dense name=dense_3, built=False>", " signature: (*args, **kwargs)"))

  model <- keras_model_sequential()
  expect_invisible(model |> layer_dense(units = 2, activation="relu"))
  model |> layer_dense(units = 3, activation="relu")
  model |> layer_dense(units = 4)
  expect_equal(capture.output(model |> pop_layer()),
               c("<Dense name=dense_8, built=False>", " signature: (*args, **kwargs)"))
  expect_equal(length(model$layers), 2)

  model <- keras_model_sequential(name = "my_sequential")
  model |> layer_dense(units = 2, activation="relu", name = "layer1")
  model |> layer_dense(units = 3, activation="relu", name = "layer2")
  model |> layer_dense(units = 4, name = "layer3")
  expect_equal(model$name, "my_sequential")
  expect_equal(vapply(model$layers, \(l) l$name, ""), c("layer1", "layer2", "layer3"))
})

test_that("sequential guide: specifying the input shape in advance", {
  skip_if_no_python()
  clear_session()
  layer <- layer_dense(units = 3)
  expect_identical(layer$weights, list())  # Empty

  # Call layer on a test input
  x <- op_ones(c(1, 4))
  y <- layer(x)
  w <- layer$weights  # Now it has weights, of shape (4, 3) and (3,)
  expect_equal(lapply(w, dim), list(c(4L, 3L), 3L))

  model <- keras_model_sequential() |>
    layer_dense(units = 2, activation = "relu") |>
    layer_dense(units = 3, activation = "relu") |>
    layer_dense(units = 4)
  # No weights at this stage!

  # Call the model on a test input
  x <- op_ones(c(1, 4))
  y <- model(x)
  expect_equal(length(model$weights), 6)
  text <- capture.output(summary(model))
  expect_match(text[1], "Model: \"sequential\"", fixed = TRUE)
  expect_true(any(grepl("Total params: 35 (140.00 B)", text, fixed = TRUE)))

  model <- keras_model_sequential(input_shape = 4) |>
    layer_dense(units = 2, activation = "relu")
  text <- capture.output(summary(model))
  expect_true(any(grepl("(None, 2)", text, fixed = TRUE)))
  expect_equal(capture.output(model$layers)[2], "<Dense name=dense_4, built=True>")
})

test_that("sequential guide: feature extraction with a Sequential model", {
  skip_if_no_python()
  clear_session()
  initial_model <- keras_model_sequential(input_shape = c(250)) |>
    layer_dense(32, activation = "relu") |>
    layer_dense(32, activation = "relu", name = "my_intermediate_layer") |>
    layer_dense(32, activation = "relu")

  feature_extractor <- keras_model(
      inputs = initial_model$inputs,
      outputs = lapply(initial_model$layers, function(x) x$output),
  )
  x <- op_ones(c(1, 250))
  features <- feature_extractor(x)
  expect_length(features, 3L)

  feature_extractor <- keras_model(
    inputs = initial_model$inputs,
    outputs = get_layer(initial_model, "my_intermediate_layer")$output,
  )
  features <- feature_extractor(x)
  expect_equal(dim(features), c(1L, 32L))
})

test_that("sequential guide: freezing layers with layer$trainable <- FALSE", {
  skip_if_no_python()
  clear_session()
  model <- keras_model_sequential(input_shape = 784) |>
    layer_dense(units = 32, activation = "relu") |>
    layer_dense(units = 32, activation = "relu") |>
    layer_dense(units = 32, activation = "relu") |>
    layer_dense(units = 10)
  for (layer in head(model$layers, -1)) layer$trainable <- FALSE
  expect_equal(vapply(model$layers, \(l) l$trainable, TRUE), c(FALSE, FALSE, FALSE, TRUE))
})

test_that("functional API guide: models with multiple inputs and outputs", {
  skip_if_no_python()
  clear_session()
  num_tags <- 12  # Number of unique issue tags
  num_words <- 10000  # Size of vocabulary obtained when preprocessing text data
  num_departments <- 4  # Number of departments for predictions

  title_input <- # Variable-length sequence of ints
    keras_input(shape(NA), name = "title")
  body_input <-  # Variable-length sequence of ints
    keras_input(shape(NA), name = "body")
  tags_input <-  # Binary vectors of size `num_tags`
    keras_input(shape = num_tags, name = "tags")

  # Embed each word in the title into a 64-dimensional vector
  title_features <- layer_embedding(title_input, num_words, 64)
  # Embed each word in the text into a 64-dimensional vector
  body_features <- layer_embedding(body_input, num_words, 64)

  # Reduce sequence of embedded words in the title
  # into a single 128-dimensional vector
  # (the guide: layer_lstm(title_features, 128))
  title_features <- layer_dense(op_mean(title_features, axis = 2), 128)
  # Reduce sequence of embedded words in the body
  # into a single 32-dimensional vector
  # (the guide: layer_lstm(body_features, 32))
  body_features <- layer_dense(op_mean(body_features, axis = 2), 32)

  # Merge all available features into a single large vector via concatenation
  x <- layer_concatenate(title_features, body_features, tags_input)

  # Stick a logistic regression for priority prediction on top of the features
  priority_pred <- layer_dense(x, 1, name = "priority")

  # Stick a department classifier on top of the features
  department_pred <- layer_dense(x, num_departments, name = "department")

  # Instantiate an end-to-end model predicting both priority and department
  model <- keras_model(
    inputs = list(title_input, body_input, tags_input),
    outputs = list(priority = priority_pred, department = department_pred)
  )

  expect_identical(x$shape, list(NULL, 128L + 32L + 12L))
  text <- format(model, line_length = 120)
  expect_match(text, "concatenate (Concatenate)", fixed = TRUE)
  expect_match(text, "embedding (Embedding)", fixed = TRUE)
  expect_match(text, "embedding_1 (Embedding)", fixed = TRUE)
  title_data <- matrix(sample(0:(num_words - 1), 2 * 10, replace = TRUE), 2, 10)
  body_data <- matrix(sample(0:(num_words - 1), 2 * 100, replace = TRUE), 2, 100)
  tags_data <- matrix(sample(0:1, 2 * num_tags, replace = TRUE), 2, num_tags)
  out <- predict(model, list(title_data, body_data, tags_data), verbose = 0)
  expect_named(out, c("priority", "department"))
  expect_identical(dim(out$priority), c(2L, 1L))
  expect_identical(dim(out$department), c(2L, 4L))
})

test_that("functional API guide: a toy ResNet model (residual connections with layer_add())", {
  skip_if_no_python()
  clear_session()
  # Dense layers stand in for the guide's Conv2D and pooling layers.
  inputs <- keras_input(shape = c(64), name = "img")
  block_1_output <- inputs |>
    layer_dense(32, activation = "relu") |>
    layer_dense(64, activation = "relu")

  block_2_output <- block_1_output |>
    layer_dense(32, activation = "relu") |>
    layer_dense(64, activation = "relu") |>
    layer_add(block_1_output)

  block_3_output <- block_2_output |>
    layer_dense(64, activation = "relu") |>
    layer_dense(64, activation = "relu") |>
    layer_add(block_2_output)

  outputs <- block_3_output |>
    layer_dense(64, activation = "relu") |>
    layer_dense(256, activation = "relu") |>
    layer_dropout(0.5) |>
    layer_dense(10)

  model <- keras_model(inputs, outputs, name = "toy_resnet")
  text <- capture.output(summary(model, line_length = 80))
  expect_match(text[1], "Model: \"toy_resnet\"", fixed = TRUE)
  expect_true(any(grepl("Connected to", text, fixed = TRUE)))
  at <- grep("^│ add \\(Add\\)", text)
  expect_length(at, 1L)
  expect_match(text[at], "dense_3[0][0],", fixed = TRUE)
  expect_match(text[at + 1L], "dense_1[0][0]", fixed = TRUE)
  expect_equal(vapply(model$layers, \(l) l$name, "")[c(6, 9)], c("add", "add_1"))
  expect_identical(dim(predict(model, matrix(0.1, 3, 64), verbose = 0)), c(3L, 10L))
})

test_that("functional API guide: shared layers", {
  skip_if_no_python()
  clear_session()
  # Embedding for 1000 unique words mapped to 128-dimensional vectors
  shared_embedding <- layer_embedding(input_dim = 1000, output_dim = 128)

  # Variable-length sequence of integers
  text_input_a <- keras_input(shape = shape(NA), dtype="int32")

  # Variable-length sequence of integers
  text_input_b <- keras_input(shape = shape(NA), dtype="int32")

  # Reuse the same layer to encode both inputs
  encoded_input_a <- shared_embedding(text_input_a)
  encoded_input_b <- shared_embedding(text_input_b)

  expect_identical(encoded_input_a$shape, list(NULL, NULL, 128L))
  model <- keras_model(list(text_input_a, text_input_b), list(encoded_input_a, encoded_input_b))
  expect_length(model$layers, 3L)
  a <- matrix(c(1L, 2L, 3L, 999L), 2, 2)
  out <- predict(model, list(a, a), verbose = 0)
  expect_equal(out[[1]], out[[2]])
  expect_equal(out[[1]][2, 2, ], as.vector(get_weights(shared_embedding)[[1]][1000, ]))
})
