"""The models the plot_model tests draw, built the same way in Keras and in
r_bridge, and their dot graphs in a form that can be compared across
processes (node ids are ``id(layer)``: they become layer names).

``python plot_models.py keras`` prints Keras's graphs as JSON (the golden
values, made by the Keras installed now); ``graphs(ns)`` makes r_bridge's.
"""

from __future__ import annotations

import json
import sys
from types import SimpleNamespace
from typing import Any

# Option sets, as keyword arguments of model_to_dot.
OPTIONS: dict[str, dict[str, Any]] = {
    "default": {},
    "everything": {
        "show_shapes": True,
        "show_dtype": True,
        "show_layer_activations": True,
        "show_trainable": True,
    },
    "names_off_lr": {"show_layer_names": False, "rankdir": "LR", "dpi": 96, "show_shapes": True},
    "nested": {"expand_nested": True, "show_shapes": True},
}


def keras_namespace() -> SimpleNamespace:
    import keras
    from keras.utils import model_to_dot

    return SimpleNamespace(
        layers=keras.layers, Input=keras.Input, Model=keras.Model, Sequential=keras.Sequential,
        model_to_dot=model_to_dot,
    )  # fmt: skip


def r_bridge_namespace() -> SimpleNamespace:
    import r_bridge
    from r_bridge.utils import model_to_dot

    return SimpleNamespace(
        layers=r_bridge.layers, Input=r_bridge.Input, Model=r_bridge.Model, Sequential=r_bridge.Sequential,
        model_to_dot=model_to_dot,
    )  # fmt: skip


def models(ns: SimpleNamespace) -> dict[str, Any]:
    """Sequential; branched Functional with two inputs, two outputs and a
    shared layer; a Functional holding a Sequential and a Functional;
    a frozen layer. Explicit names: the two libraries' counters may differ."""
    L = ns.layers
    seq = ns.Sequential(
        [
            ns.Input((4,), name="x"),
            L.Dense(8, activation="relu", name="hidden"),
            L.Dropout(0.5, name="drop"),
            L.Activation("tanh", name="act"),
            L.Dense(1, name="out"),
        ],
        name="seq",
    )
    a, b = ns.Input((4,), name="a"), ns.Input((3,), name="b")
    shared = L.Dense(5, activation="relu", name="shared")
    x = shared(a)
    z = shared(L.Dense(4, name="proj")(b))
    head1 = L.Dense(2, name="head1")(x)
    head2 = L.Dense(1, activation="sigmoid", name="head2")(z)
    branched = ns.Model([a, b], [head1, head2], name="branched")

    inner_seq = ns.Sequential(
        [ns.Input((6,), name="s_in"), L.Dense(3, name="s1"), L.Dense(2, name="s2")], name="inner_seq"
    )
    fi = ns.Input((2,), name="f_in")
    inner_fun = ns.Model(fi, L.Dense(2, name="f1")(fi), name="inner_fun")
    o = ns.Input((6,), name="outer_in")
    flat = L.Flatten(name="flat")(o)
    nested = ns.Model(o, L.Dense(1, name="last")(inner_fun(inner_seq(flat))), name="outer")

    frozen_layer = L.Dense(3, name="frozen")
    frozen = ns.Sequential([ns.Input((2,), name="fz_in"), frozen_layer, L.Dense(1, name="thawed")], name="fz")
    frozen_layer.trainable = False
    seq_in = ns.Sequential(
        [ns.Input((4,), name="si_in"), L.Dense(3, name="i1"), L.Dense(2, name="i2")], name="seq_in"
    )
    seq_out = ns.Sequential([ns.Input((4,), name="so_in"), seq_in, L.Dense(1, name="o1")], name="seq_out")
    # A model with dict inputs and two outputs, nested: its node shows them.
    dx, dy = ns.Input((4,), name="x"), ns.Input((2,), name="y")
    dict_inner = ns.Model(
        {"x": dx, "y": dy}, [L.Dense(1, name="dx")(dx), L.Dense(1, name="dy")(dy)], name="dict_inner"
    )
    o1, o2 = ns.Input((4,), name="o1"), ns.Input((2,), name="o2")
    dict_outer = ns.Model([o1, o2], dict_inner({"x": o1, "y": o2}), name="dict_outer")
    return {"seq": seq, "branched": branched, "nested": nested, "frozen": frozen, "seq_in_seq": seq_out,
            "dict_nested": dict_outer}  # fmt: skip


def _layer_names(model: Any, out: dict[str, str]) -> dict[str, str]:
    out[str(id(model))] = model.name
    for layer in getattr(model, "layers", []):
        _layer_names(layer, out)
    for t in getattr(model, "inputs", None) or []:  # a Sequential's input layer is not in .layers
        history = t._keras_history
        op = history[0] if isinstance(history, tuple) else history.operation
        out[str(id(op))] = op.name
    return out


def _nodes(dot: Any, names: dict[str, str], cluster: str = "") -> list[list[str]]:
    rows = [[cluster, names.get(n.get_name(), n.get_name()), str(n.get("label"))] for n in dot.get_nodes()]
    for sub in dot.get_subgraphs():
        rows += _nodes(sub, names, cluster + "/" + sub.get_name())
    return rows


def _edges(dot: Any, names: dict[str, str]) -> list[list[str]]:
    rows = [
        [names[e.get_source()], names[e.get_destination()], str(e.get("penwidth"))] for e in dot.get_edges()
    ]
    for sub in dot.get_subgraphs():
        rows += _edges(sub, names)
    return rows


def describe(dot: Any, model: Any) -> dict[str, Any]:
    """Nodes (cluster, layer name, label), edges (by layer name) and the
    graph's attributes."""
    names = _layer_names(model, {})
    return {
        "nodes": _nodes(dot, names),
        "edges": _edges(dot, names),
        "attributes": {k: str(v) for k, v in dot.get_attributes().items()},
        "node_defaults": [str(d) for d in dot.get_node_defaults()],
    }


def graphs(ns: SimpleNamespace) -> dict[str, Any]:
    out = {}
    for mname, model in models(ns).items():
        for oname, opts in OPTIONS.items():
            out[f"{mname}/{oname}"] = describe(ns.model_to_dot(model, **opts), model)
    return out


if __name__ == "__main__":
    ns = keras_namespace() if sys.argv[1] == "keras" else r_bridge_namespace()
    print(json.dumps(graphs(ns)))
