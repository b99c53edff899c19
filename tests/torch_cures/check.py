#!/usr/bin/python3
"""PyTorch float64 autograd on the weights gradtrace used (weights/step-0/*.npy) and the
data it trained on (a CSV of exactly one batch, so the batch is the whole set): per layer
grad_w_l2, grad_b_l2 and delta_rms (B * dL/dz, rms over the batch) of layers.csv at step
0 within 1e-9 relative, steps.csv's grad_l2 and clipped, and the weights after one SGD
step (with torch.nn.utils.clip_grad_norm_ when the run clipped) within 1e-12.
Usage: check.py RUNDIR DATA.csv ACTIVATION RESIDUAL ALPHA CLIP"""
import csv
import math
import os
import sys

import numpy as np
import torch

run, data, act, K, alpha, clip = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), \
    float(sys.argv[5]), float(sys.argv[6])
phi = {"relu": torch.relu, "tanh": torch.tanh, "sigmoid": torch.sigmoid}[act]
rows = np.loadtxt(data, delimiter=",", ndmin=2)
x = torch.tensor(rows[:, :-1], dtype=torch.float64)
y = torch.tensor(rows[:, -1].astype(np.int64))
B = x.shape[0]


def load(step):
    d = os.path.join(run, "weights", "step-%d" % step)
    n = len([f for f in os.listdir(d) if f.startswith("W")])
    return [(torch.tensor(np.load(os.path.join(d, "W%d.npy" % (i + 1))), requires_grad=True),
             torch.tensor(np.load(os.path.join(d, "b%d.npy" % (i + 1))), requires_grad=True))
            for i in range(n)]


params = load(0)
nl = len(params)
zs = []
h = x
stream = None  # the stream h a block adds its branch to
for l, (W, b) in enumerate(params):
    z = h @ W + b
    z.retain_grad()
    zs.append(z)
    if l + 1 == nl:
        break
    a = phi(z)
    if K == 0:
        h = a
    elif l == 0:
        h = stream = a
    elif l % K == 0:  # a block's last layer: h + alpha * F(h)
        h = stream = stream + alpha * a
    else:
        h = a
loss = torch.nn.functional.cross_entropy(zs[-1], y)
loss.backward()

with open(os.path.join(run, "layers.csv")) as f:
    got = [r for r in csv.DictReader(f) if r["step"] == "0"]
assert len(got) == nl, (len(got), nl)
worst = 0.0


def close(name, l, mine, ref, tol=1e-9):
    global worst
    err = abs(mine - ref) / max(abs(ref), 1e-300)
    worst = max(worst, err)
    if err > tol:
        sys.exit("layer %d %s: gradtrace %.17g torch %.17g (relative %.3g)" % (l, name, mine, ref, err))


total = 0.0
for l, ((W, b), z, r) in enumerate(zip(params, zs, got), 1):
    gw, gb = W.grad.norm().item(), b.grad.norm().item()
    assert gw > 1e-8 and gb > 1e-8, "guard: a real gradient at layer %d" % l
    close("grad_w_l2", l, float(r["grad_w_l2"]), gw)
    close("grad_b_l2", l, float(r["grad_b_l2"]), gb)
    d = z.grad * B
    close("delta_rms", l, float(r["delta_rms"]), math.sqrt((d * d).sum().item() / B))
    total += gw * gw + gb * gb
with open(os.path.join(run, "steps.csv")) as f:
    st = next(csv.DictReader(f))
close("grad_l2", 0, float(st["grad_l2"]), math.sqrt(total))
ps = [p for wb in params for p in wb]
norm = torch.nn.utils.clip_grad_norm_(ps, clip).item() if clip > 0 else math.sqrt(total)
want_clipped = int(clip > 0 and clip / (norm + 1e-6) < 1)
if int(st["clipped"]) != want_clipped:
    sys.exit("clipped: gradtrace %s, torch says %d" % (st["clipped"], want_clipped))
with torch.no_grad():
    lr = float(st["lr"])
    after = load(1)
    for l, ((W, b), (W1, b1)) in enumerate(zip(params, after), 1):
        for name, p, q in (("W", W, W1), ("b", b, b1)):
            ref = p - lr * p.grad
            err = ((ref - q).abs().max() / ref.abs().max()).item()
            if err > 1e-12:
                sys.exit("layer %d %s after the step: relative %.3g" % (l, name, err))
print("%s residual %d alpha %g clip %g: %d layers agree, worst relative %.2g, clipped %d"
      % (act, K, alpha, clip, nl, worst, want_clipped))
