"""Keras's ``keras.ops`` (the numpy part layers and custom layers use), with
Keras's signatures: computed with numpy on arrays (and numbers, lists), and
on :class:`~r_bridge.tensor.KerasTensor` arguments, shape and dtype
inferred and the call recorded as a graph node (:mod:`r_bridge.ops.operation`).

Dtypes follow Keras's rules where numpy's differ: Python floats are weak
(``int32 tensor + 1.5`` is ``float32``, the ``floatx``), lists and numbers
become ``floatx``/``int32`` arrays.
"""

from __future__ import annotations

import contextlib
import inspect
import math
import os
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from r_bridge import config, tensor
from r_bridge.messages import shown
from r_bridge.ops.operation import any_symbolic, register_op, symbolic_call
from r_bridge.tensor import KerasTensor

Shape = tuple[int | None, ...]


# ------------------------------------------------------------ dtypes, shapes
def _dtype_of(x: Any) -> str | None:
    """A tensor's dtype name; ``None`` for a Python number (weak)."""
    if isinstance(x, KerasTensor):
        return x.dtype
    if isinstance(x, (np.ndarray, np.generic)):
        return x.dtype.name
    if isinstance(x, (bool, int, float)):
        return None
    return convert_to_tensor(x).dtype.name


def _weak_kind(x: Any) -> str | None:
    if isinstance(x, bool):
        return "b"
    if isinstance(x, int):
        return "i"
    if isinstance(x, float):
        return "f"
    return None


def result_type(*xs: Any) -> str:
    """Keras's result dtype of an op on ``xs`` (tensors and Python numbers)."""
    strong = [d for d in (_dtype_of(x) for x in xs) if d is not None]
    weak = {_weak_kind(x) for x in xs} - {None}
    if not strong:
        return config.floatx() if "f" in weak else "int32" if "i" in weak else "bool"
    dtype = np.result_type(*strong)
    if "f" in weak and dtype.kind in "iub":
        return config.floatx()
    if "i" in weak and dtype.kind == "b":
        return "int32"
    return dtype.name


def _float_type(x: Any) -> str:
    """The dtype of a float-valued op (sqrt, mean, ...): integers give floatx."""
    d = result_type(x)
    return d if np.dtype(d).kind in "fc" else config.floatx()


def _shape(x: Any) -> Shape:
    return tuple(x.shape) if hasattr(x, "shape") else tuple(np.shape(x))


def broadcast_shapes(shape1: Sequence[int | None], shape2: Sequence[int | None]) -> Shape:
    """Keras's broadcasting of two shapes with unknown (``None``) sizes."""
    s1: list[int | None] = list(shape1)
    s2: list[int | None] = list(shape2)
    o1, o2 = tuple(s1), tuple(s2)
    ones: list[int | None] = [1] * (len(s1) - len(s2) if len(s1) > len(s2) else len(s2) - len(s1))
    if len(s1) > len(s2):
        s2 = ones + s2
    if len(s1) < len(s2):
        s1 = ones + s1
    out = list(s1)
    for i, (a, b) in enumerate(zip(s1, s2)):
        if a == 1:
            out[i] = b
        elif a is None:
            out[i] = None if b == 1 else b
        elif b == 1 or b is None or b == a:
            out[i] = a
        else:
            raise ValueError(
                f"Cannot broadcast shape, the failure dim has value {a}, which cannot be "
                f"broadcasted to {b}. Input shapes are: {list(o1)} and {list(o2)}."
            )
    return tuple(out)


def _canonical_axis(axis: int, ndim: int) -> int:
    if not -ndim <= axis < ndim:
        raise ValueError(f"Axis {axis} is out of bounds for array of dimension {ndim}")
    return axis % ndim


def _reduce_shape(shape: Shape, axis: int | Sequence[int] | None, keepdims: bool) -> Shape:
    if axis is None:
        return (1,) * len(shape) if keepdims else ()
    axes = {_canonical_axis(a, len(shape)) for a in ((axis,) if isinstance(axis, int) else axis)}
    if keepdims:
        return tuple(1 if i in axes else d for i, d in enumerate(shape))
    return tuple(d for i, d in enumerate(shape) if i not in axes)


def _std_dtype(dtype: Any) -> str | None:
    """A dtype name from a name, a numpy dtype or type, or ``None``."""
    if dtype is None or isinstance(dtype, str):
        return config.standardize_dtype(dtype)
    return np.dtype(dtype).name


def _out(x: Any, dtype: str) -> np.ndarray:
    x = np.asarray(x)
    return x if x.dtype == dtype else x.astype(dtype)


# ------------------------------------------------------------ making ops
def _elementwise(name: str, fn: Callable[..., Any], dtype_rule: Callable[..., str] = result_type):
    """An op applying ``fn`` elementwise to broadcast arguments."""

    def compute(*xs: Any) -> np.ndarray:
        return _out(fn(*(_arr(x) for x in xs)), dtype_rule(*xs))

    def spec(*xs: Any) -> KerasTensor:
        shape: Shape = ()
        for x in xs:
            shape = broadcast_shapes(shape, _shape(x))
        return KerasTensor(shape, dtype=dtype_rule(*xs))

    def op(*xs: Any) -> Any:
        if any_symbolic(*xs):
            return symbolic_call(name, compute, spec, xs, {})
        return compute(*xs)

    register_op(name, compute, spec)
    return op


def _arr(x: Any) -> Any:
    """numpy operand: arrays as they are, numbers kept weak, lists converted."""
    if isinstance(x, (np.ndarray, np.generic, bool, int, float)):
        return x
    return convert_to_tensor(x)


def _bool(*xs: Any) -> str:
    return "bool"


def _no_bool(name: str, fn: Any) -> Any:
    """``fn``, refusing booleans with a message of ours (numpy's names its
    own operator and suggests ``~``)."""

    def compute(*xs: Any) -> Any:
        if all(np.asarray(x).dtype == np.bool_ for x in xs):
            raise TypeError(f"`{name}` is not defined for booleans: use `logical_not` / `logical_xor`.")
        return fn(*xs)

    compute.__name__ = fn.__name__
    return compute


add = _elementwise("Add", np.add)
subtract = _elementwise("Subtract", _no_bool("subtract", np.subtract))
multiply = _elementwise("Multiply", np.multiply)
maximum = _elementwise("Maximum", np.maximum)
minimum = _elementwise("Minimum", np.minimum)
power = _elementwise("Power", np.power)
floor_divide = _elementwise("FloorDivide", np.floor_divide)
mod = _elementwise("Mod", np.mod)
equal = _elementwise("Equal", np.equal, _bool)
not_equal = _elementwise("NotEqual", np.not_equal, _bool)
less = _elementwise("Less", np.less, _bool)
less_equal = _elementwise("LessEqual", np.less_equal, _bool)
greater = _elementwise("Greater", np.greater, _bool)
greater_equal = _elementwise("GreaterEqual", np.greater_equal, _bool)
logical_and = _elementwise("LogicalAnd", np.logical_and, _bool)
logical_or = _elementwise("LogicalOr", np.logical_or, _bool)
logical_xor = _elementwise("LogicalXor", np.logical_xor, _bool)
logical_not = _elementwise("LogicalNot", np.logical_not, _bool)


def _float_binary(*xs: Any) -> str:
    d = result_type(*xs)
    return d if np.dtype(d).kind in "fc" else config.floatx()


divide = _elementwise("Divide", np.true_divide, _float_binary)
true_divide = _elementwise("TrueDivide", np.true_divide, _float_binary)
negative = _elementwise("Negative", _no_bool("negative", np.negative))
absolute = _elementwise("Absolute", np.abs)
square = _elementwise("Square", np.square)
sqrt = _elementwise("Sqrt", np.sqrt, _float_type)
exp = _elementwise("Exp", np.exp, _float_type)
log = _elementwise("Log", np.log, _float_type)
abs = absolute  # noqa: A001  (Keras's name)

add.__doc__ = "``x1 + x2``, broadcast."
subtract.__doc__ = "``x1 - x2``, broadcast."
multiply.__doc__ = "``x1 * x2``, broadcast."
divide.__doc__ = true_divide.__doc__ = "``x1 / x2``, broadcast (integers give floats)."
maximum.__doc__ = "Elementwise maximum, broadcast."
minimum.__doc__ = "Elementwise minimum, broadcast."
power.__doc__ = "``x1 ** x2``, broadcast."
negative.__doc__ = "``-x``."
absolute.__doc__ = "``|x|``."
square.__doc__ = "``x * x``."
sqrt.__doc__ = "Square root (integers give floats)."
exp.__doc__ = "Exponential (integers give floats)."
log.__doc__ = "Natural logarithm (integers give floats)."


def _op(name: str, compute: Callable[..., Any], spec: Callable[..., Any]) -> Callable[..., Any]:
    """An op of one input whose other arguments (``axis``, ...) are the
    operation's parameters, in its config as Keras writes them."""
    params_of = inspect.signature(compute)

    def op(*args: Any, **kwargs: Any) -> Any:
        bound = params_of.bind(*args, **kwargs)
        bound.apply_defaults()
        x, *rest = bound.arguments.values()
        params = dict(zip(list(bound.arguments)[1:], rest))
        if any_symbolic(x):
            return symbolic_call(name, compute, spec, (x,), params)
        return compute(x, **params)

    register_op(name, compute, spec)
    return op


# ------------------------------------------------------------ matmul
def _matmul_shape(s1: Shape, s2: Shape) -> Shape:
    a = (1,) + s1 if len(s1) == 1 else s1
    b = s2 + (1,) if len(s2) == 1 else s2
    if a[-1] is not None and b[-2] is not None and a[-1] != b[-2]:
        raise ValueError(
            "Inner dimensions (`x1.shape[-1]` and `x2.shape[-2]`) must be equal, "
            f"but received `x1.shape={s1}` and `x2.shape={s2}`."
        )
    out = broadcast_shapes(a[:-2], b[:-2]) + (a[-2], b[-1])
    if len(s1) == 1:
        out = out[:-2] + out[-1:]
    if len(s2) == 1:
        out = out[:-1]
    return out


def _matmul_compute(x1: Any, x2: Any) -> np.ndarray:
    return _out(np.matmul(_arr(x1), _arr(x2)), result_type(x1, x2))


def _matmul_spec(x1: Any, x2: Any) -> KerasTensor:
    return KerasTensor(_matmul_shape(_shape(x1), _shape(x2)), dtype=result_type(x1, x2))


register_op("Matmul", _matmul_compute, _matmul_spec)


def matmul(x1: Any, x2: Any) -> Any:
    """Matrix product of two tensors (numpy's ``matmul`` broadcasting)."""
    if any_symbolic(x1, x2):
        return symbolic_call("Matmul", _matmul_compute, _matmul_spec, (x1, x2), {})
    return _matmul_compute(x1, x2)


# ------------------------------------------------------------ shape ops
def _concat_compute(xs: Sequence[Any], axis: int = 0) -> np.ndarray:
    return _out(np.concatenate([_arr(x) for x in xs], axis=axis), result_type(*xs))


def _concat_spec(xs: Sequence[Any], axis: int = 0) -> KerasTensor:
    shapes = [_shape(x) for x in xs]
    first = list(shapes[0])
    ax = _canonical_axis(axis, len(first))
    total: int | None = 0
    for s in shapes:
        if len(s) != len(first):
            raise ValueError(f"All `xs` should have the same rank, but got {[len(s) for s in shapes]}")
        for i, (d, e) in enumerate(zip(first, s)):
            if i != ax and d is not None and e is not None and d != e:
                raise ValueError(
                    "`concatenate` expects all input shapes to be the same except on the "
                    f"concatenation axis, but got shapes {shapes}"
                )
            if i != ax and d is None:
                first[i] = e
        size = s[ax]
        total = None if total is None or size is None else total + size
    first[ax] = total
    return KerasTensor(tuple(first), dtype=result_type(*xs))


register_op("Concatenate", _concat_compute, _concat_spec)


def concatenate(xs: Sequence[Any], axis: int = 0) -> Any:
    """Joins a list of tensors along ``axis`` (default ``0``, as Keras)."""
    if any_symbolic(xs):
        return symbolic_call("Concatenate", _concat_compute, _concat_spec, (list(xs),), {"axis": axis})
    return _concat_compute(xs, axis=axis)


def validate_reshape_shape(newshape: Sequence[Any], newshape_arg_name: str = "newshape") -> None:
    """Each size a non-negative int or ``-1`` (at most one): Keras's check and messages."""
    neg_one_count = 0
    for dim in newshape:
        if not isinstance(dim, (int, np.integer)):
            continue
        if dim < -1:
            raise ValueError(
                f"Each dimension in `{newshape_arg_name}` must be a non-negative integer, or `-1` "
                f"for a single unknown dimension. Received: {newshape_arg_name}={newshape}."
            )
        if dim == -1:
            neg_one_count += 1
    if neg_one_count > 1:
        raise ValueError(
            f"There must be at most one unknown dimension (-1) in `{newshape_arg_name}`. "
            f"Received: {newshape_arg_name}={newshape}."
        )


def compute_reshape_output_shape(
    input_shape: Sequence[int | None], newshape: Sequence[int], newshape_arg_name: str = "newshape"
) -> Shape:
    """The shape of ``input_shape`` reshaped to ``newshape`` (its ``-1``
    resolved when every size is known, else ``None``): Keras's rule and messages."""
    validate_reshape_shape(newshape, newshape_arg_name)
    new = tuple(int(d) if isinstance(d, (int, np.integer)) else None for d in newshape)
    if None in input_shape or None in new:
        return tuple(None if d == -1 else d for d in new)
    known_in = tuple(int(d) for d in input_shape if d is not None)
    sizes = tuple(d for d in new if d is not None)
    input_size = math.prod(known_in)
    if -1 not in sizes:
        if input_size != math.prod(sizes):
            raise ValueError(
                "The total size of the tensor must be unchanged. Received: "
                f"input_shape={tuple(input_shape)}, {newshape_arg_name}={new}"
            )
        return new
    known = math.prod(d for d in sizes if d != -1)
    if known == 0 or input_size % known != 0:
        raise ValueError(
            "The total size of the tensor must be unchanged, however, the "
            "input size cannot by divided by the specified dimensions in "
            f"{newshape_arg_name}. Received: input_shape={tuple(input_shape)}, "
            f"{newshape_arg_name}={new}"
        )
    return tuple(input_size // known if d == -1 else d for d in sizes)


def _reshape_compute(x: Any, newshape: Sequence[int]) -> np.ndarray:
    return np.reshape(convert_to_tensor(x), tuple(newshape))


def _reshape_spec(x: Any, newshape: Sequence[int]) -> KerasTensor:
    if isinstance(newshape, int):
        newshape = (newshape,)
    return KerasTensor(compute_reshape_output_shape(_shape(x), newshape), dtype=result_type(x))


register_op("Reshape", _reshape_compute, _reshape_spec)


def reshape(x: Any, newshape: int | Sequence[int]) -> Any:
    """``x`` with shape ``newshape`` (one ``-1`` is inferred)."""
    if isinstance(newshape, int):
        newshape = (newshape,)
    newshape = tuple(newshape)
    if any_symbolic(x):
        return symbolic_call("Reshape", _reshape_compute, _reshape_spec, (x,), {"newshape": newshape})
    return _reshape_compute(x, newshape)


def _transpose_compute(x: Any, axes: Sequence[int] | None = None) -> np.ndarray:
    return np.transpose(convert_to_tensor(x), axes)


def _transpose_spec(x: Any, axes: Sequence[int] | None = None) -> KerasTensor:
    shape = _shape(x)
    if axes is None:
        return KerasTensor(shape[::-1], dtype=result_type(x))
    if len(axes) != len(shape):
        raise ValueError(
            "axis must be a list of the same length as the input shape, "
            f"expected {len(shape)}, but received {len(axes)}."
        )
    return KerasTensor(tuple(shape[a] for a in axes), dtype=result_type(x))


transpose = _op("Transpose", _transpose_compute, _transpose_spec)
transpose.__doc__ = "``x`` with its axes permuted (``axes=None`` reverses them)."


def _expand_shape(shape: Shape, axis: int | Sequence[int]) -> Shape:
    axes = (axis,) if isinstance(axis, int) else tuple(axis)
    ndim = len(shape) + len(axes)
    where = sorted(_canonical_axis(a, ndim) for a in axes)
    out, it = [], iter(shape)
    for i in range(ndim):
        out.append(1 if i in where else next(it))
    return tuple(out)


def _expand_compute(x: Any, axis: int | Sequence[int]) -> np.ndarray:
    return np.expand_dims(convert_to_tensor(x), axis if isinstance(axis, int) else tuple(axis))


def _expand_spec(x: Any, axis: int | Sequence[int]) -> KerasTensor:
    return KerasTensor(_expand_shape(_shape(x), axis), dtype=result_type(x))


expand_dims = _op("ExpandDims", _expand_compute, _expand_spec)
expand_dims.__doc__ = "``x`` with an axis of size 1 inserted at ``axis``."


def _squeeze_shape(shape: Shape, axis: int | Sequence[int] | None) -> Shape:
    if axis is None:
        return tuple(d for d in shape if d != 1)
    axes = {_canonical_axis(a, len(shape)) for a in ((axis,) if isinstance(axis, int) else axis)}
    for a in sorted(axes):
        if shape[a] != 1:
            raise ValueError(f"Cannot squeeze axis {a}, because the dimension is not 1.")
    return tuple(d for i, d in enumerate(shape) if i not in axes)


def _squeeze_compute(x: Any, axis: int | Sequence[int] | None = None) -> np.ndarray:
    x = convert_to_tensor(x)
    _squeeze_shape(x.shape, axis)
    return np.squeeze(x, axis if axis is None or isinstance(axis, int) else tuple(axis))


def _squeeze_spec(x: Any, axis: int | Sequence[int] | None = None) -> KerasTensor:
    return KerasTensor(_squeeze_shape(_shape(x), axis), dtype=result_type(x))


squeeze = _op("Squeeze", _squeeze_compute, _squeeze_spec)
squeeze.__doc__ = "``x`` without its axes of size 1 (or only ``axis``, which must be of size 1)."


# ------------------------------------------------------------ reductions
def _reduction(name: str, fn: Callable[..., Any], dtype_rule: Callable[[Any], str]):
    def compute(x: Any, axis: int | Sequence[int] | None = None, keepdims: bool = False) -> np.ndarray:
        ax = axis if axis is None or isinstance(axis, int) else tuple(axis)
        return _out(fn(convert_to_tensor(x), axis=ax, keepdims=keepdims), dtype_rule(x))

    def spec(x: Any, axis: int | Sequence[int] | None = None, keepdims: bool = False) -> KerasTensor:
        return KerasTensor(_reduce_shape(_shape(x), axis, keepdims), dtype=dtype_rule(x))

    return _op(name, compute, spec)


def _extremum(name: str, fn: Callable[..., Any]):
    """``max``/``min``: a reduction with Keras's ``initial`` (the value of an empty reduction)."""

    def compute(
        x: Any, axis: int | Sequence[int] | None = None, keepdims: bool = False, initial: Any = None
    ) -> np.ndarray:
        ax = axis if axis is None or isinstance(axis, int) else tuple(axis)
        extra = {} if initial is None else {"initial": initial}
        return _out(fn(convert_to_tensor(x), axis=ax, keepdims=keepdims, **extra), result_type(x))

    def spec(
        x: Any, axis: int | Sequence[int] | None = None, keepdims: bool = False, initial: Any = None
    ) -> KerasTensor:
        return KerasTensor(_reduce_shape(_shape(x), axis, keepdims), dtype=result_type(x))

    return _op(name, compute, spec)


def _sum_type(x: Any) -> str:
    d = result_type(x)
    return "int32" if d in ("bool", "int8", "int16", "uint8", "uint16") else d


sum = _reduction("Sum", np.sum, _sum_type)  # noqa: A001  (Keras's name)
mean = _reduction("Mean", np.mean, _float_type)
max = _extremum("Max", np.max)  # noqa: A001
min = _extremum("Min", np.min)  # noqa: A001
sum.__doc__ = "Sum over ``axis`` (all axes by default); ``keepdims`` keeps them as size 1."
mean.__doc__ = "Mean over ``axis`` (all axes by default); ``keepdims`` keeps them as size 1."
max.__doc__ = "Maximum over ``axis`` (all axes by default); ``keepdims`` keeps them as size 1."
min.__doc__ = "Minimum over ``axis`` (all axes by default); ``keepdims`` keeps them as size 1."


# ------------------------------------------------------------ cast, where
def _cast_compute(x: Any, dtype: str) -> np.ndarray:
    return _out(convert_to_tensor(x), dtype)


def _cast_spec(x: Any, dtype: str) -> KerasTensor:
    return KerasTensor(_shape(x), dtype=dtype)


register_op("Cast", _cast_compute, _cast_spec)


def cast(x: Any, dtype: str) -> Any:
    """``x`` converted to ``dtype``."""
    dtype = _std_dtype(dtype) or config.floatx()
    if any_symbolic(x):
        return symbolic_call("Cast", _cast_compute, _cast_spec, (x,), {"dtype": dtype})
    return _cast_compute(x, dtype)


def _where_compute(condition: Any, x1: Any = None, x2: Any = None) -> Any:
    if x1 is None and x2 is None:
        return tuple(i.astype("int32") for i in np.nonzero(convert_to_tensor(condition)))
    return _out(np.where(_arr(condition), _arr(x1), _arr(x2)), result_type(x1, x2))


def _where_spec(condition: Any, x1: Any = None, x2: Any = None) -> KerasTensor:
    shape = broadcast_shapes(_shape(condition), _shape(x1) if x1 is not None else [1])
    shape = broadcast_shapes(shape, _shape(x2) if x2 is not None else [1])
    return KerasTensor(shape, dtype=result_type(x1, x2))


register_op("Where", _where_compute, _where_spec)


def where(condition: Any, x1: Any = None, x2: Any = None) -> Any:
    """``x1`` where ``condition`` holds, else ``x2`` (broadcast); with only
    ``condition``, the indices of its true elements (arrays only)."""
    if (x1 is None) != (x2 is None):
        raise ValueError("`x1` and `x2` either both should be `None` or both should have non-None value.")
    if any_symbolic(condition, x1, x2):
        if x1 is None:
            raise ValueError("`where(condition)` without `x1` and `x2` needs an array, not a KerasTensor.")
        return symbolic_call("Where", _where_compute, _where_spec, (condition, x1, x2), {})
    return _where_compute(condition, x1, x2)


# ------------------------------------------------------------ indexing
def _index_key(key: Any) -> Any:
    """A key read back from a config (JSON has no tuples): a list holding
    slices, ``None`` or ``...`` is the tuple it was."""
    if isinstance(key, list) and any(k is None or k is Ellipsis or isinstance(k, slice) for k in key):
        return tuple(key)
    return key


def _getitem_compute(x: Any, key: Any) -> np.ndarray:
    return np.asarray(convert_to_tensor(x)[_index_key(key)])


def _getitem_spec(x: Any, key: Any) -> KerasTensor:
    """The shape of ``x[key]``: the key applied to zero-memory arrays whose
    unknown sizes are two different numbers; sizes that differ are unknown."""
    shape, key = _shape(x), _index_key(key)
    outs = []
    for fill in (83, 89):
        dummy = np.broadcast_to(np.empty((), dtype="int8"), tuple(fill if d is None else d for d in shape))
        outs.append(dummy[key].shape)
    return KerasTensor(tuple(a if a == b else None for a, b in zip(*outs)), dtype=x.dtype)


register_op("GetItem", _getitem_compute, _getitem_spec)


def get_item(x: Any, key: Any) -> Any:
    """``x[key]`` with ints, slices, ``None`` and ``...`` (Keras's ``GetItem``)."""
    if isinstance(key, KerasTensor) or (
        isinstance(key, tuple) and any(isinstance(k, KerasTensor) for k in key)
    ):
        raise ValueError("Indexing a KerasTensor with a KerasTensor is outside r_bridge's scope.")
    if isinstance(x, KerasTensor):
        return symbolic_call("GetItem", _getitem_compute, _getitem_spec, (x, key), {})
    return _getitem_compute(x, key)


# ------------------------------------------------------------ making arrays
def convert_to_tensor(
    x: Any, dtype: str | None = None, sparse: bool | None = None, ragged: bool | None = None
) -> Any:
    """``x`` as a numpy array (a KerasTensor is returned as it is): Python
    floats become ``floatx``, ints ``int32``, unless ``dtype`` is given."""
    if isinstance(x, KerasTensor):
        return x if dtype is None else cast(x, dtype)
    dtype = _std_dtype(dtype)
    if isinstance(x, np.ndarray):
        return x if dtype is None or x.dtype == dtype else x.astype(dtype)
    arr = np.asarray(x)
    if dtype is None:
        kind = arr.dtype.kind
        dtype = config.floatx() if kind == "f" and not isinstance(x, np.generic) else None
        dtype = "int32" if kind in "iu" and not isinstance(x, np.generic) else dtype
    return arr if dtype is None or arr.dtype == dtype else arr.astype(dtype)


def array(x: Any, dtype: str | None = None) -> np.ndarray:
    """A numpy array of ``x`` (Keras's ``ops.array``)."""
    return convert_to_tensor(x, dtype=dtype)


_CHECK_FROM = 1 << 26  # bytes: smaller arrays are never refused (and cost no check)


def _available_memory() -> float:
    """Bytes the system can still give (Linux: ``MemAvailable``)."""
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return float(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        return float(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_AVPHYS_PAGES"))
    except (AttributeError, OSError, ValueError):  # no way to tell: no check
        return math.inf


def _check_allocation(count: Any, dtype: str, shape: Any) -> None:
    """Refuse an array that would leave the machine without memory, with
    numpy's MemoryError message. numpy gets memory from the system lazily,
    so the process is killed when the values are written; and R's copy of
    a result is twice as large again (doubles). So the array, R's copy and
    the conversion must fit in what is available: at most a third of it.
    (R's ``op_ones(shape = .Machine$integer.max)`` was killed.)"""
    try:
        nbytes = float(count) * np.dtype(dtype).itemsize
    except (TypeError, ValueError, OverflowError):
        return  # numpy's own check says what is wrong
    if nbytes > _CHECK_FROM and nbytes > _available_memory() / 3:
        raise MemoryError(
            f"Unable to allocate {nbytes / 2**30:.2f} GiB for an array with shape {shown(shape)} "
            f"and data type {np.dtype(dtype).name}"
        )


def _size(shape: Any) -> Any:
    dims = (shape,) if isinstance(shape, (int, np.integer)) else tuple(shape)
    return math.prod(int(d) for d in dims) if all(d >= 0 for d in dims) else 0


def ones(shape: int | Sequence[int], dtype: str | None = None) -> np.ndarray:
    """An array of ones (dtype ``floatx`` by default)."""
    dtype = _std_dtype(dtype) or config.floatx()
    with contextlib.suppress(TypeError, ValueError):
        _check_allocation(_size(shape), dtype, shape)
    return np.ones(shape, dtype=dtype)


def zeros(shape: int | Sequence[int], dtype: str | None = None) -> np.ndarray:
    """An array of zeros (dtype ``floatx`` by default)."""
    dtype = _std_dtype(dtype) or config.floatx()
    with contextlib.suppress(TypeError, ValueError):
        _check_allocation(_size(shape), dtype, shape)
    return np.zeros(shape, dtype=dtype)


def arange(start: Any, stop: Any = None, step: Any = None, dtype: str | None = None) -> np.ndarray:
    """Evenly spaced values in ``[start, stop)``: ``int32`` for integer
    arguments, ``floatx`` when one is a float (as Keras)."""
    if stop is None:
        start, stop = 0, start
    if step is None:
        step = 1
    if dtype is None:
        dtype = result_type(*(v for v in (start, stop, step)))
    count = (stop - start) / step if step else 0  # (a negative count: nothing to allocate)
    with contextlib.suppress(TypeError, ValueError, OverflowError):
        _check_allocation(math.ceil(count), _std_dtype(dtype) or "float64", (math.ceil(count),))
    return np.arange(start, stop, step, dtype=_std_dtype(dtype))


# KerasTensor's operators and methods call these (see r_bridge.tensor).
tensor.OPERATIONS.update(
    {
        name: globals()[name]
        for name in (
            "add", "subtract", "multiply", "matmul", "true_divide", "floor_divide", "mod", "power",
            "less", "less_equal", "greater", "greater_equal", "not_equal", "logical_and", "logical_or",
            "logical_xor", "negative", "absolute", "logical_not", "get_item", "reshape", "squeeze",
        )
    }
)  # fmt: skip
