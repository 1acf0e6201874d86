//! The analytic games the model stands on, solved with the same decision primitives the engine
//! uses ([`crate::model::choice`]), so the tests that check them check the engine's decision
//! primitives. The volunteer's dilemma is solved here in closed form and by bisection only; the
//! Zagare-Kilgour threshold is also checked through the whole engine (`tests/model.rs`). These
//! are checks 1-4 of docs/MODEL.md §11.
//!
//! - Zagare & Kilgour's rudimentary asymmetric deterrence game (Perfect Deterrence, 2000): the
//!   challenger challenges iff p < (a_DC - a_SQ) / (a_DC - a_DD) under best response.
//! - Its logit agent quantal response equilibrium (McKelvey & Palfrey 1998).
//! - The volunteer's dilemma (Diekmann 1985): P(nobody acts) = (c/b)^(n/(n-1)).

use crate::model::choice::logit_probs;
use crate::stats::maths;

/// The rudimentary asymmetric deterrence game with incomplete information about the defender.
/// The challenger chooses status quo (SQ) or challenge; the defender, Hard with probability
/// `p_hard`, then concedes (DC) or resists (DD).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DeterrenceGame {
    /// a_SQ: the challenger's payoff if it keeps the status quo.
    pub challenger_sq: f64,
    /// a_DC: the challenger's payoff if it challenges and the defender concedes.
    pub challenger_dc: f64,
    /// a_DD: the challenger's payoff if it challenges and the defender resists (conflict).
    pub challenger_dd: f64,
    /// The defender's payoff at the status quo. No choice of the defender depends on it (the
    /// defender moves only after a challenge); kept so the game is written out in full.
    pub defender_sq: f64,
    /// The defender's payoff if it concedes to a challenge (either type).
    pub defender_concede: f64,
    /// The Hard defender's payoff if it resists: above `defender_concede` for a Hard type.
    pub defender_war_hard: f64,
    /// The Soft defender's payoff if it resists: below `defender_concede` for a Soft type.
    pub defender_war_soft: f64,
    /// The challenger's prior that the defender is Hard, in [0, 1] (the role Russia's belief
    /// mean plays in the engine, docs/MODEL.md §7.7).
    pub p_hard: f64,
}

/// An agent QRE of [`DeterrenceGame`] (or its best-response limit).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Equilibrium {
    /// P(the challenger challenges).
    pub p_challenge: f64,
    /// P(a Hard defender resists a challenge).
    pub p_resist_hard: f64,
    /// P(a Soft defender resists a challenge).
    pub p_resist_soft: f64,
}

impl DeterrenceGame {
    /// The brief's example: challenger SQ 0, DC 1, DD -1; defender SQ 1, concede 0, war 0.5 if
    /// Hard and -1 if Soft.
    pub fn brief_example(p_hard: f64) -> DeterrenceGame {
        DeterrenceGame {
            challenger_sq: 0.0,
            challenger_dc: 1.0,
            challenger_dd: -1.0,
            defender_sq: 1.0,
            defender_concede: 0.0,
            defender_war_hard: 0.5,
            defender_war_soft: -1.0,
            p_hard,
        }
    }

    /// Zagare-Kilgour threshold: the challenger challenges iff p_hard is below it.
    pub fn threshold(&self) -> f64 {
        (self.challenger_dc - self.challenger_sq) / (self.challenger_dc - self.challenger_dd)
    }

    /// The logit agent QRE at precision `lambda` (`f64::INFINITY` = best response). Each agent
    /// (challenger, Hard defender, Soft defender) plays logit responses to the others; the game
    /// is sequential, so the fixed point is found by backward induction.
    pub fn agent_qre(&self, lambda: f64) -> Equilibrium {
        let mut p = [0.0; 2];
        logit_probs(&[self.defender_concede, self.defender_war_hard], lambda, &mut p);
        let resist_hard = p[1];
        logit_probs(&[self.defender_concede, self.defender_war_soft], lambda, &mut p);
        let resist_soft = p[1];
        let resist = self.p_hard * resist_hard + (1.0 - self.p_hard) * resist_soft;
        let challenge = resist * self.challenger_dd + (1.0 - resist) * self.challenger_dc;
        logit_probs(&[self.challenger_sq, challenge], lambda, &mut p);
        Equilibrium {
            p_challenge: p[1],
            p_resist_hard: resist_hard,
            p_resist_soft: resist_soft,
        }
    }
}

/// The symmetric mixed equilibrium of the volunteer's dilemma with `n` players, cost `c` of
/// acting and benefit `b` if at least one acts (0 < c < b): each acts with probability q such
/// that acting and waiting pay the same. Found numerically (bisection on the payoff
/// difference) so that it can be checked against the closed form.
pub fn volunteer_q(n: u32, c: f64, b: f64) -> f64 {
    let gap = |q: f64| {
        let act = b - c;
        let wait = b * (1.0 - maths::powi(1.0 - q, n as i32 - 1));
        act - wait
    };
    // gap(q) = b (1 - q)^(n-1) - c falls from b - c > 0 at q = 0 to -c < 0 at q = 1.
    let (mut lo, mut hi) = (0.0_f64, 1.0_f64);
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if gap(mid) > 0.0 {
            // acting still pays more than waiting: the equilibrium q is higher
            lo = mid;
        } else {
            hi = mid;
        }
    }
    0.5 * (lo + hi)
}

/// P(nobody acts) in the symmetric mixed equilibrium.
pub fn volunteer_nobody(n: u32, c: f64, b: f64) -> f64 {
    maths::powi(1.0 - volunteer_q(n, c, b), n as i32)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::rng::Draws;

    /// Check 1: with best-response play the challenger challenges iff p < threshold.
    #[test]
    fn zagare_kilgour_threshold_holds() {
        let games = [
            DeterrenceGame::brief_example(0.0),
            DeterrenceGame {
                challenger_sq: 0.2,
                challenger_dc: 1.5,
                challenger_dd: -2.0,
                ..DeterrenceGame::brief_example(0.0)
            },
        ];
        for g0 in games {
            let t = g0.threshold();
            for k in 0..=100 {
                let p = k as f64 / 100.0;
                if (p - t).abs() < 1e-9 {
                    continue;
                }
                let e = DeterrenceGame { p_hard: p, ..g0 }.agent_qre(f64::INFINITY);
                assert_eq!(e.p_resist_hard, 1.0);
                assert_eq!(e.p_resist_soft, 0.0);
                assert_eq!(
                    e.p_challenge,
                    if p < t { 1.0 } else { 0.0 },
                    "p {p} threshold {t}"
                );
            }
        }
        assert_eq!(DeterrenceGame::brief_example(0.0).threshold(), 0.5);
    }

    /// Check 2: the logit AQRE matches Gambit 16.7's values for the brief's example.
    #[test]
    fn logit_aqre_matches_gambit() {
        let e = DeterrenceGame::brief_example(0.3).agent_qre(2.0);
        assert!((e.p_challenge - 0.687608).abs() < 5e-7, "{}", e.p_challenge);
        assert!((e.p_resist_hard - 0.731059).abs() < 5e-7);
        assert!((e.p_resist_soft - 0.119203).abs() < 5e-7);
        // lambda = 0: uniform play (check 4).
        let u = DeterrenceGame::brief_example(0.3).agent_qre(0.0);
        assert_eq!((u.p_challenge, u.p_resist_hard, u.p_resist_soft), (0.5, 0.5, 0.5));
    }

    /// Check 4: adding a constant to every payoff of a player changes no choice.
    #[test]
    fn payoff_shift_invariance() {
        let g = DeterrenceGame::brief_example(0.3);
        let h = DeterrenceGame {
            challenger_sq: g.challenger_sq + 5.0,
            challenger_dc: g.challenger_dc + 5.0,
            challenger_dd: g.challenger_dd + 5.0,
            defender_concede: g.defender_concede - 3.0,
            defender_war_hard: g.defender_war_hard - 3.0,
            defender_war_soft: g.defender_war_soft - 3.0,
            ..g
        };
        for lambda in [0.0, 0.7, 2.0, 9.0, f64::INFINITY] {
            let (a, b) = (g.agent_qre(lambda), h.agent_qre(lambda));
            assert!((a.p_challenge - b.p_challenge).abs() < 1e-12);
            assert!((a.p_resist_hard - b.p_resist_hard).abs() < 1e-12);
            assert!((a.p_resist_soft - b.p_resist_soft).abs() < 1e-12);
        }
    }

    /// Check 3: volunteer's dilemma, n = 3, c/b = 0.25: P(nobody) = 0.125, rising with n.
    #[test]
    fn volunteers_dilemma() {
        assert!((volunteer_nobody(3, 0.25, 1.0) - 0.125).abs() < 1e-12);
        let mut last = 0.0;
        for n in 2..12 {
            let closed = maths::pow(0.25, n as f64 / (n as f64 - 1.0));
            let x = volunteer_nobody(n, 0.25, 1.0);
            assert!((x - closed).abs() < 1e-12, "n {n}");
            assert!(x > last, "P(nobody) must rise with n");
            last = x;
        }
        // Monte Carlo: three players each acting with the equilibrium q.
        let q = volunteer_q(3, 0.25, 1.0);
        let mut d = Draws::new(11, 0, 0);
        let trials = 200_000;
        let nobody = (0..trials).filter(|_| (0..3).all(|_| d.uniform() >= q)).count() as f64 / trials as f64;
        let se = (0.125 * 0.875 / trials as f64).sqrt();
        assert!((nobody - 0.125).abs() < 4.0 * se, "{nobody}");
    }
}
