"""End-to-end test of `deterrence-sim serve` in a real browser (headless Chromium via WebDriver).

Loads the page, checks every number of the summary and force-effect tables against the CLI's
summary.csv and force_effect.csv for the command line the page shows, moves a control, waits for
the charts to update and checks again, gives a bad value and checks the CLI's message is shown,
replays a run and checks it against `deterrence-sim replay --json`, and saves screenshots to
target/browser/. Run by .ci/browser.sh (which starts the server and passes its address).
"""

import csv
import io
import json
import os
import shlex
import subprocess
import sys
import tempfile
import time

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select, WebDriverWait

url, binary, shots = sys.argv[1], sys.argv[2], sys.argv[3]
os.makedirs(shots, exist_ok=True)

opts = webdriver.ChromeOptions()
for a in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1440,900",
          "--force-device-scale-factor=1", "--disable-gpu"]:
    opts.add_argument(a)
drv = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=opts)
wait = WebDriverWait(drv, 240, poll_frequency=0.2)
failures = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        failures.append(what)


def state():
    return drv.find_element(By.TAG_NAME, "body").get_attribute("data-state")


def generation():
    return int(drv.find_element(By.TAG_NAME, "body").get_attribute("data-generation") or 0)


def wait_done(after):
    """Wait for a batch newer than generation `after`, or for a refusal."""
    wait.until(lambda d: (state() == "done" and generation() > after) or state() == "error")


def cli(command, *extra):
    """Run the command the page shows (its first word is the binary under test)."""
    words = shlex.split(command)
    assert words[0] == "deterrence-sim", command
    return subprocess.run([binary] + words[1:] + list(extra), capture_output=True, text=True)


def cli_tables(command):
    out = tempfile.mkdtemp(prefix="dsim-browser-")
    p = cli(command, "--out", out, "--quiet")
    assert p.returncode == 0, p.stderr
    return {n: list(csv.DictReader(open(os.path.join(out, n)))) for n in ["summary.csv", "force_effect.csv"]}


def page_rows(table_id):
    rows = []
    for tr in drv.find_elements(By.CSS_SELECTOR, f"#{table_id} tbody tr"):
        rows.append({td.get_attribute("data-col"): td.get_attribute("textContent") for td in tr.find_elements(By.TAG_NAME, "td")})
    return rows


def compare_with_cli(label):
    command = drv.find_element(By.ID, "command").text
    want = cli_tables(command)
    for table_id, name in [("summary-table", "summary.csv"), ("force-table", "force_effect.csv")]:
        got = page_rows(table_id)
        check(got == want[name], f"{label}: {name} shown in the page equals the CLI's for `{command}` "
              f"({len(got)} rows x {len(got[0]) if got else 0} columns)")
    return command


t0 = time.time()
drv.get(url)
wait_done(0)
check(state() == "done", "page loaded and ran its first batch")
first = compare_with_cli("first batch")
success_before = drv.find_element(By.ID, "chart-success").get_attribute("innerHTML")
drv.save_screenshot(os.path.join(shots, "explorer.png"))

# Move a control: Russia's cost of war, ten steps of 0.1 up with the keyboard on its slider.
box = drv.find_element(By.CSS_SELECTOR, '.control[data-path="russia.war_cost"] input[type=range]')
# Where the slider starts (the default, on the slider's step grid) and where ten steps take it,
# written as the page writes numbers (JavaScript's shortest form: 2.8, 3).
start, step = float(box.get_attribute("value")), float(box.get_attribute("step"))
want = "%.10g" % round(start + 10 * step, 10)
g = generation()
for _ in range(10):
    box.send_keys(Keys.ARROW_RIGHT)
wait_done(g)
command = drv.find_element(By.ID, "command").text
check(f"--set russia.war_cost={want} " in command + " ", f"the command line follows the slider (to {want}): `{command}`")
check(drv.find_element(By.ID, "chart-success").get_attribute("innerHTML") != success_before,
      "the success chart was redrawn with new numbers")
compare_with_cli("after moving russia.war_cost")

# A decision rule from its list: Article 5's meeting by consensus.
g = generation()
Select(drv.find_element(By.ID, "c-regimes.article5.rule")).select_by_value("consensus")
wait_done(g)
command = compare_with_cli("article5 by consensus")
check("regimes.article5.rule=consensus" in command and "regimes.article5.package=" in command,
      "the rule and its package are on the command line")
drv.set_window_size(1440, 2900)
time.sleep(0.5)
drv.save_screenshot(os.path.join(shots, "explorer-full.png"))
drv.set_window_size(1440, 900)

# A bad value through the free field: the CLI's own message, shown in the page.
drv.find_element(By.ID, "free-path").send_keys("russia.lambda")
drv.find_element(By.ID, "free-value").send_keys("-1")
g = generation()
drv.find_element(By.ID, "free-add").click()
wait.until(lambda d: state() == "error")
shown = drv.find_element(By.ID, "error").text
check(drv.find_element(By.ID, "error").is_displayed(), "the message is on screen")
p = cli(command + " --set russia.lambda=-1", "--out", tempfile.mkdtemp(), "--quiet")
want = p.stderr.strip().removeprefix("error: ")
check(p.returncode == 2 and shown == want, f"a bad value shows the CLI's message: `{shown}`")
drv.save_screenshot(os.path.join(shots, "error.png"))
drv.find_element(By.CSS_SELECTOR, '#free-list button').click()
wait.until(lambda d: state() == "done" and generation() > g)
check(state() == "done", "removing the bad value runs again")

# One run, replayed, against `deterrence-sim replay --json`.
Select(drv.find_element(By.ID, "rp-regime")).select_by_value("nato_light")
Select(drv.find_element(By.ID, "rp-force")).select_by_value("without")
run = drv.find_element(By.ID, "rp-run")
run.clear()
run.send_keys("3")
drv.find_element(By.ID, "rp-go").click()
wait.until(lambda d: d.find_element(By.ID, "rp-outcome").text != "")
rp_command = drv.find_element(By.ID, "rp-command").text
p = cli(rp_command)
check(p.returncode == 0, f"the replay command runs: `{rp_command}`")
t = json.loads(p.stdout)
outcome = drv.find_element(By.ID, "rp-outcome").text
if t["offensive_month"]:
    check(f"major offensive in month {t['offensive_month']}" in outcome, f"replay outcome matches the CLI: {outcome}")
else:
    check(f"deterrence held for all {len(t['months'])} months" in outcome, f"replay outcome matches the CLI: {outcome}")
crises = [m["month"] for m in t["months"] if m["crisis"]]
if crises:
    drv.find_element(By.ID, "rp-crisis").click()
    label = drv.find_element(By.ID, "rp-month-label").text
    check(label.startswith(f"month {crises[0]} "), f"'next crisis' steps to month {crises[0]}: {label}")
    m = t["months"][crises[0] - 1]
    cells = [td.text for td in drv.find_elements(By.CSS_SELECTOR, "#rp-detail table tr td")]
    check(f"{m['russia_probs'][2]:.3f}" in cells and m["russia_choice"] in cells,
          "the month's Russia probabilities and choice are the trace's")
el = drv.find_element(By.ID, "replay")
drv.execute_script("arguments[0].scrollIntoView()", el)
time.sleep(0.3)
drv.save_screenshot(os.path.join(shots, "replay.png"))

# The downloaded directory is the CLI's: fetched from the page's own origin.
tar_len = drv.execute_async_script("""
const done = arguments[arguments.length - 1];
fetch('/api/download', {method: 'POST', headers: {'Content-Type': 'application/json'},
  body: JSON.stringify({sets: ['russia.war_cost=3'], runs: 300})})
  .then(r => r.arrayBuffer()).then(b => done(b.byteLength)).catch(e => done(-1));
""")
check(tar_len > 10000, f"the download is an archive ({tar_len} bytes)")

# Refusals (400) and cancelled batches (409) are answers the page handles; script errors are not.
logs = [l for l in drv.get_log("browser") if l["level"] == "SEVERE" and l.get("source") != "network"]
check(not logs, f"no script errors in the browser console: {logs}")
drv.quit()
print(f"browser test: {len(failures)} failures, {time.time() - t0:.1f} s in the browser; screenshots in {shots}")
sys.exit(1 if failures else 0)
