"""Collect bench/out/*, print the figures table and write it into
bench/README.md between the markers. Run by bench/run."""

from __future__ import annotations

import datetime
import glob
import json
import os
import platform
import re
import statistics
import subprocess
import sys

here = os.path.dirname(os.path.abspath(__file__))
out = os.path.join(here, "out")
med = statistics.median


def jload(pattern):
    return [json.load(open(f)) for f in sorted(glob.glob(os.path.join(out, pattern)))]


def rload(pattern):
    res = []
    for f in sorted(glob.glob(os.path.join(out, pattern))):
        with open(f, errors="replace") as fh:
            text = fh.read()
        # anywhere in a line: Keras-style progress bars share R's stdout
        res.append({k: float(v) for k, v in re.findall(r"RESULT (\S+) (\S+)", text)})
    return res


def paired(a, b, key_a, key_b=None, f=lambda x, y: x / y):
    """Median over rounds of f(a[i][key], b[i][key]) (side-by-side ratios)."""
    key_b = key_b or key_a
    return med(f(x[key_a], y[key_b]) for x, y in zip(a, b))


def us(x):
    return f"{x:,.1f} µs" if x < 1000 else f"{x / 1000:,.2f} ms"


rows = []  # figure, rbridge, reference, ratio, goal, met


def row(fig, rb, ref, ratio, goal, met):
    rows.append((fig, rb, ref, ratio, goal, "yes" if met else "**no**"))


# ---------------------------------------------------------------- Python
spr, spk = jload("py_speed_rbridge_*.json"), jload("py_speed_keras_*.json")
for key, fig in (("dense_us", "`Dense(10)` construction (Python)"),
                 ("example1_us", "Example 1 iteration: `Sequential()` + 10 × `add(Dense(10))` (Python)")):
    sp = paired(spk, spr, key)  # keras / rbridge = speed-up
    row(fig, us(med(d[key] for d in spr)), us(med(d[key] for d in spk)), f"{sp:,.0f}× faster", "≥ 100× faster", sp >= 100)
r = paired(spr, spk, "clear_false_us")
row("`clear_session(free_memory=False)` (Python)", us(med(d["clear_false_us"] for d in spr)),
    us(med(d["clear_false_us"] for d in spk)), f"{r:.2f}× the time", "not slower (≤ 1×)", r <= 1)
r = paired(spr, spk, "clear_true_us")
rows.append(("(info) `clear_session()` = `free_memory=True` (Python)", us(med(d["clear_true_us"] for d in spr)),
             us(med(d["clear_true_us"] for d in spk)), f"{r:.3f}× the time", "—", "—"))

imp = jload("import_time.json")[0]
r = imp["r_bridge_pyc_net_ms"] / imp["numpy_net_ms"]
row(f"`import r_bridge`, fresh process, minus startup (byte-compiled, as installed; median of {imp['reps']})",
    f"{imp['r_bridge_pyc_net_ms']:.1f} ms", f"{imp['numpy_net_ms']:.1f} ms (`import numpy`)", f"{r:.2f}×", "≤ 1.2×", r <= 1.2)
r2 = imp["r_bridge_net_ms"] / imp["numpy_net_ms"]
rows.append(("(info) `import r_bridge` from this checkout (editable, no .pyc: PYTHONDONTWRITEBYTECODE)",
             f"{imp['r_bridge_net_ms']:.1f} ms", f"{imp['numpy_net_ms']:.1f} ms", f"{r2:.2f}×", "—", "—"))

# Python with real Keras in the process (issue 17): the link's cost, one process.
for d in jload("py_link.json")[:1]:
    r = d["dense_us_linked"] / d["dense_us_opted_out"]
    row("`Dense(10)` with Keras loaded, session linked to Keras's (Python; alternating with the opt-out)",
        us(d["dense_us_linked"]), us(d["dense_us_opted_out"]) + " (opted out: `RBRIDGE_KERAS_LINK=0`)",
        f"{r:.2f}×", "≤ 1.1×", r <= 1.1)
    rows.append(("(info) `Dense(10)` before Keras is imported (same process)", us(d["dense_us_without_keras"]),
                 us(d["dense_us_opted_out"]) + " (Keras loaded, opted out)",
                 f"{d['dense_us_without_keras'] / d['dense_us_opted_out']:.2f}×", "—", "—"))
    for sfx, what in (("", ""), ("_frozen", ", after `gc.freeze()` (what R does)")):
        r = d["clear_true_us_rbridge" + sfx] / d["clear_true_us_keras" + sfx]
        row(f"`clear_session(TRUE)` with Keras loaded (linked: calls Keras's){what} (Python)",
            us(d["clear_true_us_rbridge" + sfx]), us(d["clear_true_us_keras" + sfx]) + " (`keras.utils.clear_session(True)`)",
            f"{r:.2f}×", "≤ 1.1×", r <= 1.1)

# ---------------------------------------------------------------- R
# One set of R rows per configuration (reticulate version x array path),
# named by bench/run: r128_buffer, r128_native, r146_native. Keras through
# reticulate runs once per reticulate version (r128, r146).
rbn_files = glob.glob(os.path.join(out, "py_residual_bn.json"))
if rbn_files:
    rbn = json.load(open(rbn_files[0]))
    row(f"`predict()` of a {rbn['rows']:,} × 100 float32 batch: Dense(64, relu) → BatchNormalization → "
        "Dense(64, relu) + residual add → BatchNormalization → Dense(10) (Python, alternated, median of 9)",
        f"{rbn['rbridge_ms']:.1f} ms", f"{rbn['numpy_ms']:.1f} ms (the same computation in numpy)",
        f"{rbn['ratio']:.2f}×", "≤ 1.2×", rbn["ratio"] <= 1.2)


def ms(x):
    return f"{x * 1e3:,.1f} ms" if x < 1 else f"{x:,.2f} s"


def cfg_text(name, what):
    f = os.path.join(out, f"config_{name}_{what}.txt")
    return open(f).read().strip() if os.path.exists(f) else "?"


cfgs = sorted({re.match(r"r_(?:speed_rbridge|transport)_(.+)_\d+\.txt$", os.path.basename(f)).group(1)
               for f in glob.glob(os.path.join(out, "r_speed_rbridge_*_*.txt")) + glob.glob(os.path.join(out, "r_transport_*_*.txt"))})
labels = {}
for c in cfgs:
    tr = rload(f"r_transport_{c}_*.txt")
    path = ("native" if tr[0].get("arrays_native") else "buffer") if tr else c.split("_", 1)[1]
    labels[c] = f"reticulate {cfg_text(c, 'reticulate')}, NumPy {cfg_text(c, 'numpy')}: {path}"
seen_versions = set()
for c in cfgs:
    lab = labels[c]
    ret = c.split("_", 1)[0]
    first_of_version = ret not in seen_versions
    seen_versions.add(ret)
    rr, rk = rload(f"r_speed_rbridge_{c}_*.txt"), rload(f"r_speed_keras_{ret}_*.txt")
    if rr and rk:
        sp = paired(rk, rr, "seed_total_s")
        row(f"seed Example 1 verbatim in R (both loops, 100 iterations each) — {lab}",
            f"{med(d['seed_total_s'] for d in rr):.2f} s", f"{med(d['seed_total_s'] for d in rk):.2f} s (Keras via reticulate {cfg_text(c, 'reticulate')})",
            f"{sp:.1f}× faster", "≥ 100× faster", sp >= 100)
        if first_of_version:
            for k, what in (("seed_loop1_s", "first loop (no clear_session)"), ("seed_loop2_s", "second loop (clear_session() each iteration)")):
                rows.append((f"(info) … {what} — {lab}", f"{med(d[k] for d in rr):.2f} s", f"{med(d[k] for d in rk):.2f} s",
                             f"{paired(rk, rr, k):.1f}× faster", "—", "—"))
    tr = rload(f"r_transport_{c}_*.txt")
    if tr:
        for key, what in (("predict", "`predict()` of a 100,000 × 100 double matrix, Dense(64, relu) → Dense(10)"),
                          ("get_weights", "`get_weights()` of Dense(1000) on 1000 inputs (1000 × 1000 kernel)"),
                          ("set_weights", "`set_weights()` of the same (R doubles; Python: the float32 arrays Keras gives)")):
            r = med(d[key + "_ratio"] for d in tr)
            row(f"{what} from R — {lab}", ms(med(d[key + "_r"] for d in tr)),
                ms(med(d[key + "_py"] for d in tr)) + " (same call in Python, same process)", f"{r:.2f}×", "≤ 1.5×", r <= 1.5)
        r = med(d["clear_false_ratio"] for d in tr)
        row(f"`clear_session(FALSE)` from R — {lab}", us(med(d["clear_false_us"] for d in tr)),
            us(med(d["noop_us"] for d in tr)) + " (reticulate no-op `f()`, alternated)", f"{r:.2f}×", "≤ 1.5×", r <= 1.5)
        for key, what, goal in (("layer_dense", "`layer_dense(units = 10)`", 2.0),
                                ("pipe_dense", "`model |> layer_dense(units = 10)`", 2.5)):
            if all(key + "_ratio" in d for d in tr):
                r = med(d[key + "_ratio"] for d in tr)
                row(f"{what} from R — {lab}", us(med(d[key + "_alt_us"] for d in tr)),
                    us(med(d["noop_alt_us"] for d in tr)) + " (no-op, alternated)", f"{r:.2f}×", f"≤ {goal}×", r <= goal)
        for key, what, anchor in (("get_weights", "`get_weights()`", "`py_to_r()` of the same float32 arrays"),
                                  ("set_weights", "`set_weights()`", "`r_to_py()` + `astype(\"float32\")` of the same R arrays")):
            k = key + "_vs_reticulate"
            if all(k + "_ratio" in d for d in tr):
                r = med(d[k + "_ratio"] for d in tr)
                row(f"{what} of a 1000 × 1000 kernel from R vs reticulate's own conversion — {lab}", ms(med(d[k + "_r"] for d in tr)),
                    ms(med(d[k + "_anchor"] for d in tr)) + f" ({anchor}, alternated)", f"{r:.2f}×", "≤ 1.2×", r <= 1.2)
    if rr and first_of_version:
        calls = {k[len("pycalls_"):]: v for k, v in rr[0].items() if k.startswith("pycalls_")}
        rows.append((f"(info) reticulate calls per user op (`py_call_impl` / `py_get_attr` / `import`) — {lab}",
                     "; ".join(f"{op}: {v:g}/{rr[0]['pyattrs_' + op]:g}/{rr[0]['pyimports_' + op]:g}" for op, v in calls.items()),
                     "—", "—", "1 call, no import", "yes" if all(v == 1 for v in calls.values()) and
                     all(rr[0]["pyimports_" + op] == 0 for op in calls) else "**no**"))

# R with real Keras in the same Python (issue 17), per reticulate version.
for c in sorted({re.match(r"r_link_(.+)\.txt$", os.path.basename(f)).group(1) for f in glob.glob(os.path.join(out, "r_link_*.txt"))}):
    d = rload(f"r_link_{c}.txt")[0]
    ver = cfg_text(next((x for x in cfgs if x.startswith(c + "_")), c), "reticulate")
    r = d["link_clear_true_ratio"]
    row(f"`clear_session(TRUE)` from R with Keras loaded (linked), each call alone — reticulate {ver}",
        f"{d['link_clear_true_ms_rbridge']:.2f} ms", f"{d['link_clear_true_ms_keras']:.2f} ms (`keras$utils$clear_session(TRUE)`, alternated)",
        f"{r:.2f}×", "≤ 1×", r <= 1)
    rows.append((f"(info) … in a loop that also makes `layer_dense()` + `keras$layers$Dense()` (rbridge's R collection included) — reticulate {ver}",
                 f"{d['link_loop_ms_rbridge']:.2f} ms/iter", f"{d['link_loop_ms_keras']:.2f} ms/iter", f"{d['link_loop_ratio']:.2f}×", "—", "—"))

# Figures without arrays, from the first configuration (reticulate 1.28).
if cfgs:
    c = cfgs[0]
    rr, rk = rload(f"r_speed_rbridge_{c}_*.txt"), rload(f"r_speed_keras_{c.split('_', 1)[0]}_*.txt")
    if rr and rk:
        rows.append((f"(info) Keras's `clear_session(free_memory = FALSE)` via reticulate — {labels[c]}", us(med(d["clear_false_us"] for d in rk)),
                     us(med(d["noop_us"] for d in rk)) + " (no-op, Keras process)", f"{paired(rk, rk, 'clear_false_us', 'noop_us'):.2f}×", "—", "—"))
    if rr:
        r = paired(rr, rr, "clear_true_ms", "gc_full_ms")
        row(f"`clear_session(TRUE)` from R — {labels[c]}", f"{med(d['clear_true_ms'] for d in rr):.2f} ms",
            f"{med(d['gc_full_ms'] for d in rr):.1f} ms (`gc(full = TRUE)`)", f"{r:.3f}×", "≤ 0.1×", r <= 0.1)
        for k, what in (("layer_dense_us", "`layer_dense(units = 10)`"), ("pipe_dense_us", "`model |> layer_dense(units = 10)`")):
            rows.append((f"(info) {what} from R — {labels[c]}", us(med(d[k] for d in rr)), us(med(d["noop_us"] for d in rr)) + " (no-op)",
                         f"{paired(rr, rr, k, 'noop_us'):.1f}×", "—", "—"))

# Where the array time goes, per configuration (medians over transport runs).
steps_txt = ""
trs = {c: rload(f"r_transport_{c}_*.txt") for c in cfgs}
trs = {c: t for c, t in trs.items() if t}
if trs:
    def cell(t, *keys, fmt=ms):
        if not all(k in t[0] for k in keys):
            return "—"
        return fmt(sum(med(d[k] for d in t) for k in keys))

    def rate(t, mb, *keys):
        if not all(k in t[0] for k in keys):
            return "—"
        return f"{mb / sum(med(d[k] for d in t) for k in keys):,.0f} MB/s"

    lines = [
        ("R `predict()`: median / best of 5", lambda t: f"{cell(t, 'predict_r')} / {cell(t, 'predict_r_min')}"),
        ("… of which R's garbage collector (median)", lambda t: cell(t, "predict_gc")),
        ("Python `model.predict(x)` (median)", lambda t: cell(t, "predict_py")),
        ("x, R → Python (80 MB): `r_to_py()` (native) or `as.vector` + `writeBin` + `r_to_py(raw)` (buffer)",
         lambda t: cell(t, "step_r_to_py_x_s") if "step_r_to_py_x_s" in t[0] else
         f"{cell(t, 'step_asvector_x_s')} + {cell(t, 'step_writebin_x_s')} + {cell(t, 'step_r_to_py_raw_x_s')}"),
        ("output, Python → R (100,000 × 10 float32 → 8 MB of doubles): `py_to_r()` (native) or encode + `py_to_r(bytes)` + `readBin` (buffer)",
         lambda t: cell(t, "step_py_to_r_out_s") if "step_encode_out_s" not in t[0] else
         f"{cell(t, 'step_encode_out_s')} + {cell(t, 'step_py_to_r_out_s')} + {cell(t, 'step_readbin_out_s')}"),
        ("R `get_weights()`: median / best of 11", lambda t: f"{cell(t, 'get_weights_r')} / {cell(t, 'get_weights_r_min')}"),
        ("Python `layer.get_weights()` (one copy of 4 MB float32)", lambda t: cell(t, "get_weights_py")),
        ("weights, Python → R (4 MB float32 → 8 MB of doubles): `py_to_r()` (native) or encode + `py_to_r(bytes)` + `readBin` (buffer)",
         lambda t: cell(t, "step_py_to_r_w_s") if "step_encode_w_s" not in t[0] else
         f"{cell(t, 'step_encode_w_s')} + {cell(t, 'step_py_to_r_w_s')} + {cell(t, 'step_readbin_w_s')}"),
        ("R `set_weights()`: median / best of 11", lambda t: f"{cell(t, 'set_weights_r')} / {cell(t, 'set_weights_r_min')}"),
        ("Python `layer.set_weights()`: float32 arrays / float64 arrays (what R sends)",
         lambda t: f"{cell(t, 'set_weights_py')} / {cell(t, 'py_set_weights_f64_s')}"),
        ("weights, R → Python (8 MB of doubles): `r_to_py()` (native) or `as.vector` + `writeBin` + `r_to_py(raw)` (buffer)",
         lambda t: cell(t, "step_r_to_py_w_s") if "step_r_to_py_w_s" in t[0] else
         f"{cell(t, 'step_asvector_w_s')} + {cell(t, 'step_writebin_w_s')} + {cell(t, 'step_r_to_py_raw_w_s')}"),
        ("floor: one R copy of x (80 MB) / one NumPy copy of x / NumPy copy of the 4 MB kernel",
         lambda t: f"{cell(t, 'copy_r_x_s')} / {cell(t, 'copy_py_x_s')} / {cell(t, 'copy_py_w_s')}"),
        ("rates: `writeBin` (80 MB) / `readBin` (8 MB) / reticulate's NumPy → R (8 MB of doubles out)",
         lambda t: f"{rate(t, 80, 'step_writebin_x_s')} / {rate(t, 8, 'step_readbin_out_s')} / "
                   f"{rate(t, 8, 'step_py_to_r_w_s') if 'step_encode_w_s' not in t[0] else '—'}"),
        ("`clear_session(FALSE)` / reticulate no-op (µs, alternated batches of 500)",
         lambda t: f"{med(d['clear_false_us'] for d in t):.1f} / {med(d['noop_us'] for d in t):.1f}"),
    ]
    steps_txt = "| step | " + " | ".join(labels[c] for c in trs) + " |\n|---|" + "---:|" * len(trs) + "\n"
    steps_txt += "\n".join(f"| {what} | " + " | ".join(f(t) for t in trs.values()) + " |" for what, f in lines)

# Where layer_dense(units = 10)'s time goes (issue 18 item 3), per configuration.
dense_txt = ""
dts = {c: t for c, t in trs.items() if "dense_step_whole_us" in t[0]} if trs else {}
if dts:
    def dcell(t, key):
        return f"{med(d[key] for d in t):.1f}"

    dlines = [
        ("whole call: `layer_dense(units = 10)`", "dense_step_whole_us"),
        ("reticulate no-op `f()` (the reference)", "dense_step_noop_us"),
        ("the crossing alone: rbridge's R function of the dispatcher, to a Python function that returns the same record (reticulate's share, both ways)", "dense_step_crossing_us"),
        ("Python's work: the dispatcher's `make_layer` (timed in Python)", "dense_step_python_us"),
        ("R: argument capture (`rb_capture_args()`, keras3's `capture_args()`)", "dense_step_capture_us"),
        ("R: the record made into the R layer (its self and finalizer)", "dense_step_wrap_us"),
        ("R: the rest (interrupt and error guards, taking the result, the finalizer's run and hand-over at collection)", "dense_step_rest_us"),
    ]
    dense_txt = "| step (µs, medians of batches alternated with the whole call) | " + " | ".join(labels[c] for c in dts) + " |\n|---|" + "---:|" * len(dts) + "\n"
    dense_txt += "\n".join(f"| {what} | " + " | ".join(dcell(t, k) for t in dts.values()) + " |" for what, k in dlines)

# ---------------------------------------------------------------- memory
mr, mk = jload("py_memory_rbridge.json"), jload("py_memory_keras.json")
if mr and mk:
    m, k = mr[0], mk[0]
    ok = m["gc_collected"] == 0 and m["traced_after_collect_bytes"] <= 1024
    row(f"memory, Python: Example 1 × {m['iterations']:,} without clear_session, `gc.disable()`",
        f"{m['gc_collected']} objects for gc.collect(); tracemalloc +{m['traced_growth_bytes'] / 1024:.1f} KB before, "
        f"+{m['traced_after_collect_bytes'] / 1024:.1f} KB after collect ({m['traced_after_collect_bytes'] / m['iterations']:.2f} B/iter)",
        f"× {k['iterations']}: {k['gc_collected_per_iter']:.0f} objects/iter for gc.collect(); "
        f"+{k['traced_growth_per_iter'] / 1024:.1f} KB/iter before, {k['traced_after_collect_bytes'] / k['iterations']:.0f} B/iter after",
        "—", "0 objects; ≤ 1 KB total", ok)
rm_, km = rload("r_memory_rbridge.txt"), rload("r_memory_keras.txt")
if rm_ and km:
    a, b = rm_[0], km[0]
    ok = abs(a["slope2_kb_per_iter"]) < 0.5
    row(f"memory, R: RSS over Example 1's second loop",
        f"× {a['mem_iters']:.0f}: {a['slope1_kb_per_iter']:+.2f} KB/iter first half, {a['slope2_kb_per_iter']:+.2f} second half "
        f"({a['rss_start_kb'] / 1024:.0f} → {a['rss_end_kb'] / 1024:.0f} MB)",
        f"× {b['mem_iters']:.0f}: {b['slope1_kb_per_iter']:+.2f} / {b['slope2_kb_per_iter']:+.2f} KB/iter "
        f"({b['rss_start_kb'] / 1024:.0f} → {b['rss_end_kb'] / 1024:.0f} MB)",
        "—", "≈ 0 KB/iter (second half < 0.5)", ok)

# ---------------------------------------------------------------- scaling
sc = jload("py_scaling_rbridge.json")
scale_txt = ""
if sc:
    curve = sc[0]
    dense = [p["dense_us"] for p in curve]
    clear = [p["clear_false_us"] for p in curve]
    excess = [p["clear_false_us"] / max(p["control_us"], 0.05) for p in curve]
    flat = max(dense) <= 2 * min(dense) and max(excess) <= 2 * min(excess) + 0.5
    row("scaling (Python): `Dense(10)` and `clear_session(False)` vs layers created so far (10 → 100k)",
        f"Dense {min(dense):.1f}–{max(dense):.1f} µs, clear {min(clear):.1f}–{max(clear):.1f} µs", "—",
        f"Dense max/min {max(dense) / min(dense):.2f}×; clear / control {min(excess):.2f}–{max(excess):.2f}×", "flat", flat)
    scale_txt = ("| layers created since clear_session | µs per `Dense(10)` (median of 200) | µs per `clear_session(False)`, "
                 "single shot (median of 5) | control: µs per unrelated `threading.local()`, same conditions |\n|---:|---:|---:|---:|\n")
    scale_txt += "\n".join(f"| {p['layers']:,} | {p['dense_us']:.2f} | {p['clear_false_us']:.2f} | {p['control_us']:.2f} |" for p in curve)

table = "| figure | rbridge | reference | ratio | goal | met? |\n|---|---|---|---|---|---|\n"
table += "\n".join("| " + " | ".join(r) + " |" for r in rows)


# ---------------------------------------------------------------- machine
def cmd(*a):
    try:
        return subprocess.run(a, capture_output=True, text=True, timeout=60).stdout.strip()
    except Exception as e:  # noqa: BLE001
        return f"? ({e})"


cpu = "?"
for line in open("/proc/cpuinfo"):
    if line.startswith("model name"):
        cpu = line.split(":", 1)[1].strip()
        break
vers = json.load(open(os.path.join(out, "versions.json")))
machine = (
    f"- date: {datetime.datetime.now().astimezone().isoformat(timespec='seconds')}\n"
    f"- machine: `nproc` = {cmd('nproc')}, CPU: {cpu}, load average at the end: {open('/proc/loadavg').read().split()[:3]}\n"
    f"- Python {platform.python_version()}, numpy {vers['numpy']}, keras {vers['keras']} (KERAS_BACKEND=numpy), "
    f"{vers['R']}, reticulate {vers['reticulate']} (Debian; the R rows name theirs), r_bridge {vers['r_bridge']}\n"
    f"- OPENBLAS_CORETYPE={os.environ.get('OPENBLAS_CORETYPE', '(unset)')}; timings are medians over repeats, "
    "ratios are medians of per-round ratios of processes run alternately in this one run"
)

profile = ""
for impl in ("rbridge", "keras"):
    p = jload(f"py_profile_{impl}.json")
    if p:
        p = p[0]
        profile += (f"- {impl}: {p['calls_per_iter']:.0f} Python function calls per Example 1 iteration "
                    f"({p['seconds_per_iter'] * 1e3:.2f} ms/iter under cProfile)\n")

steps = f"\n\nWhere the R time of the array calls goes (steps timed alone, medians):\n\n{steps_txt}" if steps_txt else ""
if dense_txt:
    steps += f"\n\nWhere the time of `layer_dense(units = 10)` from R goes (each step timed alone):\n\n{dense_txt}"
body = f"{machine}\n\n{table}{steps}\n\nScaling curve (Python, r_bridge):\n\n{scale_txt}\n\ncProfile:\n{profile}"
print(body)

readme = os.path.join(here, "README.md")
start, end = "<!-- bench:start -->", "<!-- bench:end -->"
text = open(readme).read() if os.path.exists(readme) else f"# Benchmarks\n\n{start}\n{end}\n"
if start not in text:
    text += f"\n{start}\n{end}\n"
text = re.sub(re.escape(start) + ".*?" + re.escape(end), lambda m: f"{start}\n{body}\n{end}", text, flags=re.S)
open(readme, "w").write(text)
print(f"\n(written to {os.path.relpath(readme)})", file=sys.stderr)
