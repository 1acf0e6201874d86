//! The validated model that the engine runs, built from a [`RawConfig`].
//!
//! Every check a user's file can fail lives here, and every failure names the file, the field
//! (as a dotted path, the same one sweeps use) and what is allowed.

use crate::model::actors::{Guarantor, Russia, Ukraine};
use crate::model::config::{ForceDesign, RawBound, RawConfig, RawOrder, RawRegime};
use crate::model::regimes::{Arm, Bound, Protocol, Regime, Reputation, Requirement, Response, Rule};
use crate::{Error, Result};

/// Most `[[guarantors]]` a config may define. With [`MAX_ROUNDS`] it bounds the draws of one
/// month (4 + 3·64 + 10·64 = 836 uniforms) within the stream's block of
/// [`crate::stats::rng::WORDS_PER_MONTH`] words, so the months stay independent.
pub const MAX_GUARANTORS: usize = 64;
/// Most rounds of a joint protocol (`regimes.NAME.rounds`, docs/MODEL.md §7.8 step 3): each round
/// draws one uniform per guarantor.
pub const MAX_ROUNDS: u64 = 10;
/// Longest horizon (`run.periods`), in months (100 years); bounds the per-run belief record.
pub const MAX_PERIODS: u64 = 1200;
/// Most runs per regime (`run.runs`); below [`crate::stats::rng::MAX_REPLICATE`], so every
/// replicate index fits a stream id.
pub const MAX_RUNS: u64 = 1_000_000_000;
/// Most `[responses.*]` a config may define; option ids (nothing plus the responses) fit in a
/// `u8` and the per-option scratch arrays have `MAX_RESPONSES + 1` entries.
pub const MAX_RESPONSES: usize = 16;

/// Crisis-clock and contest parameters (the `[crisis]` table except `aid_months`, which is folded
/// into each guarantor's monthly aid; docs/MODEL.md §9).
#[derive(Debug, Clone, PartialEq)]
pub struct Crisis {
    /// m in the Tullock contest C(Y, A) = Y^m / (Y^m + A^m) (§7.1); in [0.1, 1000], default 2.
    pub contest_exponent: f64,
    /// h½ of the timeliness weight τ(h) = exp(−ln 2 · h / h½), in hours (§7.2); default 168.
    pub support_half_life_hours: f64,
    /// Troops at which the tripwire's probability p_trip = 1 − exp(−troops / scale) reaches
    /// 1 − 1/e (§7.8 step 2); default 40,000.
    pub tripwire_scale: f64,
    /// η of the shared escalation risk (`crisis.escalation_sharing`, §7.5); 0 = off.
    pub escalation_sharing: f64,
    /// β of the shared blame (`crisis.blame_sharing`, §7.5); 0 = off.
    pub blame_sharing: f64,
    /// Stopping tolerance of the separate consultations' QRE (`crisis.qre_tolerance`, §7.10).
    pub qre_tolerance: f64,
    /// Iteration cap of that fixed point (`crisis.qre_max_iterations`, §7.10).
    pub qre_max_iterations: u32,
}

/// Run-size parameters (the `[run]` table; docs/MODEL.md §9).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunSpec {
    /// Base seed of every random stream (any u64): results are reproducible from it (§4
    /// "Stochasticity").
    pub seed: u64,
    /// Monte Carlo replicates per regime, 1 to [`MAX_RUNS`].
    pub runs: u64,
    /// Horizon in months, 1 to [`MAX_PERIODS`] (default 36); a run also ends at the first
    /// major offensive.
    pub periods: u32,
    /// Worker threads, 0 = all cores, at most 4096. Results do not depend on it.
    pub threads: usize,
}

/// Everything the engine needs, validated. Built only by [`Model::from_raw`] (and changed only
/// by [`Model::with_baseline`], which validates too), so every value a run reads has passed its
/// check; read through the accessors.
#[derive(Debug, Clone, PartialEq)]
pub struct Model {
    name: String,
    run: RunSpec,
    russia: Russia,
    ukraine: Ukraine,
    crisis: Crisis,
    responses: Vec<Response>,
    regimes: Vec<Regime>,
    guarantors: Vec<Guarantor>,
    reassurance_troops: f64,
    /// The arms of the reassurance-force factor (`[design] reassurance_force`; omitted: both).
    force_design: ForceDesign,
    /// The regime every other is compared with, run by run (`diff_vs_<baseline>`): `none` when
    /// the config defines it; a difference study sets its subtracted regime.
    baseline: Option<usize>,
}

/// A number as a person reads it: plain when moderate, in exponent form when very large or small.
fn num(v: f64) -> String {
    if v == 0.0 || !v.is_finite() || (1e-4..1e7).contains(&v.abs()) {
        format!("{v}")
    } else {
        format!("{v:e}")
    }
}

/// Field checks that produce errors naming the file and field.
struct Check<'a> {
    file: &'a str,
}

impl Check<'_> {
    fn err(&self, field: &str, msg: String) -> Error {
        Error::invalid(self.file, field, msg)
    }
    fn range(&self, field: &str, v: f64, lo: f64, hi: f64) -> Result<f64> {
        if !v.is_finite() || v < lo || v > hi {
            return Err(self.err(
                field,
                format!(
                    "must be a finite number in [{}, {}] (got {})",
                    num(lo),
                    num(hi),
                    num(v)
                ),
            ));
        }
        Ok(v)
    }
    /// A positive quantity. The bounds keep every product and quotient of the model finite (a
    /// half-life of 1e-320 hours would make the timeliness weight NaN).
    fn positive(&self, field: &str, v: f64) -> Result<f64> {
        self.range(field, v, 1e-9, 1e9)
    }
    fn nonneg(&self, field: &str, v: f64) -> Result<f64> {
        self.range(field, v, 0.0, 1e9)
    }
    fn prob(&self, field: &str, v: f64) -> Result<f64> {
        self.range(field, v, 0.0, 1.0)
    }
    fn ident(&self, field: &str, s: &str) -> Result<()> {
        let ok = !s.is_empty()
            && s.len() <= 64
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
        if !ok {
            return Err(self.err(
                field,
                format!("`{s}` must be 1-64 characters of letters, digits, `_` or `-`"),
            ));
        }
        Ok(())
    }
    fn text(&self, field: &str, s: &str) -> Result<()> {
        if s.is_empty() || s.chars().any(|c| matches!(c, ',' | '"' | '\n' | '\r')) {
            return Err(self.err(
                field,
                format!("`{s}` must be non-empty and contain no comma, quote or line break"),
            ));
        }
        Ok(())
    }
}

impl Model {
    /// Validate a raw config; `file` names it in error messages.
    pub fn from_raw(raw: &RawConfig, file: &str) -> Result<Model> {
        let c = Check { file };
        c.text("name", &raw.name)?;
        let run = run_spec(&c, raw)?;
        let russia = russia(&c, raw)?;
        let ukraine = ukraine(&c, raw)?;
        let (crisis, aid_months) = crisis(&c, raw)?;
        let responses = responses(&c, raw)?;
        let guarantors = guarantors(&c, raw, &russia, aid_months)?;

        if raw.regimes.is_empty() {
            return Err(c.err("regimes", "must define at least one regime".into()));
        }
        let mut regimes = Vec::new();
        for (name, x) in &raw.regimes {
            c.ident(&format!("regimes.{name}"), name)?;
            regimes.push(regime(&c, name, x, &responses, &guarantors)?);
        }
        let reassurance_troops = c.range(
            "modifiers.reassurance_troops",
            raw.modifiers.reassurance_troops,
            0.0,
            1e7,
        )?;

        let baseline = regimes.iter().position(|r| r.name == "none");
        let force_design = raw
            .design
            .as_ref()
            .and_then(|d| d.reassurance_force)
            .unwrap_or(ForceDesign::Both);
        Ok(Model {
            force_design,
            name: raw.name.clone(),
            run,
            russia,
            ukraine,
            crisis,
            responses,
            regimes,
            baseline,
            guarantors,
            reassurance_troops,
        })
    }

    /// Index of a regime by name, or an error listing the regimes there are.
    pub fn regime_index(&self, name: &str) -> Result<usize> {
        self.regimes
            .iter()
            .position(|r| r.name == name)
            .ok_or_else(|| Error::Usage {
                option: "--regime".into(),
                message: format!(
                    "no regime `{name}`; this config defines: {}",
                    self.regimes
                        .iter()
                        .map(|r| r.name.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            })
    }

    /// The index of the baseline regime of the paired differences, if there is one.
    pub fn baseline(&self) -> Option<usize> {
        self.baseline
    }

    /// The config's name (names the output directory).
    pub fn name(&self) -> &str {
        &self.name
    }
    /// Seed, runs, months and threads.
    pub fn run(&self) -> &RunSpec {
        &self.run
    }
    /// Russia's parameters (docs/MODEL.md §7.6-7.7, §9).
    pub fn russia(&self) -> &Russia {
        &self.russia
    }
    /// Ukraine's parameters (docs/MODEL.md §7.4, §9).
    pub fn ukraine(&self) -> &Ukraine {
        &self.ukraine
    }
    /// The crisis clock and contest (docs/MODEL.md §7.1, §7.2, §7.8).
    pub fn crisis(&self) -> &Crisis {
        &self.crisis
    }
    /// The response types, in config order (response `k` is option id `k + 1`).
    pub fn responses(&self) -> &[Response] {
        &self.responses
    }
    /// The regimes, in config order.
    pub fn regimes(&self) -> &[Regime] {
        &self.regimes
    }
    /// The guarantor states, in config order.
    pub fn guarantors(&self) -> &[Guarantor] {
        &self.guarantors
    }
    /// Troops of the reassurance force (the tripwire; `modifiers.reassurance_troops`, in
    /// [0, 1e7] soldiers, default 10,000). Sets only p_trip, not the support (§7.8 step 2).
    pub fn reassurance_troops(&self) -> f64 {
        self.reassurance_troops
    }

    /// The arms of the reassurance-force factor this model runs (`[design] reassurance_force`;
    /// `both` when the config leaves it out).
    pub fn force_design(&self) -> ForceDesign {
        self.force_design
    }

    /// The arms of a batch, in run order: regime-major (config order), and within a regime
    /// without the force before with it, as far as [`Model::force_design`] has them.
    pub fn arms(&self) -> Vec<Arm> {
        let forces = self.force_design.arms();
        (0..self.regimes.len())
            .flat_map(|regime| forces.iter().map(move |&force| Arm { regime, force }))
            .collect()
    }

    /// The same model running only the arms of `design` (a study fixes its arm this way).
    pub fn with_force_design(mut self, design: ForceDesign) -> Model {
        self.force_design = design;
        self
    }

    /// The same model with regime `name` as the baseline of the paired differences (a
    /// difference study pairs its subtracted regime with the other); an unknown name is an error.
    pub fn with_baseline(mut self, name: &str) -> Result<Model> {
        self.baseline = Some(self.regime_index(name)?);
        Ok(self)
    }
}

/// Run size: seed, runs, months, threads.
fn run_spec(c: &Check, raw: &RawConfig) -> Result<RunSpec> {
    let r = &raw.run;
    if r.runs == 0 || r.runs > MAX_RUNS {
        return Err(c.err("run.runs", format!("must be in 1..={MAX_RUNS} (got {})", r.runs)));
    }
    if r.periods == 0 || r.periods > MAX_PERIODS {
        return Err(c.err(
            "run.periods",
            format!("must be in 1..={MAX_PERIODS} months (got {})", r.periods),
        ));
    }
    if r.threads > 4096 {
        return Err(c.err(
            "run.threads",
            format!("must be 0 (all cores) to 4096 (got {})", r.threads),
        ));
    }
    let run = RunSpec {
        seed: r.seed,
        runs: r.runs,
        periods: r.periods as u32,
        threads: r.threads as usize,
    };
    Ok(run)
}

/// Russia's parameters.
fn russia(c: &Check, raw: &RawConfig) -> Result<Russia> {
    let x = &raw.russia;
    let russia = Russia {
        milex_usd_bn: c.positive("russia.milex_usd_bn", x.milex_usd_bn)?,
        strength: c.positive("russia.strength", x.strength)?,
        lambda: c.range("russia.lambda", x.lambda, 0.0, 1e6)?,
        offensive_gain: c.nonneg("russia.offensive_gain", x.offensive_gain)?,
        probe_gain: c.nonneg("russia.probe_gain", x.probe_gain)?,
        combat_cost: c.nonneg("russia.combat_cost", x.combat_cost)?,
        probe_cost: c.nonneg("russia.probe_cost", x.probe_cost)?,
        war_cost: c.nonneg("russia.war_cost", x.war_cost)?,
        sanctions_weight: c.nonneg("russia.sanctions_weight", x.sanctions_weight)?,
        info_value: c.nonneg("russia.info_value", x.info_value)?,
        probe_scale: c.range("russia.probe_scale", x.probe_scale, 1e-6, 1.0)?,
        prior_strength: c.range("russia.prior_strength", x.prior_strength, 1e-3, 1e6)?,
        forgetting: c.prob("russia.forgetting", x.forgetting)?,
    };
    Ok(russia)
}

/// Ukraine's parameters.
fn ukraine(c: &Check, raw: &RawConfig) -> Result<Ukraine> {
    let u = &raw.ukraine;
    let ukraine = Ukraine {
        capability: c.positive("ukraine.capability", u.capability)?,
        base_capability: c.positive("ukraine.base_capability", u.base_capability)?,
        defence_multiplier: c.positive("ukraine.defence_multiplier", u.defence_multiplier)?,
        reversion: c.prob("ukraine.reversion", u.reversion)?,
        aid_effect: c.nonneg("ukraine.aid_effect", u.aid_effect)?,
        mobilisation_gain: c.nonneg("ukraine.mobilisation_gain", u.mobilisation_gain)?,
        mobilisation_cost: c.nonneg("ukraine.mobilisation_cost", u.mobilisation_cost)?,
        mobilisation_value: c.nonneg("ukraine.mobilisation_value", u.mobilisation_value)?,
        lambda: c.range("ukraine.lambda", u.lambda, 0.0, 1e6)?,
        probe_damage: c.prob("ukraine.probe_damage", u.probe_damage)?,
        threat_persistence: c.prob("ukraine.threat_persistence", u.threat_persistence)?,
    };
    Ok(ukraine)
}

/// The crisis clock and contest, and the months over which peacetime aid is spread.
fn crisis(c: &Check, raw: &RawConfig) -> Result<(Crisis, f64)> {
    let k = &raw.crisis;
    let crisis = Crisis {
        contest_exponent: c.range("crisis.contest_exponent", k.contest_exponent, 0.1, 1000.0)?,
        support_half_life_hours: c.positive("crisis.support_half_life_hours", k.support_half_life_hours)?,
        tripwire_scale: c.positive("crisis.tripwire_scale", k.tripwire_scale)?,
        escalation_sharing: c.range("crisis.escalation_sharing", k.escalation_sharing, 0.0, 4.0)?,
        blame_sharing: c.range("crisis.blame_sharing", k.blame_sharing, 0.0, 1.0)?,
        qre_tolerance: c.range(
            "crisis.qre_tolerance",
            k.qre_tolerance.unwrap_or(1e-4),
            1e-15,
            0.1,
        )?,
        qre_max_iterations: match k.qre_max_iterations.unwrap_or(200) {
            n @ 1..=100_000 => n as u32,
            n => {
                return Err(c.err(
                    "crisis.qre_max_iterations",
                    format!("must be in 1..=100000 (got {n})"),
                ))
            }
        },
    };
    let aid_months = c.positive("crisis.aid_months", k.aid_months)?;
    Ok((crisis, aid_months))
}

/// The response types.
fn responses(c: &Check, raw: &RawConfig) -> Result<Vec<Response>> {
    if raw.responses.is_empty() {
        return Err(c.err("responses", "must define at least one response".into()));
    }
    if raw.responses.len() > MAX_RESPONSES {
        return Err(c.err("responses", format!("at most {MAX_RESPONSES} responses")));
    }
    let mut responses = Vec::new();
    for (name, x) in &raw.responses {
        let f = |s: &str| format!("responses.{name}.{s}");
        c.ident(&format!("responses.{name}"), name)?;
        if name == "nothing" {
            return Err(c.err(
                "responses.nothing",
                "`nothing` is always available and cannot be defined".into(),
            ));
        }
        if x.honours.is_some() {
            return Err(c.err(
                &f("honours"),
                "was removed: what keeps a commitment is now set per regime, by \
                 `regimes.NAME.honouring = [\"rapid_support\", ...]` (the responses that honour \
                 that regime's commitment); delete this line and list the response there"
                    .into(),
            ));
        }
        let requires = match x.requires.as_deref() {
            None | Some("") => Requirement::Nothing,
            Some("troops") => Requirement::Troops,
            Some("air_support") => Requirement::AirSupport,
            Some(o) => {
                return Err(c.err(
                    &f("requires"),
                    format!("unknown requirement `{o}`; allowed: \"troops\", \"air_support\""),
                ))
            }
        };
        responses.push(Response {
            name: name.clone(),
            effect: c.range(&f("effect"), x.effect, 0.0, 10.0)?,
            delay_hours: c.range(&f("delay_hours"), x.delay_hours, 0.0, 1e5)?,
            cost: c.range(&f("cost"), x.cost, 0.0, 10.0)?,
            escalation: c.prob(&f("escalation"), x.escalation)?,
            sanctions: c.range(&f("sanctions"), x.sanctions, 0.0, 10.0)?,
            persistent: c.prob(&f("persistent"), x.persistent)?,
            requires,
        });
    }
    Ok(responses)
}

/// The guarantor states, with the defaults filled in; capability is military spending relative
/// to Russia's.
fn guarantors(c: &Check, raw: &RawConfig, russia: &Russia, aid_months: f64) -> Result<Vec<Guarantor>> {
    let d = &raw.guarantor_defaults;
    let gd_lambda = c.range("guarantor_defaults.lambda", d.lambda, 0.0, 1e6)?;
    let value_hard = c.nonneg("guarantor_defaults.value_hard", d.value_hard)?;
    let value_soft = c.nonneg("guarantor_defaults.value_soft", d.value_soft)?;
    let solidarity = c.nonneg("guarantor_defaults.solidarity", d.solidarity)?;
    let cost_weight = c.nonneg("guarantor_defaults.cost_weight", d.cost_weight)?;
    let esc = c.nonneg("guarantor_defaults.escalation_aversion", d.escalation_aversion)?;
    let frontline_threat = c.nonneg("guarantor_defaults.frontline_threat", d.frontline_threat)?;
    let default_support = c.prob(
        "guarantor_defaults.default_public_support",
        d.default_public_support,
    )?;
    let volatility = c.range(
        "guarantor_defaults.resolve_volatility",
        d.resolve_volatility,
        0.0,
        10.0,
    )?;
    let persistence = c.prob("guarantor_defaults.resolve_persistence", d.resolve_persistence)?;

    if raw.guarantors.is_empty() {
        return Err(c.err("guarantors", "must list at least one guarantor".into()));
    }
    if raw.guarantors.len() > MAX_GUARANTORS {
        return Err(c.err(
            "guarantors",
            format!(
                "at most {MAX_GUARANTORS} guarantors (got {})",
                raw.guarantors.len()
            ),
        ));
    }
    let total_gdp: f64 = raw.guarantors.iter().map(|g| g.gdp_usd_bn.max(0.0)).sum();
    let mut guarantors: Vec<Guarantor> = Vec::new();
    for g in &raw.guarantors {
        let base = format!("guarantors.{}", g.id);
        let f = |s: &str| format!("{base}.{s}");
        c.ident("guarantors.id", &g.id)?;
        c.text(&f("name"), &g.name)?;
        if guarantors.iter().any(|h| h.id == g.id) {
            return Err(c.err(&base, format!("duplicate guarantor id `{}`", g.id)));
        }
        let milex = c.positive(&f("milex_usd_bn"), g.milex_usd_bn)?;
        let gdp = c.positive(&f("gdp_usd_bn"), g.gdp_usd_bn)?;
        let aid = c.nonneg(&f("aid_military_eur_bn"), g.aid_military_eur_bn)?;
        let resolve = match g.public_support {
            Some(p) => c.range(&f("public_support"), p, 0.001, 0.999)?,
            None => default_support.clamp(0.001, 0.999),
        };
        guarantors.push(Guarantor {
            id: g.id.clone(),
            name: g.name.clone(),
            capability: milex / russia.milex_usd_bn,
            milex_usd_bn: milex,
            gdp_usd_bn: gdp,
            economic_weight: gdp / total_gdp,
            aid_per_month: aid / aid_months,
            resolve,
            bilateral: g.bilateral,
            frontline: g.frontline,
            troops: g.troops,
            air_support: g.air_support,
            threat: if g.frontline { frontline_threat } else { 1.0 },
            resolve_volatility: match g.resolve_volatility {
                Some(v) => c.range(&f("resolve_volatility"), v, 0.0, 10.0)?,
                None => volatility,
            },
            resolve_persistence: persistence,
            lambda: match g.lambda {
                Some(v) => c.range(&f("lambda"), v, 0.0, 1e6)?,
                None => gd_lambda,
            },
            value_hard,
            value_soft,
            solidarity,
            cost_weight,
            escalation_aversion: esc,
            audience_sensitivity: match g.audience_sensitivity {
                Some(v) => c.range(&f("audience_sensitivity"), v, 0.0, 1e6)?,
                None => 1.0,
            },
        });
    }
    Ok(guarantors)
}

/// A regime's decision protocol; a setting of the other protocol is refused by name, and so are
/// the protocols and keys this version replaced.
fn protocol(c: &Check, name: &str, x: &RawRegime, guarantors: &[Guarantor]) -> Result<Protocol> {
    let f = |s: &str| format!("regimes.{name}.{s}");
    if x.decision_delay_hours.is_some() {
        return Err(c.err(
            &f("decision_delay_hours"),
            "was removed with the exponential decision clock: separate consultations all decide \
             at `consult_hours` (24 under the 2024 bilateral agreements); use \
             protocol = \"separate\" with consult_hours"
                .into(),
        ));
    }
    let stray = match x.protocol.as_str() {
        "meeting" => x.consult_hours.is_some().then_some("consult_hours"),
        "separate" => x
            .deadline_hours
            .map(|_| "deadline_hours")
            .or(x.rounds.map(|_| "rounds"))
            .or(x.speaking_order.as_ref().map(|_| "speaking_order"))
            .or(x.rule.as_ref().map(|_| "rule"))
            .or(x.package.as_ref().map(|_| "package"))
            .or(x.veto.as_ref().map(|_| "veto"))
            .or(x.qmv_threshold.map(|_| "qmv_threshold"))
            .or(x.qmv_weight.as_ref().map(|_| "qmv_weight")),
        _ => None,
    };
    if let Some(field) = stray {
        return Err(c.err(
            &f(field),
            format!(
                "has no effect when protocol = \"{}\" (meeting uses deadline_hours, rounds and \
                 speaking_order; separate uses consult_hours): remove it",
                x.protocol
            ),
        ));
    }
    Ok(match x.protocol.as_str() {
        "meeting" => {
            let deadline = x.deadline_hours.ok_or_else(|| {
                c.err(
                    &f("deadline_hours"),
                    "required when protocol = \"meeting\"".into(),
                )
            })?;
            let rounds = x.rounds.unwrap_or(3);
            if rounds == 0 || rounds > MAX_ROUNDS {
                return Err(c.err(
                    &f("rounds"),
                    format!("must be in 1..={MAX_ROUNDS} (got {rounds})"),
                ));
            }
            Protocol::Meeting {
                deadline_hours: c.range(&f("deadline_hours"), deadline, 0.0, 1e5)?,
                rounds: rounds as u32,
                order: speaking_order(c, &f("speaking_order"), x.speaking_order.as_ref(), guarantors)?,
                rule: Rule::Willing,
            }
        }
        "separate" => {
            let hours = x.consult_hours.ok_or_else(|| {
                c.err(
                    &f("consult_hours"),
                    "required when protocol = \"separate\"".into(),
                )
            })?;
            Protocol::Separate {
                consult_hours: c.range(&f("consult_hours"), hours, 0.0, 1e5)?,
            }
        }
        o @ ("joint" | "independent") => {
            let new = if o == "joint" {
                "\"meeting\" (with deadline_hours and rounds)"
            } else {
                "\"separate\" (with consult_hours)"
            };
            return Err(c.err(
                &f("protocol"),
                format!("`{o}` was replaced by {new}; allowed: \"meeting\", \"separate\""),
            ));
        }
        o => {
            return Err(c.err(
                &f("protocol"),
                format!("unknown `{o}`; allowed: \"meeting\", \"separate\""),
            ))
        }
    })
}

/// A meeting's speaking order as a permutation of the guarantor indices: the listed ids first,
/// then the rest by capability κ (largest first, ties by config order).
fn speaking_order(c: &Check, field: &str, raw: Option<&RawOrder>, g: &[Guarantor]) -> Result<Vec<usize>> {
    let mut by_cap: Vec<usize> = (0..g.len()).collect();
    by_cap.sort_by(|&a, &b| g[b].capability.total_cmp(&g[a].capability).then(a.cmp(&b)));
    let listed: Vec<usize> = match raw {
        None => Vec::new(),
        Some(RawOrder::Keyword(k)) if k == "capability" => Vec::new(),
        Some(RawOrder::Keyword(k)) => {
            return Err(c.err(
                field,
                format!("unknown `{k}`; allowed: \"capability\" or a list of guarantor ids"),
            ))
        }
        Some(RawOrder::List(ids)) => {
            let mut v = Vec::new();
            for id in ids {
                let Some(i) = g.iter().position(|x| &x.id == id) else {
                    return Err(c.err(field, format!("no guarantor with id `{id}`")));
                };
                if v.contains(&i) {
                    return Err(c.err(field, format!("`{id}` is listed twice")));
                }
                v.push(i);
            }
            v
        }
    };
    let mut order = listed.clone();
    order.extend(by_cap.into_iter().filter(|i| !listed.contains(i)));
    Ok(order)
}

/// The responses a regime offers, as indices into the model's responses (sorted, no repeats).
fn regime_responses(c: &Check, name: &str, x: &RawRegime, responses: &[Response]) -> Result<Vec<usize>> {
    let f = |s: &str| format!("regimes.{name}.{s}");
    if x.responses.is_empty() {
        return Err(c.err(
            &f("responses"),
            format!(
                "must list at least one response (doing nothing is always possible); defined: {}",
                responses
                    .iter()
                    .map(|y| y.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ));
    }
    let mut idx = Vec::new();
    for r in &x.responses {
        match responses.iter().position(|y| &y.name == r) {
            Some(i) if !idx.contains(&i) => idx.push(i),
            Some(_) => return Err(c.err(&f("responses"), format!("`{r}` is listed twice"))),
            None => {
                return Err(c.err(
                    &f("responses"),
                    format!(
                        "unknown response `{r}`; defined: {}",
                        responses
                            .iter()
                            .map(|y| y.name.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                ))
            }
        }
    }
    idx.sort_unstable();
    Ok(idx)
}

/// The responses that keep a regime's commitment (`regimes.NAME.honouring`), as indices into
/// the model's responses (sorted, no repeats): each a response on the regime's menu `menu`, or
/// the troops response (the first with `requires = "troops"`, by its name or as `"troops"`)
/// when some guarantor has `troops = true`.
fn regime_honouring(
    c: &Check,
    name: &str,
    x: &RawRegime,
    menu: &[usize],
    responses: &[Response],
    guarantors: &[Guarantor],
) -> Result<Vec<usize>> {
    let field = format!("regimes.{name}.honouring");
    let Some(list) = &x.honouring else {
        return Err(c.err(
            &field,
            "required: list the responses that keep this regime's commitment, e.g. \
             honouring = [\"rapid_support\", \"sustained_support\"] (names from its `responses`, or \
             \"troops\"); an empty list means no response honours it"
                .into(),
        ));
    };
    let troops = responses.iter().position(|r| r.requires == Requirement::Troops);
    let has_troops = guarantors.iter().any(|g| g.troops);
    let allowed = || {
        let mut names: Vec<&str> = menu.iter().map(|&k| responses[k].name.as_str()).collect();
        if let (Some(t), true) = (troops, has_troops) {
            if !menu.contains(&t) {
                names.push(responses[t].name.as_str());
            }
        }
        names.join(", ")
    };
    let mut idx = Vec::new();
    for r in list {
        let k = match responses.iter().position(|y| &y.name == r) {
            Some(k) => Some(k),
            None if r == "troops" => troops,
            None => None,
        };
        let Some(k) = k else {
            return Err(c.err(
                &field,
                format!("unknown response `{r}`; allowed here: {}", allowed()),
            ));
        };
        let troops_ok = Some(k) == troops && has_troops;
        if !menu.contains(&k) && !troops_ok {
            let why = if Some(k) == troops {
                "it is the troops response, but no guarantor has troops = true".to_string()
            } else {
                format!("it is not on regimes.{name}.responses")
            };
            return Err(c.err(
                &field,
                format!(
                    "`{r}` cannot keep this regime's commitment: {why}; allowed here: {}",
                    allowed()
                ),
            ));
        }
        if idx.contains(&k) {
            return Err(c.err(&field, format!("`{r}` is listed twice")));
        }
        idx.push(k);
    }
    idx.sort_unstable();
    Ok(idx)
}

fn regime(
    c: &Check,
    name: &str,
    x: &RawRegime,
    responses: &[Response],
    guarantors: &[Guarantor],
) -> Result<Regime> {
    let f = |s: &str| format!("regimes.{name}.{s}");
    let bound = match &x.bound {
        RawBound::Keyword(k) => match k.as_str() {
            "all" => Bound::All,
            "signatories" => Bound::Signatories,
            "none" => Bound::Nobody,
            o => {
                return Err(c.err(
                    &f("bound"),
                    format!(
                    "unknown `{o}`; allowed: \"all\", \"signatories\", \"none\", or a list of guarantor ids"
                ),
                ))
            }
        },
        RawBound::List(ids) => {
            for id in ids {
                if !guarantors.iter().any(|g| &g.id == id) {
                    return Err(c.err(
                        &f("bound"),
                        format!("unknown guarantor `{id}`; known: {}", ids_of(guarantors)),
                    ));
                }
            }
            Bound::List(ids.clone())
        }
    };
    let reputation = match x.reputation.as_str() {
        "alliance" => Reputation::Alliance,
        "state" => Reputation::State,
        o => {
            return Err(c.err(
                &f("reputation"),
                format!("unknown `{o}`; allowed: \"alliance\", \"state\""),
            ))
        }
    };
    let mut protocol = protocol(c, name, x, guarantors)?;
    let idx = regime_responses(c, name, x, responses)?;
    let honouring = regime_honouring(c, name, x, &idx, responses, guarantors)?;
    if let Protocol::Meeting { rule, .. } = &mut protocol {
        *rule = meeting_rule(c, name, x, &bound, &idx, responses, guarantors)?;
    }
    Ok(Regime {
        name: name.to_string(),
        description: x.description.clone(),
        bound,
        audience_cost: c.range(&f("audience_cost"), x.audience_cost, 0.0, 1e6)?,
        reputation,
        protocol,
        responses: idx,
        honouring,
        air_support: x.air_support,
        provocation: c.range(&f("provocation"), x.provocation, 0.0, 1e6)?,
    })
}

/// A meeting's decision rule, its package and its veto players or majority.
fn meeting_rule(
    c: &Check,
    name: &str,
    x: &RawRegime,
    bound: &Bound,
    menu: &[usize],
    responses: &[Response],
    guarantors: &[Guarantor],
) -> Result<Rule> {
    let f = |s: &str| format!("regimes.{name}.{s}");
    let rule = x.rule.as_deref().unwrap_or("willing");
    let refuse = |field: &str| {
        Err(c.err(
            &f(field),
            format!("has no effect with rule = \"{rule}\": remove it"),
        ))
    };
    let binds = |i: usize| bound.binds(&guarantors[i].id, guarantors[i].bilateral);
    let package = |c: &Check| -> Result<Vec<usize>> {
        let Some(names) = &x.package else {
            return Err(c.err(&f("package"), format!("required when rule = \"{rule}\"")));
        };
        if names.is_empty() {
            return Err(c.err(&f("package"), "must list at least one response".into()));
        }
        let mut out = Vec::new();
        for n in names {
            let Some(r) = responses.iter().position(|r| &r.name == n) else {
                return Err(c.err(&f("package"), format!("unknown response `{n}`")));
            };
            if !menu.contains(&r) {
                return Err(c.err(&f("package"), format!("`{n}` is not on this regime's responses")));
            }
            if out.contains(&r) {
                return Err(c.err(&f("package"), format!("`{n}` is listed twice")));
            }
            out.push(r);
        }
        Ok(out)
    };
    if (0..guarantors.len()).all(|i| !binds(i)) && rule != "willing" {
        return Err(c.err(
            &f("rule"),
            format!("\"{rule}\" needs bound members to vote; this regime binds nobody"),
        ));
    }
    match rule {
        "willing" => {
            for (field, set) in [
                ("package", x.package.is_some()),
                ("veto", x.veto.is_some()),
                ("qmv_threshold", x.qmv_threshold.is_some()),
                ("qmv_weight", x.qmv_weight.is_some()),
            ] {
                if set {
                    return refuse(field);
                }
            }
            Ok(Rule::Willing)
        }
        "consensus" => {
            if x.qmv_threshold.is_some() {
                return refuse("qmv_threshold");
            }
            if x.qmv_weight.is_some() {
                return refuse("qmv_weight");
            }
            let package = package(c)?;
            let veto = match &x.veto {
                None => (0..guarantors.len()).filter(|&i| binds(i)).collect(),
                Some(RawOrder::Keyword(k)) if k == "bound" => {
                    (0..guarantors.len()).filter(|&i| binds(i)).collect()
                }
                Some(RawOrder::Keyword(k)) => {
                    return Err(c.err(
                        &f("veto"),
                        format!("unknown `{k}`; allowed: \"bound\" or a list of bound guarantor ids"),
                    ))
                }
                Some(RawOrder::List(ids)) => {
                    let mut v = Vec::new();
                    for id in ids {
                        let Some(i) = guarantors.iter().position(|g| &g.id == id) else {
                            return Err(c.err(&f("veto"), format!("no guarantor with id `{id}`")));
                        };
                        if !binds(i) {
                            return Err(c.err(&f("veto"), format!("`{id}` is not bound by this regime")));
                        }
                        if v.contains(&i) {
                            return Err(c.err(&f("veto"), format!("`{id}` is listed twice")));
                        }
                        v.push(i);
                    }
                    v
                }
            };
            Ok(Rule::Consensus { package, veto })
        }
        "qmv" => {
            if x.veto.is_some() {
                return refuse("veto");
            }
            let package = package(c)?;
            let threshold = c.range(&f("qmv_threshold"), x.qmv_threshold.unwrap_or(0.55), 1e-9, 1.0)?;
            let by_capability = match x.qmv_weight.as_deref().unwrap_or("states") {
                "states" => false,
                "capability" => true,
                o => {
                    return Err(c.err(
                        &f("qmv_weight"),
                        format!("unknown `{o}`; allowed: \"states\", \"capability\""),
                    ))
                }
            };
            Ok(Rule::Qmv {
                package,
                threshold,
                by_capability,
            })
        }
        o => Err(c.err(
            &f("rule"),
            format!("unknown `{o}`; allowed: \"willing\", \"consensus\", \"qmv\""),
        )),
    }
}

fn ids_of(g: &[Guarantor]) -> String {
    g.iter().map(|g| g.id.as_str()).collect::<Vec<_>>().join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_default_validates() {
        let raw = RawConfig::builtin();
        let m = Model::from_raw(&raw, "default").unwrap();
        assert!(m.regimes.len() >= 4);
        for n in ["article5", "nato_light", "bilateral", "none"] {
            assert!(m.regime_index(n).is_ok(), "{n}");
        }
        assert!(m.guarantors.iter().any(|g| g.id == "USA"));
        let w: f64 = m.guarantors.iter().map(|g| g.economic_weight).sum();
        assert!((w - 1.0).abs() < 1e-12);
    }

    #[test]
    fn out_of_range_names_field() {
        let mut raw = RawConfig::builtin();
        raw.russia.lambda = f64::NAN;
        let e = Model::from_raw(&raw, "x.toml").unwrap_err().to_string();
        assert!(
            e.contains("x.toml") && e.contains("russia.lambda") && e.contains("finite"),
            "{e}"
        );
    }
}
