"""Utilities with Keras's names (``keras.utils``): pictures of models.

>>> from r_bridge.utils import plot_model, model_to_dot

Nothing here imports pydot until a picture is asked for.
"""

from __future__ import annotations

from r_bridge.utils.model_visualization import model_to_dot, plot_model

__all__ = ["model_to_dot", "plot_model"]
