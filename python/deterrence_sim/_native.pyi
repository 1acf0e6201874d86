"""Type stubs of the native module (Rust, PyO3): the deterrence-sim library's jobs, each run
with the GIL released. Tables come back as (file name, CSV text, [(column, kind)])."""

from typing import List, Optional, Sequence, Tuple

Table = Tuple[str, str, List[Tuple[str, str]]]

__version__: str
DEFAULT_TOML: str

def run(
    kind: str,
    value: str,
    seed: Optional[int] = None,
    runs: Optional[int] = None,
    periods: Optional[int] = None,
    sets: Sequence[str] = ...,
    threads: Optional[int] = None,
    per_run: bool = True,
) -> Tuple[List[Table], str]: ...
def evaluate(
    kind: str,
    value: str,
    params: Sequence[str],
    points: Sequence[Sequence[float]],
    regimes: Optional[Sequence[str]] = None,
    metric: str = "success_rate",
    replicates: int = 1000,
    seed: Optional[int] = None,
    crn: bool = True,
    threads: Optional[int] = None,
    periods: Optional[int] = None,
    per_run: bool = False,
) -> Tuple[Table, Optional[Table]]: ...
def replay(
    kind: str,
    value: str,
    regime: str,
    run: int,
    seed: Optional[int] = None,
    periods: Optional[int] = None,
    sets: Sequence[str] = ...,
    with_force: bool = True,
) -> str: ...
def regimes(kind: str, value: str, regimes: Optional[Sequence[str]] = None) -> List[str]: ...
def metrics() -> List[str]: ...
