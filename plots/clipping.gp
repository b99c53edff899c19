# Experiment 12 (claim C1): an exploding deep relu network (lr far too large) with and without
# --clip-grad-norm. (a) training loss and (b) the gradient norm before clipping over the
# steps (log y), one line per run, colour = the clipping threshold C, a cross on a diverged
# run's last step with a finite gradient; (c) per C the share of runs that diverged and each finished run's test accuracy.
# The headline states the measured counts.
W = 1600; H = 600
load "plots/style.gp"
eval system(sprintf("scripts/figures-runs '%s'", dir))
Cs = ""
do for [i = 1:R_n] { if (strstrt(" " . Cs . " ", " " . R_clip_grad_norm[i] . " ") == 0) { Cs = Cs . " " . R_clip_grad_norm[i] } }
nC = words(Cs)
c_k(v) = sum [k = 1:nC] (word(Cs, k) eq v ? k : 0)
c_name(v) = real(v) == 0 ? "off" : v
do for [k = 1:nC] { set linetype 100 + k lc rgb seq_color(k, nC) }
array NDIV[nC]; array NRUN[nC]; array AX[R_n]; array AY[R_n]
do for [k = 1:nC] { NDIV[k] = 0; NRUN[k] = 0 }
do for [i = 1:R_n] {
    k = c_k(R_clip_grad_norm[i]); NRUN[k] = NRUN[k] + 1
    if (R_status[i] eq "diverged") { NDIV[k] = NDIV[k] + 1 }
    a_ = run_num(i, "final_test_acc")
    AX[i] = k + 0.08 * (NRUN[k] - 1) - 0.16; AY[i] = (R_status[i] eq "diverged" || a_ eq "") ? NaN : 100 * real(a_)
}
# the first run of each C carries the key entry
first_of(i) = (sum [j = 1:i] (R_clip_grad_norm[j] eq R_clip_grad_norm[i] ? 1 : 0)) == 1
k0 = c_k("0")
# a diverged run's header and last row with a gradient norm: steps.csv's last row is the step
# that overflowed (its loss only), the cross goes on the step before it
last_finite(f) = sprintf("< awk -F, 'NR == 1 {for (i = 1; i <= NF; i++) c[$i] = i; print; next} $c[\"grad_l2\"] != \"\" {l = $0} END {print l}' '%s'", f)
headline = k0 == 0 ? "Gradient clipping on an exploding deep relu network" : \
    sprintf("Without clipping %d of %d runs diverge", NDIV[k0], NRUN[k0])
do for [k = 1:nC] { if (k != k0) { headline = headline . sprintf("%s C = %s: %d of %d", k == (k0 == 1 ? 2 : 1) ? "; clipped at" : ",", word(Cs, k), NDIV[k], NRUN[k]) } }
set multiplot layout 1, 3 margins 0.05, 0.88, 0.12, 0.84 spacing 0.06 \
    title sprintf("{/:Bold=14 %s}\n", headline) . \
          sprintf("%s hidden layers of %s, %s/%s, %s lr %s, batch %s; C: the threshold of the global gradient norm; ×: a diverged run's last step with a finite gradient", \
                  R_depth[1], R_width[1], enh(R_activation[1]), R_init[1], R_optimizer[1], R_lr[1], R_batch[1]) font ",11"
set key at screen 0.885, 0.84 left top font ",10" samplen 3 title "clipping C" noenhanced
# log x: the unclipped runs explode within a few steps
set xlabel "training step + 1  (log scale)"
set logscale xy
set format x "%g"
set autoscale xfix
set format y "10^{%T}"
set title "(a) training loss (batch mean)"
set ylabel "cross-entropy loss  (log scale)"
plot for [i = 1:R_n] run_file(i, "steps.csv") using (column("step") + 1):"loss" with lines lw 1.2 lt 100 + c_k(R_clip_grad_norm[i]) \
        title (first_of(i) ? c_name(R_clip_grad_norm[i]) : ""), \
     for [i = 1:R_n] (R_status[i] eq "diverged" ? last_finite(run_file(i, "steps.csv")) : run_file(i, "steps.csv")) \
        using (column("step") + 1):(R_status[i] eq "diverged" ? column("loss") : NaN) with points pt 2 ps 2 lw 2 lt 100 + c_k(R_clip_grad_norm[i]) notitle, \
     log(10) with lines dt 3 lc rgb "#777777" title "ln 10 (chance)"
set key off
set title "(b) gradient norm ‖∇L‖ before clipping"
set ylabel "grad\\_l2  (log scale)"
do for [k = 1:nC] { if (real(word(Cs, k)) > 0) { set arrow k from graph 0, first real(word(Cs, k)) to graph 1, first real(word(Cs, k)) nohead dt 2 lw 1.5 lc rgb seq_color(k, nC) front } }
set label 1 "dashed: each C" at graph 0.98, graph 0.96 right font ",9" tc rgb "#555555"
plot for [i = 1:R_n] run_file(i, "steps.csv") using (column("step") + 1):"grad_l2" with lines lw 1.2 lt 100 + c_k(R_clip_grad_norm[i]) notitle, \
     for [i = 1:R_n] (R_status[i] eq "diverged" ? last_finite(run_file(i, "steps.csv")) : run_file(i, "steps.csv")) \
        using (column("step") + 1):(R_status[i] eq "diverged" ? column("grad_l2") : NaN) with points pt 2 ps 2 lw 2 lt 100 + c_k(R_clip_grad_norm[i]) notitle
unset arrow; unset label 1
unset logscale xy
set format y "%g"
# the arrays' first element is data, not a header
set datafile nocolumnheaders
set title "(c) runs diverged (bars) and test accuracy of the others (points)"
set xlabel "clipping threshold C"
set ylabel "%  (of the runs; test accuracy on the test set)"
set xrange [0.4 : nC + 0.6]
set yrange [0:105]
set xtics 1
do for [k = 1:nC] { set xtics add (c_name(word(Cs, k)) k) }
set style fill solid 0.35 border
set boxwidth 0.6
plot NDIV using 1:(100.0 * NDIV[$1] / NRUN[$1]):(100 + $1) with boxes lc variable notitle, \
     NDIV using 1:(100.0 * NDIV[$1] / NRUN[$1]):(sprintf("%d of %d", NDIV[$1], NRUN[$1])) with labels offset 0, 0.8 font ",10" notitle, \
     AY using (AX[$1]):(AY[$1]):(100 + c_k(R_clip_grad_norm[$1])) with points pt 7 ps 1.1 lc variable notitle, \
     10 with lines dt 3 lc rgb "#777777" notitle
unset multiplot
