# Experiment 2 (claim S1): layer 1's weight-gradient norm at initialisation against the
# number of hidden layers, per activation and initialiser; lines join the mean of log10
# over the seeds, small points are the seeds; relu is drawn wide under leaky_relu, which it
# nearly coincides with. The headline states layer 1's gradient at the largest depth.
W = 1150; H = 640
load "plots/style.gp"
eval system(sprintf("scripts/figures-runs '%s'", dir))
acts = ""; inits = ""
do for [i = 1:R_n] {
    if (strstrt(" " . acts . " ", " " . R_activation[i] . " ") == 0) { acts = acts . " " . R_activation[i] }
    if (strstrt(" " . inits . " ", " " . R_init[i] . " ") == 0) { inits = inits . " " . R_init[i] }
}
idx = dir . "/index.csv"
# an index.csv row's finished run among R_1..R_n (0: none), for its options whatever the
# axes are (gnuplot's strcol cuts the quoted id at its first comma)
run_of(x) = sum [k = 1:R_n] (int(R_row[k]) == int(column(0)) + 1 ? k : 0)
S_ = scan(sprintf("'%s'", idx), "grad_log10_first_start", "", 0, 0, 0)
YMIN = real(word(S_, 1)); YMAX = real(word(S_, 2)); NZ = int(word(S_, 3))
eval FLOOR_SETUP

# the headline: layer 1's gradient at the largest depth, mean of log10 over the seeds, for
# sigmoid and relu with their usual inits
dmax = 0; do for [i = 1:R_n] { dmax = int(R_depth[i]) > dmax ? int(R_depth[i]) : dmax }
at_dmax(a) = (am_ = 0, an_ = 0, sum [i = 1:R_n] ((R_activation[i] eq a && is_usual(a, R_init[i]) && int(R_depth[i]) == dmax) ? \
    (v_ = word(scan(sprintf("'%s'", run_file(i, "layers.csv")), "grad_w_log10", "step=0", 1, 1, 0), 1), \
     v_ eq "nan" ? 0 : (am_ = am_ + real(v_), an_ = an_ + 1, 0)) : 0), an_ > 0 ? sprintf("%.6f", am_ / an_) : "")
sig_ = at_dmax("sigmoid"); relu_ = at_dmax("relu")
headline = sig_ eq "" ? "Layer-1 weight-gradient norm at initialisation vs depth" : \
    sprintf("At %d hidden layers sigmoid's layer-1 gradient is %s", dmax, magnitude(sig_)) . (relu_ eq "" ? "" : sprintf(", relu's with He init %s", magnitude(relu_)))
set title sprintf("{/:Bold=14 %s}\n", headline) . \
          sprintf("width %s, step 0 (one batch); solid", R_width[1]) . ": the activation's usual init, dashed: the other one; line: mean of log_{10} over seeds" font ",11"
set xlabel "hidden layers L"
set ylabel "||∂L/∂W_1||  (Frobenius norm, log scale)"
@LOG10Y
set xrange [0:*]
set key outside right top font ",10" samplen 4 title "activation, init" noenhanced
sel(a, i) = (k_ = run_of(0), k_ > 0 && R_activation[k_] eq a && R_init[k_] eq i)
plot for [a in acts] for [i in inits] idx using (sel(a, i) ? real(R_depth[k_]) : NaN):(finite(column("grad_log10_first_start"))) \
        smooth unique with linespoints lw lw_of(a) ps PS pt act_pt(a) lc rgb act_color(a) dt init_dt(a, i) \
        title sprintf("%s, %s", a, i) noenhanced, \
     for [a in acts] for [i in inits] idx using (sel(a, i) ? real(R_depth[k_]) : NaN):(finite(column("grad_log10_first_start"))) \
        with points pt 1 ps 0.5 lc rgb act_color(a) notitle, \
     for [a in acts] for [i in inits] idx using (sel(a, i) ? real(R_depth[k_]) : NaN):(at_floor(column("grad_log10_first_start"))) \
        with points pt ZERO_PT ps 1.2 lc rgb act_color(a) notitle
