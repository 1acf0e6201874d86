//! A calibration file as written ([`RawCalibration`], serde) and validated ([`Calibration`],
//! private fields, enums for every setting): the base config, the priors by dotted path, the
//! named honouring definitions, the targets (a regime's simulated statistic against an observed
//! value with its likelihood or band, and the `targets.csv` row it comes from) and the ABC-SMC
//! settings. Errors name the file, the field and what is allowed (exit code 2).

use crate::input::check_size;
use crate::model::config::{ForceDesign, RawConfig};
use crate::model::validate::Model;
use crate::report::files::sha256_hex;
use crate::stats::abc::Prior;
use crate::study::spec::{check_name, load_base, Design, Sweep};
use crate::{Error, Result};
use indexmap::IndexMap;
use serde::{Deserialize, Serialize};
use std::path::Path;

/// Most particles per generation.
pub const MAX_PARTICLES: u64 = 100_000;
/// Most generations (the stream of a candidate is (generation << 24) | index, see
/// [`Calibration::stream_point`]).
pub const MAX_GENERATIONS: u64 = 200;
/// Most candidates one generation may simulate (below 2^24).
pub const MAX_SIMULATIONS: u64 = (1 << 24) - 1;

/// A calibration file as written (README "Calibration").
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCalibration {
    /// Names the output directory (default: the file's stem).
    #[serde(default)]
    pub name: Option<String>,
    /// Base config, relative to this file (default: the built-in default).
    #[serde(default)]
    pub base: Option<String>,
    /// `targets.csv` of the empirical folder, relative to this file: when given, every
    /// target's `row` must be one of its ids.
    #[serde(default)]
    pub targets_csv: Option<String>,
    /// Seed of every stream (default: the base config's `run.seed`; `--seed` overrides it).
    #[serde(default)]
    pub seed: Option<u64>,
    /// Runs per regime simulated for each particle (the replicates behind its statistics).
    pub replicates: u64,
    /// Horizon in months replacing the base config's `run.periods`.
    #[serde(default)]
    pub periods: Option<u64>,
    /// The arm of the reassurance force every simulation runs: "without" (default) or "with".
    #[serde(default)]
    pub reassurance_force: Option<ForceDesign>,
    /// The sampler's settings.
    pub method: RawMethod,
    /// Named honouring definitions: name -> responses that count as honouring.
    #[serde(default)]
    pub honouring: IndexMap<String, Vec<String>>,
    /// The priors, one per calibrated parameter.
    #[serde(default)]
    pub priors: Vec<RawPrior>,
    /// The targets.
    #[serde(default)]
    pub targets: Vec<RawTarget>,
}

/// The `[method]` table.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawMethod {
    /// "abc_smc" (the only method).
    pub kind: String,
    /// Particles per generation, 2 to [`MAX_PARTICLES`].
    pub particles: u64,
    /// Most generations after the prior one, 1 to [`MAX_GENERATIONS`].
    pub generations: u64,
    /// The next tolerance is this weighted quantile of the last population's distances, in
    /// (0, 1) (default 0.5).
    #[serde(default)]
    pub quantile: Option<f64>,
    /// Stop when a generation accepts fewer than this share of its candidates, in (0, 1]
    /// (default 0.02).
    #[serde(default)]
    pub min_acceptance: Option<f64>,
    /// Stop once the tolerance is at or below this, ≥ 0 (default 0: only the other rules stop).
    #[serde(default)]
    pub final_tolerance: Option<f64>,
    /// Most candidates simulated in one generation (default 50 × particles, at most
    /// [`MAX_SIMULATIONS`]); a generation that reaches it without enough accepted particles
    /// is dropped and the sampler stops.
    #[serde(default)]
    pub max_simulations: Option<u64>,
}

/// One `[[priors]]` entry.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPrior {
    /// Dotted path into the base config.
    pub path: String,
    /// "uniform", "log_uniform" or "beta".
    pub kind: String,
    /// `[low, high]`.
    pub range: Vec<f64>,
    /// beta: first shape parameter.
    #[serde(default)]
    pub a: Option<f64>,
    /// beta: second shape parameter.
    #[serde(default)]
    pub b: Option<f64>,
}

/// One `[[targets]]` entry.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawTarget {
    /// A short name (letters, digits, `_`, `-`).
    pub name: String,
    /// The id of its row in `targets.csv` (required, except for an assumption, where it names
    /// the row the assumption leans on, if any).
    #[serde(default)]
    pub row: Option<String>,
    /// An assumption: where it comes from (required for role = "assumption", refused otherwise).
    #[serde(default)]
    pub basis: Option<String>,
    /// The regime whose statistic is compared.
    pub regime: String,
    /// "probe_hazard", "offensive_hazard_ratio", "initiation_hazard_ratio", "honoured_share" or
    /// "p_offensive".
    pub statistic: String,
    /// honoured_share: "regime" (the regime's own `honouring` set) or a name in `[honouring]`.
    #[serde(default)]
    pub definition: Option<String>,
    /// offensive_hazard_ratio and initiation_hazard_ratio: the regime in the denominator.
    #[serde(default)]
    pub versus: Option<String>,
    /// "binomial", "poisson", "band" or "normal".
    pub likelihood: String,
    /// binomial: observed successes.
    #[serde(default)]
    pub successes: Option<u64>,
    /// binomial: observed trials.
    #[serde(default)]
    pub trials: Option<u64>,
    /// poisson: observed events.
    #[serde(default)]
    pub count: Option<u64>,
    /// poisson: exposure (e.g. months) the events were counted over.
    #[serde(default)]
    pub exposure: Option<f64>,
    /// band: `[low, high]`.
    #[serde(default)]
    pub band: Option<Vec<f64>>,
    /// normal: observed value.
    #[serde(default)]
    pub value: Option<f64>,
    /// normal: its standard deviation (> 0).
    #[serde(default)]
    pub sd: Option<f64>,
    /// "fit" (default: evidence, enters the distance), "assumption" (a labelled scenario
    /// assumption, not evidence, that also enters the distance) or "check" (reported in the
    /// posterior predictive only).
    #[serde(default)]
    pub role: Option<String>,
}

/// What a target is to the calibration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Evidence (a `targets.csv` row): enters the distance.
    Fit,
    /// A scenario assumption the posterior is conditioned on, not evidence (its `basis` says
    /// where it comes from): enters the distance, and every output labels it.
    Assumption,
    /// A posterior predictive check only.
    Check,
}

impl Role {
    /// The name as written.
    pub fn name(self) -> &'static str {
        match self {
            Role::Fit => "fit",
            Role::Assumption => "assumption",
            Role::Check => "check",
        }
    }

    /// Whether the target enters the distance.
    pub fn enters_distance(self) -> bool {
        matches!(self, Role::Fit | Role::Assumption)
    }
}

/// A simulated statistic a target compares (docs/MODEL.md §14).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Statistic {
    /// Probes per month simulated (Russia's monthly P(probe) while no offensive has come).
    ProbeHazard,
    /// The regime's monthly hazard of a major offensive over that of `versus`, paired on the
    /// same streams.
    OffensiveHazardRatio,
    /// The regime's monthly hazard of an initiation (a probe or a major offensive) over that of
    /// `versus`, paired on the same streams: conflict initiation as the MID literature counts it.
    InitiationHazardRatio,
    /// The share of bound guarantors' decided calls answered by a response of the definition.
    HonouredShare,
    /// P(major offensive within the horizon) = 1 − success.
    POffensive,
}

impl Statistic {
    /// Every statistic.
    pub const ALL: [Statistic; 5] = [
        Statistic::ProbeHazard,
        Statistic::OffensiveHazardRatio,
        Statistic::InitiationHazardRatio,
        Statistic::HonouredShare,
        Statistic::POffensive,
    ];
    /// The name as written.
    pub fn name(self) -> &'static str {
        match self {
            Statistic::ProbeHazard => "probe_hazard",
            Statistic::OffensiveHazardRatio => "offensive_hazard_ratio",
            Statistic::InitiationHazardRatio => "initiation_hazard_ratio",
            Statistic::HonouredShare => "honoured_share",
            Statistic::POffensive => "p_offensive",
        }
    }

    /// Whether it is a ratio of hazards against `versus` (compared on the log scale).
    pub fn is_hazard_ratio(self) -> bool {
        matches!(
            self,
            Statistic::OffensiveHazardRatio | Statistic::InitiationHazardRatio
        )
    }
}

/// How a target's observation enters the distance.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Observation {
    /// `successes` of `trials` (a share; observation variance p(1 − p)/n).
    Binomial {
        /// Successes.
        successes: u64,
        /// Trials.
        trials: u64,
    },
    /// `count` events over `exposure` (a rate; variance count / exposure²).
    Poisson {
        /// Events.
        count: u64,
        /// Exposure.
        exposure: f64,
    },
    /// A band: no discrepancy inside it; outside, the distance to the nearest edge.
    Band {
        /// Lower edge.
        low: f64,
        /// Upper edge.
        high: f64,
    },
    /// A value with a standard deviation.
    Normal {
        /// Value.
        value: f64,
        /// Standard deviation.
        sd: f64,
    },
}

impl Observation {
    /// The observed point value and its variance (a band: its midpoint and variance 0).
    pub fn value_var(&self) -> (f64, f64) {
        match *self {
            Observation::Binomial { successes, trials } => {
                let p = successes as f64 / trials as f64;
                // Wilson-style floor so that 0 of n or n of n still has a variance.
                let q = (successes as f64 + 0.5) / (trials as f64 + 1.0);
                (p, q * (1.0 - q) / trials as f64)
            }
            Observation::Poisson { count, exposure } => (
                count as f64 / exposure,
                (count as f64).max(0.5) / (exposure * exposure),
            ),
            Observation::Band { low, high } => (0.5 * (low + high), 0.0),
            Observation::Normal { value, sd } => (value, sd * sd),
        }
    }

    /// The interval shown in charts: a band's edges, else value ± 1.96 sd.
    pub fn interval(&self) -> (f64, f64) {
        match *self {
            Observation::Band { low, high } => (low, high),
            _ => {
                let (v, s2) = self.value_var();
                (v - 1.96 * s2.sqrt(), v + 1.96 * s2.sqrt())
            }
        }
    }
}

/// Which responses count as honouring for a target's honoured share.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Definition {
    /// The regime's own `honouring` set ("did what was promised"): the engine's honoured share.
    Regime,
    /// A named set of responses (indices into the model's responses); counted over the bound
    /// guarantors able to give at least one of them under the regime.
    Named {
        /// The name in `[honouring]`.
        name: String,
        /// The responses.
        responses: Vec<usize>,
    },
}

impl Definition {
    /// The name as written.
    pub fn name(&self) -> &str {
        match self {
            Definition::Regime => "regime",
            Definition::Named { name, .. } => name,
        }
    }
}

/// A validated target.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Target {
    /// Its name.
    pub name: String,
    /// Its `targets.csv` row id (empty for an assumption that names none).
    pub row: String,
    /// For an assumption, where it comes from.
    pub basis: Option<String>,
    /// The regime's index in the model.
    pub regime: usize,
    /// The regime's name.
    pub regime_name: String,
    /// The statistic.
    pub statistic: Statistic,
    /// For a hazard ratio, the denominator regime's index.
    pub versus: Option<usize>,
    /// For an honoured share, the definition.
    pub definition: Definition,
    /// The observation.
    pub observation: Observation,
    /// Evidence, assumption or check.
    pub role: Role,
}

impl Target {
    /// Whether it enters the distance (evidence or assumption; a check does not).
    pub fn fit(&self) -> bool {
        self.role.enters_distance()
    }
}

/// The sampler's settings, validated.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Method {
    /// Particles per generation.
    pub particles: usize,
    /// Most generations after the prior one.
    pub generations: usize,
    /// Quantile of the distances that gives the next tolerance.
    pub quantile: f64,
    /// Stop below this acceptance.
    pub min_acceptance: f64,
    /// Stop at or below this tolerance.
    pub final_tolerance: f64,
    /// Most candidates per generation.
    pub max_simulations: usize,
}

/// A prior on one dotted path.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Parameter {
    /// The dotted path.
    pub path: String,
    /// The prior.
    pub prior: Prior,
}

impl Parameter {
    /// The prior.
    pub fn prior(&self) -> Prior {
        self.prior
    }

    /// The prior's kind as written in a calibration file.
    pub fn kind(&self) -> &'static str {
        match self.prior {
            Prior::Uniform { .. } => "uniform",
            Prior::LogUniform { .. } => "log_uniform",
            Prior::Beta { .. } => "beta",
        }
    }

    /// Beta shapes (1, 1 for the others).
    pub fn shapes(&self) -> (f64, f64) {
        match self.prior {
            Prior::Beta { a, b, .. } => (a, b),
            _ => (1.0, 1.0),
        }
    }
}

/// A validated calibration. Stored as `calibration-state.json` (with the generations done), so
/// `--resume` can check it is the same calibration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Calibration {
    name: String,
    file: String,
    file_sha256: String,
    base_origin: String,
    base_toml: String,
    seed: u64,
    replicates: u64,
    periods: Option<u64>,
    force: bool,
    regimes: Vec<String>,
    method: Method,
    parameters: Vec<Parameter>,
    targets: Vec<Target>,
    threads: usize,
}

/// Overrides from the command line.
#[derive(Debug, Clone, Default)]
pub struct CalibrationOverrides {
    /// `--seed`.
    pub seed: Option<u64>,
    /// `--threads`.
    pub threads: Option<usize>,
}

const PRIOR_KINDS: &str = "\"uniform\", \"log_uniform\", \"beta\"";
const LIKELIHOODS: &str = "\"binomial\", \"poisson\", \"band\", \"normal\"";

impl Calibration {
    /// Read and validate a calibration file.
    pub fn load(path: &Path, o: &CalibrationOverrides) -> Result<Calibration> {
        let file = path.display().to_string();
        let (raw, text): (RawCalibration, String) = crate::model::config::read_toml(path)?;
        let dir = path.parent().unwrap_or(Path::new("."));
        let (base_toml, base_origin, base_raw) = load_base(dir, raw.base.as_deref())?;
        let name = raw.name.clone().unwrap_or_else(|| {
            path.file_stem()
                .map(|s| s.to_string_lossy().to_string())
                .unwrap_or_else(|| "calibration".into())
        });
        check_name(&name, &file)?;
        let bad = |field: &str, m: String| Error::invalid(&file, field, m);
        let replicates = check_size(
            &file,
            "replicates",
            raw.replicates,
            2,
            crate::stats::rng::MAX_REPLICATE,
        )?;
        let threads = crate::study::spec::threads_of(o.threads, base_raw.run.threads)?;
        let force = match raw.reassurance_force.unwrap_or(ForceDesign::Without) {
            ForceDesign::Without => false,
            ForceDesign::With => true,
            ForceDesign::Both => {
                return Err(bad(
                    "reassurance_force",
                    "\"both\" is not supported: a calibration runs one arm; set \"without\" (default) or \"with\"".into(),
                ))
            }
        };
        if raw.method.kind != "abc_smc" {
            return Err(bad(
                "method.kind",
                format!("unknown `{}`; allowed: \"abc_smc\"", raw.method.kind),
            ));
        }
        let m = &raw.method;
        let particles = check_size(&file, "method.particles", m.particles, 2, MAX_PARTICLES)? as usize;
        let generations =
            check_size(&file, "method.generations", m.generations, 1, MAX_GENERATIONS)? as usize;
        let unit = |field: &str, v: f64, lo_open: bool, hi_closed: bool| -> Result<f64> {
            let ok =
                v.is_finite() && v > 0.0 && (v < 1.0 || (hi_closed && v == 1.0)) && (lo_open || v >= 0.0);
            if ok {
                Ok(v)
            } else {
                Err(bad(
                    field,
                    format!("must be in (0, 1{} (got {v})", if hi_closed { "]" } else { ")" }),
                ))
            }
        };
        let quantile = unit("method.quantile", m.quantile.unwrap_or(0.5), true, false)?;
        let min_acceptance = unit(
            "method.min_acceptance",
            m.min_acceptance.unwrap_or(0.02),
            true,
            true,
        )?;
        let final_tolerance = m.final_tolerance.unwrap_or(0.0);
        if !(final_tolerance.is_finite() && final_tolerance >= 0.0) {
            return Err(bad(
                "method.final_tolerance",
                format!("must be a finite number >= 0 (got {final_tolerance})"),
            ));
        }
        let max_simulations = check_size(
            &file,
            "method.max_simulations",
            m.max_simulations
                .unwrap_or(50 * particles as u64)
                .min(MAX_SIMULATIONS.max(particles as u64)),
            particles as u64,
            MAX_SIMULATIONS,
        )? as usize;
        let method = Method {
            particles,
            generations,
            quantile,
            min_acceptance,
            final_tolerance,
            max_simulations,
        };

        // Priors.
        if raw.priors.is_empty() {
            return Err(bad("priors", "must list at least one [[priors]] entry".into()));
        }
        let mut parameters = Vec::new();
        for (k, p) in raw.priors.iter().enumerate() {
            let f = |s: &str| format!("priors[{k}].{s}");
            if p.path.starts_with("run.") {
                return Err(bad(
                    &f("path"),
                    format!("`{}` cannot be calibrated (the calibration sets run.*)", p.path),
                ));
            }
            if raw.priors[..k].iter().any(|q| q.path == p.path) {
                return Err(bad(&f("path"), format!("`{}` is listed twice", p.path)));
            }
            if p.range.len() != 2 || !p.range.iter().all(|x| x.is_finite()) || p.range[0] >= p.range[1] {
                return Err(bad(
                    &f("range"),
                    format!("must be [low, high], finite, low < high (got {:?})", p.range),
                ));
            }
            let (lo, hi) = (p.range[0], p.range[1]);
            let prior = match p.kind.as_str() {
                "uniform" | "log_uniform" => {
                    if p.a.is_some() || p.b.is_some() {
                        return Err(bad(&f("a"), "a and b are for kind = \"beta\" only".into()));
                    }
                    if p.kind == "log_uniform" {
                        if lo <= 0.0 {
                            return Err(bad(&f("range"), format!("log_uniform needs low > 0 (got {lo})")));
                        }
                        Prior::LogUniform { low: lo, high: hi }
                    } else {
                        Prior::Uniform { low: lo, high: hi }
                    }
                }
                "beta" => {
                    let (Some(a), Some(b)) = (p.a, p.b) else {
                        return Err(bad(
                            &f("a"),
                            "kind = \"beta\" needs a and b (shape parameters > 0)".into(),
                        ));
                    };
                    if !(a.is_finite() && b.is_finite() && a > 0.0 && b > 0.0) {
                        return Err(bad(
                            &f("a"),
                            format!("beta shapes must be finite and > 0 (got a = {a}, b = {b})"),
                        ));
                    }
                    Prior::Beta {
                        a,
                        b,
                        low: lo,
                        high: hi,
                    }
                }
                other => {
                    return Err(bad(
                        &f("kind"),
                        format!("unknown `{other}`; allowed: {PRIOR_KINDS}"),
                    ))
                }
            };
            parameters.push(Parameter {
                path: p.path.clone(),
                prior,
            });
        }

        // The model (for regime and response names).
        let base_model = Model::from_raw(&base_raw, &base_origin)?;
        let regime = |field: &str, r: &str| -> Result<usize> {
            base_model
                .regimes()
                .iter()
                .position(|x| x.name == r)
                .ok_or_else(|| {
                    bad(
                        field,
                        format!(
                            "unknown regime `{r}`; the base config defines: {}",
                            base_model
                                .regimes()
                                .iter()
                                .map(|x| x.name.as_str())
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    )
                })
        };
        let mut definitions: IndexMap<String, Vec<usize>> = IndexMap::new();
        for (dname, list) in &raw.honouring {
            let field = format!("honouring.{dname}");
            if dname == "regime" {
                return Err(bad(&field, "`regime` is the built-in definition (the regime's own honouring set); choose another name".into()));
            }
            if list.is_empty() {
                return Err(bad(&field, "must list at least one response".into()));
            }
            let mut idx = Vec::new();
            for r in list {
                let i = base_model
                    .responses()
                    .iter()
                    .position(|x| &x.name == r)
                    .ok_or_else(|| {
                        bad(
                            &field,
                            format!(
                                "unknown response `{r}`; the base config defines: {}",
                                base_model
                                    .responses()
                                    .iter()
                                    .map(|x| x.name.as_str())
                                    .collect::<Vec<_>>()
                                    .join(", ")
                            ),
                        )
                    })?;
                if !idx.contains(&i) {
                    idx.push(i);
                }
            }
            idx.sort_unstable();
            definitions.insert(dname.clone(), idx);
        }
        let rows = match &raw.targets_csv {
            Some(t) => Some(target_ids(&dir.join(t))?),
            None => None,
        };

        // Targets.
        if raw.targets.is_empty() {
            return Err(bad("targets", "must list at least one [[targets]] entry".into()));
        }
        let mut targets = Vec::new();
        for (k, t) in raw.targets.iter().enumerate() {
            let f = |s: &str| format!("targets[{k}].{s}");
            check_name(&t.name, &file).map_err(|_| {
                bad(
                    &f("name"),
                    format!("`{}` must be 1-100 letters, digits, `_`, `-` or `.`", t.name),
                )
            })?;
            if raw.targets[..k].iter().any(|u| u.name == t.name) {
                return Err(bad(&f("name"), format!("`{}` is used twice", t.name)));
            }
            let role = match t.role.as_deref() {
                None | Some("fit") => Role::Fit,
                Some("assumption") => Role::Assumption,
                Some("check") => Role::Check,
                Some(o) => {
                    return Err(bad(
                        &f("role"),
                        format!("unknown `{o}`; allowed: \"fit\", \"assumption\", \"check\""),
                    ))
                }
            };
            let basis = match (role, &t.basis) {
                (Role::Assumption, Some(b)) if !b.trim().is_empty() => Some(b.clone()),
                (Role::Assumption, _) => {
                    return Err(bad(
                        &f("basis"),
                        "an assumption must say where it comes from: basis = \"...\" (it is not evidence, and every output labels it)".into(),
                    ))
                }
                (_, Some(_)) => {
                    return Err(bad(
                        &f("basis"),
                        "only role = \"assumption\" takes a basis (evidence names its targets.csv row)".into(),
                    ))
                }
                (_, None) => None,
            };
            let row = match (&t.row, role) {
                (Some(r), _) => r.clone(),
                (None, Role::Assumption) => String::new(),
                (None, _) => return Err(bad(
                    &f("row"),
                    "is required: the id of the target's row in targets.csv (only an assumption may omit it)"
                        .into(),
                )),
            };
            if let Some(ids) = &rows {
                if !row.is_empty() && !ids.contains(&row) {
                    return Err(bad(
                        &f("row"),
                        format!(
                            "`{}` is not an id of {} (ids: {})",
                            row,
                            raw.targets_csv.as_deref().unwrap_or(""),
                            ids.join(", ")
                        ),
                    ));
                }
            }
            let r = regime(&f("regime"), &t.regime)?;
            let statistic = Statistic::ALL
                .into_iter()
                .find(|s| s.name() == t.statistic)
                .ok_or_else(|| {
                    bad(
                        &f("statistic"),
                        format!(
                            "unknown `{}`; allowed: {}",
                            t.statistic,
                            Statistic::ALL.map(|s| format!("\"{}\"", s.name())).join(", ")
                        ),
                    )
                })?;
            let versus = match (statistic.is_hazard_ratio(), &t.versus) {
                (true, Some(v)) => {
                    let vi = regime(&f("versus"), v)?;
                    if vi == r {
                        return Err(bad(&f("versus"), "must differ from `regime`".into()));
                    }
                    Some(vi)
                }
                (true, None) => {
                    return Err(bad(
                        &f("versus"),
                        format!("{} needs versus = \"REGIME\" (the denominator)", statistic.name()),
                    ))
                }
                (false, Some(_)) => {
                    return Err(bad(
                        &f("versus"),
                        "only offensive_hazard_ratio and initiation_hazard_ratio take versus".into(),
                    ))
                }
                (_, None) => None,
            };
            let definition = match (statistic, t.definition.as_deref()) {
                (Statistic::HonouredShare, None | Some("regime")) => Definition::Regime,
                (Statistic::HonouredShare, Some(d)) => match definitions.get(d) {
                    Some(idx) => Definition::Named {
                        name: d.to_string(),
                        responses: idx.clone(),
                    },
                    None => {
                        return Err(bad(
                            &f("definition"),
                            format!(
                                "unknown `{d}`; allowed: \"regime\"{}",
                                definitions
                                    .keys()
                                    .map(|k| format!(", \"{k}\""))
                                    .collect::<String>()
                            ),
                        ))
                    }
                },
                (_, Some(_)) => {
                    return Err(bad(
                        &f("definition"),
                        "only honoured_share takes a definition".into(),
                    ))
                }
                (_, None) => Definition::Regime,
            };
            let observation = observation(t, &f).map_err(|(field, m)| bad(&field, m))?;
            targets.push(Target {
                name: t.name.clone(),
                row,
                basis,
                regime: r,
                regime_name: t.regime.clone(),
                statistic,
                versus,
                definition,
                observation,
                role,
            });
        }
        if !targets.iter().any(|t| t.role == Role::Fit) {
            return Err(bad(
                "targets",
                "at least one target must have role = \"fit\" (evidence); assumptions alone are not a calibration".into(),
            ));
        }
        let mut regimes: Vec<String> = Vec::new();
        for t in &targets {
            for r in std::iter::once(t.regime).chain(t.versus) {
                let n = base_model.regimes()[r].name.clone();
                if !regimes.contains(&n) {
                    regimes.push(n);
                }
            }
        }
        let cal = Calibration {
            name,
            file: file.clone(),
            file_sha256: sha256_hex(text.as_bytes()),
            base_origin,
            base_toml,
            seed: o.seed.or(raw.seed).unwrap_or(base_raw.run.seed),
            replicates,
            periods: raw.periods,
            force,
            regimes,
            method,
            parameters,
            targets,
            threads,
        };
        // Every corner of the prior box must be a valid model (so no particle fails hours in).
        let lows: Vec<f64> = cal.parameters.iter().map(|p| p.prior.range().0).collect();
        let highs: Vec<f64> = cal.parameters.iter().map(|p| p.prior.range().1).collect();
        let sweep = cal.sweep(vec![lows, highs]);
        sweep.point_model(0)?;
        sweep.point_model(1)?;
        // Regime indices in the calibration's model (the regimes kept, in config order).
        let (_, model) = sweep.point_model(0)?;
        let mut cal = cal;
        for t in &mut cal.targets {
            t.regime = model.regime_index(&t.regime_name)?;
            if let Some(v) = t.versus {
                let vn = base_model.regimes()[v].name.clone();
                t.versus = Some(model.regime_index(&vn)?);
            }
        }
        Ok(cal)
    }

    /// The study name (names the output directory).
    pub fn name(&self) -> &str {
        &self.name
    }
    /// The seed.
    pub fn seed(&self) -> u64 {
        self.seed
    }
    /// Runs per regime per particle.
    pub fn replicates(&self) -> u64 {
        self.replicates
    }
    /// Worker threads (0 = all cores); results do not depend on it.
    pub fn threads(&self) -> usize {
        self.threads
    }
    /// The sampler's settings.
    pub fn method(&self) -> &Method {
        &self.method
    }
    /// The calibrated parameters.
    pub fn parameters(&self) -> &[Parameter] {
        &self.parameters
    }
    /// The targets.
    pub fn targets(&self) -> &[Target] {
        &self.targets
    }
    /// The file as named.
    pub fn file(&self) -> &str {
        &self.file
    }
    /// The base config's origin.
    pub fn base_origin(&self) -> &str {
        &self.base_origin
    }
    /// Whether the reassurance force is deployed.
    pub fn force(&self) -> bool {
        self.force
    }

    /// A copy with another seed.
    pub fn with_seed(mut self, seed: u64) -> Calibration {
        self.seed = seed;
        self
    }

    /// A copy with other threads (results do not depend on them).
    pub fn with_threads(mut self, threads: usize) -> Calibration {
        self.threads = threads;
        self
    }

    /// A copy with `particles` and `generations` replaced (the synthetic coverage study's
    /// smaller problems), each at least 2 and 1.
    pub fn with_size(mut self, particles: usize, generations: usize, replicates: u64) -> Calibration {
        self.method.particles = particles.max(2);
        self.method.generations = generations.max(1);
        self.method.max_simulations = self.method.max_simulations.max(self.method.particles);
        self.replicates = replicates.max(2);
        self
    }

    /// A copy whose targets observe `values` (one per target) as normal observations with the
    /// given standard deviations: a synthetic problem.
    pub fn with_observations(mut self, values: &[(f64, f64)]) -> Calibration {
        for (t, &(value, sd)) in self.targets.iter_mut().zip(values) {
            t.observation = Observation::Normal { value, sd };
        }
        self
    }

    /// What identifies the calibration's results (everything but the thread count and labels).
    pub fn identity(&self) -> String {
        let mut c = self.clone();
        c.threads = 0;
        c.file = String::new();
        c.base_origin = String::new();
        sha256_hex(serde_json::to_string(&c).unwrap_or_default().as_bytes())
    }

    /// The stream design point of candidate `j` of generation `g`: (g << 24) | j, so every
    /// candidate's runs have their own streams (seed, point, replicate).
    pub fn stream_point(g: usize, j: usize) -> u64 {
        ((g as u64) << 24) | j as u64
    }

    /// The study engine's view of a set of parameter points (a table design over the priors'
    /// paths): [`Sweep::point_model`] builds each point's config and model.
    pub fn sweep(&self, points: Vec<Vec<f64>>) -> Sweep {
        Sweep {
            name: self.name.clone(),
            sweep_file: self.file.clone(),
            sweep_sha256: self.file_sha256.clone(),
            base_origin: self.base_origin.clone(),
            base_toml: self.base_toml.clone(),
            design: Design::Table,
            seed: self.seed,
            replicates: self.replicates,
            periods: self.periods,
            regimes: Some(self.regimes.clone()),
            compare: None,
            params: self.parameters.iter().map(|p| p.path.clone()).collect(),
            points,
            shard: (0, 1),
            threads: self.threads,
            crn: false,
            analysis: None,
            per_run: false,
            force: self.force,
        }
    }

    /// The base config at its own values (no parameter set), as a particle's model is built
    /// otherwise: the calibration's regimes, arm, seed and `replicates`.
    pub fn base_model(&self) -> Result<(RawConfig, Model)> {
        let mut s = self.sweep(vec![Vec::new()]);
        s.params.clear();
        s.point_model(0)
    }

    /// The base config with the parameters at `x` (parameter scale), and its model.
    pub fn point_model(&self, x: &[f64]) -> Result<(RawConfig, Model)> {
        self.sweep(vec![x.to_vec()]).point_model(0)
    }
}

/// Parse a target's observation; errors as (field, message).
fn observation(
    t: &RawTarget,
    f: &dyn Fn(&str) -> String,
) -> std::result::Result<Observation, (String, String)> {
    let need = |field: &str| {
        (
            f(field),
            format!("likelihood = \"{}\" needs {field}", t.likelihood),
        )
    };
    let fin = |field: &str, v: f64| {
        if v.is_finite() {
            Ok(v)
        } else {
            Err((f(field), format!("must be finite (got {v})")))
        }
    };
    let o = match t.likelihood.as_str() {
        "binomial" => {
            let s = t.successes.ok_or_else(|| need("successes"))?;
            let n = t.trials.ok_or_else(|| need("trials"))?;
            if n == 0 || s > n {
                return Err((
                    f("successes"),
                    format!("needs 0 <= successes <= trials, trials >= 1 (got {s} of {n})"),
                ));
            }
            Observation::Binomial {
                successes: s,
                trials: n,
            }
        }
        "poisson" => {
            let c = t.count.ok_or_else(|| need("count"))?;
            let e = fin("exposure", t.exposure.ok_or_else(|| need("exposure"))?)?;
            if e <= 0.0 {
                return Err((f("exposure"), format!("must be > 0 (got {e})")));
            }
            Observation::Poisson {
                count: c,
                exposure: e,
            }
        }
        "band" => {
            let b = t.band.as_ref().ok_or_else(|| need("band"))?;
            if b.len() != 2 || !b.iter().all(|x| x.is_finite()) || b[0] > b[1] {
                return Err((
                    f("band"),
                    format!("must be [low, high], finite, low <= high (got {b:?})"),
                ));
            }
            Observation::Band {
                low: b[0],
                high: b[1],
            }
        }
        "normal" => {
            let v = fin("value", t.value.ok_or_else(|| need("value"))?)?;
            let sd = fin("sd", t.sd.ok_or_else(|| need("sd"))?)?;
            if sd <= 0.0 {
                return Err((f("sd"), format!("must be > 0 (got {sd})")));
            }
            Observation::Normal { value: v, sd }
        }
        other => {
            return Err((
                f("likelihood"),
                format!("unknown `{other}`; allowed: {LIKELIHOODS}"),
            ))
        }
    };
    Ok(o)
}

/// The ids (first column) of a `targets.csv`.
pub fn target_ids(path: &Path) -> Result<Vec<String>> {
    let text = crate::input::read_text(path, crate::input::TABLE_LIMIT, "targets table")?;
    let mut lines = text.lines();
    let header = lines.next().unwrap_or_default();
    if !header.starts_with("id,") {
        return Err(Error::Input {
            path: path.to_path_buf(),
            message: "line 1: expected a header starting with `id,`".into(),
        });
    }
    Ok(lines
        .filter_map(|l| l.split(',').next())
        .map(|s| s.trim().to_string())
        .filter(|s| {
            // Ids look like `REL-07`; continuation lines of quoted multi-line cells do not.
            s.contains('-')
                && s.chars()
                    .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '-')
        })
        .collect())
}
