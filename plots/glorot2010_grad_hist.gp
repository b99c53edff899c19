# Experiment 7 (Glorot & Bengio 2010, Fig. 7): distribution of the back-propagated gradients
# log10 |dl/dz| of each hidden layer at initialisation (step 0; per sample and unit over one
# batch), one panel per activation (rows) and initialiser (columns). y: the fraction of the
# layer's entries per bin (32 bins, equal in log10, between the layer's extremes); exact
# zeros are drawn on the floor at the left.
W = 1400; H = 1050
load "plots/style.gp"
if (!exists("STEP")) STEP = "0"
eval system(sprintf("scripts/figures-runs '%s'", dir))
acts = ""; inits = ""
do for [i = 1:R_n] {
    if (strstrt(" " . acts . " ", " " . R_activation[i] . " ") == 0) { acts = acts . " " . R_activation[i] }
    if (strstrt(" " . inits . " ", " " . R_init[i] . " ") == 0) { inits = inits . " " . R_init[i] }
}
L = R_depth[1] + 0
hist(i) = sprintf("< awk -v q=delta -v step=%s -f scripts/figures-hist.awk '%s'", STEP, run_file(i, "histograms.csv"))
# the x range and the zeros over every panel
XMIN = 1e300; XMAX = -1e300; NZ = 0
do for [i = 1:R_n] {
    S_ = system(sprintf("awk -v q=delta -v step=%s -v summary=1 -v maxlayer=%d -f scripts/figures-hist.awk '%s'", STEP, L, run_file(i, "histograms.csv")))
    if (word(S_, 1) ne "nan") { XMIN = real(word(S_, 1)) < XMIN ? real(word(S_, 1)) : XMIN; XMAX = real(word(S_, 2)) > XMAX ? real(word(S_, 2)) : XMAX }
    NZ = NZ + int(word(S_, 3))
}
XFLOOR = floor(XMIN) - 1.5
set xrange [(NZ > 0 ? XFLOOR - 0.7 : floor(XMIN)) : ceil(XMAX)]
@LOG10X
set multiplot layout words(acts), words(inits) margins 0.07, 0.86, 0.06, 0.90 spacing 0.06, 0.07 \
    title sprintf("{/:Bold=14 Glorot \\& Bengio (2010), Fig. 7: back-propagated gradients per hidden layer at step %s}\n", STEP) . \
          sprintf("%s hidden layers of %s; distribution of |∂ℓ/∂z| over each layer's units and samples (log scale; 32 bins per layer)", \
                  R_depth[1], R_width[1]) . (NZ > 0 ? "\n▽ at the left, on the dotted line: the share of entries whose gradient is exactly 0" : "") font ",11"
set key at screen 0.865, 0.90 left top font ",10" samplen 3 title "hidden layer" noenhanced
set yrange [0:*]
if (NZ > 0) { set arrow 91 from first XFLOOR + 0.6, graph 0 to first XFLOOR + 0.6, graph 1 nohead dt 3 lc rgb "#777777" }
r_ = 0
do for [a in acts] {
    r_ = r_ + 1; c_ = 0
    do for [in_ in inits] {
        c_ = c_ + 1
        eval system(sprintf("scripts/figures-runs '%s' activation=%s init=%s", dir, a, in_))
        set title sprintf("%s, %s init", a, in_) noenhanced
        set xlabel (r_ == words(acts) ? "|∂ℓ/∂z|  (log scale)" : "")
        set ylabel (c_ == 1 ? "fraction of the layer's entries" : "")
        if (r_ == 1 && c_ == 1) { set key } else { set key off }
        plot for [l = 1:L] hist(1) using (column("layer") == l && column("zero") == 0 ? column("x") : NaN):"frac" \
                with lines lw LW lc rgb layer_color(l, L) title sprintf("layer %d", l), \
             for [l = 1:L] hist(1) using (column("layer") == l && column("zero") == 1 ? XFLOOR + 0.1 * l : NaN):"frac" \
                with impulses lw 3 lc rgb layer_color(l, L) notitle, \
             for [l = 1:L] hist(1) using (column("layer") == l && column("zero") == 1 ? XFLOOR + 0.1 * l : NaN):"frac" \
                with points pt ZERO_PT ps 1.0 lc rgb layer_color(l, L) notitle
    }
}
unset multiplot
