//! Guarantee regimes and the response menu, as data.
//!
//! A regime is a bundle of parameters loaded from the config (who is bound, the audience cost of
//! backing down, how reputation is kept, the decision protocol and its clock, the permitted
//! responses, and the modifiers). Whether the reassurance force is deployed is not a regime
//! setting but a factor crossed with every regime (`[design] reassurance_force`, an [`Arm`]).
//! No code path is specific to `article5`, `nato_light`,
//! `bilateral` or `none`: a hybrid regime is a new TOML table. docs/MODEL.md §8 says how the
//! default regimes differ and §9 gives the response menu's values.

/// One response a guarantor can give when Ukraine is attacked (a `[responses.NAME]` table;
/// docs/MODEL.md §9 "Responses", used in §7.2, §7.5 and §7.8).
#[derive(Debug, Clone, PartialEq)]
pub struct Response {
    /// The table's key (`rapid_support`, `troops`, ...): 1-64 letters, digits, `_` or `-`;
    /// never `nothing`, which is always on the menu. Names the option in `guarantors.csv` and
    /// in replays.
    pub name: String,
    /// Share of the giver's strength κ_i that reaches the battlefield, in [0, 10]: x_ir =
    /// effect · κ_i · τ(decision hour + delay) (§7.2).
    pub effect: f64,
    /// Hours from the decision to the effect on the battlefield, in [0, 1e5] (§7.2). A tripwire
    /// force arrives at hour 0 whatever this says (§7.8).
    pub delay_hours: f64,
    /// Share of the giver's military budget spent, in [0, 10]: the utility charges
    /// `cost_weight · cost` (§7.5) and `guarantors.csv` books `cost · milex_usd_bn` US$ bn, in a
    /// probe as in an offensive.
    pub cost: f64,
    /// Probability in [0, 1] that giving it draws the giver into direct war with Russia: the
    /// guarantor pays `escalation_aversion · escalation` (§7.5) and Russia's P(war) combines
    /// the expected values (§7.7).
    pub escalation: f64,
    /// Weight in [0, 10] of the sanctions it imposes on Russia (0 or 1 for the default menu);
    /// Russia weighs the GDP-weighted expectation by `russia.sanctions_weight` (§7.7).
    pub sanctions: f64,
    /// Share in [0, 1] of its time-weighted support that stays in Ukraine's capability K after
    /// the crisis (§7.4, §7.8 step 6).
    pub persistent: f64,
    /// A guarantor flag the response needs (config key `requires`; §7.5 "Options").
    pub requires: Requirement,
}

/// What a guarantor must be able to do to give a response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Requirement {
    /// Any guarantor may give it (`requires` absent or empty).
    Nothing,
    /// `requires = "troops"`: only guarantors with `troops = true` (GBR, FRA by default). The
    /// first such response is also the one the tripwire forces (§7.8 step 2).
    Troops,
    /// `requires = "air_support"`: only guarantors with `air_support = true` (the US by default),
    /// and only in regimes with `air_support = true`.
    AirSupport,
}

/// Who a regime binds (config key `bound`). A bound guarantor pays the regime's audience cost
/// when it does not honour (§7.5), its calls count as commitments in the honoured share, and
/// under `reputation = "alliance"` it shares the alliance's belief slot (§7.9).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Bound {
    /// `bound = "all"`: every guarantor.
    All,
    /// `bound = "signatories"`: the guarantors with `bilateral = true` (a 2024 bilateral
    /// agreement; all 16 in the default data, so the same set as `All`, §8).
    Signatories,
    /// `bound = "none"`: no one (the `none` regime).
    Nobody,
    /// `bound = ["USA", "GBR", ...]`: explicit guarantor ids, each checked to exist.
    List(Vec<String>),
}

impl Bound {
    /// Whether this bound set includes the guarantor with id `id` and bilateral flag
    /// `bilateral`.
    pub fn binds(&self, id: &str, bilateral: bool) -> bool {
        match self {
            Bound::All => true,
            Bound::Signatories => bilateral,
            Bound::Nobody => false,
            Bound::List(ids) => ids.iter().any(|x| x == id),
        }
    }
}

/// How reputation (Russia's belief about resolve) is kept (config key `reputation`; §7.9
/// "Slots", §8 "Reputation scope").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reputation {
    /// `"alliance"`: one belief shared by all bound members, with their mean baseline resolve
    /// as its prior mean and each member's observation weighted 1/n_bound: one member's failure
    /// is everyone's. Unbound guarantors keep their own slots.
    Alliance,
    /// `"state"`: one belief per guarantor, each observation with weight 1.
    State,
}

/// How the guarantors decide inside a crisis (config key `protocol`; docs/MODEL.md §7.8 steps
/// 3-4, §7.10 "The consultation as a game", §8 "Protocol and clock").
#[derive(Debug, Clone, PartialEq)]
pub enum Protocol {
    /// `protocol = "separate"`: separate consultations (the 2024 bilateral agreements: each
    /// signatory consults Ukraine within 24 hours of a new attack). Every non-forced guarantor
    /// decides at `consult_hours` without seeing the others' commitments (only a fired
    /// tripwire is common knowledge): a simultaneous game of incomplete information, played at
    /// its logit quantal response equilibrium (McKelvey & Palfrey 1995; §7.10).
    Separate {
        /// The hour at which every non-forced guarantor decides (`consult_hours`, in [0, 1e5]);
        /// 24 for `bilateral` (UK-Ukraine Agreement on Security Co-operation, 12 January 2024,
        /// consultation within 24 hours), 336 for `none` (illustrative: ad hoc aid, no clause).
        consult_hours: f64,
    },
    /// `protocol = "meeting"`: one meeting of all participants by `deadline_hours` (the
    /// Italian proposal's meeting of the signatories within 24 hours; Article 5's North
    /// Atlantic Council). A tour de table of public, irrevocable commitments in
    /// `speaking_order`, each speaker anticipating those after it (the logit agent quantal
    /// response equilibrium of the perfect-information game, McKelvey & Palfrey 1998), then up
    /// to `rounds - 1` last calls to those who passed, closed by a call in which nobody commits
    /// (§7.10).
    Meeting {
        /// The hour at which the meeting's commitments are made and take effect
        /// (`deadline_hours`, in [0, 1e5]; 6 for `article5`, 24 for `nato_light`). Also the
        /// decision hour Russia plans with (§7.6).
        deadline_hours: f64,
        /// Calls in all (`rounds`, 1 to `MAX_ROUNDS` = 10; default 3): the tour de table and
        /// `rounds - 1` last calls.
        rounds: u32,
        /// The speaking order: guarantor indices, a permutation of `0..guarantors` (config key
        /// `speaking_order`: `"capability"` = largest strength κ first, ties by config order;
        /// or a list of ids, the unlisted following by capability).
        order: Vec<usize>,
        /// How the meeting decides (config key `rule`; default `"willing"`).
        rule: Rule,
    },
}

/// A meeting's decision rule (config key `rule`; docs/MODEL.md §7.10 "Decision rules").
#[derive(Debug, Clone, PartialEq)]
pub enum Rule {
    /// `"willing"`: a coalition of the willing: each member decides in the tour de table, the
    /// others' commitments common knowledge.
    Willing,
    /// `"consensus"`: the chair tables a joint package; the veto players vote at once, and one
    /// no vetoes it (the North Atlantic Council decides by consensus; Tsebelis 2002 on veto
    /// players). An adopted package binds every bound member to its package option; a vetoed
    /// one falls back to the tour de table.
    Consensus {
        /// The package: each bound member gives the first of these responses on its menu
        /// (config key `package`, indices into the model's responses).
        package: Vec<usize>,
        /// The veto players, guarantor indices (config key `veto`: `"bound"`, the default, or a
        /// list of bound ids).
        veto: Vec<usize>,
    },
    /// `"qmv"`: the package is adopted when the yes votes of the bound members reach
    /// `qmv_threshold` of their weight (the EU Council's qualified majority of 55% of states,
    /// TEU Art. 16(4), as the default shape; illustrative); adopted, it binds the outvoted too.
    Qmv {
        /// The package, as for consensus.
        package: Vec<usize>,
        /// The share of the voters' weight needed, in (0, 1] (`qmv_threshold`, default 0.55).
        threshold: f64,
        /// Weight votes by capability κ (`qmv_weight = "capability"`) rather than one per state
        /// (`"states"`, the default).
        by_capability: bool,
    },
}

/// A validated regime (a `[regimes.NAME]` table; docs/MODEL.md §8 and §9 "Regimes").
#[derive(Debug, Clone, PartialEq)]
pub struct Regime {
    /// The table's key (`article5`, `nato_light`, ...): 1-64 letters, digits, `_` or `-`. The
    /// regime named `none` is the default baseline of the paired differences (`diff_vs_none`).
    pub name: String,
    /// Free text from the config, not used by the model.
    pub description: String,
    /// Who is bound by the commitment.
    pub bound: Bound,
    /// The audience cost a bound guarantor pays for not honouring, before its own
    /// `audience_sensitivity` η_i multiplies it (utils, in [0, 1e6]; §7.5, §8).
    pub audience_cost: f64,
    /// How Russia keeps reputations: one alliance slot or one per state.
    pub reputation: Reputation,
    /// How and when the guarantors decide in a crisis.
    pub protocol: Protocol,
    /// The voluntary menu: indices into [`crate::model::validate::Model::responses`], sorted
    /// and without repeats ("nothing" is always available besides). Filtered per guarantor by
    /// [`Response::requires`].
    pub responses: Vec<usize>,
    /// The responses that keep this regime's commitment (config key `honouring`): indices
    /// into [`crate::model::validate::Model::responses`], sorted, without repeats; each on
    /// `responses` or the troops response. Only these spare a bound guarantor the audience
    /// cost, earn a Hard one the solidarity value (§7.5), count as honoured in the output and
    /// tell Russia the guarantor was resolute (§7.9). §8 gives each default regime's set and
    /// its source.
    pub honouring: Vec<usize>,
    /// Whether air support (the US stance) is on the table: a response with
    /// `requires = "air_support"` is offered only when this is true and the guarantor has the
    /// flag (§7.5 "Options").
    pub air_support: bool,
    /// ψ: value (utils, in [0, 1e6]) Russia adds to a major offensive against this arrangement
    /// because it regards it as a provocation (the article: Russia opposes Ukraine's NATO
    /// accession). Enters only U_offensive (§7.7, §8 "Provocation"). Default 0.
    pub provocation: f64,
}

impl Regime {
    /// Whether the guarantor with id `id` and bilateral flag `bilateral` is bound by this
    /// regime.
    pub fn binds(&self, id: &str, bilateral: bool) -> bool {
        self.bound.binds(id, bilateral)
    }

    /// The hour at which the guarantors decide: the meeting's deadline or the consultation
    /// hour. Every non-forced decision of a crisis is taken then (§7.8, §7.10).
    pub fn decision_hours(&self) -> f64 {
        match self.protocol {
            Protocol::Meeting { deadline_hours, .. } => deadline_hours,
            Protocol::Separate { consult_hours } => consult_hours,
        }
    }
}

/// One arm of a batch: a regime crossed with one level of the reassurance-force factor
/// (`[design] reassurance_force`; docs/MODEL.md §8). The two arms of a regime run on the same
/// streams, so they differ only in p_trip.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Arm {
    /// The regime's index in [`crate::model::validate::Model::regimes`].
    pub regime: usize,
    /// Whether the reassurance force is deployed: the tripwire of §7.8 step 2, firing in an
    /// offensive with p_trip = 1 − exp(−`modifiers.reassurance_troops` / `crisis.tripwire_scale`)
    /// if the model also defines a troops response and some guarantor has `troops = true`
    /// (bound or not: a force without a guarantee is a legitimate case).
    pub force: bool,
}
