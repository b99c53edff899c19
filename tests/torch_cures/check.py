#!/usr/bin/python3
"""PyTorch float64 autograd on the weights gradtrace used (weights/step-0/*.npy) and the
data it trained on (a CSV of exactly one batch, so the batch is the whole set): per layer
grad_w_l2, grad_b_l2 and delta_rms (B * dL/dz, rms over the batch) of layers.csv at step
0 within 1e-9 relative, steps.csv's grad_l2 and clipped, and the weights after one SGD
step (with torch.nn.utils.clip_grad_norm_ when the run clipped) within 1e-12. With NORM
batch or layer (torch.nn.functional.batch_norm in training mode, layer_norm): also
grad_gamma_l2, grad_beta_l2, gamma and beta after the step, and batch norm's running
statistics after the step's forward (BatchNorm1d's update, unbiased running_var).
Usage: check.py RUNDIR DATA.csv ACTIVATION RESIDUAL ALPHA CLIP [NORM [EPS]]"""
import csv
import math
import os
import sys

import numpy as np
import torch

run, data, act, K, alpha, clip = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), \
    float(sys.argv[5]), float(sys.argv[6])
norm = sys.argv[7] if len(sys.argv) > 7 else "none"
eps = float(sys.argv[8]) if len(sys.argv) > 8 else 1e-5
phi = {"relu": torch.relu, "tanh": torch.tanh, "sigmoid": torch.sigmoid}[act]
rows = np.loadtxt(data, delimiter=",", ndmin=2)
x = torch.tensor(rows[:, :-1], dtype=torch.float64)
y = torch.tensor(rows[:, -1].astype(np.int64))
B = x.shape[0]


def npy(step, name, l):
    return torch.tensor(np.load(os.path.join(run, "weights", "step-%d" % step, "%s%d.npy" % (name, l + 1))))


nl = len([f for f in os.listdir(os.path.join(run, "weights", "step-0")) if f.startswith("W")])


def load(step, names, n):
    return [[npy(step, k, i).requires_grad_() for k in names] for i in range(n)]


params = load(0, ("W", "b"), nl)
norms = load(0, ("gamma", "beta"), nl - 1) if norm != "none" else []
if norm == "batch":
    running = [[npy(0, k, l) for k in ("running_mean", "running_var")] for l in range(nl - 1)]
zs = []
h = x
stream = None  # the stream h a block adds its branch to
for l, (W, b) in enumerate(params):
    z = h @ W + b
    z.retain_grad()
    zs.append(z)
    if l + 1 == nl:
        break
    u = z
    if norm == "batch":
        u = torch.nn.functional.batch_norm(z, running[l][0], running[l][1], norms[l][0],
                                           norms[l][1], training=True, momentum=0.1, eps=eps)
    elif norm == "layer":
        u = torch.nn.functional.layer_norm(z, (z.shape[1],), norms[l][0], norms[l][1], eps)
    a = phi(u)
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
    if norm == "batch" and l < nl:  # the batch mean takes the bias out: no gradient
        assert gw > 1e-8, "guard: a real gradient at layer %d" % l
        if not (float(r["grad_b_l2"]) < 1e-12 * gw and gb < 1e-12 * gw):
            sys.exit("layer %d grad_b_l2 before batch norm: gradtrace %s torch %.3g"
                     % (l, r["grad_b_l2"], gb))
    else:
        assert gw > 1e-8 and gb > 1e-8, "guard: a real gradient at layer %d" % l
        close("grad_b_l2", l, float(r["grad_b_l2"]), gb)
    close("grad_w_l2", l, float(r["grad_w_l2"]), gw)
    d = z.grad * B
    close("delta_rms", l, float(r["delta_rms"]), math.sqrt((d * d).sum().item() / B))
    total += gw * gw + gb * gb
    if l < nl and norms:
        gg, gbeta = norms[l - 1][0].grad.norm().item(), norms[l - 1][1].grad.norm().item()
        assert gg > 1e-8 and gbeta > 1e-8, "guard: real gamma/beta gradients at layer %d" % l
        close("grad_gamma_l2", l, float(r["grad_gamma_l2"]), gg)
        close("grad_beta_l2", l, float(r["grad_beta_l2"]), gbeta)
        total += gg * gg + gbeta * gbeta
    elif r["grad_gamma_l2"] or r["grad_beta_l2"]:
        sys.exit("layer %d: grad_gamma_l2/grad_beta_l2 set without a norm layer" % l)
with open(os.path.join(run, "steps.csv")) as f:
    st = next(csv.DictReader(f))
close("grad_l2", 0, float(st["grad_l2"]), math.sqrt(total))
ps = [p for wb in params + norms for p in wb]
norm_total = torch.nn.utils.clip_grad_norm_(ps, clip).item() if clip > 0 else math.sqrt(total)
want_clipped = int(clip > 0 and clip / (norm_total + 1e-6) < 1)
if int(st["clipped"]) != want_clipped:
    sys.exit("clipped: gradtrace %s, torch says %d" % (st["clipped"], want_clipped))


def same(what, ref, q, tol=1e-12):
    err = ((ref - q).abs().max() / ref.abs().max()).item()
    if err > tol:
        sys.exit("%s: relative %.3g" % (what, err))


with torch.no_grad():
    lr = float(st["lr"])
    after = load(1, ("W", "b"), nl)
    for l, ((W, b), (W1, b1)) in enumerate(zip(params, after), 1):
        for name, p, q in (("W", W, W1), ("b", b, b1)):
            same("layer %d %s after the step" % (l, name), p - lr * p.grad, q)
    for l, (g, be) in enumerate(norms):
        for name, p in (("gamma", g), ("beta", be)):
            same("layer %d %s after the step" % (l + 1, name), p - lr * p.grad, npy(1, name, l))
    if norm == "batch":
        for l, (rm, rv) in enumerate(running):
            same("layer %d running_mean" % (l + 1), rm, npy(1, "running_mean", l))
            same("layer %d running_var" % (l + 1), rv, npy(1, "running_var", l))
print("%s residual %d alpha %g clip %g norm %s: %d layers agree, worst relative %.2g, clipped %d"
      % (act, K, alpha, clip, norm, nl, worst, want_clipped))
