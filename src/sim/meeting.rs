//! A joint meeting as a game (docs/MODEL.md §7.10): a tour de table of public, irrevocable
//! commitments in the speaking order, each speaker seeing the record so far and anticipating
//! the speakers after it, then last calls to those who passed.
//!
//! The tour is a perfect-information game played at its logit agent quantal response
//! equilibrium (McKelvey & Palfrey 1998): each speaker takes a logit response to its
//! continuation values, computed by backward induction. Every utility depends on the others only
//! through the final total strength W = d·K + X and the number N of responders (members whose
//! option honours, forced members included), so the continuation is a table per speaker over
//! (W, N) of three expectations: E[C(W_final)], E[φ(N_final)] and E[N_final]. The later
//! speakers' types are unknown to the earlier ones and mixed at their baseline P(Hard). W is on
//! a grid with linear interpolation (on a lattice of supports the grid holds every reachable W
//! exactly); N is exact. Tables are built once per prepared regime, for an offensive with and
//! without a fired tripwire and for a probe.
//!
//! In a last call a member who passed takes a logit response to the record, treating it as
//! final; a call in which nobody commits closes the meeting. Commitments only accumulate, so
//! adding calls never makes the outcome oscillate, and a quiet call ends it.

// Per-option quantities live in parallel fixed-size arrays indexed by menu position.
#![allow(clippy::needless_range_loop)]

use crate::model::choice::{logit_probs, sample};
use crate::sim::guarantor::{Game, MAXOPT, OFFENSIVE_KIND, PROBE_KIND};

/// Most grid points of W.
const MAX_GRID: usize = 4096;
/// Grid points of W when the supports are not on a lattice.
const GRID: usize = 96;

/// The continuation tables of one tour de table.
#[derive(Debug, Clone)]
pub struct Tour {
    /// The crisis kind.
    pub kind: usize,
    /// The speakers, in order (forced members skip their turn).
    pub speakers: Vec<usize>,
    /// Grid step of W.
    step: f64,
    /// Grid points of W, from 0.
    len: usize,
    /// N runs over `0..=members`.
    n1: usize,
    /// `(speakers + 1) × len × n1` entries of (E[C], E[φ], E[N]); node s is before speaker s.
    data: Vec<[f64; 3]>,
}

impl Tour {
    #[inline]
    fn cell(&self, node: usize, w: usize, n: usize) -> &[f64; 3] {
        &self.data[(node * self.len + w) * self.n1 + n]
    }

    /// The expectations at node `node` (before speaker `node` speaks; `speakers.len()` is the
    /// end) for total strength `w` and `n` responders so far, interpolated in W.
    #[inline]
    pub fn at(&self, node: usize, w: f64, n: usize) -> [f64; 3] {
        let f = (w / self.step).max(0.0);
        let i = (f as usize).min(self.len - 2);
        let t = (f - i as f64).min(1.0);
        let n = n.min(self.n1 - 1);
        let (a, b) = (self.cell(node, i, n), self.cell(node, i + 1, n));
        [
            a[0] + t * (b[0] - a[0]),
            a[1] + t * (b[1] - a[1]),
            a[2] + t * (b[2] - a[2]),
        ]
    }

    /// Speaker `node`'s utilities at record (w, n) given its type, against the continuation
    /// after it, written to `u`.
    #[inline]
    pub fn utilities(&self, g: &Game, node: usize, hard: bool, w: f64, n: usize, u: &mut [f64]) {
        let i = self.speakers[node];
        let menu = &g.menus[i];
        let mut cs = [[0.0; 3]; MAXOPT];
        for k in 0..menu.len() {
            cs[k] = self.at(node + 1, w + menu.x[k], n + usize::from(menu.honours[k]));
        }
        self.utilities_from(g, node, hard, &cs, u);
    }

    /// Speaker `node`'s utilities from the continuation `cs[k]` after each of its options
    /// (E[C], E[φ], E[N] at the next node; for an option that does not honour E[N] counts the
    /// others only, the only case in which the utility reads it).
    #[inline]
    fn utilities_from(&self, g: &Game, node: usize, hard: bool, cs: &[[f64; 3]; MAXOPT], u: &mut [f64]) {
        g.utilities(
            self.speakers[node],
            hard,
            self.kind,
            |k, _, _| (cs[k][0], cs[k][1], cs[k][2]),
            u,
        );
    }
}

/// The grid of W for a game: step and number of points. On a lattice (every support 0 or x̄)
/// the step divides x̄, so W = seen + m·x̄ falls on grid points when `seen` does.
fn grid(g: &Game, top: f64, lattice: Option<f64>) -> (f64, usize) {
    if let Some(x) = lattice {
        let step = x / 4.0;
        let len = ((top / step).ceil() as usize + 2).min(MAX_GRID);
        if (len as f64) * step >= top {
            return (step, len.max(2));
        }
    }
    let _ = g;
    let top = top.max(1e-9);
    (top / (GRID - 1) as f64, GRID)
}

/// Build the continuation tables of a tour of kind `kind` with `speakers` in order, members'
/// types mixed at their baseline resolve, W up to `top`.
pub fn build(g: &Game, kind: usize, speakers: Vec<usize>, top: f64, lattice: Option<f64>) -> Tour {
    let n = g.menus.len();
    let (step, len) = grid(g, top, lattice);
    let n1 = n + 1;
    let nodes = speakers.len() + 1;
    let mut t = Tour {
        kind,
        speakers,
        step,
        len,
        n1,
        data: vec![[0.0; 3]; nodes * len * n1],
    };
    let end = nodes - 1;
    for w in 0..len {
        for k in 0..n1 {
            let c = g.hold(kind, w as f64 * step);
            let idx = (end * len + w) * n1 + k;
            t.data[idx] = [c, g.phi(k as f64), k as f64];
        }
    }
    let (mut u, mut q) = ([0.0; MAXOPT], [0.0; MAXOPT]);
    // Before speaker `node` at most the forced members and the `node` earlier speakers respond:
    // larger counts are never reached, so their cells are left at zero.
    let forced = n - t.speakers.len();
    for node in (0..end).rev() {
        let i = t.speakers[node];
        let menu = &g.menus[i];
        let nk = menu.len();
        let reach = (forced + node + 1).min(n1);
        for w in 0..len {
            let wv = w as f64 * step;
            for k in 0..reach {
                let mut acc = [0.0; 3];
                let mut cs = [[0.0; 3]; MAXOPT];
                for o in 0..nk {
                    cs[o] = t.at(node + 1, wv + menu.x[o], k + usize::from(menu.honours[o]));
                }
                for (ty, weight) in [(true, menu.resolve), (false, 1.0 - menu.resolve)] {
                    if weight == 0.0 {
                        continue;
                    }
                    t.utilities_from(g, node, ty, &cs, &mut u[..nk]);
                    logit_probs(&u[..nk], menu.lambda, &mut q[..nk]);
                    for o in 0..nk {
                        for f in 0..3 {
                            acc[f] += weight * q[o] * cs[o][f];
                        }
                    }
                }
                let idx = (node * len + w) * n1 + k;
                t.data[idx] = acc;
            }
        }
    }
    t
}

/// What a member of each type expects to do in the tour, averaged over the records it may
/// face: per guarantor and type (`[Hard, Soft]`), its option probabilities by menu position.
/// A forward pass of the distribution over (W, N) from (`seen`, `n0`) (§7.6).
pub fn expected_play(g: &Game, t: &Tour, seen: f64, n0: usize) -> Vec<[[f64; MAXOPT]; 2]> {
    let mut out = vec![[[0.0; MAXOPT]; 2]; g.menus.len()];
    let mut mass = vec![0.0; t.len * t.n1];
    let mut next = vec![0.0; t.len * t.n1];
    spread(&mut mass, t, seen, n0.min(t.n1 - 1), 1.0);
    let (mut u, mut q) = ([0.0; MAXOPT], [0.0; MAXOPT]);
    for node in 0..t.speakers.len() {
        let i = t.speakers[node];
        let menu = &g.menus[i];
        let nk = menu.len();
        next.fill(0.0);
        for w in 0..t.len {
            for k in 0..t.n1 {
                let p = mass[w * t.n1 + k];
                if p == 0.0 {
                    continue;
                }
                let wv = w as f64 * t.step;
                let mut cs = [[0.0; 3]; MAXOPT];
                for o in 0..nk {
                    cs[o] = t.at(node + 1, wv + menu.x[o], k + usize::from(menu.honours[o]));
                }
                for (ty, hard) in [true, false].into_iter().enumerate() {
                    let weight = if hard { menu.resolve } else { 1.0 - menu.resolve };
                    t.utilities_from(g, node, hard, &cs, &mut u[..nk]);
                    logit_probs(&u[..nk], menu.lambda, &mut q[..nk]);
                    for o in 0..nk {
                        out[i][ty][o] += p * q[o];
                        let nn = (k + usize::from(menu.honours[o])).min(t.n1 - 1);
                        spread(&mut next, t, wv + menu.x[o], nn, p * weight * q[o]);
                    }
                }
            }
        }
        std::mem::swap(&mut mass, &mut next);
    }
    out
}

/// Add mass `p` at (w, n), split linearly between the two grid points around w.
fn spread(mass: &mut [f64], t: &Tour, w: f64, n: usize, p: f64) {
    let f = (w / t.step).max(0.0);
    let i = (f as usize).min(t.len - 2);
    let a = (f - i as f64).min(1.0);
    mass[i * t.n1 + n] += p * (1.0 - a);
    mass[(i + 1) * t.n1 + n] += p * a;
}

/// The three tours of a meeting regime: an offensive without and with a fired tripwire, and a
/// probe.
#[derive(Debug, Clone)]
pub struct Tables {
    /// Offensive, tripwire not fired.
    pub offensive: Tour,
    /// Offensive, tripwire fired (the forced members skip their turn).
    pub tripwire: Tour,
    /// Probe.
    pub probe: Tour,
}

impl Tables {
    /// Build the tables for speaking order `order`, `forced` the members a fired tripwire
    /// forces, W up to `top`.
    pub fn new(g: &Game, order: &[usize], forced: &[bool], top: f64, lattice: Option<f64>) -> Tables {
        let free: Vec<usize> = order.iter().copied().filter(|&i| !forced[i]).collect();
        Tables {
            offensive: build(g, OFFENSIVE_KIND, order.to_vec(), top, lattice),
            tripwire: build(g, OFFENSIVE_KIND, free, top, lattice),
            probe: build(g, PROBE_KIND, order.to_vec(), top, lattice),
        }
    }
}

/// One draw of a member's choice: logit over `u` at precision `lambda` with uniform `draw`;
/// returns the menu position and writes the probabilities to `q`.
#[inline]
pub fn draw_choice(u: &[f64], lambda: f64, draw: f64, q: &mut [f64]) -> usize {
    logit_probs(u, lambda, q);
    sample(q, draw)
}
