//! `calibrate --mpi` (cargo feature `mpi`): rank 0 runs the sampler and owns the output
//! directory; its evaluator hands each block's candidates (stream point and working-scale point
//! as f64 bits) one at a time to the worker ranks as they ask for work (a slow candidate never
//! stalls the others), gathers their estimates (value, scaled, var as f64 bits) and accepts in
//! index order, so the posterior is byte-identical to a single-process run. Workers load the
//! same calibration file (checked: their first message carries the calibration's identity) and
//! simulate until told to stop. With one rank the calibration runs as in a single process.
//!
//! Errors: an error on rank 0 between blocks (the directory refused, a write failing, a point
//! that is not a valid model) stops the workers and is reported as usual; a broken exchange in
//! the middle of a block ends the whole job (`MPI_Abort`), as the sweeps' backend does. A killed
//! job leaves the directory `--resume` continues from its last finished generation.

use crate::sim::batch as runner;
use crate::study::calibrate::sampler::{
    calibrate, calibrate_with, simulate, CalibrateOptions, CalibrationProgress, CalibrationReport, Candidate,
    Evaluate, Outcome,
};
use crate::study::calibrate::spec::Calibration;
use crate::study::calibrate::statistics::Estimate;
use crate::{Error, Result};
use mpi::traits::*;
use std::collections::HashMap;
use std::time::Duration;

/// Worker to rank 0: a request or a result.
const TAG_RESULT: i32 = 11;
/// Rank 0 to a worker: a candidate or STOP.
const TAG_WORK: i32 = 12;
const STOP: u64 = u64::MAX;

/// What a worker's message holds after its 8-byte point.
const REQUEST: u8 = 0;
const ESTIMATES: u8 = 1;
const FAILED: u8 = 2;

/// Run a calibration across the ranks of `MPI_COMM_WORLD`. Returns the report on rank 0 and
/// `None` on the other ranks.
pub fn run(
    cal: Calibration,
    o: &CalibrateOptions,
    progress: &dyn CalibrationProgress,
) -> Result<Option<CalibrationReport>> {
    if o.shard.is_some() {
        return Err(Error::Usage {
            option: "--mpi".into(),
            message: "cannot be combined with --shard; use one or the other".into(),
        });
    }
    let universe = mpi::initialize().ok_or_else(|| Error::Usage {
        option: "--mpi".into(),
        message: "MPI could not be initialised (was it already?)".into(),
    })?;
    let world = universe.world();
    if world.size() == 1 {
        return calibrate(cal, o, progress).map(Some);
    }
    if world.rank() == 0 {
        let mut eval = Ranks::new(&world, &cal);
        let r = calibrate_with(&cal, o, &mut eval, progress, &|_| Ok(()));
        eval.stop();
        r.map(Some)
    } else {
        worker(&world, &cal);
        Ok(None)
    }
}

/// Rank 0's evaluator.
struct Ranks<'a, C: Communicator> {
    world: &'a C,
    cal: &'a Calibration,
    identity: String,
    /// Ranks whose first message (a request) has been received.
    heard: Vec<bool>,
    /// Ranks waiting for work.
    idle: Vec<i32>,
}

impl<'a, C: Communicator> Ranks<'a, C> {
    fn new(world: &'a C, cal: &'a Calibration) -> Ranks<'a, C> {
        Ranks {
            world,
            cal,
            identity: cal.identity(),
            heard: vec![false; world.size() as usize],
            idle: Vec::new(),
        }
    }

    /// The job cannot go on (a worker is out of step): end every rank.
    fn abort(&self, message: String) -> ! {
        eprintln!("error: {message}");
        self.world.abort(2)
    }

    fn send(&self, rank: i32, c: &Candidate) {
        let mut work = Vec::with_capacity(1 + c.working.len());
        work.push(c.point);
        work.extend(c.working.iter().map(|x| x.to_bits()));
        self.world
            .process_at_rank(rank)
            .send_with_tag(&work[..], TAG_WORK);
    }

    /// Tell every worker to stop (none has work at a block's end): first take the first
    /// request of those not heard from yet.
    fn stop(&mut self) {
        for r in 1..self.world.size() {
            if !self.heard[r as usize] {
                let (_, _) = self
                    .world
                    .process_at_rank(r)
                    .receive_vec_with_tag::<u8>(TAG_RESULT);
                self.heard[r as usize] = true;
            }
            self.world.process_at_rank(r).send_with_tag(&[STOP][..], TAG_WORK);
        }
        self.idle.clear();
    }
}

impl<C: Communicator> Evaluate for Ranks<'_, C> {
    fn block(
        &mut self,
        g: usize,
        _b: usize,
        block: &[Candidate],
        take: &mut dyn FnMut(Outcome) -> Result<bool>,
    ) -> Result<()> {
        let index: HashMap<u64, usize> = block.iter().enumerate().map(|(i, c)| (c.point, i)).collect();
        let mut results: Vec<Option<Outcome>> = (0..block.len()).map(|_| None).collect();
        let mut next = 0;
        let mut out = 0; // candidates handed out and not back yet
        while next < block.len() {
            let Some(r) = self.idle.pop() else { break };
            self.send(r, &block[next]);
            next += 1;
            out += 1;
        }
        let targets = self.cal.targets().len();
        while next < block.len() || out > 0 {
            let Some(status) = self.world.any_process().immediate_probe_with_tag(TAG_RESULT) else {
                std::thread::sleep(Duration::from_micros(200));
                continue;
            };
            let src = status.source_rank();
            let (buf, _) = self
                .world
                .process_at_rank(src)
                .receive_vec_with_tag::<u8>(TAG_RESULT);
            if buf.len() < 9 {
                self.abort(format!("rank {src} sent a message of {} bytes", buf.len()));
            }
            let mut id = [0u8; 8];
            id.copy_from_slice(&buf[..8]);
            let point = u64::from_le_bytes(id);
            let body = &buf[9..];
            match buf[8] {
                REQUEST => {
                    if body != self.identity.as_bytes() {
                        self.abort(format!(
                            "rank {src} loaded a different calibration (file, base config, seed or \
                             settings differ); give every rank the same file and flags"
                        ));
                    }
                    self.heard[src as usize] = true;
                }
                kind @ (ESTIMATES | FAILED) => {
                    let Some(&i) = index.get(&point) else {
                        self.abort(format!(
                            "rank {src} sent the result of a candidate not handed out ({point})"
                        ));
                    };
                    let outcome = if kind == ESTIMATES {
                        if body.len() != targets * 24 {
                            self.abort(format!("rank {src} sent {} bytes of estimates", body.len()));
                        }
                        let f = |k: usize| {
                            let mut b = [0u8; 8];
                            b.copy_from_slice(&body[8 * k..8 * k + 8]);
                            f64::from_bits(u64::from_le_bytes(b))
                        };
                        Ok((0..targets)
                            .map(|t| Estimate {
                                value: f(3 * t),
                                scaled: f(3 * t + 1),
                                var: f(3 * t + 2),
                            })
                            .collect())
                    } else {
                        Err(Error::Invalid {
                            file: self.cal.file().to_string(),
                            field: "priors".into(),
                            message: format!(
                                "candidate {} of generation {g} (simulated on rank {src}) is not a valid model: {}",
                                block[i].j,
                                String::from_utf8_lossy(body)
                            ),
                        })
                    };
                    results[i] = Some(outcome);
                    out -= 1;
                }
                other => self.abort(format!("rank {src} sent a message of kind {other}")),
            }
            if next < block.len() {
                self.send(src, &block[next]);
                next += 1;
                out += 1;
            } else {
                self.idle.push(src);
            }
        }
        for r in results {
            let Some(o) = r else {
                self.abort("a candidate's result did not come back".into());
            };
            if !take(o)? {
                break;
            }
        }
        Ok(())
    }
}

/// A worker rank: ask for work (the first request carries the calibration's identity),
/// simulate each candidate handed over, send back its estimates, until STOP.
fn worker<C: Communicator>(world: &C, cal: &Calibration) {
    let root = world.process_at_rank(0);
    let pool = match runner::pool(cal.threads()) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("rank {}: {e}", world.rank());
            world.abort(1);
        }
    };
    let mut message = STOP.to_le_bytes().to_vec();
    message.push(REQUEST);
    message.extend_from_slice(cal.identity().as_bytes());
    loop {
        root.send_with_tag(&message[..], TAG_RESULT);
        let (work, _) = root.receive_vec_with_tag::<u64>(TAG_WORK);
        let Some((&point, working)) = work.split_first() else {
            break;
        };
        if point == STOP {
            break;
        }
        let z: Vec<f64> = working.iter().map(|&b| f64::from_bits(b)).collect();
        message = point.to_le_bytes().to_vec();
        match simulate(cal, &z, point, &pool) {
            Ok(est) => {
                message.push(ESTIMATES);
                for e in est {
                    for x in [e.value, e.scaled, e.var] {
                        message.extend_from_slice(&x.to_bits().to_le_bytes());
                    }
                }
            }
            Err(e) => {
                message.push(FAILED);
                message.extend_from_slice(e.to_string().as_bytes());
            }
        }
    }
}
