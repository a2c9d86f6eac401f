"""Merging layers (Keras's ``layers/merging``): ``Add``, ``Subtract``,
``Multiply``, ``Average``, ``Maximum``, ``Minimum``, ``Concatenate``, ``Dot``
and their functional forms (``add([x, y])``, ``concatenate([x, y])``, ...).

Each is called on a list of tensors (symbolic or arrays) and has no weights.
Keras's shape rules and error messages; numpy forward passes. Masking is out
of r_bridge's scope: ``compute_mask`` combines masks given explicitly (as
Keras does) but no layer attaches a mask to its output.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import Any

import numpy as np

from r_bridge import config
from r_bridge.layers.layer import Layer
from r_bridge.messages import shown
from r_bridge.naming import atomic

Shape = tuple[int | None, ...]


class Merge(Layer):
    """Base of the elementwise merge layers: broadcasting over all but the
    batch axis; inputs of different ranks get axes of size 1 inserted after
    the batch axis (Keras's ``_reshape_required``)."""

    def __init__(self, **kwargs: Any):
        super().__init__(**kwargs)
        self.supports_masking = True
        self._reshape_required = False

    def _merge_function(self, inputs: list[np.ndarray]) -> np.ndarray:
        raise NotImplementedError

    @staticmethod
    def _compute_elemwise_op_output_shape(shape1: Shape | None, shape2: Shape | None) -> Shape | None:
        if shape1 is None or shape2 is None:
            return None
        if len(shape1) < len(shape2):
            return Merge._compute_elemwise_op_output_shape(shape2, shape1)
        if not shape2:
            return tuple(shape1)
        out = list(shape1[: -len(shape2)])
        for i, j in zip(shape1[-len(shape2) :], shape2):
            if i is None or j is None:
                out.append(None)
            elif i == 1:
                out.append(j)
            elif j == 1:
                out.append(i)
            else:
                if i != j:
                    raise ValueError(
                        f"Inputs have incompatible shapes. Received shapes {shape1} and {shape2}"
                    )
                out.append(i)
        return tuple(out)

    def _merged_shape(self, input_shape: Sequence[Shape | None]) -> Shape | None:
        output_shape = None if input_shape[0] is None else tuple(input_shape[0][1:])
        for shape in input_shape[1:]:
            output_shape = self._compute_elemwise_op_output_shape(
                output_shape, None if shape is None else tuple(shape[1:])
            )
        return output_shape

    def build(self, input_shape: Any) -> None:
        if not input_shape or not isinstance(input_shape[0], (tuple, list)):
            raise ValueError(
                "A merge layer should be called on a list of inputs. "
                f"Received: input_shape={input_shape} (not a list of shapes)"
            )
        batch_sizes = {s[0] for s in input_shape if s} - {None}
        if len(batch_sizes) > 1:
            raise ValueError(
                f"Cannot merge tensors with different batch sizes. Received tensors with shapes {input_shape}"
            )
        self._merged_shape(input_shape)
        self._reshape_required = None in input_shape or len({len(s) for s in input_shape}) != 1
        self.built = True

    def call(self, inputs: Sequence[np.ndarray]) -> np.ndarray:
        if not isinstance(inputs, (list, tuple)):
            raise ValueError(
                "A merge layer should be called on a list of inputs. "
                f"Received: inputs={shown(inputs)} (not a list of tensors)"
            )
        inputs = [np.asarray(x) for x in inputs]
        if self._reshape_required:
            max_ndim = max(x.ndim for x in inputs)
            inputs = [x.reshape(x.shape[:1] + (1,) * (max_ndim - x.ndim) + x.shape[1:]) for x in inputs]
        return self._merge_function(list(inputs))

    def compute_output_shape(self, input_shape: Any) -> Shape:
        output_shape = self._merged_shape(input_shape)
        batch_sizes = {s[0] for s in input_shape if s is not None} - {None}
        batch = next(iter(batch_sizes)) if len(batch_sizes) == 1 else None
        return (batch,) + tuple(output_shape or ())

    def compute_mask(self, inputs: Any, mask: Any = None) -> Any:
        """The elementwise OR of the inputs' masks (``None`` if any is ``None``)."""
        _check_masks(inputs, mask)
        if mask is None or any(m is None for m in mask):
            return None
        out = np.asarray(mask[0])
        for m in mask[1:]:
            out = np.logical_or(out, np.asarray(m))
        return out


def _check_masks(inputs: Any, mask: Any) -> None:
    if mask is None:
        return
    if not isinstance(mask, (tuple, list)):
        raise ValueError(f"`mask` should be a list. Received: mask={shown(mask)}")
    if not isinstance(inputs, (tuple, list)):
        raise ValueError(f"`inputs` should be a list. Received: inputs={shown(inputs)}")
    if len(mask) != len(inputs):
        raise ValueError(
            "The lists `inputs` and `mask` should have the same length. "
            f"Received: inputs={shown(inputs)} of length {len(inputs)}, and "
            f"mask={shown(mask)} of length {len(mask)}"
        )


class Add(Merge):
    """Elementwise sum of a list of inputs (all of the same shape)."""

    def _merge_function(self, inputs: list[np.ndarray]) -> np.ndarray:
        out = inputs[0]
        for x in inputs[1:]:
            out = out + x
        return out


class Subtract(Merge):
    """``inputs[0] - inputs[1]``: called on exactly 2 inputs."""

    def build(self, input_shape: Any) -> None:
        super().build(input_shape)
        if len(input_shape) != 2:
            raise ValueError(
                f"A `Subtract` layer should be called on exactly 2 inputs. Received: input_shape={input_shape}"
            )

    def _merge_function(self, inputs: list[np.ndarray]) -> np.ndarray:
        if len(inputs) != 2:
            raise ValueError(
                f"A `Subtract` layer should be called on exactly 2 inputs. Received: inputs={shown(inputs)}"
            )
        return inputs[0] - inputs[1]


class Multiply(Merge):
    """Elementwise product of a list of inputs (all of the same shape)."""

    def _merge_function(self, inputs: list[np.ndarray]) -> np.ndarray:
        out = inputs[0]
        for x in inputs[1:]:
            out = out * x
        return out


class Average(Merge):
    """Elementwise mean of a list of inputs (all of the same shape)."""

    def _merge_function(self, inputs: list[np.ndarray]) -> np.ndarray:
        out = inputs[0]
        for x in inputs[1:]:
            out = out + x
        return out / len(inputs)


class Maximum(Merge):
    """Elementwise maximum of a list of inputs (all of the same shape)."""

    def _merge_function(self, inputs: list[np.ndarray]) -> np.ndarray:
        out = inputs[0]
        for x in inputs[1:]:
            out = np.maximum(out, x)
        return out


class Minimum(Merge):
    """Elementwise minimum of a list of inputs (all of the same shape)."""

    def _merge_function(self, inputs: list[np.ndarray]) -> np.ndarray:
        out = inputs[0]
        for x in inputs[1:]:
            out = np.minimum(out, x)
        return out


class Concatenate(Merge):
    """Concatenates a list of inputs along ``axis`` (default ``-1``); all other
    sizes must match.

    Args:
        axis: axis along which to concatenate.
        **kwargs: ``name``, ``trainable``, ``dtype`` (see :class:`Layer`).
    """

    def __init__(self, axis: int = -1, **kwargs: Any):
        super().__init__(**kwargs)
        self.axis = axis
        self._reshape_required = False

    def build(self, input_shape: Any) -> None:
        # Keras's check, kept as Keras writes it (squeezable axes of size 1
        # are dropped before comparing).
        if len(input_shape) < 1 or not isinstance(input_shape[0], (tuple, list)):
            raise ValueError(
                "A `Concatenate` layer should be called on a list of "
                f"at least 1 input. Received: input_shape={input_shape}"
            )
        if any(shape is not None and len(shape) == 0 for shape in input_shape):
            raise ValueError(
                "A `Concatenate` layer's inputs must have at least one dimension (the batch). "
                f"Received: input_shape={input_shape}"
            )
        if all(shape is None for shape in input_shape):
            self.built = True
            return
        reduced = [list(shape) for shape in input_shape]
        reduced_copy = copy.copy(reduced)
        shape_set = set()
        for i in range(len(reduced_copy)):
            concat_axis = self.axis % len(reduced_copy[i])
            for axis, axis_value in enumerate(reduced_copy, start=1):
                if axis != concat_axis and axis_value == 1:
                    del reduced[i][axis]
            if len(reduced[i]) > self.axis:
                del reduced[i][self.axis]
            shape_set.add(tuple(reduced[i]))
        if len(shape_set) != 1:
            err_msg = (
                "A `Concatenate` layer requires inputs with matching shapes "
                f"except for the concatenation axis. Received: input_shape={input_shape}"
            )
            ranks = {len(shape) for shape in shape_set}
            if len(ranks) != 1:
                raise ValueError(err_msg)
            (rank,) = ranks
            for axis in range(rank):
                if len({shape[axis] for shape in shape_set if shape[axis] is not None}) > 1:
                    raise ValueError(err_msg)
        self.built = True

    def _merge_function(self, inputs: list[np.ndarray]) -> np.ndarray:
        return np.concatenate(inputs, axis=self.axis)

    def compute_output_shape(self, input_shape: Any) -> Shape:
        if not isinstance(input_shape, (tuple, list)) or not isinstance(input_shape[0], (tuple, list)):
            raise ValueError(
                f"A `Concatenate` layer should be called on a list of inputs. Received: input_shape={input_shape}"
            )
        output_shape = list(input_shape[0])
        for shape in input_shape[1:]:
            if output_shape[self.axis] is None or shape[self.axis] is None:
                output_shape[self.axis] = None
                break
            output_shape[self.axis] += shape[self.axis]
        return tuple(output_shape)

    def compute_mask(self, inputs: Any, mask: Any = None) -> Any:
        """The masks concatenated along ``axis``, reduced over the last axis with OR."""
        _check_masks(inputs, mask)
        if mask is None or all(m is None for m in mask):
            return None
        masks = []
        for x, m in zip(inputs, mask):
            x_shape = np.shape(x)
            if m is None:
                masks.append(np.ones(x_shape, dtype=bool))
                continue
            m = np.asarray(m)
            if m.ndim < len(x_shape):
                m = np.broadcast_to(np.expand_dims(m, -1), x_shape)
            masks.append(m)
        return np.any(np.concatenate(masks, axis=self.axis), axis=-1)

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config.update({"axis": self.axis})
        return config


def _dot_axes(axes: int | Sequence[int], shapes: Sequence[Sequence[int | None]]) -> list[int]:
    if isinstance(axes, int):
        if axes < 0:
            return [axes % len(shapes[0]), axes % len(shapes[1])]
        return [axes, axes]
    return [a % len(s) if a < 0 else a for a, s in zip(axes, shapes)]


def _l2_normalize(x: np.ndarray, axis: int) -> np.ndarray:
    square_sum = np.sum(np.square(x), axis=axis, keepdims=True)
    with np.errstate(divide="ignore"):
        inv_norm = np.minimum(1.0 / np.sqrt(square_sum), 1.0 / config.epsilon())
    return (x * inv_norm).astype(x.dtype)


def batch_dot(x: np.ndarray, y: np.ndarray, axes: Sequence[int]) -> np.ndarray:
    """Keras's ``batch_dot`` for two batches: the dot product of each pair of
    samples over ``axes`` (neither the batch axis); a rank-1 result becomes
    ``(batch, 1)``."""
    a0, a1 = axes
    x_ndim, y_ndim = x.ndim, y.ndim
    if x_ndim == 2:
        x, a0 = x[:, None, :], a0 + 1
    if y_ndim == 2:
        y = y[:, :, None]
    x = np.moveaxis(x, a0, -1)  # reduced axis last
    y = np.moveaxis(y, a1, 1)  # reduced axis second
    x_mid, y_trail = x.shape[1:-1], y.shape[2:]
    out = np.matmul(
        x.reshape(x.shape[0], int(np.prod(x_mid, dtype=np.int64)), x.shape[-1]),
        y.reshape(y.shape[0], y.shape[1], int(np.prod(y_trail, dtype=np.int64))),
    ).reshape((x.shape[0],) + x_mid + y_trail)
    if x_ndim == 2:
        out = np.squeeze(out, 1)
    elif y_ndim == 2:
        out = np.squeeze(out, -1)
    if out.ndim == 1:
        out = out[:, None]
    return out


def _dot_shape(shape1: Sequence[int | None], shape2: Sequence[int | None], axes: Sequence[int]) -> Shape:
    s1, s2 = list(shape1), list(shape2)
    s1.pop(axes[0])
    s2.pop(axes[1])
    s2.pop(0)
    out = s1 + s2
    if len(out) == 1:
        out += [1]
    return tuple(out)


class Dot(Merge):
    """Dot product of the samples of two inputs along ``axes``.

    Args:
        axes: an integer, or two (one per input): the axes summed over; the
            two sizes must match and the batch axis 0 cannot be included.
        normalize: whether to L2-normalize the samples along those axes
            first (the result is then the cosine proximity).
        **kwargs: ``name``, ``trainable``, ``dtype`` (see :class:`Layer`).
    """

    def __init__(self, axes: int | Sequence[int], normalize: bool = False, **kwargs: Any):
        if not isinstance(axes, int):
            if not isinstance(axes, (list, tuple)):
                raise TypeError(
                    f"Invalid type for argument `axes`: it should be a list or an int. Received: axes={shown(axes)}"
                )
            if len(axes) != 2:
                raise ValueError(
                    "Invalid format for argument `axes`: it should contain two elements. "
                    f"Received: axes={shown(axes)}"
                )
            if not isinstance(axes[0], int) or not isinstance(axes[1], int):
                raise ValueError(
                    "Invalid format for argument `axes`: list elements should be integers. "
                    f"Received: axes={shown(axes)}"
                )
        super().__init__(**kwargs)
        self.axes = axes
        self.normalize = normalize
        self._reshape_required = False

    def build(self, input_shape: Any) -> None:
        if not input_shape or not isinstance(input_shape[0], (tuple, list)) or len(input_shape) != 2:
            raise ValueError(
                f"A `Dot` layer should be called on a list of 2 inputs. Received: input_shape={input_shape}"
            )
        if any(s is not None and len(s) < 2 for s in input_shape):
            raise ValueError(
                "A `Dot` layer's inputs must be batches of at least 1-D samples. "
                f"Received: input_shape={input_shape}"
            )
        shape1, shape2 = input_shape
        if shape1 is not None and shape2 is not None:
            axes = _dot_axes(self.axes, input_shape) if isinstance(self.axes, int) else self.axes
            if shape1[axes[0]] != shape2[axes[1]]:
                raise ValueError(
                    "Incompatible input shapes: "
                    f"axis values {shape1[axes[0]]} (at axis {axes[0]}) != "
                    f"{shape2[axes[1]]} (at axis {axes[1]}). "
                    f"Full input shapes: {shape1}, {shape2}"
                )
        self.built = True

    def _merge_function(self, inputs: list[np.ndarray]) -> np.ndarray:
        if len(inputs) != 2:
            raise ValueError(
                f"A `Dot` layer should be called on exactly 2 inputs. Received: inputs={shown(inputs)}"
            )
        x1, x2 = inputs
        axes = _dot_axes(self.axes, [x1.shape, x2.shape])
        if 0 in axes:
            raise ValueError(
                "Cannot perform batch_dot over axis 0. If your inputs are not batched, "
                "add a dummy batch dimension to your inputs using keras.ops.expand_dims(x, 0)"
            )
        if self.normalize:
            x1 = _l2_normalize(x1, axes[0])
            x2 = _l2_normalize(x2, axes[1])
        return batch_dot(x1, x2, axes)

    def compute_output_shape(self, input_shape: Any) -> Shape:
        if not isinstance(input_shape, (tuple, list)) or len(input_shape) != 2:
            raise ValueError(
                f"A `Dot` layer should be called on a list of 2 inputs. Received: input_shape={input_shape}"
            )
        axes = _dot_axes(self.axes, input_shape)
        return _dot_shape(input_shape[0], input_shape[1], axes)

    def compute_mask(self, inputs: Any, mask: Any = None) -> None:
        return None

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config.update({"axes": self.axes, "normalize": self.normalize})
        return config


# ------------------------------------------------------- functional forms
def _merge(cls: type[Layer], inputs: Any, **kwargs: Any) -> Any:
    """``cls(**kwargs)(inputs)`` all or nothing: a call that fails takes no
    name (Keras's functional forms name the layer first)."""
    with atomic():
        return cls(**kwargs)(inputs)


def add(inputs: Sequence[Any], **kwargs: Any) -> Any:
    """``Add(**kwargs)(inputs)``: the elementwise sum of ``inputs``."""
    return _merge(Add, inputs, **kwargs)


def subtract(inputs: Sequence[Any], **kwargs: Any) -> Any:
    """``Subtract(**kwargs)(inputs)``: ``inputs[0] - inputs[1]``."""
    return _merge(Subtract, inputs, **kwargs)


def multiply(inputs: Sequence[Any], **kwargs: Any) -> Any:
    """``Multiply(**kwargs)(inputs)``: the elementwise product of ``inputs``."""
    return _merge(Multiply, inputs, **kwargs)


def average(inputs: Sequence[Any], **kwargs: Any) -> Any:
    """``Average(**kwargs)(inputs)``: the elementwise mean of ``inputs``."""
    return _merge(Average, inputs, **kwargs)


def maximum(inputs: Sequence[Any], **kwargs: Any) -> Any:
    """``Maximum(**kwargs)(inputs)``: the elementwise maximum of ``inputs``."""
    return _merge(Maximum, inputs, **kwargs)


def minimum(inputs: Sequence[Any], **kwargs: Any) -> Any:
    """``Minimum(**kwargs)(inputs)``: the elementwise minimum of ``inputs``."""
    return _merge(Minimum, inputs, **kwargs)


def concatenate(inputs: Sequence[Any], axis: int = -1, **kwargs: Any) -> Any:
    """``Concatenate(axis=axis, **kwargs)(inputs)``."""
    return _merge(Concatenate, inputs, axis=axis, **kwargs)


def dot(inputs: Sequence[Any], axes: int | Sequence[int] = -1, **kwargs: Any) -> Any:
    """``Dot(axes=axes, **kwargs)(inputs)``: the dot product of two inputs' samples."""
    return _merge(Dot, inputs, axes=axes, **kwargs)
