# Experiment 8 (He et al. 2015, Fig. 3): a 30-layer relu network with Xavier and with He
# initialisation. (a) training loss, (b) test accuracy, (c) the weight-gradient norm per
# layer at initialisation. The headline states the measured final test accuracies.
W = 1600; H = 580
load "plots/style.gp"
eval system(sprintf("scripts/figures-runs '%s'", dir))
init_color(i) = strstrt(i, "he") == 1 ? "#009E73" : "#0072B2"
SCAN_FILE = "layers.csv"; SCAN_COL = "grad_w_log10"; SCAN_WHERE = "step=0"
eval SCAN
SRC_ = ""; do for [i = 1:R_n] { SRC_ = SRC_ . sprintf(" '%s'", run_file(i, "steps.csv")) }
STEPMAX = real(word(scan(SRC_, "step", "", 0, 0, 0), 2))
set xtics nice_inc(STEPMAX, 4)
# the headline: each init's final test accuracy (run.json), Xavier first
acc_x = ""; acc_h = ""
do for [i = 1:R_n] { if (strstrt(R_init[i], "he") == 1) { acc_h = final_acc(i) } else { acc_x = final_acc(i) } }
headline = acc_x eq "" || acc_h eq "" ? sprintf("He et al. (2015): %s-layer relu network, Xavier vs He initialisation", R_depth[1]) : \
    sprintf("%s-layer relu network: %s test accuracy with Xavier init, %s with He init", R_depth[1], acc_x, acc_h)
set multiplot layout 1, 3 margins 0.06, 0.86, 0.13, 0.84 spacing 0.07 \
    title sprintf("{/:Bold=14 %s}\n", headline) . \
          sprintf("width %s, %s, lr %s, data %s", R_width[1], R_optimizer[1], R_lr[1], R_data[1]) font ",11"
set key at screen 0.865, 0.84 left top font ",10" samplen 4 title "init" noenhanced
set xlabel "training step"
set title "(a) training loss (batch mean)"
set ylabel "cross-entropy loss"
plot for [i = 1:R_n] run_file(i, "steps.csv") using "step":"loss" with lines lw LW lc rgb init_color(R_init[i]) \
        title R_init[i] . (R_status[i] eq "diverged" ? " (diverged)" : "") noenhanced, \
     log(10) with lines dt 3 lc rgb "#777777" title "ln 10 (chance)"
set key off
set title "(b) test accuracy"
set ylabel "test accuracy  (%)"
set yrange [0:100]
# the two curves may coincide (both at chance): Xavier's is drawn wide under He's
plot for [i = 1:R_n] mean_of(run_file(i, "steps.csv"), "step", "test_acc", 0, 0) using "x":(100 * column("test_acc")) \
        with linespoints lw (strstrt(R_init[i], "he") == 1 ? LW : 2.5 * LW) pt 7 ps PS \
        lc rgb init_color(R_init[i]) notitle, \
     10 with lines dt 3 lc rgb "#777777" notitle
set title "(c) weight-gradient norm per layer at step 0"
set xlabel "layer l  (1 = next to the input)"
set xtics autofreq
set ylabel "||∂L/∂W_l||  (log scale)"
set yrange [*:*]
@LOG10Y
eval FLOOR_SETUP
plot for [i = 1:R_n] run_file(i, "layers.csv") using (column("step") == 0 ? column("layer") : NaN):(finite(column("grad_w_log10"))) \
        with linespoints lw LW ps PS pt 7 lc rgb init_color(R_init[i]) notitle, \
     for [i = 1:R_n] run_file(i, "layers.csv") using (column("step") == 0 ? column("layer") : NaN):(at_floor(column("grad_w_log10"))) \
        with points pt ZERO_PT ps 1.2 lc rgb init_color(R_init[i]) notitle
unset multiplot
