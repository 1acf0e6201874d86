//! The MPI backend (cargo feature `mpi`): rank 0 hands out design points one at a time to the
//! other ranks as they ask for work (dynamic distribution: a slow point never stalls the
//! others), gathers their rows, and writes them in point order, so the result is byte-identical
//! to a single-process run and a killed job leaves a resumable directory.
//!
//! Every rank reads the same study file and computes the same design; only rank 0 touches the
//! output directory. With one rank the study runs as in a single process.

use crate::sim::batch::{self as runner, Silent};
use crate::study::ensemble_sweep::SweepEnsemble;
use crate::study::execute::SweepProgress;
use crate::study::spec::Sweep;
use crate::study::store::{Opened, SweepOptions, SweepReport};
use crate::study::{execute, store};
use crate::{Error, Result};
use mpi::traits::*;
use std::collections::BTreeMap;
use std::time::Duration;

const TAG_RESULT: i32 = 1;
const TAG_WORK: i32 = 2;
const STOP: u64 = u64::MAX;

/// Run a study across the ranks of `MPI_COMM_WORLD`. Returns the report on rank 0 and `None`
/// on the other ranks.
pub fn run(sweep: Sweep, o: &SweepOptions, progress: &dyn SweepProgress) -> Result<Option<SweepReport>> {
    let universe = mpi::initialize().ok_or_else(|| Error::Usage {
        option: "--mpi".into(),
        message: "MPI could not be initialised (was it already?)".into(),
    })?;
    let world = universe.world();
    if o.per_run {
        return Err(Error::Usage {
            option: "--per-run".into(),
            message: "is not available with --mpi; use --shard K/N and merge for per-run rows".into(),
        });
    }
    if world.size() == 1 {
        return execute::run_sweep(sweep, o, progress).map(Some);
    }
    if world.rank() == 0 {
        // Open (or refuse) the directory first; on error tell the workers to stop.
        let st = match store::open(sweep, o) {
            Ok(st) => st,
            Err(e) => {
                stop_all(&world);
                return Err(e);
            }
        };
        match master(&world, st, progress) {
            Ok(r) => Ok(Some(r)),
            Err(e) => {
                // The workers wait for answers that will not come: end the whole job.
                eprintln!("error: {e}");
                world.abort(2)
            }
        }
    } else {
        worker(&world, &sweep, o.ensemble.as_ref());
        Ok(None)
    }
}

fn stop_all<C: Communicator>(world: &C) {
    for r in 1..world.size() {
        // Each worker's first message is a request; answer it with STOP.
        let (_, _) = world.process_at_rank(r).receive_vec_with_tag::<u8>(TAG_RESULT);
        world.process_at_rank(r).send_with_tag(&[STOP][..], TAG_WORK);
    }
}

fn master<C: Communicator>(world: &C, st: Opened, progress: &dyn SweepProgress) -> Result<SweepReport> {
    let start = std::time::Instant::now();
    if st.complete {
        stop_all(world);
        return st.close(0.0);
    }
    let todo: Vec<usize> = st.mine[st.done..].to_vec();
    let mut next = 0; // next point of `todo` to hand out
    let mut written = 0; // points of `todo` written, in order
    let mut pending: BTreeMap<usize, Vec<u8>> = BTreeMap::new();
    let mut active = world.size() - 1;
    progress.advance(st.done as u64 * st.sweep.replicates);
    let mut file = st.append_file()?;
    while active > 0 {
        let Some(status) = world.any_process().immediate_probe_with_tag(TAG_RESULT) else {
            std::thread::sleep(Duration::from_micros(500));
            continue;
        };
        let src = status.source_rank();
        let (buf, _) = world.process_at_rank(src).receive_vec_with_tag::<u8>(TAG_RESULT);
        if buf.len() >= 8 {
            let mut id = [0u8; 8];
            id.copy_from_slice(&buf[..8]);
            let p = u64::from_le_bytes(id);
            if p != STOP {
                pending.insert(p as usize, buf[8..].to_vec());
                progress.advance(st.sweep.replicates);
            }
        }
        // Write every point that is next in order.
        while written < todo.len() {
            let Some(rows) = pending.remove(&todo[written]) else {
                break;
            };
            let text = String::from_utf8(rows).map_err(|_| Error::Results {
                path: st.partial(),
                message: format!("rank {src} sent rows that are not text"),
            })?;
            st.append(&mut file, &text)?;
            written += 1;
            progress.point_done(st.done + written, st.mine.len());
        }
        let work = if next < todo.len() {
            next += 1;
            todo[next - 1] as u64
        } else {
            active -= 1;
            STOP
        };
        world.process_at_rank(src).send_with_tag(&[work][..], TAG_WORK);
    }
    drop(file);
    if written != todo.len() {
        return Err(Error::Results {
            path: st.dir.clone(),
            message: format!(
                "only {written} of {} points came back from the workers",
                todo.len()
            ),
        });
    }
    let wall = start.elapsed().as_secs_f64();
    st.close(wall)
}

fn worker<C: Communicator>(world: &C, sweep: &Sweep, ensemble: Option<&SweepEnsemble>) {
    let root = world.process_at_rank(0);
    let pool = match runner::pool(sweep.threads) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("rank {}: {e}", world.rank());
            world.abort(1);
        }
    };
    let mut message = STOP.to_le_bytes().to_vec();
    loop {
        root.send_with_tag(&message[..], TAG_RESULT);
        let (work, _) = root.receive_vec_with_tag::<u64>(TAG_WORK);
        let Some(&p) = work.first() else { break };
        if p == STOP {
            break;
        }
        match execute::compute_point_over(sweep, ensemble, p as usize, &pool, &Silent) {
            Ok(rows) => {
                message = p.to_le_bytes().to_vec();
                message.extend_from_slice(rows.as_bytes());
            }
            Err(e) => {
                eprintln!("rank {}: point {p}: {e}", world.rank());
                world.abort(1);
            }
        }
    }
}
