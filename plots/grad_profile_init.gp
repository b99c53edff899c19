# Experiment 1 (claims S1-S3, S6): the weight-gradient norm of every layer at
# initialisation (step 0), one panel per depth, one line per activation and initialiser.
# The titles state the measured ratio of layer 1 to the last hidden layer (usual init).
W = 1400; H = 660
load "plots/style.gp"
eval system(sprintf("scripts/figures-runs '%s'", dir))
depths = ""
do for [i = 1:R_n] { if (strstrt(" " . depths . " ", " " . R_depth[i] . " ") == 0) { depths = depths . " " . R_depth[i] } }

keep(x) = column("step") == 0
SCAN_FILE = "layers.csv"; SCAN_COL = "grad_w_log10"; SCAN_WHERE = "step=0"
eval SCAN
eval FLOOR_SETUP

# the finding of a panel: layer 1 / layer d at step 0 for each activation with its usual init
finding(d) = (fs_ = "", sig_ = "", \
    sum [i = 1:R_n] (is_usual(R_activation[i], R_init[i]) ? \
        (r_ = ratio10(run_file(i, "layers.csv"), "grad_w_log10", 0, 1, int(d)), \
         fs_ = fs_ . (fs_ eq "" ? "" : ", ") . enh(R_activation[i]) . " " . factor(r_), \
         sig_ = R_activation[i] eq "sigmoid" ? r_ : sig_, 0) : 0), fs_)
# relu and leaky_relu coincide at step 0 (lw_of in style.gp), and their markers alternate
# (relu on odd layers, leaky_relu on even ones)
mark(a, l) = a eq "relu" ? int(l) % 2 == 1 : a eq "leaky_relu" ? int(l) % 2 == 0 : 1

eval system(sprintf("scripts/figures-runs '%s' depth=%s", dir, word(depths, 1)))
fd_ = finding(word(depths, 1))   # sets sig_, sigmoid's ratio, for the headline
headline = sig_ eq "" ? "Weight-gradient norm per layer at initialisation" : \
    sprintf("At initialisation sigmoid's layer 1 gets %s of layer %s's gradient", factor(sig_), word(depths, 1))
set multiplot layout 1, words(depths) margins 0.07, 0.80, 0.12, 0.82 spacing 0.07 \
    title sprintf("{/:Bold=14 %s}\n", headline) . \
          sprintf("||∂L/∂W_l|| at step 0, one batch of %s; solid: the activation's usual init (Xavier for sigmoid and tanh, He for relu and leaky\\_relu); dashed: the other one", exists("R_batch") ? R_batch[1] : "64") font ",11"
set xlabel "layer l  (1 = next to the input; the last is the output layer)"
set ylabel "||∂L/∂W_l||  (Frobenius norm, log scale)"
@LOG10Y
set autoscale xfix
set offsets 0.5, 0.5, 0, 0
set key at screen 0.81, 0.82 left top font ",10" samplen 4 title "activation, init" noenhanced
k_ = 0
do for [d in depths] {
    k_ = k_ + 1
    eval system(sprintf("scripts/figures-runs '%s' depth=%s", dir, d))
    set title sprintf("%s hidden layers — layer 1 / layer %s:\n%s", d, d, finding(d)) font ",10" enhanced
    if (k_ > 1) { set key off }
    plot for [i = 1:R_n] run_file(i, "layers.csv") \
            using (keep(0) ? column("layer") : NaN):(finite(column("grad_w_log10"))) \
            with lines lw lw_of(R_activation[i]) lc rgb act_color(R_activation[i]) \
            dt init_dt(R_activation[i], R_init[i]) notitle, \
         for [i = 1:R_n] run_file(i, "layers.csv") \
            using (keep(0) && mark(R_activation[i], column("layer")) ? column("layer") : NaN):(finite(column("grad_w_log10"))) \
            with points ps PS * 1.3 pt act_pt(R_activation[i]) lc rgb act_color(R_activation[i]) notitle, \
         for [i = 1:R_n] keyentry with linespoints lw lw_of(R_activation[i]) ps PS * 1.3 pt act_pt(R_activation[i]) \
            lc rgb act_color(R_activation[i]) dt init_dt(R_activation[i], R_init[i]) \
            title sprintf("%s, %s", R_activation[i], R_init[i]) noenhanced, \
         for [i = 1:R_n] run_file(i, "layers.csv") \
            using (keep(0) ? column("layer") : NaN):(at_floor(column("grad_w_log10"))) \
            with points pt ZERO_PT ps 1.2 lc rgb act_color(R_activation[i]) notitle
}
unset multiplot
