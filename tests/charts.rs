//! Charts drawn by the binary: what their SVG text says (the PNG is drawn from the same figure).

mod util;
use util::*;

/// The text content of every `<text>` element of an SVG file.
fn svg_texts(path: &std::path::Path) -> Vec<String> {
    let s = std::fs::read_to_string(path).unwrap();
    s.split("<text")
        .skip(1)
        .map(|c| {
            let body = &c[c.find('>').unwrap() + 1..c.find("</text>").unwrap()];
            body.trim().to_string()
        })
        .collect()
}

#[test]
fn article5_beliefs_panel_draws_the_shared_belief_once() {
    let out = tmp("beliefs");
    let o = run(&["run", "--runs", "40", "--quiet", "--out", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", text(&o));
    let texts = svg_texts(&out.join("beliefs.svg"));
    // Under article5 every guarantor is bound and reputation is alliance-wide: one line, labelled
    // as the belief all sixteen share, not six guarantor names over one line.
    let shared: Vec<&String> = texts.iter().filter(|t| t.contains("all 16 guarantors")).collect();
    assert!(
        !shared.is_empty(),
        "no legend entry for the shared belief: {texts:?}"
    );
    // The other three regimes name their first six guarantors in each of the two force arms;
    // article5 adds no seventh GBR.
    assert_eq!(texts.iter().filter(|t| *t == "GBR").count(), 6, "{texts:?}");
}

#[test]
fn heatmap_colour_bars_are_labelled() {
    let out = tmp("heatmap");
    let o = run(&[
        "sweep",
        "configs/sweep_provocation.toml",
        "--replicates",
        "4",
        "--quiet",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", text(&o));
    let maps = svg_texts(&out.join("sweep.svg"));
    let bars = maps
        .iter()
        .filter(|t| t.as_str() == "deterrence success (share of runs)")
        .count();
    assert_eq!(bars, 3, "one labelled colour bar per regime: {maps:?}");
    let diff = svg_texts(&out.join("sweep_diff.svg"));
    assert!(
        diff.iter()
            .any(|t| t == "difference in success, nato_light - article5 (share of runs)"),
        "{diff:?}"
    );
}
