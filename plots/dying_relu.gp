# Experiment 4 (claims S5, S6): the census over a fixed probe set of training images. Top:
# dead units (no gradient: f'(z) = 0 on every probe image) for relu, and for leaky_relu the
# units whose pre-activation is <= 0 on every probe image (f' = alpha there) beside its dead
# ones; bottom: units dead at an earlier census and alive again. Mean over the hidden layers;
# one panel per optimiser, colour = learning rate. The headline states the measured finding.
W = 1400; H = 900
load "plots/style.gp"
eval system(sprintf("scripts/figures-runs '%s'", dir))
opts = ""; lrs = ""
do for [i = 1:R_n] {
    if (strstrt(" " . opts . " ", " " . R_optimizer[i] . " ") == 0) { opts = opts . " " . R_optimizer[i] }
    if (strstrt(" " . lrs . " ", " " . R_lr[i] . " ") == 0) { lrs = lrs . " " . R_lr[i] }
}
lr_k(v) = sum [k = 1:words(lrs)] (word(lrs, k) eq v ? k : 0)
# the mean over hidden layers of a census column at the last census ("" when missing)
final_of(f, col) = last_mean(f, col, 0)
act_dt(a) = a eq "relu" ? 1 : 2
pc(v) = v eq "" ? "n/a" : sprintf("%.0f %%", 100 * real(v))

# the headline: the relu run with the most dead units at the end, and leaky_relu at its setting
worst_ = 0; worst_v = -1
do for [i = 1:R_n] { if (R_activation[i] eq "relu") { v_ = final_of(run_file(i, "census.csv"), "frac_dead"); if (v_ ne "" && real(v_) > worst_v) { worst_v = real(v_); worst_ = i } } }
leaky_ = 0
do for [i = 1:R_n] { if (worst_ > 0 && R_activation[i] eq "leaky_relu" && R_optimizer[i] eq R_optimizer[worst_] && R_lr[i] eq R_lr[worst_]) { leaky_ = i } }
headline = worst_ == 0 ? "Dead units over training: relu vs leaky\\_relu" : \
    sprintf("%s, lr %s: %s of relu units die", R_optimizer[worst_], R_lr[worst_], pc(sprintf("%g", worst_v))) . \
    (leaky_ == 0 ? "" : sprintf("; %s of leaky\\_relu units are below 0 on every probe image, %s of them dead", \
        pc(final_of(run_file(leaky_, "census.csv"), "frac_nonpositive")), pc(final_of(run_file(leaky_, "census.csv"), "frac_dead"))))

set multiplot layout 2, words(opts) margins 0.07, 0.80, 0.08, 0.86 spacing 0.07, 0.12 \
    title sprintf("{/:Bold=14 %s}\n", headline) . \
          "Fashion-MNIST, census over fixed training images, mean over the hidden layers. Dead: no gradient, f'(z) = 0 on every probe image (relu: z <= 0 on all of them)" font ",11"
set key at screen 0.81, 0.86 left top Left reverse font ",10" samplen 4 title "activation, lr" noenhanced
set xlabel "training step"
do for [row = 1:2] {
    c_ = 0
    do for [o in opts] {
        c_ = c_ + 1
        eval system(sprintf("scripts/figures-runs '%s' optimizer=%s", dir, o))
        set title sprintf(row == 1 ? "%s\nsolid: relu dead; dashed: leaky\\_relu z <= 0 on every probe; dotted: leaky\\_relu dead" : "%s: revived units (dead at an earlier census, alive now)", o) font ",10"
        set ylabel (c_ == 1 ? (row == 1 ? "units  (% of hidden units)" : "revived units  (% of hidden units)") : "")
        if (row == 1 && c_ == 1) { set key } else { set key off }
        if (row == 1) {
            set yrange [0:100]
            leakies = ""
            do for [i = 1:R_n] { if (R_activation[i] ne "relu") { leakies = leakies . sprintf(" %d", i) } }
            # relu's dead units; leaky_relu's below-0 units (dashed) and its dead ones (dotted)
            plot for [i = 1:R_n] mean_of(run_file(i, "census.csv"), "step", R_activation[i] eq "relu" ? "frac_dead" : "frac_nonpositive", 0, 0) \
                    using "x":(100 * column(2)) \
                    with linespoints lw LW ps 0.6 pt act_pt(R_activation[i]) lc rgb seq_color(lr_k(R_lr[i]), words(lrs)) \
                    dt act_dt(R_activation[i]) \
                    title sprintf(R_activation[i] eq "relu" ? "relu, lr %s: dead" : "leaky, lr %s: z <= 0", R_lr[i]) noenhanced, \
                 for [j in leakies] mean_of(run_file(int(j), "census.csv"), "step", "frac_dead", 0, 0) \
                    using "x":(100 * column("frac_dead")) \
                    with lines lw LW lc rgb seq_color(lr_k(R_lr[int(j)]), words(lrs)) dt 3 \
                    title sprintf("leaky, lr %s: dead", R_lr[int(j)]) noenhanced
        } else {
            set yrange [0:*]
            plot for [i = 1:R_n] mean_of(run_file(i, "census.csv"), "step", "frac_revived", 0, 0) using "x":(100 * column("frac_revived")) \
                    with linespoints lw LW ps 0.5 pt act_pt(R_activation[i]) lc rgb seq_color(lr_k(R_lr[i]), words(lrs)) \
                    dt act_dt(R_activation[i]) title sprintf("%s, lr %s", R_activation[i], R_lr[i]) noenhanced
        }
    }
}
unset multiplot
