# Experiment 1 (claims S1-S3, S6): the weight-gradient norm of every layer at
# initialisation (step 0), one panel per depth, one line per activation and initialiser.
W = 1400; H = 640
load "plots/style.gp"
eval system(sprintf("scripts/figures-runs '%s'", dir))
depths = ""
do for [i = 1:R_n] { if (strstrt(" " . depths . " ", " " . R_depth[i] . " ") == 0) { depths = depths . " " . R_depth[i] } }

keep(x) = column("step") == 0
SCAN_FILE = "layers.csv"; SCAN_COL = "grad_w_log10"; SCAN_WHERE = "step=0"
eval SCAN
eval FLOOR_SETUP

set multiplot layout 1, words(depths) margins 0.07, 0.80, 0.12, 0.84 spacing 0.07 \
    title sprintf("{/:Bold=14 Weight-gradient norm per layer at initialisation (step 0, one batch of %s)}\n", exists("R_batch") ? R_batch[1] : "64") . \
          "solid: the activation's usual init (Xavier for sigmoid and tanh, He for relu and leaky\\_relu); dashed: the other one" font ",11"
set xlabel "layer l  (1 = next to the input; the last is the output layer)"
set ylabel "||∂L/∂W_l||  (Frobenius norm, log scale)"
@LOG10Y
set autoscale xfix
set offsets 0.5, 0.5, 0, 0
set key at screen 0.81, 0.84 left top font ",10" samplen 4 title "activation, init" noenhanced
k_ = 0
do for [d in depths] {
    k_ = k_ + 1
    eval system(sprintf("scripts/figures-runs '%s' depth=%s", dir, d))
    set title sprintf("%s hidden layers", d)
    if (k_ > 1) { set key off }
    plot for [i = 1:R_n] run_file(i, "layers.csv") \
            using (keep(0) ? column("layer") : NaN):(finite(column("grad_w_log10"))) \
            with linespoints lw LW ps PS pt act_pt(R_activation[i]) lc rgb act_color(R_activation[i]) \
            dt init_dt(R_activation[i], R_init[i]) title sprintf("%s, %s", R_activation[i], R_init[i]) noenhanced, \
         for [i = 1:R_n] run_file(i, "layers.csv") \
            using (keep(0) ? column("layer") : NaN):(at_floor(column("grad_w_log10"))) \
            with points pt ZERO_PT ps 1.2 lc rgb act_color(R_activation[i]) notitle
}
unset multiplot
