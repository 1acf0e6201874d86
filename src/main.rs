//! The `deterrence-sim` binary: parses arguments and calls the library. Nothing else lives here.

use anyhow::Result;
use clap::{Parser, Subcommand};
use deterrence_sim::app::load::{self, Overrides};
use deterrence_sim::app::{init, plot, point, run, validate};
use deterrence_sim::sim::batch::Progress;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "deterrence-sim",
    version,
    about = "Game-theoretic agent-based Monte Carlo simulation of security guarantees for Ukraine",
    long_about = "Simulates Russia, Ukraine, the US and European states choosing month by month under \
guarantee regimes (NATO Article 5, the NATO-light 24-hour clause, bilateral agreements, none) and \
estimates how often each deters a renewed offensive.\n\nExample:\n  deterrence-sim run            \
# the default config, results in output/default/"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(clap::Args, Clone, Default)]
struct RunArgs {
    /// Seed of the random streams (overrides [run].seed)
    #[arg(long)]
    seed: Option<u64>,
    /// Worker threads; 0 = all cores (results do not depend on it)
    #[arg(long)]
    threads: Option<usize>,
    /// Monte Carlo runs per regime (overrides [run].runs)
    #[arg(long)]
    runs: Option<u64>,
    /// Months in the horizon (overrides [run].periods)
    #[arg(long)]
    periods: Option<u64>,
    /// Set any parameter by its dotted path, e.g. --set russia.lambda=3 or
    /// --set regimes.article5.rule=consensus (repeatable)
    #[arg(long = "set", value_name = "PATH=VALUE", value_parser = load::parse_set)]
    sets: Vec<(String, load::SetValue)>,
    /// Regime the paired differences subtract (default: the regime named `none`)
    #[arg(long, value_name = "REGIME")]
    baseline: Option<String>,
}

impl RunArgs {
    fn overrides(&self) -> Overrides {
        Overrides {
            seed: self.seed,
            runs: self.runs,
            periods: self.periods,
            threads: self.threads,
            sets: self.sets.clone(),
            baseline: self.baseline.clone(),
        }
    }
}

/// Options shared by `sweep` and `sensitivity`.
#[derive(clap::Args, Clone)]
struct StudyArgs {
    /// Output directory (default: output/<file stem or name>/)
    #[arg(long)]
    out: Option<PathBuf>,
    /// Finish an interrupted study in its directory
    #[arg(long)]
    resume: bool,
    /// Worker threads; 0 = all cores (results do not depend on it)
    #[arg(long)]
    threads: Option<usize>,
    /// Seed (overrides the file)
    #[arg(long)]
    seed: Option<u64>,
    /// Monte Carlo runs per regime at every point (overrides the file)
    #[arg(long)]
    replicates: Option<u64>,
    /// Run only shard K of N (points with index % N == K), e.g. --shard 3/16; then `merge`
    #[arg(long, value_parser = parse_shard)]
    shard: Option<(u64, u64)>,
    /// Spread points over MPI ranks (under mpirun; needs a build with --features mpi)
    #[arg(long)]
    mpi: bool,
    /// Also write runs.csv: one row per point, regime and replicate (not with --mpi)
    #[arg(long)]
    per_run: bool,
    /// Overwrite a directory that holds results
    #[arg(long)]
    force: bool,
    /// No progress bar
    #[arg(long)]
    quiet: bool,
}

impl StudyArgs {
    fn overrides(&self, points: Option<u64>) -> deterrence_sim::study::spec::SweepOverrides {
        deterrence_sim::study::spec::SweepOverrides {
            seed: self.seed,
            replicates: self.replicates,
            points,
            threads: self.threads,
        }
    }
}

#[derive(Subcommand)]
enum Command {
    /// Run every regime of a config over the same seeded Monte Carlo runs; write results and charts
    #[command(
        after_help = "Examples:\n  deterrence-sim run\n  deterrence-sim run configs/default.toml --runs 2000 --seed 7 --out output/try\n  deterrence-sim run --threads 1 --quiet --force"
    )]
    Run {
        /// Config file (default: configs/default.toml if present, else the built-in default)
        config: Option<PathBuf>,
        #[command(flatten)]
        args: RunArgs,
        /// Output directory (default: output/<config name>/)
        #[arg(long)]
        out: Option<PathBuf>,
        /// Overwrite an output directory that already holds results
        #[arg(long)]
        force: bool,
        /// No progress bar, no table
        #[arg(long)]
        quiet: bool,
        /// Also write runs.csv: one row per regime and run (outcome, month, probes, crises)
        #[arg(long)]
        per_run: bool,
        /// Rerun one point of a sweep directory (with --point); reproduces its rows exactly
        #[arg(long, value_name = "SWEEP_DIR", requires = "point", conflicts_with_all = ["config", "seed", "runs", "periods", "threads", "sets", "per_run", "baseline"])]
        from_sweep: Option<PathBuf>,
        /// The point to rerun (with --from-sweep)
        #[arg(long, requires = "from_sweep")]
        point: Option<usize>,
        /// Draw each run's parameters from a calibration's posterior.csv (the same draw and
        /// stream in every regime); writes ensemble.csv, orderings.csv, draws.csv and a chart
        #[arg(long, value_name = "POSTERIOR", conflicts_with_all = ["from_sweep", "per_run"])]
        ensemble: Option<PathBuf>,
    },
    /// Sweep parameters over a design (grid, lhs, sobol, table); every regime at every point
    #[command(
        after_help = "Examples:\n  deterrence-sim sweep configs/sweep_us_resolve.toml\n  deterrence-sim sweep configs/sweep_us_resolve.toml --replicates 200 --points 5 --out output/trial\n  deterrence-sim sweep configs/sweep_us_resolve.toml --resume      # after an interruption\n  deterrence-sim sweep configs/sweep_us_resolve.toml --ensemble docs/calibration/posterior.csv --replicates 400"
    )]
    Sweep {
        /// Sweep file
        sweep: PathBuf,
        /// Number of points (lhs/sobol: the sample size; grid/table: the first N points)
        #[arg(long)]
        points: Option<u64>,
        /// Draw every run's parameters from a calibration's posterior.csv (run i draws the same
        /// particle at every point and in every regime; the point's swept values replace the
        /// particle's); overrides the sweep file's `ensemble`
        #[arg(long, value_name = "POSTERIOR")]
        ensemble: Option<PathBuf>,
        #[command(flatten)]
        study: StudyArgs,
    },
    /// Global sensitivity analysis (Sobol, Morris) or scenario discovery (PRIM) on the sweep engine
    #[command(
        after_help = "Examples:\n  deterrence-sim sensitivity configs/sens_article5_sobol.toml\n  deterrence-sim sensitivity configs/sens_gap_morris.toml --replicates 100 --out output/quick\n  deterrence-sim sensitivity configs/sens_article5_sobol.toml --shard 0/4 --out output/s0"
    )]
    Sensitivity {
        /// Sensitivity file
        file: PathBuf,
        /// Sample size (Sobol: base samples N; Morris: trajectories; PRIM: points)
        #[arg(long)]
        samples: Option<u64>,
        #[command(flatten)]
        study: StudyArgs,
    },
    /// Calibrate parameters to empirical targets by ABC-SMC on the study engine
    #[command(
        after_help = "Examples:\n  deterrence-sim calibrate configs/calibrate_default.toml\n  deterrence-sim calibrate configs/calibrate_default.toml --resume      # after an interruption\n  deterrence-sim calibrate configs/calibrate_default.toml --synthetic 20 --out output/coverage\n  deterrence-sim calibrate configs/calibrate_default.toml --check --replicates 10000   # the default config against the targets\n  deterrence-sim calibrate configs/calibrate_default.toml --shard 1/4 --out /shared/cal   # one of 4 processes sharing /shared/cal\n  mpirun -np 8 deterrence-sim calibrate configs/calibrate_default.toml --mpi --threads 1   # a build with --features mpi"
    )]
    Calibrate {
        /// Calibration file
        file: PathBuf,
        /// Output directory (default: output/<name>/, or output/<name>-synthetic/)
        #[arg(long)]
        out: Option<PathBuf>,
        /// Continue an interrupted calibration from its last finished generation
        #[arg(long)]
        resume: bool,
        /// Worker threads; 0 = all cores (results do not depend on it)
        #[arg(long)]
        threads: Option<usize>,
        /// Seed (overrides the file)
        #[arg(long)]
        seed: Option<u64>,
        /// Be shard K of N processes given the same file, flags and --out DIR (a shared
        /// directory): each simulates the candidates with index % N == K, and shard 0 writes
        /// the results, byte-identical to one process
        #[arg(long, value_parser = parse_shard, conflicts_with_all = ["synthetic", "check", "mpi"])]
        shard: Option<(u64, u64)>,
        /// With --shard: give up after waiting SECONDS for another shard's file (default: wait,
        /// saying what for)
        #[arg(long, value_name = "SECONDS")]
        wait: Option<f64>,
        /// Spread each generation's candidates over MPI ranks (under mpirun; needs a build with
        /// --features mpi); rank 0 writes the results, byte-identical to one process
        #[arg(long, conflicts_with_all = ["synthetic", "check"])]
        mpi: bool,
        /// Instead of calibrating: the coverage study over N synthetic problems generated by
        /// the model at parameters drawn from the prior
        #[arg(long, value_name = "N")]
        synthetic: Option<usize>,
        /// Instead of calibrating: simulate every target at the base config's own values
        /// (`replicates` runs per regime) against its observed interval; writes check.csv
        #[arg(long, conflicts_with_all = ["synthetic", "resume"])]
        check: bool,
        /// Runs per regime per particle, or of the base config with --check (overrides
        /// `replicates`)
        #[arg(long)]
        replicates: Option<u64>,
        /// Overwrite a directory that holds results
        #[arg(long)]
        force: bool,
        /// No progress bar
        #[arg(long)]
        quiet: bool,
    },
    /// Combine the shard directories of one sweep into OUT (identical to an unsharded run)
    #[command(after_help = "Example:\n  deterrence-sim merge output/full output/s0 output/s1 output/s2")]
    Merge {
        /// Directory to write the merged results into
        out: PathBuf,
        /// Shard directories (all N shards of one sweep)
        #[arg(required = true)]
        shards: Vec<PathBuf>,
        /// Overwrite OUT if it holds results
        #[arg(long)]
        force: bool,
    },
    /// Print one run's month-by-month trace (choices, probabilities, beliefs, outcome)
    #[command(
        after_help = "Example:\n  deterrence-sim replay --regime nato_light --run 5\n  deterrence-sim replay configs/default.toml --regime article5 --run 0 --json > run0.json"
    )]
    Replay {
        /// Config file (default as for `run`)
        config: Option<PathBuf>,
        /// Regime to replay
        #[arg(long)]
        regime: String,
        /// Run index (replicate), as in the batch
        #[arg(long, default_value_t = 0)]
        run: u64,
        /// The arm of the reassurance-force factor: `with` (the tripwire force deployed) or
        /// `without`; both arms of a regime share the run's stream
        #[arg(long = "force", value_name = "ARM", default_value = "with", value_parser = ["with", "without"])]
        arm: String,
        /// Seed (overrides [run].seed)
        #[arg(long)]
        seed: Option<u64>,
        /// Months (overrides [run].periods)
        #[arg(long)]
        periods: Option<u64>,
        /// Print JSON instead of text
        #[arg(long)]
        json: bool,
        /// Set any parameter by its dotted path, as for `run`
        #[arg(long = "set", value_name = "PATH=VALUE", value_parser = load::parse_set)]
        sets: Vec<(String, load::SetValue)>,
    },
    /// Explore a config in the browser: a local server and a page that reruns on every change
    #[cfg(feature = "serve")]
    #[command(
        after_help = "Examples:\n  deterrence-sim serve --open\n  deterrence-sim serve configs/meeting_value.toml --port 8090\n  deterrence-sim serve --host 0.0.0.0 --port 8080   # reachable from other machines: no authentication"
    )]
    Serve {
        /// Config file (default as for `run`)
        config: Option<PathBuf>,
        /// Port to listen on (0: any free port, printed)
        #[arg(long, default_value_t = 8080)]
        port: u16,
        /// Address to listen on: loopback unless told otherwise
        #[arg(long, default_value = "127.0.0.1")]
        host: String,
        /// Open the page in the default browser
        #[arg(long)]
        open: bool,
        /// Engine threads; 0 = as the config says (results do not depend on it)
        #[arg(long, default_value_t = 0)]
        threads: usize,
    },
    /// Check a config and say what is wrong, or that it is fine
    #[command(after_help = "Example:\n  deterrence-sim validate configs/default.toml")]
    Validate {
        /// Config file
        config: PathBuf,
    },
    /// Write the default config into DIR as a starting point
    #[command(
        after_help = "Example:\n  deterrence-sim init my-study && deterrence-sim run my-study/default.toml"
    )]
    Init {
        /// Directory to write default.toml into
        dir: PathBuf,
        /// Overwrite an existing default.toml
        #[arg(long)]
        force: bool,
    },
    /// Redraw a results directory's charts from its CSV files, without rerunning
    #[command(
        after_help = "Example:\n  deterrence-sim plot output/default\n  deterrence-sim plot output/sweep_us_resolve"
    )]
    Plot {
        /// A directory written by `run`, `sweep`, `sensitivity` or `merge`
        dir: PathBuf,
        /// Redraw even from tables that differ from the hashes in manifest.json
        #[arg(long)]
        force: bool,
    },
}

/// Run a sweep or sensitivity study with a progress bar and a closing line.
fn run_study(
    s: deterrence_sim::study::spec::Sweep,
    ensemble: Option<deterrence_sim::study::ensemble_sweep::SweepEnsemble>,
    a: &StudyArgs,
) -> Result<()> {
    let StudyArgs {
        ref out,
        resume,
        force,
        shard,
        quiet,
        mpi,
        per_run,
        ..
    } = *a;
    let out = out.clone();
    let mine = (0..s.points.len())
        .filter(|&p| shard.is_none_or(|(k, n)| p as u64 % n == k))
        .count() as u64;
    let bar = Bar::new(mine * s.replicates, quiet, "runs");
    let opts = deterrence_sim::study::store::SweepOptions {
        out,
        resume,
        force,
        shard,
        per_run,
        ensemble,
    };
    let report = if mpi {
        run_mpi(s, &opts, &bar)?
    } else {
        Some(deterrence_sim::study::execute::run_sweep(s, &opts, &bar)?)
    };
    bar.0.finish_and_clear();
    if let (false, Some(report)) = (quiet, report) {
        println!(
            "{} of {} points run ({} runs per regime) in {:.2} s; results in {}",
            report.points_run,
            report.points_total,
            report.runs,
            report.wall_seconds,
            report.dir.display()
        );
    }
    Ok(())
}

#[cfg(feature = "mpi")]
fn run_mpi(
    s: deterrence_sim::study::spec::Sweep,
    opts: &deterrence_sim::study::store::SweepOptions,
    bar: &Bar,
) -> Result<Option<deterrence_sim::study::store::SweepReport>> {
    Ok(deterrence_sim::study::mpi::run(s, opts, bar)?)
}

#[cfg(not(feature = "mpi"))]
fn run_mpi(
    _: deterrence_sim::study::spec::Sweep,
    _: &deterrence_sim::study::store::SweepOptions,
    _: &Bar,
) -> Result<Option<deterrence_sim::study::store::SweepReport>> {
    Err(deterrence_sim::Error::Usage {
        option: "--mpi".into(),
        message: "this binary was built without MPI; build it with `cargo build --release --features mpi` \
                  (needs libopenmpi-dev and libclang-dev)"
            .into(),
    }
    .into())
}

fn parse_shard(s: &str) -> std::result::Result<(u64, u64), String> {
    let (k, n) = s.split_once('/').ok_or("expected K/N, e.g. 0/4")?;
    let k: u64 = k
        .trim()
        .parse()
        .map_err(|_| format!("K in K/N must be a whole number (got `{k}`)"))?;
    let n: u64 = n
        .trim()
        .parse()
        .map_err(|_| format!("N in K/N must be a whole number (got `{n}`)"))?;
    if n == 0 || k >= n {
        return Err(format!("K/N needs 0 <= K < N (got {k}/{n})"));
    }
    Ok((k, n))
}

/// A progress bar on stderr (hidden when quiet or when stderr is not a terminal).
struct Bar(ProgressBar);

impl Bar {
    fn new(total: u64, quiet: bool, unit: &str) -> Bar {
        let target = if quiet || !std::io::stderr().is_terminal() {
            ProgressDrawTarget::hidden()
        } else {
            ProgressDrawTarget::stderr()
        };
        let pb = ProgressBar::with_draw_target(Some(total), target);
        let style = ProgressStyle::with_template(&format!(
            "{{bar:40}} {{pos}}/{{len}} {unit}{{msg}} · {{rate}} · {{eta}} left"
        ))
        .map(|s| {
            s.with_key(
                "rate",
                |st: &indicatif::ProgressState, w: &mut dyn std::fmt::Write| {
                    let _ = write!(w, "{:.0} runs/s", st.per_sec());
                },
            )
        })
        .unwrap_or_else(|_| ProgressStyle::default_bar());
        pb.set_style(style);
        Bar(pb)
    }
}

impl Progress for Bar {
    fn advance(&self, n: u64) {
        self.0.inc(n);
    }
}

impl deterrence_sim::study::execute::SweepProgress for Bar {
    fn point_done(&self, done: usize, total: usize) {
        self.0.set_message(format!(" · points {done}/{total}"));
    }
}

/// The calibration's progress: generations done, with the last tolerance, acceptance and ESS,
/// and a count of the current generation's simulations (hidden when quiet or not a terminal).
struct CalBar(ProgressBar, std::sync::atomic::AtomicU64);

impl CalBar {
    fn new(total: u64, quiet: bool, unit: &str) -> CalBar {
        let target = if quiet || !std::io::stderr().is_terminal() {
            ProgressDrawTarget::hidden()
        } else {
            ProgressDrawTarget::stderr()
        };
        let pb = ProgressBar::with_draw_target(Some(total), target);
        let style = ProgressStyle::with_template(&format!(
            "{{bar:30}} {{pos}}/{{len}} {unit}{{msg}} · {{eta}} left"
        ))
        .unwrap_or_else(|_| ProgressStyle::default_bar());
        pb.set_style(style);
        CalBar(pb, std::sync::atomic::AtomicU64::new(0))
    }
}

impl deterrence_sim::study::calibrate::sampler::CalibrationProgress for CalBar {
    fn generation(&self, g: usize, _max: usize, tolerance: Option<f64>, acceptance: f64, ess: f64) {
        self.1.store(0, std::sync::atomic::Ordering::Relaxed);
        self.0.set_position(g as u64 + 1);
        let tol = tolerance.map_or("inf".to_string(), |t| format!("{t:.3}"));
        self.0.set_message(format!(
            " · gen {g}: tolerance {tol}, acceptance {:.1}%, ESS {ess:.0}",
            100.0 * acceptance
        ));
    }
    fn simulated(&self) {
        let n = self.1.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
        if n.is_multiple_of(16) {
            self.0.tick();
        }
    }
}

/// The table of `calibrate --check`: each target's estimate at the base config against its
/// observed interval.
fn check_table(rows: &[deterrence_sim::study::calibrate::check::CheckRow]) -> String {
    let mut s = format!(
        "{:<26} {:<9} {:<18} {:<24} {:>10}  {:>17}  {:>9} {:>8}  {:>6}\n",
        "target", "row", "regime", "statistic", "role", "observed", "estimate", "se", "inside"
    );
    for r in rows {
        s += &format!(
            "{:<26} {:<9} {:<18} {:<24} {:>10}  [{:>7.4},{:>7.4}]  {:>9.4} {:>8.4}  {:>6}\n",
            r.target,
            r.row,
            r.regime,
            r.statistic,
            r.role,
            r.observed.0,
            r.observed.1,
            r.estimate.value,
            r.se,
            if r.inside { "yes" } else { "NO" }
        );
    }
    s
}

/// The closing table of `calibrate`: diagnostics per generation and the posterior per parameter.
fn calibration_table(r: &deterrence_sim::study::calibrate::sampler::CalibrationReport) -> String {
    use std::fmt::Write as _;
    let mut t = String::new();
    let s = &r.state;
    let _ = writeln!(t, "generation  tolerance  simulations  acceptance    ESS");
    for g in &s.generations {
        let tol = g.tolerance.map_or("inf".to_string(), |x| format!("{x:.3}"));
        let _ = writeln!(
            t,
            "{:>10}  {:>9}  {:>11}  {:>10.3}  {:>5.0}",
            g.index,
            tol,
            g.simulations,
            g.particles.len() as f64 / g.simulations as f64,
            g.ess
        );
    }
    if let Some(last) = s.generations.last() {
        let _ = writeln!(
            t,
            "\nparameter                                   median  [5%, 95%]            sd ratio"
        );
        for p in deterrence_sim::study::calibrate::output::summaries(&s.calibration, last) {
            let _ = writeln!(
                t,
                "{:<42} {:>7.3}  [{:.3}, {:.3}]  {:>8.2}",
                p.path, p.q[2], p.q[0], p.q[4], p.sd_ratio
            );
        }
        let _ = writeln!(
            t,
            "\ntarget                       observed interval    predictive median [5%, 95%]   inside"
        );
        let pred = deterrence_sim::study::calibrate::output::predictive(&s.calibration, last);
        for (tg, p) in s.calibration.targets().iter().zip(pred) {
            let (lo, hi) = tg.observation.interval();
            let _ = writeln!(
                t,
                "{:<28} [{:.4}, {:.4}]     {:.4} [{:.4}, {:.4}]      {:.2}{}",
                tg.name,
                lo,
                hi,
                p.1,
                p.0,
                p.2,
                p.3,
                match tg.role {
                    deterrence_sim::study::calibrate::spec::Role::Fit => "",
                    deterrence_sim::study::calibrate::spec::Role::Assumption => "  (assumption)",
                    deterrence_sim::study::calibrate::spec::Role::Check => "  (check)",
                }
            );
        }
    }
    let _ = writeln!(
        t,
        "\n{} generations run, {} simulations, {:.1} s; stopped: {}; results in {}",
        r.generations_run,
        r.simulations,
        r.wall_seconds,
        s.stopped.as_deref().unwrap_or("not yet (resume it)"),
        r.dir.display()
    );
    t
}

/// The table `run --ensemble` prints.
fn ensemble_table(e: &deterrence_sim::study::ensemble::Ensemble) -> String {
    use std::fmt::Write as _;
    let mut t = String::from(
        "regime       force      runs  success            95% CI  diff vs baseline [95% CI]  draws above/equal/below\n",
    );
    for r in e.rows() {
        let diff = r.diff.map_or(String::from("-"), |(d, lo, hi)| {
            format!("{d:+.3} [{lo:+.3},{hi:+.3}]")
        });
        let _ = writeln!(
            t,
            "{:<12} {:<7} {:>7}  {:>7.3}  [{:.3},{:.3}]  {:<25}  {:.2}/{:.2}/{:.2}",
            r.regime,
            if r.force { "with" } else { "without" },
            r.runs,
            r.success.0,
            r.success.1,
            r.success.2,
            diff,
            r.draws_above.0,
            r.draws_above.1,
            r.draws_above.2
        );
    }
    t
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    match dispatch(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            let user = e
                .downcast_ref::<deterrence_sim::Error>()
                .is_some_and(deterrence_sim::Error::is_user_error);
            ExitCode::from(if user { 2 } else { 1 })
        }
    }
}

/// Ask the desktop to open `url`; say so if it cannot (the address is printed anyway).
#[cfg(feature = "serve")]
fn open_browser(url: &str) {
    let (cmd, args): (&str, Vec<&str>) = if cfg!(target_os = "macos") {
        ("open", vec![url])
    } else if cfg!(windows) {
        ("cmd", vec!["/C", "start", "", url])
    } else {
        ("xdg-open", vec![url])
    };
    if std::process::Command::new(cmd).args(args).spawn().is_err() {
        eprintln!("could not start `{cmd}` to open a browser; open {url} yourself");
    }
}

fn dispatch(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Run {
            config,
            args,
            out,
            force,
            quiet,
            per_run,
            from_sweep,
            point,
            ensemble,
        } => {
            if let Some(post) = ensemble {
                let o = args.overrides();
                let (_, _, model) = load::resolve(config.as_deref(), &o)?;
                let bar = Bar::new(model.run().runs, quiet, "runs");
                let r = deterrence_sim::app::ensemble::run(
                    config.as_deref(),
                    &o,
                    &post,
                    out.as_deref(),
                    force,
                    &bar,
                )?;
                bar.0.finish_and_clear();
                if !quiet {
                    print!("{}", ensemble_table(&r.ensemble));
                    println!(
                        "{} runs per arm over {} posterior draws in {:.2} s; results in {}",
                        model.run().runs,
                        r.ensemble.per_draw().len(),
                        r.wall_seconds,
                        r.dir.display()
                    );
                }
                return Ok(());
            }
            if let (Some(dir), Some(p)) = (from_sweep, point) {
                let report = point::rerun(&dir, p, out, force)?;
                if !quiet {
                    print!("{}", run::summary_table(&report.batch.summary()));
                    print!("{}", run::force_effect_table(&report.batch.force_effects()));
                    println!(
                        "point {p} of {}: rows in {}",
                        dir.display(),
                        report.dir.join("point.csv").display()
                    );
                }
                return Ok(());
            }
            let o = args.overrides();
            // Resolve first so the bar knows the run count (and bad input fails before any work).
            let (_, _, model) = load::resolve(config.as_deref(), &o)?;
            let bar = Bar::new(model.run().runs, quiet, "runs");
            let report = run::run(config.as_deref(), &o, out.as_deref(), force, per_run, &bar)?;
            bar.0.finish_and_clear();
            if !quiet {
                print!("{}", run::summary_table(&report.summary));
                print!("{}", run::force_effect_table(&report.force_effects));
                println!(
                    "{} runs per arm in {:.2} s; results in {}",
                    model.run().runs,
                    report.wall_seconds,
                    report.dir.display()
                );
            }
        }
        Command::Sweep {
            sweep,
            points,
            ensemble,
            study,
        } => {
            let (s, e) = deterrence_sim::study::ensemble_sweep::load(
                &sweep,
                &study.overrides(points),
                ensemble.as_deref(),
            )?;
            if let Some(note) = e.as_ref().and_then(|e| e.note()) {
                eprintln!("{note}");
            }
            run_study(s, e, &study)?;
        }
        Command::Sensitivity { file, samples, study } => {
            let s = deterrence_sim::study::study_file::load(&file, &study.overrides(samples))?;
            run_study(s, None, &study)?;
        }
        Command::Calibrate {
            file,
            out,
            resume,
            threads,
            seed,
            shard,
            wait,
            mpi,
            synthetic,
            check,
            replicates,
            force,
            quiet,
        } => {
            use deterrence_sim::app::calibrate as cal;
            let mut c = cal::load(
                &file,
                &deterrence_sim::study::calibrate::spec::CalibrationOverrides { seed, threads },
            )?;
            if let Some(n) = replicates {
                if !(2..=deterrence_sim::stats::rng::MAX_REPLICATE).contains(&n) {
                    anyhow::bail!(deterrence_sim::Error::Usage {
                        option: "--replicates".into(),
                        message: format!(
                            "must be in 2..={} (got {n})",
                            deterrence_sim::stats::rng::MAX_REPLICATE
                        ),
                    });
                }
                let m = *c.method();
                c = c.with_size(m.particles, m.generations, n);
            }
            if check {
                let pool = deterrence_sim::sim::batch::pool(c.threads())?;
                let (dir, rows) =
                    deterrence_sim::study::calibrate::check::check(&c, out.as_deref(), force, &pool)?;
                if !quiet {
                    print!("{}", check_table(&rows));
                    println!(
                        "{} of {} targets inside their observed interval at the base config ({} runs per regime); check.csv in {}",
                        rows.iter().filter(|r| r.inside).count(),
                        rows.len(),
                        c.replicates(),
                        dir.display()
                    );
                }
                return Ok(());
            }
            if let Some(n) = synthetic {
                if !(1..=10_000).contains(&n) {
                    anyhow::bail!(deterrence_sim::Error::Usage {
                        option: "--synthetic".into(),
                        message: format!("N must be in 1..=10000 (got {n})"),
                    });
                }
                let bar = CalBar::new(n as u64, quiet, "problems");
                let start = std::time::Instant::now();
                let (dir, problems) = deterrence_sim::study::calibrate::synthetic::coverage(
                    &c,
                    n,
                    out.as_deref(),
                    force,
                    &bar,
                    &|k, _| bar.0.set_position(k as u64 + 1),
                )?;
                bar.0.finish_and_clear();
                if !quiet {
                    let d = c.parameters().len();
                    let c50 = problems
                        .iter()
                        .map(|p| (0..d).filter(|&j| p.covered50(j)).count())
                        .sum::<usize>();
                    let c90 = problems
                        .iter()
                        .map(|p| (0..d).filter(|&j| p.covered90(j)).count())
                        .sum::<usize>();
                    let all = (problems.len() * d) as f64;
                    println!(
                        "{} synthetic problems x {d} parameters: 50% intervals cover {:.3}, 90% intervals cover {:.3}; {:.1} s; results in {}",
                        problems.len(),
                        c50 as f64 / all,
                        c90 as f64 / all,
                        start.elapsed().as_secs_f64(),
                        dir.display()
                    );
                }
                return Ok(());
            }
            let bar = CalBar::new(c.method().generations as u64 + 1, quiet, "generations");
            let opts = deterrence_sim::study::calibrate::sampler::CalibrateOptions {
                out,
                resume,
                force,
                stop_after: None,
                shard,
                wait_seconds: wait,
            };
            let report = cal::run(c, &opts, mpi, &bar)?;
            bar.0.finish_and_clear();
            match (quiet, report, shard) {
                (false, Some(r), Some((k, n))) if k > 0 => println!(
                    "shard {k}/{n}: simulated {} candidates of {} generations; shard 0 writes the results in {}",
                    r.simulations,
                    r.state.generations.len(),
                    r.dir.display()
                ),
                (false, Some(r), _) => print!("{}", calibration_table(&r)),
                _ => {}
            }
        }
        Command::Merge { out, shards, force } => {
            let s = deterrence_sim::study::merge::merge(&out, &shards, force)?;
            println!(
                "merged {} shards ({} points) into {}",
                shards.len(),
                s.points.len(),
                out.display()
            );
        }
        Command::Replay {
            config,
            regime,
            run,
            arm,
            seed,
            periods,
            json,
            sets,
        } => {
            let o = Overrides {
                seed,
                periods,
                sets,
                ..Default::default()
            };
            let trace = deterrence_sim::app::replay::replay(
                load::Loaded::from(config.as_deref())?,
                &o,
                &regime,
                run,
                arm == "with",
            )?;
            if json {
                println!("{}", serde_json::to_string_pretty(&trace)?);
            } else {
                print!("{}", deterrence_sim::sim::replay::to_text(&trace));
            }
        }
        #[cfg(feature = "serve")]
        Command::Serve {
            config,
            port,
            host,
            open,
            threads,
        } => {
            use deterrence_sim::app::serve::{ServeOptions, Server};
            if threads > deterrence_sim::study::spec::MAX_THREADS {
                anyhow::bail!(deterrence_sim::Error::Usage {
                    option: "--threads".into(),
                    message: format!("must be at most {}", deterrence_sim::study::spec::MAX_THREADS),
                });
            }
            let server = Server::bind(&ServeOptions {
                config: config.clone(),
                host,
                port,
                threads,
            })?;
            let url = server.url();
            let shown = config
                .as_ref()
                .map(|c| c.display().to_string())
                .unwrap_or_else(|| "the default config".into());
            println!("serving {shown} at {url} (Ctrl-C to stop)");
            use std::io::Write as _;
            let _ = std::io::stdout().flush();
            if open {
                open_browser(&url);
            }
            server.run()?;
        }
        Command::Validate { config } => println!("{}", validate::validate(&config)?),
        Command::Init { dir, force } => {
            let p = init::init(&dir, force)?;
            println!("wrote {}", p.display());
        }
        Command::Plot { dir, force } => {
            let files = plot::plot(&dir, force)?;
            for f in files {
                println!("wrote {}", f.display());
            }
        }
    }
    Ok(())
}
