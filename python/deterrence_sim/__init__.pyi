"""Type stubs of deterrence_sim (the engine of the deterrence-sim CLI from Python)."""

import os
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple, Union

import pandas as pd

ConfigArg = Union[str, os.PathLike[str], None]

__version__: str
DEFAULT_TOML: str
METRICS: Tuple[str, ...]

class Results:
    summary: pd.DataFrame
    force_effect: pd.DataFrame
    guarantors: pd.DataFrame
    timeline: pd.DataFrame
    runs: Optional[pd.DataFrame]
    manifest: Dict[str, Any]
    def csv(self, name: str) -> str: ...
    def to_csv(self, directory: Union[str, os.PathLike[str]]) -> List[Path]: ...
    def to_parquet(self, directory: Union[str, os.PathLike[str]]) -> List[Path]: ...

def run(
    config: ConfigArg = None,
    *,
    seed: Optional[int] = None,
    runs: Optional[int] = None,
    periods: Optional[int] = None,
    set: Optional[Mapping[str, Union[float, int, bool]]] = None,
    threads: Optional[int] = None,
    per_run: bool = True,
) -> Results: ...
def replay(
    config: ConfigArg = None,
    *,
    regime: str,
    run: int,
    seed: Optional[int] = None,
    periods: Optional[int] = None,
    set: Optional[Mapping[str, Union[float, int, bool]]] = None,
    force: str = "with",
) -> Dict[str, Any]: ...
def regimes(config: ConfigArg = None, regimes: Optional[Sequence[str]] = None) -> List[str]: ...
def evaluate(
    X: Any,
    params: Sequence[str],
    *,
    regimes: Optional[Sequence[str]] = None,
    metric: str = "success_rate",
    replicates: int = 1000,
    seed: Optional[int] = None,
    common_random_numbers: bool = True,
    config: ConfigArg = None,
    threads: Optional[int] = None,
    periods: Optional[int] = None,
    full: bool = False,
) -> pd.DataFrame: ...
