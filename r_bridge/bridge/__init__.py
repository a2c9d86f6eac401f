"""The bridge between a host language (R) and the r_bridge session.

* :mod:`.handles`: the handle table (objects held for the host);
* :mod:`.dispatch`: the one entry point every transport calls;
* :mod:`.arrays`: arrays as buffers, for hosts without NumPy conversion;
* :mod:`.rhost`: Python hosting R through rpy2.

The core (state, naming, config, layers, models) never imports this package.
"""
