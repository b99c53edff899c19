# Experiment R1 (claim R1): layer 1's weight-gradient norm against the number of hidden
# layers, plain nets (dashed, open circles) against residual nets with blocks of one layer
# (solid) and of two (dotted), one colour per activation; (a) at initialisation, (b) at the
# last logged training step. Lines join the mean of log10 over the seeds, small points are
# the seeds. The headline states sigmoid's layer-1 gradient at the largest depth, plain and
# with one-layer blocks (mean of log10 over the seeds, step 0).
W = 1400; H = 660
load "plots/style.gp"
eval system(sprintf("scripts/figures-runs '%s'", dir))
acts = ""; ks = ""
do for [i = 1:R_n] {
    if (strstrt(" " . acts . " ", " " . R_activation[i] . " ") == 0) { acts = acts . " " . R_activation[i] }
    if (strstrt(" " . ks . " ", " " . R_residual[i] . " ") == 0) { ks = ks . " " . R_residual[i] }
}
idx = dir . "/index.csv"
run_of(x) = sum [k = 1:R_n] (int(R_row[k]) == int(column(0)) + 1 ? k : 0)
sel(a, K) = (k_ = run_of(0), k_ > 0 && R_activation[k_] eq a && R_residual[k_] eq K)
res_dt(K) = K eq "0" ? 2 : K eq "1" ? 1 : 3
res_pt(K) = K eq "0" ? 6 : K eq "1" ? 7 : 5
res_name(K) = K eq "0" ? "plain" : K eq "1" ? "1-layer blocks" : sprintf("%s-layer blocks", K)

# the headline: sigmoid's layer 1 at the largest depth, plain and with one-layer blocks
dmax = 0; do for [i = 1:R_n] { dmax = int(R_depth[i]) > dmax ? int(R_depth[i]) : dmax }
at_dmax(a, K) = (am_ = 0, an_ = 0, sum [i = 1:R_n] ((R_activation[i] eq a && R_residual[i] eq K && int(R_depth[i]) == dmax) ? \
    (v_ = word(scan(sprintf("'%s'", run_file(i, "layers.csv")), "grad_w_log10", "step=0", 1, 1, 0), 1), \
     v_ eq "nan" ? 0 : (am_ = am_ + real(v_), an_ = an_ + 1, 0)) : 0), an_ > 0 ? sprintf("%.6f", am_ / an_) : "")
sp_ = at_dmax("sigmoid", "0"); sr_ = at_dmax("sigmoid", "1")
headline = (sp_ eq "" || sr_ eq "") ? "Layer-1 weight-gradient norm vs depth, plain and residual nets" : \
    sprintf("At %d hidden layers sigmoid's layer-1 gradient is %s in the plain net, %s with skip connections", dmax, magnitude(sp_), magnitude(sr_))
last_ = R_n > 0 ? last_step(run_file(1, "layers.csv")) : 0

set multiplot layout 1, 2 margins 0.07, 0.80, 0.12, 0.82 spacing 0.08 \
    title sprintf("{/:Bold=14 %s}\n", headline) . \
          sprintf("width %s, W ∼ N(0, σ_w^2/fan\\_in) with σ_w^2 = %s; residual blocks h → h + %s·F(h); dashed: plain, solid: 1-layer blocks, dotted: 2-layer blocks", \
                  R_n > 0 ? R_width[1] : "?", R_n > 0 ? sprintf("%.3g", real(R_sigma_w2[1])) : "?", R_n > 0 ? R_residual_scale[1] : "?") font ",11"
set xlabel "hidden layers L"
set ylabel "||∂L/∂W_1||  (Frobenius norm, log scale)"
@LOG10Y
set xrange [0:*]
set key at screen 0.81, 0.82 left top font ",10" samplen 4 title "activation, net" noenhanced
do for [p = 1:2] {
    col = p == 1 ? "grad_log10_first_start" : "grad_log10_first_end"
    # the axis floor from layer 1 of the runs' layers.csv (index.csv's quoted ids hold commas)
    SRC_ = ""; do for [i = 1:R_n] { SRC_ = SRC_ . sprintf(" '%s'", run_file(i, "layers.csv")) }
    S_ = R_n > 0 ? scan(SRC_, "grad_w_log10", sprintf("step=%d", p == 1 ? 0 : last_), 1, 1, 0) : "nan nan 0 0"
    YMIN = word(S_, 1) eq "nan" ? 0 : real(word(S_, 1)); YMAX = word(S_, 2) eq "nan" ? 0 : real(word(S_, 2)); NZ = int(word(S_, 3))
    set yrange [*:*]
    eval FLOOR_SETUP
    set title (p == 1 ? "(a) at initialisation (step 0)" : sprintf("(b) after training (step %d)", last_)) font ",11"
    if (p == 2) { set key off }
    if (R_n == 0) {
        set label 2 "no finished runs" at graph 0.5, 0.5 center font ",10" tc rgb "#777777"
        plot [0:1] [-1:1] NaN notitle
        unset label 2
        continue
    }
    plot for [a in acts] for [K in ks] idx using (sel(a, K) ? real(R_depth[k_]) : NaN):(finite(column(col))) \
            smooth unique with lines lw LW lc rgb act_color(a) dt res_dt(K) notitle, \
         for [a in acts] for [K in ks] idx using (sel(a, K) ? real(R_depth[k_]) : NaN):(finite(column(col))) \
            with points pt res_pt(K) ps PS lc rgb act_color(a) notitle, \
         for [a in acts] for [K in ks] keyentry with linespoints lw LW pt res_pt(K) ps PS lc rgb act_color(a) dt res_dt(K) \
            title sprintf("%s, %s", a, res_name(K)), \
         for [a in acts] for [K in ks] idx using (sel(a, K) ? real(R_depth[k_]) : NaN):(at_floor(column(col))) \
            with points pt ZERO_PT ps 1.2 lc rgb act_color(a) notitle
}
unset multiplot
