# Issue 5: experiment 1's back-propagated gradient per layer at initialisation against the
# mean-field prediction (`gradtrace theory`). dir = the results root (figures.mk: $(RESULTS)):
# the runs of dir/grad_profile and dir/theory/profiles.csv (scripts/figures-theory).
# Measured: 2·(delta_log10_l − delta_log10_L) of layers.csv at step 0, i.e.
# log10(E‖δ_l‖²/E‖δ_L‖²) with L the last hidden layer; predicted: log10_delta_sq_ratio for
# σw² = 1 (xavier-normal on square layers) or 2 (he-normal), σb² = 0, q0 = 1.
# A row of panels per depth of experiment 1 with finished runs (in the file's order; the
# theory's depths when no run finished); a panel draws what there is: the prediction when
# profiles.csv has its depth, the measured points when runs have its activation and depth.
sweep = dir . "/grad_profile"
theory = dir . "/theory/profiles.csv"
acts = "sigmoid tanh relu leaky_relu"
inits = "xavier-normal he-normal"
theory_depths = system(sprintf("awk -F, 'NR == 1 { for (k = 1; k <= NF; k++) if ($k == \"depth\") c = k; next } c && !seen[$c]++ { printf \"%%s%%s\", n++ ? \" \" : \"\", $c }' '%s'", theory))
eval system(sprintf("scripts/figures-runs '%s'", sweep))
depths = ""
if (R_n > 0 && exists("R_depth")) {
    do for [k = 1:R_n] { if (!strstrt(" " . depths . " ", " " . R_depth[k] . " ")) { depths = depths . " " . R_depth[k] } }
}
in_list(w, list) = strstrt(" " . list . " ", " " . w . " ") > 0
# the key lists the curves of one panel: the first of a run whose depth has a prediction
# too (without one, the first panel drawn)
key_at = ""
if (R_n > 0 && exists("R_activation") && exists("R_depth")) {
    do for [k = 1:R_n] { if (key_at eq "" && in_list(R_depth[k], theory_depths)) { key_at = R_activation[k] . "@" . R_depth[k] } }
}
if (depths eq "") { depths = theory_depths }
# the same panels and gaps (pixels) for one depth or several: title 103.2, panel 301,
# gap 94.6, bottom 60.2 (two depths: 860 pixels)
ND = words(depths) > 0 ? words(depths) : 1
W = 1500; H = int(68.8 + 395.6 * ND + 0.5)
load "plots/style.gp"
init_color(i) = strstrt(i, "he") == 1 ? "#D55E00" : "#0072B2"
init_w2(i) = strstrt(i, "he") == 1 ? 2 : 1
init_pt(i) = strstrt(i, "he") == 1 ? 5 : 7
# delta_log10 of layer L at step 0 of run directory d
dL(d, L) = real(system(sprintf("awk -F, 'NR == 1 { for (k = 1; k <= NF; k++) c[$k] = k; next } $c[\"step\"] == 0 && $c[\"layer\"] == %d { print $c[\"delta_log10\"]; exit }' '%s/layers.csv'", L, d)))

TOP = 1 - 103.2 / H
set multiplot layout ND, 4 margins 0.06, 0.82, 60.2 / H, TOP spacing 0.05, 94.6 / H \
    title "{/:Bold=14 Back-propagated gradient per layer at initialisation: measured (experiment 1, step 0) vs mean-field theory}\n" . \
          "log_{10}(E||δ_l||^2 / E||δ_L||^2), δ = ∂ℓ/∂z, L = last hidden layer; theory: W ∼ N(0, σ_w^2/fan\\_in), σ_b^2 = 0, q_0 = 1 (points: measured, lines: predicted)" font ",11"
set xlabel "layer l" offset 0, 0.5
@LOG10Y
set key at screen 0.83, TOP left top Left reverse font ",10" samplen 3 title "init (σ_w^2)"
set label 1 "q_0 = 1 means q_1 = σ_w^2 in the theory;\nexperiment 1's layer 1 has fan\\_in 32,\nso with xavier-normal its q_1 is\n2·32/(32+256) = 0.22: hence tanh's gap\nin the first layers. The ratios from\nlayer 2 on use only 256×256 layers." at screen 0.83, TOP - 172.0 / H left font ",9" tc rgb "#444444"
# the two kinds of curves, put together per panel (gnuplot reads a file even for an empty
# `for [k = 1:0]`, and a clause without a valid point is a warning)
THEORY = 'for [i in inits] theory using ((strcol("activation") eq a && column("sigma_w2") == init_w2(i) && column("depth") == L) ? column("layer") : NaN):"log10_delta_sq_ratio" ' . \
         'with lines lw LW lc rgb init_color(i) title sprintf("%s (%d): theory", i, init_w2(i)) noenhanced'
MEASURED = 'for [k = 1:R_n] run_file(k, "layers.csv") using ((M_[k] && column("step") == 0 && column("layer") <= L) ? column("layer") : NaN):(finite(2 * (column("delta_log10") - D_[k]))) ' . \
           'with points pt init_pt(R_init[k]) ps 0.7 lc rgb init_color(R_init[k]) title sprintf("%s: measured", R_init[k]) noenhanced'
key_done = 0
do for [L in depths] {
    do for [a in acts] {
        eval system(sprintf("scripts/figures-runs '%s' activation=%s depth=%s", sweep, a, L))
        set title sprintf("%s, %s hidden layers", a, L) noenhanced
        set xrange [0.5 : L + 0.5]
        if (a eq "sigmoid") { set ylabel "E||δ_l||^2 / E||δ_L||^2  (log scale)" } else { unset ylabel }
        array D_[R_n > 0 ? R_n : 1]
        array M_[R_n > 0 ? R_n : 1]
        do for [k = 1:R_n] { D_[k] = dL(R_dir[k], L + 0); M_[k] = (R_init[k] eq "xavier-normal" || R_init[k] eq "he-normal") ? 1 : 0 }
        has_theory = in_list(L, theory_depths)
        if ((has_theory || R_n > 0) && (key_at eq "" ? !key_done : (a . "@" . L) eq key_at)) { set key on; key_done = 1 } else { set key off }
        if (has_theory || R_n > 0) {
            eval "plot " . (has_theory ? THEORY : "") . (has_theory && R_n > 0 ? ", " : "") . (R_n > 0 ? MEASURED : "")
        } else {
            set label 2 "no runs and no prediction" at graph 0.5, 0.5 center font ",10" tc rgb "#777777"
            plot [] [-1 : 1] NaN notitle
            unset label 2
        }
        unset label 1
    }
}
unset multiplot
