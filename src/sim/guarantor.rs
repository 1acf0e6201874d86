//! Where a guarantor chooses: its menu of options in a crisis, every per-option constant of its
//! utility at the regime's decision hour, and its utilities given what it expects of the others
//! (the value of Ukraine holding, cost, escalation risk shared in a coalition, audience cost of
//! backing down with blame shared, solidarity). The games that say what it expects of the
//! others are [`crate::sim::qre`] (separate consultations) and [`crate::sim::meeting`] (a joint
//! meeting). docs/MODEL.md §7.5 (utilities) and §7.10 (the consultation as a game).

// Per-option quantities live in parallel fixed-size arrays indexed by menu position.
#![allow(clippy::needless_range_loop)]

use crate::model::actors::Guarantor;
use crate::model::choice::contest;
use crate::model::validate::MAX_RESPONSES;
use crate::stats::maths;

/// One option of a guarantor's menu in a crisis: do nothing, or one of the model's responses.
/// Its id indexes per-option tables (probabilities, response counts): id 0 is "nothing" and id
/// `k + 1` is response `k` of [`crate::model::validate::Model::responses`]. That offset lives
/// here and nowhere else.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct OptionId(u8);

impl OptionId {
    /// Do nothing.
    pub const NOTHING: OptionId = OptionId(0);

    /// The option of response `r` (an index into the model's responses, below
    /// `MAX_RESPONSES`).
    #[inline]
    pub fn respond(r: usize) -> OptionId {
        debug_assert!(r < MAX_RESPONSES);
        OptionId(r as u8 + 1)
    }

    /// The response this option takes, or `None` for nothing.
    #[inline]
    pub fn response(self) -> Option<usize> {
        (self.0 as usize).checked_sub(1)
    }

    /// The index of this option in per-option tables (`0..MAXOPT`).
    #[inline]
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// Option "nothing", as a constant for patterns and comparisons.
pub const NOTHING: OptionId = OptionId::NOTHING;
/// The number of option ids: nothing plus at most `MAX_RESPONSES` responses.
pub(crate) const MAXOPT: usize = MAX_RESPONSES + 1;

/// Crisis kinds, the first index of per-kind tables: a major offensive.
pub const OFFENSIVE_KIND: usize = 0;
/// A probe (Russia at `probe_scale` of its strength).
pub const PROBE_KIND: usize = 1;

/// One guarantor's menu in a crisis with every per-option constant of its utility (§7.5), at
/// the regime's decision hour (every non-forced guarantor decides then, §7.10). Positions
/// `0..n` follow [`Menu::options`]; position 0 is nothing.
#[derive(Debug, Clone)]
pub struct Menu {
    /// The options: nothing first, then the responses the regime offers that its flags allow,
    /// in menu order (§7.5 "Options").
    pub options: Vec<OptionId>,
    /// Time-weighted support x_ik = effect·κ_i·τ(D + delay), S-units (§7.2); 0 for nothing.
    pub x: [f64; MAXOPT],
    /// Hour the support arrives, D + delay; infinity for nothing.
    pub arrival: [f64; MAXOPT],
    /// Whether the option keeps the regime's commitment (its honouring set, §8).
    pub honours: [bool; MAXOPT],
    /// The option's utility terms that depend on nothing else, by type (`[Hard, Soft]`):
    /// solidarity·θ_i if Hard and honouring, minus cost_weight·cost.
    pub fixed: [[f64; MAXOPT]; 2],
    /// escalation_aversion · escalation, the utility charge of the escalation risk before it is
    /// shared (§7.5).
    pub escalation: [f64; MAXOPT],
    /// The raw escalation probability of each option (Russia's P(war), §7.7).
    pub escalation_p: [f64; MAXOPT],
    /// The sanctions weight of each option (§7.7).
    pub sanctions: [f64; MAXOPT],
    /// v_i by `[kind][type]`: the value of Ukraine holding (× θ_i × scale), `[Hard, Soft]`.
    pub value: [[f64; 2]; 2],
    /// a_i: the audience cost of not honouring, audience_cost · η_i if bound, else 0.
    pub audience: f64,
    /// λ_g, its logit precision.
    pub lambda: f64,
    /// ρ_i, its baseline P(Hard): the type mixture the others expect of it in the reference
    /// equilibria (§5, §7.6).
    pub resolve: f64,
}

impl Menu {
    /// Build guarantor `g`'s menu constants for `options`, at decision hour `hour`: `responses`
    /// gives each response's (effect, delay, cost, escalation, sanctions), `honours` whether
    /// each option id keeps the commitment, `decay` the timeliness rate, `audience` its
    /// audience cost, `scales` the crisis sizes `[1, probe_scale]`, `escalation_aversion` and
    /// the rest from `g`.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        g: &Guarantor,
        options: Vec<OptionId>,
        responses: &[(f64, f64, f64, f64, f64)],
        honours: &[bool; MAXOPT],
        hour: f64,
        decay: f64,
        audience: f64,
        scales: [f64; 2],
    ) -> Menu {
        let mut m = Menu {
            x: [0.0; MAXOPT],
            arrival: [f64::INFINITY; MAXOPT],
            honours: [false; MAXOPT],
            fixed: [[0.0; MAXOPT]; 2],
            escalation: [0.0; MAXOPT],
            escalation_p: [0.0; MAXOPT],
            sanctions: [0.0; MAXOPT],
            value: [
                [g.value(true, scales[0]), g.value(false, scales[0])],
                [g.value(true, scales[1]), g.value(false, scales[1])],
            ],
            audience,
            lambda: g.lambda,
            resolve: g.resolve,
            options,
        };
        for (k, &o) in m.options.iter().enumerate() {
            let Some(r) = o.response() else { continue };
            let (effect, delay, cost, esc, sanctions) = responses[r];
            let t = hour + delay;
            m.x[k] = effect * g.capability * maths::exp(-decay * t);
            m.arrival[k] = t;
            m.honours[k] = honours[o.index()];
            let stood_by = if m.honours[k] {
                g.solidarity * g.threat
            } else {
                0.0
            };
            m.fixed[0][k] = stood_by - g.cost_weight * cost;
            m.fixed[1][k] = -g.cost_weight * cost;
            m.escalation[k] = g.escalation_aversion * esc;
            m.escalation_p[k] = esc;
            m.sanctions[k] = sanctions;
        }
        m
    }

    /// The number of options.
    #[inline]
    pub fn len(&self) -> usize {
        self.options.len()
    }

    /// Whether the menu is empty (never: nothing is always on it).
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.options.is_empty()
    }
}

/// The parts of the crisis game every member shares (§7.5, §7.10).
#[derive(Debug, Clone)]
pub struct Game {
    /// Each guarantor's menu, in config order.
    pub menus: Vec<Menu>,
    /// m of the contest.
    pub exponent: f64,
    /// Russia's strength A in a crisis of each kind, `[offensive, probe]`.
    pub attacker: [f64; 2],
    /// η, the shared escalation risk (`crisis.escalation_sharing`).
    pub eta: f64,
    /// β, the shared blame (`crisis.blame_sharing`).
    pub beta: f64,
}

impl Game {
    /// C(w, A_kind): P(Ukraine holds) at total effective strength `w`.
    #[inline]
    pub fn hold(&self, kind: usize, w: f64) -> f64 {
        contest(w, self.attacker[kind], self.exponent)
    }

    /// φ(N) = max(N, 1)^(−η): the share of its escalation risk a responder bears among N
    /// responders (1 alone, and always 1 at η = 0).
    #[inline]
    pub fn phi(&self, n: f64) -> f64 {
        if self.eta == 0.0 {
            1.0
        } else if self.eta == 0.5 {
            1.0 / n.max(1.0).sqrt()
        } else {
            maths::pow(n.max(1.0), -self.eta)
        }
    }

    /// Guarantor `i`'s utilities over its menu for both types, `[Hard, Soft]`, written to
    /// `u[t][..menu.len()]`, when what it expects depends on the option only through the
    /// option's E[C] `ec[k]` and whether it honours (E[φ] `phis[h]`), with `en` other members
    /// expected to honour: the same numbers as [`Game::utilities`] with that context (the same
    /// operations in the same order), the audience term's ψ computed once for all options. The
    /// separate consultations' best response ([`crate::sim::qre`]) calls it every iteration.
    #[inline]
    pub fn utilities_both(
        &self,
        i: usize,
        kind: usize,
        ec: &[f64; MAXOPT],
        phis: [f64; 2],
        en: f64,
        u: &mut [[f64; MAXOPT]; 2],
    ) {
        let m = &self.menus[i];
        let others = (self.menus.len() - 1) as f64;
        let psi = if others > 0.0 {
            1.0 - self.beta + self.beta * en / others
        } else {
            1.0
        };
        let audience = m.audience * psi;
        for t in 0..2 {
            let v = m.value[kind][t];
            let fixed = &m.fixed[t];
            let row = &mut u[t];
            for k in 0..m.len() {
                let phi = phis[usize::from(m.honours[k])];
                let mut uk = v * ec[k] + fixed[k] - m.escalation[k] * phi;
                if !m.honours[k] && m.audience > 0.0 {
                    uk -= audience;
                }
                row[k] = uk;
            }
        }
    }

    /// Guarantor `i`'s utilities over its menu (§7.5), written to `u[..menu.len()]`. `ctx(k, x,
    /// h)` gives, for the option at menu position `k` with support `x` that does (`h`) or does not honour, what `i`
    /// expects at the end of the crisis: (E[C(W + x)], E[φ(N)] with N the responders counting
    /// `i` if it honours, E[number of other members who honour]). The shared term of every
    /// option (its value of Ukraine holding without it) is left in: probabilities do not move.
    #[inline]
    pub fn utilities(
        &self,
        i: usize,
        hard: bool,
        kind: usize,
        mut ctx: impl FnMut(usize, f64, bool) -> (f64, f64, f64),
        u: &mut [f64],
    ) {
        let m = &self.menus[i];
        let t = usize::from(!hard);
        let v = m.value[kind][t];
        let others = (self.menus.len() - 1) as f64;
        for k in 0..m.len() {
            let (ec, phi, en) = ctx(k, m.x[k], m.honours[k]);
            let mut uk = v * ec + m.fixed[t][k] - m.escalation[k] * phi;
            if !m.honours[k] && m.audience > 0.0 {
                let psi = if others > 0.0 {
                    1.0 - self.beta + self.beta * en / others
                } else {
                    1.0
                };
                uk -= m.audience * psi;
            }
            u[k] = uk;
        }
    }
}
