# Experiment 7 (Glorot & Bengio 2010, Fig. 2): mean (line) and standard deviation (bars:
# mean ± std) of each hidden layer's activations over training, one panel per activation
# (rows) and initialiser (columns).
W = 1400; H = 1050
load "plots/style.gp"
eval system(sprintf("scripts/figures-runs '%s'", dir))
acts = ""; inits = ""
do for [i = 1:R_n] {
    if (strstrt(" " . acts . " ", " " . R_activation[i] . " ") == 0) { acts = acts . " " . R_activation[i] }
    if (strstrt(" " . inits . " ", " " . R_init[i] . " ") == 0) { inits = inits . " " . R_init[i] }
}
L = R_depth[1] + 0
set multiplot layout words(acts), words(inits) margins 0.07, 0.86, 0.06, 0.90 spacing 0.06, 0.07 \
    title "{/:Bold=14 Glorot \\& Bengio (2010), Fig. 2: activations per hidden layer over training}\n" . \
          sprintf("%s hidden layers of %s, %s, lr %s; line: mean over units and batch, bars: ± one standard deviation", \
                  R_depth[1], R_width[1], R_optimizer[1], R_lr[1]) font ",11"
set key at screen 0.865, 0.90 left top font ",10" samplen 3 title "hidden layer" noenhanced
set errorbars small
set autoscale xfix
set offsets graph 0.03, graph 0.03, 0, 0
# the layers' error bars are spread a little along x so that they do not cover each other
SRC_ = ""; do for [i = 1:R_n] { SRC_ = SRC_ . sprintf(" '%s'", run_file(i, "layers.csv")) }
XOFF = real(word(scan(SRC_, "step", "", 0, 0, 0), 2)) / 250.0
r_ = 0
do for [a in acts] {
    r_ = r_ + 1; c_ = 0
    do for [in_ in inits] {
        c_ = c_ + 1
        eval system(sprintf("scripts/figures-runs '%s' activation=%s init=%s", dir, a, in_))
        set title sprintf("%s, %s init", a, in_) noenhanced
        set xlabel (r_ == words(acts) ? "training step" : "")
        set ylabel (c_ == 1 ? "activation value" : "")
        if (r_ == 1 && c_ == 1) { set key } else { set key off }
        plot for [l = 1:L] mean_of(run_file(1, "layers.csv"), "step", "act_mean,act_std", l, l) \
                every 2 using (column("x") + (l - (L + 1) / 2.0) * XOFF):"act_mean":"act_std" \
                with yerrorbars pt 7 ps 0.25 lw 0.9 lc rgb layer_color(l, L) notitle, \
             for [l = 1:L] mean_of(run_file(1, "layers.csv"), "step", "act_mean,act_std", l, l) \
                using "x":"act_mean" with lines lw LW lc rgb layer_color(l, L) title sprintf("layer %d", l)
    }
}
unset multiplot
