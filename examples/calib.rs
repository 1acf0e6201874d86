use deterrence_sim::{config::RawConfig, model::Model, runner};
fn main() {
    let path = std::env::args().nth(1).unwrap_or("configs/default.toml".into());
    let runs: u64 = std::env::args()
        .nth(2)
        .map(|s| s.parse().unwrap())
        .unwrap_or(2000);
    let text = std::fs::read_to_string(&path).unwrap();
    let mut v: toml::Value = toml::from_str(&text).unwrap();
    for kv in std::env::args().skip(3) {
        let (k, x) = kv.split_once('=').unwrap();
        deterrence_sim::params::set(&mut v, k, x.parse().unwrap(), "cli").unwrap();
    }
    let mut raw = RawConfig::from_value(v, &path).unwrap();
    raw.run.runs = runs;
    let m = Model::from_raw(&raw, &path).unwrap();
    dbg_utils(&m);
    let pool = runner::pool(0).unwrap();
    let t = std::time::Instant::now();
    let b = runner::run_batch(&m, 0, &pool, &runner::Silent);
    eprintln!("{:?}", t.elapsed());
    for (s, a) in b.summary().iter().zip(&b.accumulators) {
        let us = a.belief(m.run.periods as usize - 1, 0);
        println!("{:12} rate {:.3} [{:.3},{:.3}] diff {:?} med {} probes {:.2} hon {:?} resp_h {:?} supp {:?} hold {:?} beliefUS {:.2}",
          s.regime, s.success_rate, s.ci_low, s.ci_high, s.diff_vs_none.map(|x| (x*1000.0).round()/1000.0), s.median_months_to_offensive, s.probes_per_run,
          s.honoured_share.map(|x| (x*100.0).round()/100.0), s.mean_response_hours.map(|x| x.round()), s.mean_support.map(|x| (x*100.0).round()/100.0), s.p_hold_given_offensive.map(|x| (x*100.0).round()/100.0), us.0);
    }
}
#[allow(dead_code)]
pub fn dbg_utils(m: &Model) {
    use deterrence_sim::engine::*;
    for r in 0..m.regimes.len() {
        let p = Prepared::new(m, r);
        let st = RunState::new(&p);
        let (u, pr) = russia_utilities(&p, &st);
        let xs: f64 = (0..m.guarantors.len())
            .map(|i| {
                let mu = m.guarantors[i].resolve;
                let e = &p.expect_offensive[i];
                mu * e[0].support + (1.0 - mu) * e[1].support
            })
            .sum();
        let hon: Vec<String> = (0..4)
            .map(|i| {
                format!(
                    "{}:{:.2}/{:.2}",
                    m.guarantors[i].id, p.expect_offensive[i][0].honour, p.expect_offensive[i][1].honour
                )
            })
            .collect();
        println!(
            "{:12} U={:.3?} P={:.4?} EX={:.3} ptrip={:.2} {:?}",
            m.regimes[r].name, u, pr, xs, p.p_tripwire, hon
        );
    }
}
