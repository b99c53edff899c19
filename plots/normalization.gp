# Experiment 14 (claim N1): Fashion-MNIST test accuracy over training of the 30-layer nets
# without, with batch and with layer normalization, one panel per activation; colour = the
# normalization, solid: the activation's usual init, dashed: the other one. The headline
# and the panel titles state the measured final test accuracies (run.json, usual init).
W = 1600; H = 600
load "plots/style.gp"
eval system(sprintf("scripts/figures-runs '%s'", dir))
acts = ""
do for [i = 1:R_n] { if (strstrt(" " . acts . " ", " " . R_activation[i] . " ") == 0) { acts = acts . " " . R_activation[i] } }
norm_color(n) = n eq "none" ? "#555555" : n eq "batch" ? "#0072B2" : n eq "layer" ? "#D55E00" : "#CC79A7"
norm_name(n) = n eq "none" ? "no normalization" : n . " norm"
# the final test accuracy (run.json) of norm n with the usual init among R_1..R_n
acc_of(n) = (ac_ = "", sum [i = 1:R_n] ((R_norm[i] eq n && is_usual(R_activation[i], R_init[i])) ? (ac_ = final_acc(i), 0) : 0), ac_ eq "" ? "n/a" : ac_)
# the final evaluation after the last step (run.json): a square at steps_done, one data
# block per run of R_1..R_n
FINAL = "set print $F; do for [i = 1:R_n] { a_ = run_num(i, 'final_test_acc'); print 'x,test_acc'; " . \
        "print sprintf('%s,%s', run_num(i, 'steps_done'), a_ eq '' ? 'NaN' : a_); print ''; print '' }; unset print"
a1_ = strstrt(acts, " sigmoid") ? "sigmoid" : word(acts, 1)
eval system(sprintf("scripts/figures-runs '%s' activation=%s", dir, a1_))
headline = sprintf("%s %s layers: %s test accuracy without normalization, %s with batch norm, %s with layer norm", \
    R_depth[1], a1_, acc_of("none"), acc_of("batch"), acc_of("layer"))
eval system(sprintf("scripts/figures-runs '%s'", dir))
set multiplot layout 1, words(acts) margins 0.05, 0.80, 0.12, 0.82 spacing 0.05 \
    title sprintf("{/:Bold=14 %s}\n", headline) . \
          sprintf("%s hidden layers of %s, Fashion-MNIST, %s lr %s, batch %s; solid: the activation's usual init (Xavier for sigmoid and tanh, He for relu), dashed: the other; ■: the final evaluation", \
                  R_depth[1], R_width[1], R_optimizer[1], R_lr[1], R_batch[1]) font ",11"
set key at screen 0.81, 0.82 left top reverse Left font ",10" samplen 4 title "normalization, init" noenhanced
set xlabel "training step"
set ylabel "test accuracy  (%)"
set yrange [0:100]
set autoscale xfix
set offsets 0, 6, 0, 0
k_ = 0
do for [a in acts] {
    k_ = k_ + 1
    eval system(sprintf("scripts/figures-runs '%s' activation=%s", dir, a))
    eval FINAL
    set title sprintf("%s: none %s, batch %s, layer %s", a, acc_of("none"), acc_of("batch"), acc_of("layer")) noenhanced
    if (k_ > 1) { set key off }
    plot for [i = 1:R_n] mean_of(run_file(i, "steps.csv"), "step", "test_acc", 0, 0) using "x":(100 * column("test_acc")) \
            with linespoints lw LW ps PS pt 7 lc rgb norm_color(R_norm[i]) dt init_dt(R_activation[i], R_init[i]) \
            title sprintf("%s, %s init", norm_name(R_norm[i]), is_usual(R_activation[i], R_init[i]) ? "usual" : "other") noenhanced, \
         for [i = 1:R_n] $F index i - 1 using "x":(100 * column("test_acc")) with points pt 5 ps 1.2 lc rgb norm_color(R_norm[i]) notitle, \
         10 with lines dt 3 lc rgb "#777777" title "chance (10 classes)"
}
unset multiplot
