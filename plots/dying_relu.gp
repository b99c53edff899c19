# Experiment 4 (claims S5, S6): the census over a fixed probe set of training images. Top:
# units whose pre-activation is <= 0 on every probe image ("dead"); bottom: units dead at
# an earlier census and alive again. Mean over the hidden layers; one panel per optimiser,
# colour = learning rate, solid relu, dashed leaky_relu.
W = 1400; H = 900
load "plots/style.gp"
eval system(sprintf("scripts/figures-runs '%s'", dir))
opts = ""; lrs = ""
do for [i = 1:R_n] {
    if (strstrt(" " . opts . " ", " " . R_optimizer[i] . " ") == 0) { opts = opts . " " . R_optimizer[i] }
    if (strstrt(" " . lrs . " ", " " . R_lr[i] . " ") == 0) { lrs = lrs . " " . R_lr[i] }
}
lr_k(v) = sum [k = 1:words(lrs)] (word(lrs, k) eq v ? k : 0)
act_dt(a) = a eq "relu" ? 1 : 2
set multiplot layout 2, words(opts) margins 0.07, 0.80, 0.08, 0.88 spacing 0.07, 0.12 \
    title "{/:Bold=14 Dead units over training: relu vs leaky\\_relu (Fashion-MNIST, census over fixed training images)}\n" . \
          "a unit is dead when its pre-activation is <= 0 on every probe image; mean over the hidden layers" font ",11"
set key at screen 0.81, 0.88 left top font ",10" samplen 4 title "activation, lr" noenhanced
set xlabel "training step"
set yrange [0:100]
do for [row = 1:2] {
    col_ = row == 1 ? "frac_dead" : "frac_revived"
    c_ = 0
    do for [o in opts] {
        c_ = c_ + 1
        eval system(sprintf("scripts/figures-runs '%s' optimizer=%s", dir, o))
        set title sprintf(row == 1 ? "%s: dead units" : "%s: revived units (dead at an earlier census, alive now)", o) noenhanced
        set ylabel (c_ == 1 ? (row == 1 ? "dead units  (% of hidden units)" : "revived units  (% of hidden units)") : "")
        if (row == 1 && c_ == 1) { set key } else { set key off }
        if (row == 1) { set yrange [0:100] } else { set yrange [0:*] }
        plot for [i = 1:R_n] mean_of(run_file(i, "census.csv"), "step", col_, 0, 0) using "x":(100 * column(col_)) \
                with linespoints lw LW ps 0.5 pt act_pt(R_activation[i]) lc rgb seq_color(lr_k(R_lr[i]), words(lrs)) \
                dt act_dt(R_activation[i]) title sprintf("%s, lr %s", R_activation[i], R_lr[i]) noenhanced
    }
}
unset multiplot
