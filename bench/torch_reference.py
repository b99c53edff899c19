#!/usr/bin/python3
"""PyTorch side of the gradtrace benchmark (issue 6): the same fully connected networks
and training step in PyTorch, plain and instrumented the way users instrument them, and
the gradtrace/torch ratios against bench's own numbers from the same `make bench-torch`.

Every configuration runs in a fresh process pinned like bench's children: CPU affinity
{0..threads-1}, OMP_NUM_THREADS and OPENBLAS_NUM_THREADS = threads, torch.set_num_threads.
Debian's torch calls the system BLAS (libblas.so.3 -> OpenBLAS here) for nn.Linear, so
both sides multiply with the same library.

  plain         zero_grad; logits = model(x); cross_entropy; backward; SGD step
  instrumented  the same with forward hooks keeping every hidden activation (detached),
                and after backward, per layer: ||dL/dW|| (.item()) and the dead-unit
                fraction of the batch ((a <= 0).all(0).float().mean().item())
"""
import argparse
import csv
import json
import os
import statistics
import subprocess
import sys
import time

SHAPES = [(20, 256, 128), (50, 1024, 256), (200, 64, 64), (10, 2048, 256), (1000, 64, 32)]
ACTS = ["relu", "sigmoid"]
CLASSES = 10


def budget_for(L, W, B, scale):
    flops = 6.0 * B * W * W * (L + 1)
    return (6.0 if flops > 2e10 else 2.5) * scale


def vm(field):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    return -1


def blas_info():
    """OpenBLAS core name of the BLAS torch resolved, when it is OpenBLAS."""
    import ctypes
    libs = set()
    with open("/proc/self/maps") as f:
        for line in f:
            p = line.split()[-1]
            if "blas" in os.path.basename(p):
                libs.add(p)
    for p in sorted(libs):
        try:
            lib = ctypes.CDLL(p)
            lib.openblas_get_corename.restype = ctypes.c_char_p
            return "OpenBLAS core %s (%s)" % (lib.openblas_get_corename().decode(),
                                               os.path.basename(os.path.realpath(p)))
        except (OSError, AttributeError):
            continue
    return "BLAS: " + (",".join(sorted(libs)) or "none found")


def child(L, W, B, act, threads, budget):
    import torch
    import torch.nn as nn
    import torch.nn.functional as F

    torch.set_num_threads(threads)
    try:
        torch.set_num_interop_threads(1)
    except RuntimeError:
        pass
    torch.manual_seed(1)
    (torch.randn(8, 8) @ torch.randn(8, 8)).sum().item()  # start the pools
    base = vm("VmRSS")

    layers = []
    fan_in = W
    for l in range(L + 1):
        fo = W if l < L else CLASSES
        lin = nn.Linear(fan_in, fo)
        with torch.no_grad():
            if act == "relu":
                nn.init.kaiming_normal_(lin.weight, nonlinearity="relu")
            else:
                nn.init.xavier_normal_(lin.weight)
            lin.bias.zero_()
        layers.append(lin)
        if l < L:
            layers.append(nn.ReLU() if act == "relu" else nn.Sigmoid())
        fan_in = fo
    model = nn.Sequential(*layers)
    linears = [m for m in model if isinstance(m, nn.Linear)]
    acts_mods = [m for m in model if not isinstance(m, nn.Linear)]
    opt = torch.optim.SGD(model.parameters(), lr=0.01)
    x = torch.randn(B, W)
    y = torch.randint(0, CLASSES, (B,))

    kept = []

    def keep(_mod, _inp, out):
        kept.append(out.detach())

    handles = []

    def step(instrumented):
        kept.clear()
        opt.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        if instrumented:
            grad_norms = [m.weight.grad.norm().item() for m in linears]
            dead = [(a <= 0).all(dim=0).float().mean().item() for a in kept]
            assert len(grad_norms) == L + 1 and len(dead) == L
        opt.step()
        return loss.item()

    def hooks_on():
        handles.extend(m.register_forward_hook(keep) for m in acts_mods)

    def hooks_off():
        for h in handles:
            h.remove()
        handles.clear()
        kept.clear()

    t0 = time.perf_counter()
    while True:  # warm-up
        hooks_on()
        step(True)
        hooks_off()
        step(False)
        if time.perf_counter() - t0 >= min(0.1 * budget, 1.0):
            break
    on, off, on_c, off_c = [], [], [], []
    t0 = time.perf_counter()
    diverged = False
    while len(on) < 5 or time.perf_counter() - t0 < budget:
        hooks_on()
        t, c = time.perf_counter(), time.process_time()
        loss = step(True)
        on.append(time.perf_counter() - t)
        on_c.append(time.process_time() - c)
        hooks_off()
        t, c = time.perf_counter(), time.process_time()
        step(False)
        off.append(time.perf_counter() - t)
        off_c.append(time.process_time() - c)
        diverged |= loss != loss or loss in (float("inf"), float("-inf"))
        if len(on) >= 4000:
            break
    print(json.dumps({
        "status": "diverged" if diverged else "ok", "samples": len(on),
        "instrumented": statistics.median(on), "plain": statistics.median(off),
        "cpu_instrumented": statistics.median(on_c), "cpu_plain": statistics.median(off_c),
        "base_rss": base, "hwm": vm("VmHWM"), "torch": torch.__version__,
        "blas": blas_info(), "threads": torch.get_num_threads(),
    }))


def machine_busy():
    with open("/proc/stat") as f:
        v = [int(t) for t in f.readline().split()[1:]]
    return (v[0] + v[1] + v[2] + v[5] + v[6] + v[7]) / os.sysconf("SC_CLK_TCK")


def wait_quiet(quiet=0.3, max_wait=30):
    t0 = time.monotonic()
    while True:
        b0, s0 = machine_busy(), time.monotonic()
        time.sleep(0.3)
        load = (machine_busy() - b0) / (time.monotonic() - s0)
        if load <= quiet or time.monotonic() - t0 > max_wait:
            return load


def run_case(L, W, B, act, threads, budget):
    env = dict(os.environ, OMP_NUM_THREADS=str(threads), OPENBLAS_NUM_THREADS=str(threads),
               MKL_NUM_THREADS=str(threads))
    cpus = set(range(threads))
    wait_quiet()
    busy0, t0 = machine_busy(), time.monotonic()
    p = subprocess.Popen([sys.executable, os.path.abspath(__file__), "--case", str(L), str(W),
                          str(B), act, str(threads), str(budget)],
                         stdout=subprocess.PIPE, env=env,
                         preexec_fn=lambda: os.sched_setaffinity(0, cpus))
    out = p.stdout.read().decode()
    p.stdout.close()
    _, status, ru = os.wait4(p.pid, 0)
    p.returncode = os.waitstatus_to_exitcode(status)
    wall = time.monotonic() - t0
    others = max(0.0, (machine_busy() - busy0 - ru.ru_utime - ru.ru_stime) / wall)
    lines = [l for l in out.splitlines() if l.startswith("{")]
    if p.returncode or not lines:
        return {"status": "failed(%d)" % p.returncode}
    r = json.loads(lines[-1])
    r["peak_rss"] = ru.ru_maxrss * 1024
    r["others_cpu"] = others
    return r


def cpu_name():
    model, fam, mod = "unknown CPU", "?", "?"
    with open("/proc/cpuinfo") as f:
        for line in f:
            k, _, v = line.partition(":")
            k, v = k.strip(), v.strip()
            if k == "model name" and model == "unknown CPU":
                model = v
            elif k == "cpu family" and fam == "?":
                fam = v
            elif k == "model" and mod == "?":
                mod = v
    return "%s (family %s model %s) x%d" % (model, fam, mod, os.cpu_count())


def read_gradtrace(path):
    rows = {}
    if not path or not os.path.exists(path):
        return rows
    with open(path) as f:
        for r in csv.DictReader(f):
            if r["section"] != "step" or not r["step_probes_s"]:
                continue
            key = (int(r["threads"]), int(r["depth"]), int(r["width"]), int(r["batch"]),
                   r["activation"])
            rows[key] = r
    return rows


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--csv", default="bench/results-torch.csv")
    ap.add_argument("--gradtrace-csv", default="bench/results-gradtrace-steps.csv",
                    help="bench --steps-only output of the same make run")
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--case", nargs=6, metavar=("L", "W", "B", "ACT", "THREADS", "BUDGET"))
    a, _unknown = ap.parse_known_args()  # BENCH_ARGS meant for bench itself
    if a.case:
        L, W, B, act, t, budget = a.case
        child(int(L), int(W), int(B), act, int(t), float(budget))
        return 0
    scale = a.scale * (0.3 if a.quick else 1.0)
    gt = read_gradtrace(a.gradtrace_csv)
    cpu = cpu_name()
    fields = ["cpu", "blas", "torch", "threads", "depth", "width", "batch", "activation",
              "samples", "plain_s", "instrumented_s", "instr_overhead", "peak_rss_bytes",
              "base_rss_bytes", "gradtrace_probes_s", "gradtrace_plain_s",
              "gt_probes_over_torch_instr", "gt_plain_over_torch_plain", "others_cpu",
              "cpu_plain_s", "cpu_instrumented_s", "gt_cpu_probes_s", "gt_cpu_plain_s",
              "gt_cpu_probes_over_torch_cpu_instr", "status"]
    out = open(a.csv, "w", newline="")
    w = csv.DictWriter(out, fieldnames=fields)
    w.writeheader()
    print("torch_reference: PyTorch vs gradtrace, float32, SGD, median seconds per step")
    targets = []
    for t in [int(v) for v in a.threads.split(",")]:
        header_done = False
        for (L, W, B) in SHAPES:
            for act in ACTS:
                r = run_case(L, W, B, act, t, budget_for(L, W, B, scale))
                if not header_done and "torch" in r:
                    print("\nmachine: %s | torch %s, %s | threads %d (torch.get_num_threads %d)"
                          % (cpu, r["torch"], r["blas"], t, r["threads"]))
                    print("  %-15s %-7s %9s %9s %6s %9s %9s %7s %7s %8s %6s %8s" % (
                        "L,W,B", "act", "torch", "torch+ins", "ovh", "gt", "gt+probes",
                        "gt/tp", "gtp/ti", "t peakRSS", "others", "c.gtp/ti"))
                    header_done = True
                shape = "%d,%d,%d" % (L, W, B)
                if r["status"].startswith("failed"):
                    print("  %-15s %-7s %s" % (shape, act, r["status"]))
                    continue
                g = gt.get((t, L, W, B, act))
                gp = float(g["step_probes_s"]) if g else float("nan")
                go = float(g["step_plain_s"]) if g else float("nan")
                ri, rp = gp / r["instrumented"], go / r["plain"]
                gcp = float(g["cpu_probes_s"]) if g and g.get("cpu_probes_s") else float("nan")
                gco = float(g["cpu_plain_s"]) if g and g.get("cpu_plain_s") else float("nan")
                rci = gcp / r["cpu_instrumented"] if t == 1 else float("nan")
                print("  %-15s %-7s %9.5f %9.5f %5.1f%% %9.5f %9.5f %7.3f %7.3f %7.1fM %6.2f %8s%s"
                      % (shape, act, r["plain"], r["instrumented"],
                         100 * (r["instrumented"] / r["plain"] - 1), go, gp, rp, ri,
                         r["peak_rss"] / 1048576, r["others_cpu"],
                         "%.3f" % rci if rci == rci else "-",
                         "" if r["status"] == "ok" else "  " + r["status"].upper()))
                w.writerow({
                    "cpu": cpu, "blas": r["blas"], "torch": r["torch"], "threads": t,
                    "depth": L, "width": W, "batch": B, "activation": act,
                    "samples": r["samples"], "plain_s": "%.9g" % r["plain"],
                    "instrumented_s": "%.9g" % r["instrumented"],
                    "instr_overhead": "%.9g" % (r["instrumented"] / r["plain"]),
                    "peak_rss_bytes": r["peak_rss"], "base_rss_bytes": r["base_rss"],
                    "gradtrace_probes_s": "%.9g" % gp if g else "",
                    "gradtrace_plain_s": "%.9g" % go if g else "",
                    "gt_probes_over_torch_instr": "%.9g" % ri if g else "",
                    "gt_plain_over_torch_plain": "%.9g" % rp if g else "",
                    "others_cpu": "%.3f" % r["others_cpu"],
                    "cpu_plain_s": "%.9g" % r["cpu_plain"],
                    "cpu_instrumented_s": "%.9g" % r["cpu_instrumented"],
                    "gt_cpu_probes_s": "%.9g" % gcp if gcp == gcp else "",
                    "gt_cpu_plain_s": "%.9g" % gco if gco == gco else "",
                    "gt_cpu_probes_over_torch_cpu_instr": "%.9g" % rci if rci == rci else "",
                    "status": r["status"],
                })
                out.flush()
                if g and W >= 1024:
                    targets.append(("wide: gradtrace+probes <= 0.9x torch instrumented",
                                    shape, act, t, ri, ri <= 0.9, rci, rci <= 0.9))
                if g and (L, W, B) == (200, 64, 64):
                    targets.append(("L=200 W=64 B=64: >= 5x faster than torch instrumented",
                                    shape, act, t, 1 / ri, 1 / ri >= 5, 1 / rci, 1 / rci >= 5))
    out.close()
    print("  (gt/tp: gradtrace plain / torch plain; gtp/ti: gradtrace with all probes / torch "
          "instrumented;\n   c.gtp/ti: the same from CPU time (1 thread); others: CPUs busy with "
          "other processes;\n   gradtrace numbers from %s, measured in the same make run)"
          % a.gradtrace_csv)
    if targets:
        print("\ntargets (wall-clock ratio; CPU-time ratio at 1 thread, robust to other processes)")
        for name, shape, act, t, v, ok, vc, okc in targets:
            print("  %-55s %-13s %-7s %dT  wall %6.3f %-6s  cpu %s" % (
                name, shape, act, t, v, "met" if ok else "MISSED",
                "%6.3f %s" % (vc, "met" if okc else "MISSED") if vc == vc else "-"))
    print("\nresults in %s" % a.csv)
    return 0


if __name__ == "__main__":
    sys.exit(main())
