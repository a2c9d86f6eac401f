"""``Model``: a layer made of layers; ``Model(inputs, outputs)`` is Functional."""

from __future__ import annotations

from r_bridge.layers.layer import Layer
from r_bridge.models.summary import summary_text


class Model(Layer):
    """A group of layers with ``layers``, weights, ``predict`` and ``summary``.

    ``Model(inputs, outputs, name=None)`` builds a functional model (returns
    a :class:`~r_bridge.models.functional.Functional`, auto-named
    ``functional``, ``functional_1``, ...), as in Keras.
    """

    def __new__(cls, *args, **kwargs):
        if cls is Model and (args or "inputs" in kwargs or "outputs" in kwargs):
            from r_bridge.models.functional import Functional

            return super().__new__(Functional)
        return super().__new__(cls)

    @property
    def layers(self) -> list:
        """The model's layers, in Keras's order (empty for the base class)."""
        return []

    @property
    def weights(self) -> list:
        """Every layer's weight arrays (live, not copies), each shared layer once."""
        seen, out = set(), []
        for layer in self.layers:
            if id(layer) not in seen:
                seen.add(id(layer))
                out.extend(layer.weights)
        return out

    def count_params(self) -> int:
        """Total number of scalars in the weights, each shared layer counted once.

        Raises:
            ValueError: if the model is not built (as for a layer).
        """
        if not self.built:
            return super().count_params()
        # Count each weight once: a layer added twice (shared) owns one set of weights.
        return int(sum(w.size for w in self.weights))

    def summary_text(self) -> str:
        """The Keras-like summary table as a string."""
        return summary_text(self)

    def summary(self, print_fn=None):
        """Print the summary table (or pass it to ``print_fn``)."""
        (print_fn or print)(self.summary_text())
