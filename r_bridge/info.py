"""``session_info()``: what the session holds, as a pandas DataFrame."""

from __future__ import annotations


def session_info():
    """One row per name counter, plus the facts that explain surprising names.

    Returns:
        ``pandas.DataFrame`` with columns ``prefix`` and ``count`` (the
        counters behind auto-names and ``get_uid``, in first-use order).
        ``DataFrame.attrs`` holds ``thread`` (whose state this is; each
        thread has its own), ``name_scope``, ``handles`` (objects held for R
        through ``r_bridge.api``) and ``config`` (every setting).
    """
    import pandas as pd  # imported lazily: `import r_bridge` stays cheap

    from r_bridge import api

    snap = api.session_snapshot()
    df = pd.DataFrame(
        {"prefix": list(snap["uids"]), "count": list(snap["uids"].values())},
        columns=["prefix", "count"],
    ).astype({"prefix": "object", "count": "int64"})
    df.attrs.update({k: v for k, v in snap.items() if k != "uids"})
    return df
