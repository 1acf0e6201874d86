// The explorer's page: controls addressed by dotted `--set` paths, a rerun on every change (the
// server cancels this page's older batch), charts drawn as inline SVG from the very tables `run`
// writes, and one run replayed from the trace `replay --json` prints. Nothing is loaded from
// anywhere but this server.
"use strict";

// Okabe & Ito's colour-blind-safe palette (regimes, in config order); the force arm is told by
// the line (solid with, dashed without) and the fill (solid with, pale without), not by colour.
const PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#000000", "#F0E442"];
const SVGNS = "http://www.w3.org/2000/svg";
const client = Math.random().toString(36).slice(2) + Date.now().toString(36);

let info = null;          // GET /api/controls
let result = null;        // the last POST /api/run answer
let request = 0;          // id of the newest request sent
let timer = null;
const values = new Map(); // control path -> value string shown
const extras = new Map(); // free paths -> value string
let trace = null;         // the replayed run
let month = 1;

const $ = (id) => document.getElementById(id);

function el(tag, attrs, parent, text) {
  const e = document.createElementNS(SVGNS, tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  if (parent) parent.appendChild(e);
  return e;
}

function html(tag, attrs, parent, text) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  if (parent) parent.appendChild(e);
  return e;
}

// RFC 4180 CSV (the tables quote a cell only when it needs it).
function parseCsv(text) {
  const rows = [];
  let row = [], cell = "", q = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (q) {
      if (c === '"' && text[i + 1] === '"') { cell += '"'; i++; }
      else if (c === '"') q = false;
      else cell += c;
    } else if (c === '"') q = true;
    else if (c === ",") { row.push(cell); cell = ""; }
    else if (c === "\n") { row.push(cell); rows.push(row); row = []; cell = ""; }
    else if (c !== "\r") cell += c;
  }
  if (cell !== "" || row.length) { row.push(cell); rows.push(row); }
  const header = rows.shift() || [];
  return { header, rows: rows.map((r) => Object.fromEntries(header.map((h, k) => [h, r[k]]))) };
}

const num = (s) => (s === "" || s === undefined ? NaN : Number(s));
const fmt = (x, d) => (Number.isFinite(x) ? x.toFixed(d) : "–");

function niceTicks(lo, hi, n) {
  const span = hi - lo || 1;
  const step0 = span / n;
  const mag = Math.pow(10, Math.floor(Math.log10(step0)));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => span / s <= n) || 10 * mag;
  const out = [];
  for (let t = Math.ceil(lo / step - 1e-9) * step; t <= hi + 1e-9; t += step) out.push(Math.abs(t) < 1e-12 ? 0 : t);
  return out;
}

// A frame: width, height, margins; x and y scales; axes with labels (units in the label).
function frame(box, w, h, m, x, y, xlabel, ylabel) {
  box.replaceChildren();
  const s = el("svg", { viewBox: `0 0 ${w} ${h}`, role: "img" }, box);
  const sx = (v) => m.l + ((v - x[0]) / (x[1] - x[0])) * (w - m.l - m.r);
  const sy = (v) => h - m.b - ((v - y[0]) / (y[1] - y[0])) * (h - m.t - m.b);
  const g = el("g", { class: "grid" }, s);
  const ax = el("g", { class: "axis" }, s);
  if (x.ticks !== false) {
    for (const t of niceTicks(x[0], x[1], x.n || 6)) {
      el("line", { x1: sx(t), x2: sx(t), y1: m.t, y2: h - m.b }, g);
      el("text", { x: sx(t), y: h - m.b + 15, "text-anchor": "middle", "font-size": 13.5 }, ax, x.f ? x.f(t) : String(+t.toFixed(6)));
    }
  }
  if (y.ticks !== false) {
    for (const t of niceTicks(y[0], y[1], y.n || 5)) {
      el("line", { x1: m.l, x2: w - m.r, y1: sy(t), y2: sy(t) }, g);
      el("text", { x: m.l - 5, y: sy(t) + 4, "text-anchor": "end", "font-size": 13.5 }, ax, y.f ? y.f(t) : String(+t.toFixed(6)));
    }
  }
  el("line", { x1: m.l, x2: w - m.r, y1: h - m.b, y2: h - m.b }, ax);
  el("line", { x1: m.l, x2: m.l, y1: m.t, y2: h - m.b }, ax);
  if (xlabel) el("text", { x: (m.l + w - m.r) / 2, y: h - m.b + 33, "text-anchor": "middle", "font-size": 14.5 }, ax, xlabel);
  if (ylabel) el("text", { transform: `translate(14 ${(m.t + h - m.b) / 2}) rotate(-90)`, "text-anchor": "middle", "font-size": 14.5 }, ax, ylabel);
  return { s, sx, sy };
}

function legend(s, items, x, y) {
  // items: [label, colour, dashed]; one row, wrapping at 4 per line.
  items.forEach(([label, colour, dashed], k) => {
    const cx = x + (k % 3) * 190, cy = y + Math.floor(k / 3) * 18;
    el("line", { x1: cx, x2: cx + 22, y1: cy, y2: cy, stroke: colour, "stroke-width": 3, "stroke-dasharray": dashed ? "6 4" : "none" }, s);
    el("text", { x: cx + 27, y: cy + 4, "font-size": 13.5 }, s, label);
  });
}

const regimeColour = (name) => PALETTE[Math.max(0, info.regimes.indexOf(name)) % PALETTE.length];

// Horizontal intervals: one row per arm, a bar (or a dot) with its 95% whiskers and the numbers.
function intervals(box, rows, opts) {
  const w = 640, rowH = 27, m = { l: 160, r: 190, t: 10, b: 48 };
  const h = m.t + m.b + rowH * rows.length;
  const { s, sx } = frame(box, w, h, m, opts.x, { 0: 0, 1: 1, ticks: false }, opts.xlabel, null);
  if (opts.zero) el("line", { x1: sx(0), x2: sx(0), y1: m.t, y2: h - m.b, stroke: "#333", "stroke-width": 1.2 }, s);
  rows.forEach((r, k) => {
    const y = m.t + rowH * k + rowH / 2;
    const c = regimeColour(r.regime);
    el("text", { x: m.l - 6, y: y + 4, "text-anchor": "end", "font-size": 14 }, s, `${r.regime} · ${r.force}`);
    if (opts.bars) {
      el("rect", { x: sx(opts.x[0]), y: y - 8, width: Math.max(0, sx(r.est) - sx(opts.x[0])), height: 16, fill: c,
        "fill-opacity": r.force === "with" ? 0.9 : 0.35, stroke: c, "stroke-width": 1.5 }, s);
    } else {
      el("circle", { cx: sx(r.est), cy: y, r: 5, fill: r.force === "with" ? c : "#fff", stroke: c, "stroke-width": 2 }, s);
    }
    el("line", { x1: sx(r.lo), x2: sx(r.hi), y1: y, y2: y, stroke: "#111", "stroke-width": 1.6 }, s);
    for (const v of [r.lo, r.hi]) el("line", { x1: sx(v), x2: sx(v), y1: y - 5, y2: y + 5, stroke: "#111", "stroke-width": 1.6 }, s);
    el("text", { x: w - m.r + 8, y: y + 4, "font-size": 14, "font-variant-numeric": "tabular-nums" }, s,
      `${opts.sign ? (r.est >= 0 ? "+" : "") : ""}${fmt(r.est, 3)} [${fmt(r.lo, 3)}, ${fmt(r.hi, 3)}]`);
  });
}

function drawSuccess() {
  const t = parseCsv(result.tables["summary.csv"]);
  const rows = t.rows.map((r) => ({ regime: r.regime, force: r.force, est: num(r.success_rate), lo: num(r.ci_low), hi: num(r.ci_high) }));
  intervals($("chart-success"), rows, { x: [0, 1], bars: true,
    xlabel: `share of runs with no major offensive in ${result.periods} months (95% Wilson interval)` });
  const base = result.baseline;
  const dcol = base ? `diff_vs_${base}` : null;
  $("diff-title").textContent = base ? `Paired difference from ${base} (same runs, same arm)` : "Paired difference (no baseline regime)";
  if (!base) { $("chart-diff").replaceChildren(); return; }
  const drows = t.rows.filter((r) => r.regime !== base).map((r) => ({ regime: r.regime, force: r.force,
    est: num(r[dcol]), lo: num(r.diff_ci_low), hi: num(r.diff_ci_high) }));
  const lo = Math.min(0, ...drows.map((r) => r.lo)), hi = Math.max(0, ...drows.map((r) => r.hi));
  const pad = (hi - lo) * 0.05 || 0.05;
  intervals($("chart-diff"), drows, { x: [lo - pad, hi + pad], zero: true, sign: true,
    xlabel: `success rate minus ${base}'s, paired (95% interval)` });
}

function timeline() {
  return parseCsv(result.tables["timeline.csv"]).rows;
}

function curves(box, series, ylabel, ymax, bandOpacity) {
  // series: {label, colour, dashed, pts:[[month, y, lo, hi]]}
  const w = 640, h = 400, m = { l: 58, r: 16, t: 12, b: 112 };
  const T = result.periods;
  const { s, sx, sy } = frame(box, w, h, m, [0, T], [0, ymax], "month", ylabel);
  for (const se of series) {
    if (se.pts.length && Number.isFinite(se.pts[0][2])) {
      const up = se.pts.map(([t, , , hi]) => `${sx(t)},${sy(hi)}`);
      const dn = se.pts.slice().reverse().map(([t, , lo]) => `${sx(t)},${sy(lo)}`);
      el("polygon", { points: up.concat(dn).join(" "), fill: se.colour, "fill-opacity": bandOpacity, stroke: "none" }, s);
    }
  }
  for (const se of series) {
    el("polyline", { points: se.pts.map(([t, y]) => `${sx(t)},${sy(y)}`).join(" "), fill: "none", stroke: se.colour,
      "stroke-width": 2.2, "stroke-dasharray": se.dashed ? "7 4" : "none" }, s);
  }
  legend(s, series.map((se) => [se.label, se.colour, se.dashed]), m.l, h - m.b + 52);
  return { s, sx, sy };
}

function armsShown() {
  return [...new Set(parseCsv(result.tables["summary.csv"]).rows.map((r) => r.force))];
}

function drawSurvival() {
  const rows = timeline();
  const series = [];
  for (const regime of result.regimes) for (const force of armsShown()) {
    const pts = [[0, 1, 1, 1]].concat(rows.filter((r) => r.regime === regime && r.force === force)
      .map((r) => [num(r.month), num(r.survival), num(r.survival_ci_low), num(r.survival_ci_high)]));
    series.push({ label: `${regime} · ${force}`, colour: regimeColour(regime), dashed: force === "without", pts });
  }
  curves($("chart-survival"), series, "share of runs with no offensive yet", 1, 0.1);
}

function drawBeliefs() {
  const id = $("belief-of").value || result.guarantors[0];
  const rows = timeline();
  const series = [];
  for (const regime of result.regimes) for (const force of armsShown()) {
    const pts = rows.filter((r) => r.regime === regime && r.force === force)
      .map((r) => [num(r.month), num(r[`belief_${id}_mean`]), num(r[`belief_${id}_p10`]), num(r[`belief_${id}_p90`])]);
    series.push({ label: `${regime} · ${force}`, colour: regimeColour(regime), dashed: force === "without", pts });
  }
  curves($("chart-beliefs"), series, `belief that ${id} is resolute`, 1, 0.06);
}

function drawBurden() {
  const t = parseCsv(result.tables["guarantors.csv"]).rows;
  const regime = $("burden-regime").value || result.regimes[0];
  let force = $("burden-force").value;
  if (!armsShown().includes(force)) force = armsShown()[0];
  const rows = t.filter((r) => r.regime === regime && r.force === force);
  const w = 1000, rowH = 22, m = { l: 130, r: 280, t: 8, b: 46 };
  const h = m.t + m.b + rowH * rows.length;
  const max = Math.max(1e-9, ...rows.map((r) => num(r.cost_usd_bn_per_run)));
  const { s, sx } = frame($("chart-burden"), w, h, m, [0, max * 1.05], { 0: 0, 1: 1, ticks: false },
    `cost borne, US$ bn per run (${regime}, force ${force}; share of the regime's total; honoured share of calls)`, null);
  const c = regimeColour(regime);
  rows.forEach((r, k) => {
    const y = m.t + rowH * k + rowH / 2, v = num(r.cost_usd_bn_per_run);
    el("text", { x: m.l - 6, y: y + 4, "text-anchor": "end", "font-size": 14 }, s, `${r.guarantor} ${r.bound === "true" ? "(bound)" : ""}`);
    el("rect", { x: sx(0), y: y - 7, width: Math.max(0, sx(v) - sx(0)), height: 14, fill: c, "fill-opacity": force === "with" ? 0.9 : 0.4, stroke: c }, s);
    const share = num(r.cost_share_of_regime), hon = num(r.honoured_share);
    el("text", { x: w - m.r + 8, y: y + 4, "font-size": 14 }, s,
      `${fmt(v, 2)} bn · ${fmt(100 * share, 1)}% · honoured ${Number.isFinite(hon) ? fmt(hon, 3) : "–"}`);
  });
}

function table(tbl, csv, key) {
  const t = parseCsv(csv);
  tbl.replaceChildren();
  const head = html("tr", {}, html("thead", {}, tbl));
  for (const c of t.header) html("th", {}, head, c);
  const body = html("tbody", {}, tbl);
  for (const r of t.rows) {
    const tr = html("tr", { "data-regime": r.regime, "data-force": r.force || "" }, body);
    for (const c of t.header) html("td", { "data-col": c, class: /^-?[0-9.]*$/.test(r[c]) ? "" : "text" }, tr, r[c]);
  }
}

function render() {
  $("command").textContent = result.command;
  drawSuccess();
  drawSurvival();
  drawBeliefs();
  drawBurden();
  table($("summary-table"), result.tables["summary.csv"]);
  table($("force-table"), result.tables["force_effect.csv"]);
  $("rp-run").max = String(result.runs - 1);
}

// ---- the request: the controls that differ from the config, then the free paths, as --set.

function sets() {
  const out = [];
  for (const c of info.controls) {
    const v = values.get(c.path);
    if (v === undefined || v === String(c.value)) continue;
    out.push(`${c.path}=${v}`);
    if (c.companion && v !== c.companion.unless && !extras.has(c.companion.path)) out.push(`${c.companion.path}=${c.companion.value}`);
  }
  for (const [p, v] of extras) out.push(`${p}=${v}`);
  return out;
}

function body() {
  const b = { sets: sets(), client };
  const runs = $("opt-runs").value.trim(), seed = $("opt-seed").value.trim();
  if (runs !== "") b.runs = Number(runs);
  if (seed !== "") b.seed = seed; // as text: a double cannot hold every u64 seed
  return b;
}

function showError(message) {
  const e = $("error");
  if (message) { e.textContent = message; e.hidden = false; } else { e.hidden = true; e.textContent = ""; }
}

function schedule() {
  clearTimeout(timer);
  timer = setTimeout(runNow, 180);
}

async function post(url, b) {
  const r = await fetch(url, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(b) });
  return r;
}

async function runNow() {
  const id = ++request;
  const b = body();
  document.body.dataset.state = "running";
  $("status").textContent = `running ${b.runs || ""} runs per arm…`;
  document.querySelectorAll(".chart, #summary-table").forEach((c) => c.classList.add("stale"));
  let r, j;
  try {
    r = await post("/api/run", b);
    j = await r.json();
  } catch (e) {
    if (id !== request) return;
    document.body.dataset.state = "error";
    $("status").textContent = "the server did not answer";
    showError(`The server did not answer: ${e}`);
    return;
  }
  if (id !== request || r.status === 409) return; // replaced by a newer request
  if (!r.ok) {
    document.body.dataset.state = "error";
    $("status").textContent = `refused (${r.status}); the results shown are for the last valid settings`;
    showError(j.error || `error ${r.status}`);
    return;
  }
  showError(null);
  result = j;
  render();
  document.querySelectorAll(".stale").forEach((c) => c.classList.remove("stale"));
  document.body.dataset.generation = String(id);
  document.body.dataset.state = "done";
  $("status").textContent = `${j.runs} runs per arm · seed ${j.seed} · ${j.wall_seconds.toFixed(2)} s`;
}

// ---- controls

function buildControls() {
  const list = $("control-list");
  list.replaceChildren();
  for (const c of info.controls) {
    const box = html("div", { class: "control", "data-path": c.path }, list);
    const lab = html("label", { for: `c-${c.path}` }, box, c.unit ? `${c.label} (${c.unit})` : c.label);
    html("span", { class: "path" }, lab, c.path);
    const row = html("div", { class: "row" }, box);
    values.set(c.path, String(c.value));
    const changed = () => box.classList.toggle("changed", values.get(c.path) !== String(c.value));
    if (c.kind === "choice") {
      const sel = html("select", { id: `c-${c.path}` }, row);
      for (const o of c.choices) html("option", { value: o }, sel, o);
      sel.value = String(c.value);
      sel.addEventListener("change", () => { values.set(c.path, sel.value); changed(); schedule(); });
    } else {
      const range = html("input", { type: "range", min: c.min, max: c.max, step: c.step, value: c.value, "aria-label": c.label }, row);
      const box2 = html("input", { type: "number", id: `c-${c.path}`, min: c.min, max: c.max, step: c.step, value: c.value }, row);
      range.addEventListener("input", () => { box2.value = range.value; values.set(c.path, range.value); changed(); schedule(); });
      box2.addEventListener("change", () => { range.value = box2.value; values.set(c.path, box2.value.trim()); changed(); schedule(); });
    }
  }
}

function buildExtras() {
  const list = $("free-list");
  list.replaceChildren();
  for (const [p, v] of extras) {
    const item = html("div", { class: "free-item" }, list);
    html("span", {}, item, p);
    const inp = html("input", { value: v, "aria-label": `value of ${p}` }, item);
    inp.addEventListener("change", () => { extras.set(p, inp.value.trim()); schedule(); });
    const rm = html("button", { type: "button", "aria-label": `remove ${p}` }, item, "×");
    rm.addEventListener("click", () => { extras.delete(p); buildExtras(); schedule(); });
  }
}

function fillSelect(sel, items) {
  const keep = sel.value;
  sel.replaceChildren();
  for (const i of items) html("option", { value: i }, sel, i);
  if (items.includes(keep)) sel.value = keep;
}

async function start() {
  const r = await fetch("/api/controls");
  info = await r.json();
  if (!r.ok) { showError(info.error); document.body.dataset.state = "error"; return; }
  $("config-name").textContent = `${info.config} (${info.origin})`;
  $("opt-runs").value = info.runs;
  $("opt-runs").max = info.max_runs;
  $("opt-seed").value = info.seed;
  buildControls();
  const dl = $("path-list");
  for (const p of info.paths) html("option", { value: p }, dl);
  fillSelect($("belief-of"), info.guarantors);
  fillSelect($("burden-regime"), info.regimes);
  fillSelect($("rp-regime"), info.regimes);
  $("opt-runs").addEventListener("change", schedule);
  $("opt-seed").addEventListener("change", schedule);
  $("belief-of").addEventListener("change", () => result && drawBeliefs());
  $("burden-regime").addEventListener("change", () => result && drawBurden());
  $("burden-force").addEventListener("change", () => result && drawBurden());
  $("free-add").addEventListener("click", () => {
    const p = $("free-path").value.trim(), v = $("free-value").value.trim();
    if (!p || !v) { showError("Give a parameter path and a value."); return; }
    extras.set(p, v);
    $("free-path").value = ""; $("free-value").value = "";
    buildExtras();
    schedule();
  });
  $("reset").addEventListener("click", () => {
    extras.clear(); buildExtras(); buildControls();
    $("opt-runs").value = info.runs; $("opt-seed").value = info.seed;
    schedule();
  });
  $("copy").addEventListener("click", () => navigator.clipboard && navigator.clipboard.writeText($("command").textContent));
  $("download").addEventListener("click", download);
  $("rp-go").addEventListener("click", replay);
  $("rp-prev").addEventListener("click", () => showMonth(month - 1));
  $("rp-next").addEventListener("click", () => showMonth(month + 1));
  $("rp-month").addEventListener("input", () => showMonth(Number($("rp-month").value)));
  $("rp-crisis").addEventListener("click", () => {
    if (!trace) return;
    const next = trace.months.find((m) => m.month > month && m.crisis);
    if (next) showMonth(next.month);
  });
  runNow();
}

async function download() {
  const b = body();
  delete b.client;
  $("download-status").textContent = "building…";
  const r = await post("/api/download", b);
  if (!r.ok) {
    const j = await r.json();
    $("download-status").textContent = "";
    showError(j.error);
    return;
  }
  const blob = await r.blob();
  const name = (r.headers.get("Content-Disposition") || "").match(/filename="([^"]+)"/);
  const a = html("a", { href: URL.createObjectURL(blob), download: name ? name[1] : "results.tar" }, document.body);
  a.click();
  setTimeout(() => { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
  $("download-status").textContent = `${(blob.size / 1024).toFixed(0)} KiB`;
}

// ---- one run, replayed

async function replay() {
  const b = body();
  delete b.client;
  b.regime = $("rp-regime").value;
  b.force = $("rp-force").value;
  b.run = Number($("rp-run").value || 0);
  const r = await post("/api/replay", b);
  const j = await r.json();
  if (!r.ok) { showError(j.error); return; }
  showError(null);
  trace = j.trace;
  $("rp-command").textContent = j.command;
  const t = trace;
  $("rp-outcome").textContent = t.offensive_month
    ? `Run ${t.run} under ${t.regime} (force ${t.force}): major offensive in month ${t.offensive_month}; Ukraine ${t.ukraine_held ? "held" : "did not hold"}; ${t.probes} probes before it.`
    : `Run ${t.run} under ${t.regime} (force ${t.force}): deterrence held for all ${t.months.length} months; ${t.probes} probes.`;
  $("rp-month").max = String(t.months.length);
  showMonth(1);
}

function showMonth(k) {
  if (!trace) return;
  month = Math.max(1, Math.min(trace.months.length, k));
  $("rp-month").value = String(month);
  $("rp-month-label").textContent = `month ${month} of ${trace.months.length}`;
  drawReplay();
  const m = trace.months[month - 1];
  const d = $("rp-detail");
  d.replaceChildren();
  const t1 = html("table", {}, d);
  const hr = html("tr", {}, t1);
  for (const h of ["month", "Ukraine capability", "P(mobilise)", "mobilised", "Russia P(hold)", "P(probe)", "P(offensive)", "Russia chose"]) html("th", {}, hr, h);
  const r1 = html("tr", {}, t1);
  for (const v of [m.month, fmt(m.ukraine_capability, 3), fmt(m.ukraine_mobilise_prob, 3), m.ukraine_mobilised ? "yes" : "no",
    fmt(m.russia_probs[0], 3), fmt(m.russia_probs[1], 3), fmt(m.russia_probs[2], 3), m.russia_choice]) html("td", {}, r1, String(v));
  if (!m.crisis) { html("p", {}, d, "No crisis this month."); return; }
  const c = m.crisis;
  html("p", { class: `crisis-${c.kind}` }, d,
    `${c.kind === "offensive" ? "Major offensive" : "Probe"}: tripwire ${c.tripwire ? "fired" : "did not fire"}; support delivered ${fmt(c.support, 3)} (units of Russia's strength); P(Ukraine holds) ${fmt(c.p_hold, 3)}; Ukraine ${c.held ? "held" : "did not hold"}.`);
  const t2 = html("table", {}, d);
  const h2 = html("tr", {}, t2);
  for (const h of ["guarantor", "bound", "type", "decision", "P(that choice)", "decided at (h)", "support arrived (h)", "support", "belief after"]) html("th", {}, h2, h);
  const belief = new Map(m.beliefs);
  for (const g of c.guarantors) {
    const p = g.probs.find(([n]) => n === g.choice);
    const tr = html("tr", {}, t2);
    for (const v of [g.id, g.bound ? "bound" : "free", g.hard ? "resolute" : "irresolute", g.forced ? `${g.choice} (tripwire)` : g.choice,
      p ? fmt(p[1], 3) : "–", g.forced ? "0 (forced)" : fmt(g.decide_at_hours, 1), g.arrival_hours === null ? "–" : fmt(g.arrival_hours, 0),
      fmt(g.support, 4), fmt(belief.get(g.id), 3)]) html("td", {}, tr, String(v));
  }
}

function drawReplay() {
  const t = trace;
  const T = Math.max(t.months.length, 2);
  const w = 1000, h = 320, m = { l: 58, r: 16, t: 12, b: 94 };
  const { s, sx, sy } = frame($("chart-replay"), w, h, m, [1, T], [0, 1], "month", "probability or belief");
  const ids = t.months[0].beliefs.map(([id]) => id).slice(0, 5);
  const colours = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9"];
  ids.forEach((id, k) => {
    el("polyline", { points: t.months.map((mm) => `${sx(mm.month)},${sy(mm.beliefs[k][1])}`).join(" "), fill: "none", stroke: colours[k], "stroke-width": 2 }, s);
  });
  el("polyline", { points: t.months.map((mm) => `${sx(mm.month)},${sy(mm.russia_probs[2])}`).join(" "), fill: "none", stroke: "#D55E00", "stroke-width": 2, "stroke-dasharray": "6 4" }, s);
  for (const mm of t.months) {
    if (!mm.crisis) continue;
    const x = sx(mm.month);
    if (mm.crisis.kind === "offensive") el("rect", { x: x - 6, y: sy(1) - 2, width: 12, height: 12, fill: "#D55E00" }, s);
    else el("path", { d: `M${x - 6},${sy(1) + 10} L${x + 6},${sy(1) + 10} L${x},${sy(1) - 1} Z`, fill: "#E69F00", stroke: "#7a5200" }, s);
  }
  el("line", { x1: sx(month), x2: sx(month), y1: m.t, y2: h - m.b, stroke: "#000", "stroke-width": 1.5 }, s);
  legend(s, ids.map((id, k) => [`belief ${id} resolute`, colours[k], false]).concat([["Russia P(offensive)", "#D55E00", true]]), m.l, h - m.b + 52);
  el("text", { x: w - m.r, y: h - m.b + 52 + 20, "text-anchor": "end", "font-size": 13.5 }, s, "▲ probe   ■ offensive (top of the chart)");
}

start();
