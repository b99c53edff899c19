# Experiment 7 (Glorot & Bengio 2010, Fig. 6): distribution of each hidden layer's
# activation values after training (the last logged step), one panel per activation (rows)
# and initialiser (columns). y: the fraction of the layer's outputs per bin (32 equal bins
# between the layer's extremes over one batch).
W = 1400; H = 1050
load "plots/style.gp"
eval system(sprintf("scripts/figures-runs '%s'", dir))
acts = ""; inits = ""
do for [i = 1:R_n] {
    if (strstrt(" " . acts . " ", " " . R_activation[i] . " ") == 0) { acts = acts . " " . R_activation[i] }
    if (strstrt(" " . inits . " ", " " . R_init[i] . " ") == 0) { inits = inits . " " . R_init[i] }
}
L = R_depth[1] + 0
hist(i) = sprintf("< awk -v q=act -v step=last -f scripts/figures-hist.awk '%s'", run_file(i, "histograms.csv"))
set multiplot layout words(acts), words(inits) margins 0.07, 0.86, 0.06, 0.90 spacing 0.06, 0.07 \
    title "{/:Bold=14 Glorot \\& Bengio (2010), Fig. 6: activation values per hidden layer after training}\n" . \
          sprintf("%s hidden layers of %s, last logged step, one batch; fraction of the layer's outputs per bin (32 bins per layer)", \
                  R_depth[1], R_width[1]) font ",11"
set key at screen 0.865, 0.90 left top font ",10" samplen 3 title "hidden layer" noenhanced
set yrange [0:*]
r_ = 0
do for [a in acts] {
    r_ = r_ + 1; c_ = 0
    do for [in_ in inits] {
        c_ = c_ + 1
        eval system(sprintf("scripts/figures-runs '%s' activation=%s init=%s", dir, a, in_))
        set title sprintf("%s, %s init", a, in_) noenhanced
        set xlabel (r_ == words(acts) ? "activation value f(z)" : "")
        set ylabel (c_ == 1 ? "fraction of the layer's outputs" : "")
        if (r_ == 1 && c_ == 1) { set key } else { set key off }
        plot for [l = 1:L] hist(1) using (column("layer") == l ? column("x") : NaN):"frac" \
                with lines lw LW lc rgb layer_color(l, L) title sprintf("layer %d", l)
    }
}
unset multiplot
