"""pandas DataFrames of results and trends, for analysts working in notebooks (pandas is optional)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

PANDAS_MISSING = (
    "to_pandas() needs pandas, which is not installed; install it with `pip install pandas` "
    "(or use to_dicts() / `newsmon export --format csv|jsonl|parquet`)"
)


def data_frame(records: Sequence[dict[str, Any]]) -> Any:
    """A pandas DataFrame of plain records; ImportError saying how to get pandas when it is missing."""
    try:
        import pandas
    except ImportError as exc:
        raise ImportError(PANDAS_MISSING) from exc
    return pandas.DataFrame.from_records(list(records))
