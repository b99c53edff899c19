# Experiment 13: the cures in a deep relu network on Fashion-MNIST. (a) test accuracy over
# training and (b) the gradient norm before clipping, one line per network: colour = plain or residual
# (and the normalization, when the sweep has a norm axis), dashed = with gradient clipping.
# The key and the headline state the measured final test accuracies.
W = 1700; H = 620
load "plots/style.gp"
eval system(sprintf("scripts/figures-runs '%s'", dir))
# runs of a binary without --norm have no R_norm: every net is then un-normalized
if (!exists("R_norm")) { array R_norm[R_n]; do for [i = 1:R_n] { R_norm[i] = "none" } }
arch(i) = (real(R_residual[i]) == 0 ? "plain" : sprintf("residual (α %s)", R_residual_scale[i])) . (R_norm[i] eq "none" ? "" : " + " . R_norm[i] . " norm")
clip(i) = real(R_clip_grad_norm[i]) > 0
net_name(i) = arch(i) . (clip(i) ? " + clip " . R_clip_grad_norm[i] : "")
# the colour of a run's architecture, by its first appearance in the sweep
ARCH_COLORS = "#555555 #009E73 #0072B2 #D55E00 #CC79A7 #E69F00"
array ACOL[R_n]; na_ = 0
do for [i = 1:R_n] {
    f_ = 0
    do for [j = 1:i - 1] { if (f_ == 0 && arch(j) eq arch(i)) { f_ = j } }
    if (f_ == 0) { na_ = na_ + 1; ACOL[i] = na_ } else { ACOL[i] = ACOL[f_] }
    set linetype 100 + i lc rgb word(ARCH_COLORS, (ACOL[i] - 1) % 6 + 1)
}
acc_(i) = final_acc(i) eq "" ? "n/a" : final_acc(i)
# the final evaluation (run.json), after the last step: a square at steps_done
set print $F
do for [i = 1:R_n] { a_ = run_num(i, "final_test_acc"); print "x,test_acc"; print sprintf("%s,%s", run_num(i, "steps_done"), a_ eq "" ? "NaN" : a_); print ""; print "" }
unset print
# the headline: the plain net without clipping against the net with the best final accuracy
ip_ = 0; ib_ = 0
do for [i = 1:R_n] {
    if (ip_ == 0 && net_name(i) eq "plain") { ip_ = i }
    a_ = run_num(i, "final_test_acc")
    if (a_ ne "" && (ib_ == 0 || real(a_) > real(run_num(ib_, "final_test_acc")))) { ib_ = i }
}
headline = ip_ == 0 || ib_ == 0 ? "The cures: plain vs residual networks" : \
    sprintf("%s %s layers: the plain net ends at %s test accuracy, %s at %s", R_depth[1], enh(R_activation[1]), acc_(ip_), net_name(ib_), acc_(ib_))
set multiplot layout 1, 2 margins 0.05, 0.72, 0.12, 0.84 spacing 0.07 \
    title sprintf("{/:Bold=13 %s}\n", headline) . \
          sprintf("width %s, %s/%s, %s lr %s, batch %s; solid: no clipping, dashed: the global gradient norm clipped; ■: the final evaluation", \
                  R_width[1], enh(R_activation[1]), R_init[1], R_optimizer[1], R_lr[1], R_batch[1]) font ",11"
set key at screen 0.725, 0.84 left top reverse Left font ",10" samplen 4 title "network: final test accuracy" noenhanced
set xlabel "training step"
set title "(a) test accuracy"
set ylabel "test accuracy  (%)"
set yrange [0:100]
plot for [i = 1:R_n] mean_of(run_file(i, "steps.csv"), "step", "test_acc", 0, 0) using "x":(100 * column("test_acc")) \
        with linespoints lw LW ps PS pt 7 lt 100 + i dt 1 + clip(i) title sprintf("%s: %s", net_name(i), acc_(i)) noenhanced, \
     for [i = 1:R_n] $F index i - 1 using "x":(100 * column("test_acc")) with points pt 5 ps 1.3 lt 100 + i notitle, \
     10 with lines dt 3 lc rgb "#777777" title "chance (10 classes)"
set key off
set title "(b) gradient norm ‖∇L‖ before clipping (logged steps)"
set ylabel "grad\\_l2  (log scale)"
set yrange [*:*]
set logscale y
set format y "10^{%T}"
plot for [i = 1:R_n] run_file(i, "steps.csv") using "step":"grad_l2" with linespoints lw LW ps 0.5 pt 7 lt 100 + i dt 1 + clip(i) notitle
unset multiplot
