"""DataFrames from the tables the engine writes.

The native module hands over each table as the CSV text the CLI writes (the same bytes as its
file) with the column types of the library's table schema (``src/report/tables.rs``). Here that
text is read with pandas using those types, so a DataFrame holds exactly the values of the
CLI's file: whole numbers as ``int64`` (``Int64`` where a cell can be empty), ``true``/``false``
as ``boolean``, real numbers as ``float64`` (``NaN`` where undefined), names as ``string``.
"""

from __future__ import annotations

import io
from typing import List, Sequence, Tuple

import pandas as pd

# pandas 3 reads floats exactly by default and deprecates the option; older pandas needs it.
_EXACT = {} if int(pd.__version__.split(".")[0]) >= 3 else {"float_precision": "round_trip"}

#: The pandas dtype of each column kind of the library's schema.
DTYPES = {
    "text": "string",
    "int": "int64",
    "optint": "Int64",
    "bool": "boolean",
    "float": "float64",
    "exact": "float64",
}


def frame(text: str, columns: Sequence[Tuple[str, str]]) -> pd.DataFrame:
    """Read one table's CSV text with its schema's dtypes (an error if the header differs)."""
    header = text.split("\n", 1)[0].split(",") if text else []
    names: List[str] = [c for c, _ in columns]
    if header != names:
        raise RuntimeError(f"table header {header} does not match its schema {names}")
    kinds = dict(columns)
    dtype = {c: DTYPES[k] for c, k in columns if k not in ("int", "optint", "bool")}
    df = pd.read_csv(
        io.StringIO(text),
        dtype=dtype,
        keep_default_na=False,
        na_values={c: [""] for c, k in columns if k in ("float", "exact", "optint")},
        **_EXACT,
    )
    # Integers and booleans are converted after reading, so that an empty cell (only allowed in
    # an optional integer) becomes <NA> and anything else fails loudly.
    for c, k in kinds.items():
        if k == "int":
            df[c] = df[c].astype("int64")
        elif k == "optint":
            df[c] = df[c].astype("Int64")
        elif k == "bool":
            df[c] = df[c].map({"true": True, "false": False, True: True, False: False}).astype("boolean")
    return df
