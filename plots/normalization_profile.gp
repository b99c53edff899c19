# Experiment 14 (claim N1): the weight-gradient norm of every layer of the 30-layer nets at
# step 0 (solid) and at the last logged step (dashed), one panel per activation with its
# usual init, colour = the normalization. The titles state the measured ratio of layer 1 to
# the last hidden layer at both steps.
W = 1600; H = 640
load "plots/style.gp"
eval system(sprintf("scripts/figures-runs '%s'", dir))
acts = ""
do for [i = 1:R_n] { if (strstrt(" " . acts . " ", " " . R_activation[i] . " ") == 0) { acts = acts . " " . R_activation[i] } }
norm_color(n) = n eq "none" ? "#555555" : n eq "batch" ? "#0072B2" : n eq "layer" ? "#D55E00" : "#CC79A7"
norm_name(n) = n eq "none" ? "no normalization" : n . " norm"
use(i) = is_usual(R_activation[i], R_init[i])
# the smaller (k = 1: the minima) or larger (k = 2: the maxima) of two scan() results' word k
# (0 when neither has a finite value)
yext(a, b, k) = (u_ = word(a, k) eq "nan" ? "" : word(a, k), v_ = word(b, k) eq "nan" ? "" : word(b, k), \
    u_ eq "" ? (v_ eq "" ? 0 : real(v_)) : v_ eq "" ? real(u_) : k == 1 ? (real(u_) < real(v_) ? real(u_) : real(v_)) : (real(u_) > real(v_) ? real(u_) : real(v_)))
# LASTS: every run's last logged step (LS[i]), for R_1..R_n
LASTS = "array LS[R_n]; do for [i_ = 1:R_n] { LS[i_] = last_step(run_file(i_, 'layers.csv')) }"
# run i's layer 1 / last hidden layer at step 0 and at its last logged step (after LASTS)
ends(i) = (f_ = run_file(i, "layers.csv"), \
    sprintf("%s %s → %s", R_norm[i], factor(ratio10(f_, "grad_w_log10", 0, 1, int(R_depth[i]))), factor(ratio10(f_, "grad_w_log10", LS[i], 1, int(R_depth[i])))))
finding(x) = (fs_ = "", sum [i = 1:R_n] (use(i) ? (fs_ = fs_ . (fs_ eq "" ? "" : ", ") . ends(i), 0) : 0), fs_)
a1_ = strstrt(acts, " sigmoid") ? "sigmoid" : word(acts, 1)
eval system(sprintf("scripts/figures-runs '%s' activation=%s", dir, a1_))
r0_ = ""; rb_ = ""
do for [i = 1:R_n] { if (use(i) && R_norm[i] eq "none") { r0_ = ratio10(run_file(i, "layers.csv"), "grad_w_log10", 0, 1, int(R_depth[i])) } }
do for [i = 1:R_n] { if (use(i) && R_norm[i] eq "batch") { rb_ = ratio10(run_file(i, "layers.csv"), "grad_w_log10", 0, 1, int(R_depth[i])) } }
headline = r0_ eq "" || rb_ eq "" ? "Weight-gradient norm per layer with and without normalization" : \
    sprintf("At step 0 %s's layer 1 gets %s of layer %s's gradient without normalization, %s with batch norm", a1_, factor(r0_), R_depth[1], factor(rb_))
eval system(sprintf("scripts/figures-runs '%s'", dir))
set multiplot layout 1, words(acts) margins 0.06, 0.82, 0.12, 0.80 spacing 0.06 \
    title sprintf("{/:Bold=14 %s}\n", headline) . \
          sprintf("||∂L/∂W_l|| of one batch of %s, each activation with its usual init (Xavier for sigmoid and tanh, He for relu); solid: step 0, dashed: the last logged step", R_batch[1]) font ",11"
set xlabel "layer l  (1: next to the input; last: output)"
set ylabel "||∂L/∂W_l||  (Frobenius norm, log scale)"
@LOG10Y
set autoscale xfix
set offsets 0.5, 0.5, 0, 0
set key at screen 0.825, 0.80 left top reverse Left font ",10" samplen 4 title "normalization, step" noenhanced
k_ = 0
do for [a in acts] {
    k_ = k_ + 1
    eval system(sprintf("scripts/figures-runs '%s' activation=%s", dir, a))
    eval LASTS
    # each panel its own y range (sigmoid's spans tens of decades, the others one or two):
    # whole decades, every one of them when there are few
    # (the range of what is drawn: the usual init's runs at step 0 and at the last step)
    set yrange [*:*]
    SRC_ = ""; do for [i = 1:R_n] { if (use(i)) { SRC_ = SRC_ . sprintf(" '%s'", run_file(i, "layers.csv")) } }
    S0_ = scan(SRC_, "grad_w_log10", "step=0", 0, 0, 0); SL_ = scan(SRC_, "grad_w_log10", sprintf("step=%d", LS[1]), 0, 0, 0)
    YMIN = yext(S0_, SL_, 1); YMAX = yext(S0_, SL_, 2); NZ = int(word(S0_, 3)) + int(word(SL_, 3))
    eval FLOOR_SETUP
    if (YMAX - YMIN < 6) { set ytics 1 } else { set ytics autofreq }
    set title sprintf("%s — layer 1 / layer %s, step 0 → last:\n%s", a, R_depth[1], finding(0)) font ",10" enhanced
    if (k_ > 1) { set key off }
    plot for [i = 1:R_n] run_file(i, "layers.csv") \
            using (use(i) && column("step") == 0 ? column("layer") : NaN):(finite(column("grad_w_log10"))) \
            with linespoints lw LW ps PS pt 7 lc rgb norm_color(R_norm[i]) dt 1 \
            title (use(i) ? sprintf("%s, step 0", norm_name(R_norm[i])) : "") noenhanced, \
         for [i = 1:R_n] run_file(i, "layers.csv") \
            using (use(i) && column("step") == LS[i] ? column("layer") : NaN):(finite(column("grad_w_log10"))) \
            with lines lw LW lc rgb norm_color(R_norm[i]) dt 2 \
            title (use(i) ? sprintf("%s, last step", norm_name(R_norm[i])) : "") noenhanced, \
         for [i = 1:R_n] run_file(i, "layers.csv") \
            using (use(i) ? column("layer") : NaN):(at_floor(column("grad_w_log10"))) \
            with points pt ZERO_PT ps 1.2 lc rgb norm_color(R_norm[i]) notitle
}
unset multiplot
