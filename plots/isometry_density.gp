# Experiment 10 (Pennington, Schoenholz & Ganguli 2017, Fig. 1-2): density of the singular
# values of J = dh_L/dh_1 at initialisation, log10 sigma on x, pooled over the probe samples
# (jacobian.csv, step 0), one panel per network, a line per depth. Bins of 0.25 decades;
# the density integrates to the share of sigma that are not exactly 0; that share of exact
# zeros (relu) is written in the panel. Values more than ~15 decades below the largest are
# at the SVD's rounding floor, upper bounds rather than values. x is each panel's own range
# (sigmoid's spectrum lies hundreds of decades below 1).
W = 1500; H = 900
load "plots/style.gp"
# the issue's five networks: activation, init, sigma_w2
array CA[5] = ["tanh", "tanh", "relu", "relu", "sigmoid"]
array CI[5] = ["orthogonal", "gaussian", "orthogonal", "gaussian", "gaussian"]
array CS[5] = ["1.05", "1.05", "2", "2", "1.05"]
array CT[5] = ["tanh, orthogonal, σ_w^2 1.05 (near-critical)", "tanh, Gaussian, σ_w^2 1.05", \
               "relu, orthogonal, σ_w^2 2", "relu, Gaussian, σ_w^2 2 (He)", "sigmoid, Gaussian, σ_w^2 1.05 (≈ Xavier)"]
DEPTHS = "10 100 1000"
BW = 0.25
dens(f) = sprintf("< awk -v bw=%g -f scripts/figures-sv.awk '%s'", BW, f)
zeros(f) = system(sprintf("awk -v zeros=1 -f scripts/figures-sv.awk '%s'", f))
set multiplot layout 2, 3 margins 0.06, 0.98, 0.08, 0.86 spacing 0.07, 0.12 \
    title "{/:Bold=14 Dynamical isometry: singular values of the input–output Jacobian at initialisation}\n" . \
          "width 128, σ_b^2 = 2·10^{-5}, 4 probe inputs pooled; x: log_{10} σ (0: σ = 1, isometry); a line per depth" font ",11"
set xtics autofreq
set yrange [0:*]
set xlabel "log_{10} σ"
set ylabel "density"
do for [c = 1:5] {
    set title CT[c] enhanced
    eval system(sprintf("scripts/figures-runs '%s' activation=%s init=%s sigma-w2=%s", dir, CA[c], CI[c], CS[c]))
    lab = ""; SEL = ""
    do for [i = 1:R_n] {
        if (strstrt(" " . DEPTHS . " ", " " . R_depth[i] . " ") > 0) {
            SEL = SEL . " " . i
            z = real(zeros(run_file(i, "jacobian.csv")))
            if (z > 0) { lab = lab . sprintf("depth %s: %.0f %% of σ exactly 0\n", R_depth[i], 100 * z) }
        }
    }
    set label 2 lab at graph 0.35, graph 0.95 left front font ",9"
    if (c == 1) { set key top left at graph 0.03, graph 0.95 title "hidden layers" } else { set key off }
    plot for [k = 1:words(SEL)] dens(run_file(int(word(SEL, k)), "jacobian.csv")) \
            using 1:2 with lines lw LW lc rgb layer_color(k, 3) title R_depth[int(word(SEL, k))]
    unset label 2
}
unset multiplot
