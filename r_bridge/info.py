"""``session_info()``: what the session holds, as a pandas DataFrame.

pandas is an optional dependency (the ``pandas`` extra of the ``rbridge``
distribution): R's ``session_info()`` builds its data frame in R and never
needs it.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from r_bridge import session

if TYPE_CHECKING:
    import pandas as pd

PANDAS_MISSING = (
    "r_bridge.session_info() returns a pandas DataFrame, and pandas is not installed. "
    "Install it with `pip install pandas`, or install r_bridge with its pandas extra: "
    "`pip install 'rbridge[pandas]'` (the distribution is named rbridge; "
    "'r-bridge' and 'r_bridge' on the package index are an unrelated project)."
)


def session_info() -> pd.DataFrame:
    """One row per name counter, plus the facts that explain surprising names.

    Returns:
        ``pandas.DataFrame`` with columns ``prefix`` and ``count`` (the
        counters behind auto-names and ``get_uid``, in first-use order).
        ``DataFrame.attrs`` holds ``thread`` (whose state this is; each
        thread has its own), ``name_scope``, ``handles`` (objects held for R
        through ``r_bridge.api``), ``config`` (every setting) and ``keras``
        (whether the session is shared with Keras 3 in this process, and
        its version: :func:`r_bridge.keras_link.status`).

    Raises:
        ImportError: pandas is not installed (it is the ``pandas`` extra:
            ``pip install 'rbridge[pandas]'``).
    """
    try:
        import pandas as pd  # imported lazily: `import r_bridge` stays cheap
    except ImportError as e:
        raise ImportError(PANDAS_MISSING, name="pandas") from e

    snap = session.snapshot()
    # Objects held for R: counted by the bridge's table, if a host loaded the
    # bridge (the core never imports it; without it, nothing is held).
    api = sys.modules.get("r_bridge.api")
    snap["handles"] = len(api.table) if api is not None else 0
    snap["api_version"] = api.API_VERSION if api is not None else None
    df = pd.DataFrame(
        {"prefix": list(snap["uids"]), "count": list(snap["uids"].values())},
        columns=["prefix", "count"],
    ).astype({"prefix": "object", "count": "int64"})
    df.attrs.update({k: v for k, v in snap.items() if k != "uids"})
    return df
