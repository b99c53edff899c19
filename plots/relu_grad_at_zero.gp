# Experiment 5 (claim S7): how often backprop meets a pre-activation of exactly 0.0 (where
# ReLU'(0) is a choice), and whether the choice 0 or 1 changes training, in float32 and
# float64. (a) exact-zero pre-activations, mean over the hidden layers, log scale with
# exact zeros on the floor; (b) the training loss of the four runs.
W = 1400; H = 620
load "plots/style.gp"
eval system(sprintf("scripts/figures-runs '%s'", dir))
g_dt(g) = g + 0 == 0 ? 1 : 2
dtype_color(t) = t eq "float64" ? "#0072B2" : "#D55E00"
g_pt(g) = g + 0 == 0 ? 6 : 2
# floor: two decades below the smallest nonzero share (and at most 10^-5)
SCAN_FILE = "layers.csv"; SCAN_COL = "frac_preact_zero"; SCAN_LOG = 1
eval SCAN
NZ = 0  # zeros are counted on the plotted means below, not on single layers
do for [i = 1:R_n] {
    NZ = NZ + int(system(sprintf("awk -v x=step -v y=frac_preact_zero -v hi=%d -f scripts/figures-mean.awk '%s' | awk -F, 'NR > 1 && $2 == 0' | wc -l", R_depth[i] + 0, run_file(i, "layers.csv"))))
}
YMIN = YMIN < -5 ? YMIN : -5
set multiplot layout 1, 2 margins 0.07, 0.80, 0.12, 0.84 spacing 0.08 \
    title "{/:Bold=14 ReLU'(0) = 0 or 1, in float32 and float64}\n" . \
          "relu, He init, Fashion-MNIST; colour: dtype; solid/circles: ReLU'(0) = 0, dashed/crosses: ReLU'(0) = 1" font ",11"
set key at screen 0.81, 0.84 left top font ",10" samplen 4 title "dtype, ReLU'(0)" noenhanced
set xlabel "training step"
# (a)
set title "(a) pre-activations exactly 0.0 (mean over hidden layers)"
set ylabel "share of pre-activations = 0.0  (log scale)"
@LOG10Y
eval FLOOR_SETUP
set yrange [FLOOR - 0.6 : 0.3]
plot for [i = 1:R_n] mean_of(run_file(i, "layers.csv"), "step", "frac_preact_zero", 0, R_depth[i] + 0) \
        using "x":(column("frac_preact_zero") > 0 ? log10(column("frac_preact_zero")) : NaN) with linespoints lw LW ps 0.6 pt g_pt(R_relu_grad_at_zero[i]) \
        lc rgb dtype_color(R_dtype[i]) dt g_dt(R_relu_grad_at_zero[i]) \
        title sprintf("%s, %s", R_dtype[i], R_relu_grad_at_zero[i]) noenhanced, \
     for [i = 1:R_n] mean_of(run_file(i, "layers.csv"), "step", "frac_preact_zero", 0, R_depth[i] + 0) \
        using "x":(column("frac_preact_zero") == 0 ? FLOOR : NaN) with points pt ZERO_PT ps 1.0 lc rgb dtype_color(R_dtype[i]) notitle
unset arrow 90; unset label 90
# (b)
set title "(b) training loss (batch mean)"
set ylabel "cross-entropy loss"
set format y "%g"
set yrange [*:*]
set key off
plot for [i = 1:R_n] run_file(i, "steps.csv") using "step":"loss" with lines lw (g_dt(R_relu_grad_at_zero[i]) == 1 ? 3.5 : 1.5) \
        lc rgb dtype_color(R_dtype[i]) dt g_dt(R_relu_grad_at_zero[i]) notitle
unset multiplot
