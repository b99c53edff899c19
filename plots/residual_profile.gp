# Experiment R1 (claim R1): the per-layer profile of the deepest-but-one depth (101 in
# experiments/residual.ini, else the largest), one column per activation, colour per net
# (plain, blocks of 1 and 2 layers). Top: log10(E||δ_l||^2 / E||δ_L||^2) at step 0
# (δ = ∂ℓ/∂z, L the last hidden layer; points: the seeds) against the mean-field lines of
# `gradtrace theory [--residual K]` (dir/../theory/residual.csv, scripts/figures-theory;
# drawn where that file has the activation, net and depth). Bottom: ||∂L/∂W_l|| at step 0
# (solid) and at the last logged step (dashed), seed 1.
theory = dir . "/../theory/residual.csv"
eval system(sprintf("scripts/figures-runs '%s'", dir))
acts = ""; ds = ""
do for [i = 1:R_n] {
    if (strstrt(" " . acts . " ", " " . R_activation[i] . " ") == 0) { acts = acts . " " . R_activation[i] }
    if (strstrt(" " . ds . " ", " " . R_depth[i] . " ") == 0) { ds = ds . " " . R_depth[i] }
}
D = 0
do for [d in ds] { D = (int(d) == 101 || (D != 101 && int(d) > D)) ? int(d) : D }
NA = words(acts) > 0 ? words(acts) : 1
W = 480 * NA + 260; H = 900
load "plots/style.gp"
res_color(K) = K eq "0" ? "#D55E00" : K eq "1" ? "#0072B2" : "#009E73"
res_pt(K) = K eq "0" ? 6 : K eq "1" ? 7 : 5
res_name(K) = K eq "0" ? "plain" : sprintf("%s-layer blocks", K)
have_theory = system(sprintf("test -s '%s' && echo 1 || echo 0", theory)) eq "1"
# the nets the theory file has for activation a at depth d, e.g. "0 1 2"
theory_ks(a, d) = have_theory ? system(sprintf("awk -F, -v a=%s -v d=%d 'NR > 1 && $1 == a && $3 == d && !s[$2]++ { printf \"%%s \", $2 }' '%s'", a, d, theory)) : ""
# delta_log10 of layer L at step 0 of run directory d
dL(d, L) = real(system(sprintf("awk -F, 'NR == 1 { for (k = 1; k <= NF; k++) c[$k] = k; next } $c[\"step\"] == 0 && $c[\"layer\"] == %d { print $c[\"delta_log10\"]; exit }' '%s/layers.csv'", L, d)))

# the headline: layer 1 over layer D of the weight gradient at step 0, sigmoid, plain and
# with one-layer blocks (seed 1)
r_of(a, K) = (rr_ = "", sum [i = 1:R_n] ((R_activation[i] eq a && R_residual[i] eq K && int(R_depth[i]) == D && rr_ eq "") ? \
    (rr_ = ratio10(run_file(i, "layers.csv"), "grad_w_log10", 0, 1, D), 0) : 0), rr_)
rp_ = r_of("sigmoid", "0"); rr1_ = r_of("sigmoid", "1")
headline = (rp_ eq "" || rr1_ eq "") ? sprintf("Gradient per layer at %d hidden layers, plain and residual nets", D) : \
    sprintf("At %d hidden layers sigmoid's layer 1 gets %s of layer %d's weight gradient in the plain net, %s with skip connections", D, factor(rp_), D, factor(rr1_))

set multiplot layout 2, NA margins 0.07, 1 - 250.0 / W, 0.08, 0.86 spacing 0.06, 0.12 \
    title sprintf("{/:Bold=14 %s}\n", headline) . \
          "top: log_{10}(E||δ_l||^2 / E||δ_L||^2) at step 0, points measured (every seed), lines the mean-field prediction of gradtrace theory; bottom: ||∂L/∂W_l||, solid step 0, dashed the last logged step (seed 1)" font ",11"
set xlabel "layer l" offset 0, 0.5
@LOG10Y
set key at screen 1 - 240.0 / W, 0.86 left top font ",10" samplen 3 title "net" noenhanced
key_done = 0
do for [a in acts] {
    eval system(sprintf("scripts/figures-runs '%s' activation=%s depth=%d", dir, a, D))
    set title sprintf("%s, %d hidden layers: δ at step 0", a, D) noenhanced
    set xrange [0.5 : D + 0.5]
    if (a eq word(acts, 1)) { set ylabel "E||δ_l||^2 / E||δ_L||^2  (log scale)" } else { unset ylabel }
    array D_[R_n > 0 ? R_n : 1]
    do for [k = 1:R_n] { D_[k] = dL(R_dir[k], D) }
    tks = theory_ks(a, D)
    cmd = ""
    if (R_n > 0) {
        cmd = 'for [k = 1:R_n] run_file(k, "layers.csv") using ((column("step") == 0 && column("layer") <= D) ? column("layer") : NaN):(finite(2 * (column("delta_log10") - D_[k]))) ' . \
              'with points pt res_pt(R_residual[k]) ps 0.5 lc rgb res_color(R_residual[k]) notitle'
    }
    if (words(tks) > 0) {
        cmd = cmd . (cmd eq "" ? "" : ", ") . 'for [K in tks] theory using ((strcol("activation") eq a && column("residual") == real(K) && column("depth") == D) ? column("layer") : NaN):"log10_delta_sq_ratio" ' . \
              'with lines lw LW lc rgb res_color(K) notitle'
    }
    if (!key_done && (R_n > 0 || words(tks) > 0)) {
        set key on; key_done = 1
        cmd = cmd . ', for [K in "0 1 2"] keyentry with linespoints lw LW pt res_pt(K) ps 0.8 lc rgb res_color(K) title res_name(K)' . \
              ', keyentry with points pt 6 ps 0.8 lc rgb "#777777" title "measured (step 0)", keyentry with lines lw LW lc rgb "#777777" title "mean-field theory"'
    } else { set key off }
    if (cmd eq "") {
        set label 2 "no runs and no prediction" at graph 0.5, 0.5 center font ",10" tc rgb "#777777"
        plot [] [-1 : 1] NaN notitle
        unset label 2
    } else { eval "plot " . cmd }
}
set key off
do for [a in acts] {
    eval system(sprintf("scripts/figures-runs '%s' activation=%s depth=%d seed=1", dir, a, D))
    set title sprintf("%s, %d hidden layers: ||∂L/∂W_l||", a, D) noenhanced
    set xrange [0.5 : D + 1.5]
    if (a eq word(acts, 1)) { set ylabel "||∂L/∂W_l||  (log scale)" } else { unset ylabel }
    SCAN_FILE = "layers.csv"; SCAN_COL = "grad_w_log10"; SCAN_WHERE = ""
    eval SCAN
    set yrange [*:*]
    eval FLOOR_SETUP
    if (R_n == 0) {
        set label 2 "no runs" at graph 0.5, 0.5 center font ",10" tc rgb "#777777"
        plot [] [-1 : 1] NaN notitle
        unset label 2
        continue
    }
    array LS_[R_n]
    do for [k = 1:R_n] { LS_[k] = last_step(run_file(k, "layers.csv")) }
    plot for [k = 1:R_n] run_file(k, "layers.csv") using (column("step") == 0 ? column("layer") : NaN):(finite(column("grad_w_log10"))) \
            with lines lw LW lc rgb res_color(R_residual[k]) notitle, \
         for [k = 1:R_n] run_file(k, "layers.csv") using (column("step") == LS_[k] ? column("layer") : NaN):(finite(column("grad_w_log10"))) \
            with lines lw 1.2 dt 2 lc rgb res_color(R_residual[k]) notitle, \
         for [k = 1:R_n] run_file(k, "layers.csv") using ((column("step") == 0 || column("step") == LS_[k]) ? column("layer") : NaN):(at_floor(column("grad_w_log10"))) \
            with points pt ZERO_PT ps 1.2 lc rgb res_color(R_residual[k]) notitle
}
unset multiplot
