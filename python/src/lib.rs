//! `deterrence_sim._native`: the Python bindings of the `deterrence-sim` library. Each function
//! loads a config the way the CLI does, runs the library's own job (`app::run::collect`,
//! `study::matrix`, `app::replay`) with the GIL released, and hands back the tables as the CSV
//! text the CLI writes with their column types; the Python modules beside it build the
//! DataFrames. Input errors become `ValueError` with the message the CLI prints.

use deterrence_sim::app::load::{parse_set, Loaded, Overrides, SetValue, BUILTIN};
use deterrence_sim::report::tables::Kind;
use deterrence_sim::sim::batch::Silent;
use deterrence_sim::study::matrix::{self, Matrix};
use deterrence_sim::study::spec::Metric;
use pyo3::exceptions::{PyOSError, PyValueError};
use pyo3::prelude::*;
use std::path::PathBuf;

/// How a config given as TOML text is named in messages and the manifest.
const TEXT_ORIGIN: &str = "<config text>";

/// The library's error as a Python exception: input errors (exit code 2 in the CLI) are
/// `ValueError`, failures of the environment (I/O, charts) `OSError`; the message is the CLI's.
fn py_err(e: deterrence_sim::Error) -> PyErr {
    if e.is_user_error() {
        PyValueError::new_err(e.to_string())
    } else {
        PyOSError::new_err(e.to_string())
    }
}

/// A column kind's name in the schema handed to Python.
fn kind_name(k: Kind) -> &'static str {
    match k {
        Kind::Text => "text",
        Kind::Int => "int",
        Kind::OptInt => "optint",
        Kind::Bool => "bool",
        Kind::Float => "float",
        Kind::Exact => "exact",
    }
}

fn schema(cols: Vec<(String, Kind)>) -> Vec<(String, &'static str)> {
    cols.into_iter().map(|(n, k)| (n, kind_name(k))).collect()
}

/// The config argument as the Python layer classified it: `("path", p)`, `("text", toml)` or
/// `("builtin", "")`.
fn load(kind: &str, value: &str) -> deterrence_sim::Result<Loaded> {
    match kind {
        "path" => Loaded::from(Some(&PathBuf::from(value))),
        "text" => Loaded::from_text(value, TEXT_ORIGIN),
        _ => Loaded::builtin(),
    }
}

/// The base config's text and origin, for a study over it.
fn base_text(kind: &str, value: &str) -> deterrence_sim::Result<(String, String)> {
    match kind {
        "path" => {
            let p = PathBuf::from(value);
            Ok((deterrence_sim::input::read_config(&p)?, p.display().to_string()))
        }
        "text" => Ok((value.to_string(), TEXT_ORIGIN.to_string())),
        _ => Ok((
            deterrence_sim::model::config::DEFAULT_TOML.to_string(),
            BUILTIN.to_string(),
        )),
    }
}

/// `--set PATH=VALUE` edits from `PATH=VALUE` strings, parsed as the CLI parses them.
fn parse_sets(sets: Vec<String>) -> PyResult<Vec<(String, SetValue)>> {
    sets.iter()
        .map(|s| parse_set(s).map_err(|m| PyValueError::new_err(format!("option `--set`: {m}"))))
        .collect()
}

/// A table handed to Python: (file name, CSV text, [(column, kind)]).
type TableOut = (String, String, Vec<(String, &'static str)>);

/// Run every regime of the config (as `deterrence-sim run`) and return (tables, manifest JSON).
#[pyfunction]
#[pyo3(signature = (kind, value, seed=None, runs=None, periods=None, sets=Vec::new(), threads=None, per_run=true))]
#[allow(clippy::too_many_arguments)]
fn run(
    py: Python<'_>,
    kind: &str,
    value: &str,
    seed: Option<u64>,
    runs: Option<u64>,
    periods: Option<u64>,
    sets: Vec<String>,
    threads: Option<usize>,
    per_run: bool,
) -> PyResult<(Vec<TableOut>, String)> {
    let o = Overrides {
        seed,
        runs,
        periods,
        threads,
        sets: parse_sets(sets)?,
        baseline: None,
    };
    let (kind, value) = (kind.to_string(), value.to_string());
    let collected = py
        .detach(move || {
            let loaded = load(&kind, &value)?;
            deterrence_sim::app::run::collect(loaded, &o, per_run, "run (Python)", &Silent)
        })
        .map_err(py_err)?;
    let tables = collected
        .tables
        .into_iter()
        .map(|t| (t.name.to_string(), t.text, schema(t.columns)))
        .collect();
    let manifest =
        serde_json::to_string(&collected.manifest).map_err(|e| PyValueError::new_err(e.to_string()))?;
    Ok((tables, manifest))
}

/// Evaluate a design matrix: every row a point of a table sweep (as `deterrence-sim sweep`);
/// returns (points.csv table, runs.csv table or None).
#[pyfunction]
#[pyo3(signature = (kind, value, params, points, regimes=None, metric="success_rate", replicates=1000, seed=None, crn=true, threads=None, periods=None, per_run=false))]
#[allow(clippy::too_many_arguments)]
fn evaluate(
    py: Python<'_>,
    kind: &str,
    value: &str,
    params: Vec<String>,
    points: Vec<Vec<f64>>,
    regimes: Option<Vec<String>>,
    metric: &str,
    replicates: u64,
    seed: Option<u64>,
    crn: bool,
    threads: Option<usize>,
    periods: Option<u64>,
    per_run: bool,
) -> PyResult<(TableOut, Option<TableOut>)> {
    Metric::parse(metric, "evaluate()").map_err(py_err)?;
    let (kind, value) = (kind.to_string(), value.to_string());
    let (sweep, (text, runs)) = py
        .detach(move || {
            let (base_toml, base_origin) = base_text(&kind, &value)?;
            let m = Matrix {
                label: "evaluate()".into(),
                base_toml,
                base_origin,
                params,
                points,
                regimes,
                replicates,
                seed,
                crn,
                threads,
                periods,
            };
            let sweep = m.sweep()?;
            let out = matrix::evaluate(&sweep, per_run, &Silent)?;
            Ok::<_, deterrence_sim::Error>((sweep, out))
        })
        .map_err(py_err)?;
    let points = (
        "points.csv".to_string(),
        text,
        schema(matrix::points_columns(&sweep)),
    );
    let runs = runs.map(|t| ("runs.csv".to_string(), t, schema(matrix::runs_columns(&sweep))));
    Ok((points, runs))
}

/// One run's trace (as `deterrence-sim replay --json`), as JSON text.
#[pyfunction]
#[pyo3(signature = (kind, value, regime, run, seed=None, periods=None, sets=Vec::new(), with_force=true))]
#[allow(clippy::too_many_arguments)]
fn replay(
    py: Python<'_>,
    kind: &str,
    value: &str,
    regime: String,
    run: u64,
    seed: Option<u64>,
    periods: Option<u64>,
    sets: Vec<String>,
    with_force: bool,
) -> PyResult<String> {
    let o = Overrides {
        seed,
        periods,
        sets: parse_sets(sets)?,
        ..Default::default()
    };
    let (kind, value) = (kind.to_string(), value.to_string());
    let trace = py
        .detach(move || {
            let loaded = load(&kind, &value)?;
            deterrence_sim::app::replay::replay(loaded, &o, &regime, run, with_force)
        })
        .map_err(py_err)?;
    serde_json::to_string_pretty(&trace).map_err(|e| PyValueError::new_err(e.to_string()))
}

/// The regimes `evaluate` reports for this config and `regimes` (with the baseline `none`).
#[pyfunction]
#[pyo3(signature = (kind, value, regimes=None))]
fn regimes(kind: &str, value: &str, regimes: Option<Vec<String>>) -> PyResult<Vec<String>> {
    let (text, origin) = base_text(kind, value).map_err(py_err)?;
    matrix::regimes_run("evaluate()", &text, &origin, regimes.as_ref()).map_err(py_err)
}

/// The metrics `evaluate` can return (the study files' `output.metric`).
#[pyfunction]
fn metrics() -> Vec<&'static str> {
    Metric::ALL.map(Metric::name).to_vec()
}

/// The native module.
#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(run, m)?)?;
    m.add_function(wrap_pyfunction!(evaluate, m)?)?;
    m.add_function(wrap_pyfunction!(replay, m)?)?;
    m.add_function(wrap_pyfunction!(metrics, m)?)?;
    m.add_function(wrap_pyfunction!(regimes, m)?)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add("DEFAULT_TOML", deterrence_sim::model::config::DEFAULT_TOML)?;
    Ok(())
}
