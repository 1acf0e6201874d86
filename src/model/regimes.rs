//! Guarantee regimes and the response menu, as data.
//!
//! A regime is a bundle of parameters loaded from the config (who is bound, the audience cost of
//! backing down, how reputation is kept, the decision protocol and its clock, the permitted
//! responses, and the modifiers). No code path is specific to `article5`, `nato_light`,
//! `bilateral` or `none`: a hybrid regime is a new TOML table.

/// One response a guarantor can give when Ukraine is attacked.
#[derive(Debug, Clone, PartialEq)]
pub struct Response {
    pub name: String,
    /// Share of the giver's strength that reaches the battlefield.
    pub effect: f64,
    /// Hours from the decision to the effect.
    pub delay_hours: f64,
    /// Share of the giver's military budget spent.
    pub cost: f64,
    /// Probability that giving it draws the giver into direct war with Russia.
    pub escalation: f64,
    /// Weight of the sanctions it imposes on Russia (0 or 1 for the default menu).
    pub sanctions: f64,
    /// Whether it counts as the military support a commitment promises.
    pub honours: bool,
    /// Share of its effect that stays in Ukraine's capability after the crisis.
    pub persistent: f64,
    /// A guarantor flag the response needs.
    pub requires: Requirement,
}

/// What a guarantor must be able to do to give a response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Requirement {
    Nothing,
    Troops,
    AirSupport,
}

/// Who a regime binds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Bound {
    All,
    Signatories,
    Nobody,
    /// Explicit guarantor ids.
    List(Vec<String>),
}

/// How reputation (Russia's belief about resolve) is kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reputation {
    /// One belief shared by all bound members: one member's failure is everyone's.
    Alliance,
    /// One belief per state.
    State,
}

/// How the guarantors decide inside a crisis.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Protocol {
    /// They meet and decide together by a deadline, over `rounds` rounds in which each sees the
    /// others' provisional commitments (Article 5's council; the 24-hour clause).
    Joint { deadline_hours: f64, rounds: u32 },
    /// Each decides alone, at its own exponentially distributed time with this mean, seeing
    /// only what others have already committed.
    Independent { mean_delay_hours: f64 },
}

/// A validated regime.
#[derive(Debug, Clone, PartialEq)]
pub struct Regime {
    pub name: String,
    pub description: String,
    pub bound: Bound,
    pub audience_cost: f64,
    pub reputation: Reputation,
    pub protocol: Protocol,
    /// Indices into the model's response menu, in menu order.
    pub responses: Vec<usize>,
    pub reassurance_force: bool,
    /// Whether air support (the US stance) is on the table.
    pub air_support: bool,
    /// Value Russia adds to a major offensive against this arrangement because it regards it
    /// as a provocation (the article: Russia opposes Ukraine's NATO accession). Default 0.
    pub provocation: f64,
}

impl Regime {
    /// Whether guarantor `g` (with its bilateral flag and id) is bound by this regime.
    pub fn binds(&self, id: &str, bilateral: bool) -> bool {
        match &self.bound {
            Bound::All => true,
            Bound::Signatories => bilateral,
            Bound::Nobody => false,
            Bound::List(ids) => ids.iter().any(|x| x == id),
        }
    }

    /// Hours until the guarantors' decisions are expected (what Russia plans with).
    pub fn expected_decision_hours(&self) -> f64 {
        match self.protocol {
            Protocol::Joint { deadline_hours, .. } => deadline_hours,
            Protocol::Independent { mean_delay_hours } => mean_delay_hours,
        }
    }
}
