# Experiment 1 during training: each activation with its usual init, the per-layer
# weight-gradient norm at every logged step (colour = step), one row per depth.
W = 1600; H = 820
load "plots/style.gp"
eval system(sprintf("scripts/figures-runs '%s'", dir))
depths = ""; acts = ""
do for [i = 1:R_n] {
    if (strstrt(" " . depths . " ", " " . R_depth[i] . " ") == 0) { depths = depths . " " . R_depth[i] }
    if (strstrt(" " . acts . " ", " " . R_activation[i] . " ") == 0) { acts = acts . " " . R_activation[i] }
}
SCAN_FILE = "layers.csv"; SCAN_COL = "grad_w_log10"
eval SCAN
eval FLOOR_SETUP
SRC_ = ""; do for [i = 1:R_n] { SRC_ = SRC_ . sprintf(" '%s'", run_file(i, "layers.csv")) }
STEPMAX = real(word(scan(SRC_, "step", "", 0, 0, 0), 2))

set multiplot layout words(depths), words(acts) margins 0.06, 0.91, 0.08, 0.88 spacing 0.035, 0.12 \
    title "{/:Bold=14 Weight-gradient norm per layer during training}\n" . \
          "each activation with its usual init (Xavier for sigmoid and tanh, He for relu and leaky\\_relu); colour: training step" font ",11"
set xlabel "layer l" offset 0, 0.5
@LOG10Y
set yrange [YMIN - 0.5 < FLOOR - 0.6 && NZ > 0 ? FLOOR - 0.6 : YMIN - 0.5 : YMAX + 0.5]
set autoscale xfix
set offsets 0.5, 0.5, 0, 0
set palette defined (0 "#440154", 0.25 "#3b528b", 0.5 "#21918c", 0.75 "#5ec962", 1 "#e8c21a")
set cbrange [0:STEPMAX]
set key off
r_ = 0
do for [d in depths] {
    r_ = r_ + 1; c_ = 0
    do for [a in acts] {
        c_ = c_ + 1
        eval system(sprintf("scripts/figures-runs '%s' depth=%s activation=%s", dir, d, a))
        # the run with the usual init, else the first one
        j = 1
        do for [i = 1:R_n] { if (is_usual(R_activation[i], R_init[i])) { j = i } }
        set title sprintf("%s, %s, %s layers", a, R_init[j], d) noenhanced
        set ylabel (c_ == 1 ? "||∂L/∂W_l||  (log scale)" : "")
        if (c_ == words(acts) && r_ == 1) { set colorbox user origin 0.93, 0.5 size 0.012, 0.36; set cblabel "training step" } else { unset colorbox }
        steps = system(sprintf("awk -F, 'NR > 1 && !seen[$1]++ { printf \"%%s \", $1 }' '%s'", run_file(j, "layers.csv")))
        plot for [s in steps] run_file(j, "layers.csv") \
                 using (column("step") == s ? column("layer") : NaN):(finite(column("grad_w_log10"))) \
                 with lines lw 1.6 lc palette cb s, \
             for [s in steps] run_file(j, "layers.csv") \
                 using (column("step") == s ? column("layer") : NaN):(at_floor(column("grad_w_log10"))) \
                 with points pt ZERO_PT ps 1.0 lc palette cb s
    }
}
unset multiplot
