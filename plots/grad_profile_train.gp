# Experiment 1 during training: each activation with its usual init, the per-layer
# weight-gradient norm at every logged step (colour = step), one row per depth. Each panel
# has its own y range (sigmoid's spans tens of decades, the others one or two); the titles
# state layer 1 / last hidden layer at the first and the last logged step.
W = 1600; H = 860
load "plots/style.gp"
eval system(sprintf("scripts/figures-runs '%s'", dir))
depths = ""; acts = ""
do for [i = 1:R_n] {
    if (strstrt(" " . depths . " ", " " . R_depth[i] . " ") == 0) { depths = depths . " " . R_depth[i] }
    if (strstrt(" " . acts . " ", " " . R_activation[i] . " ") == 0) { acts = acts . " " . R_activation[i] }
}
SRC_ = ""; do for [i = 1:R_n] { SRC_ = SRC_ . sprintf(" '%s'", run_file(i, "layers.csv")) }
STEPMAX = real(word(scan(SRC_, "step", "", 0, 0, 0), 2))
STEPMAX = STEPMAX == STEPMAX && STEPMAX > 0 ? STEPMAX : 1

# the headline: sigmoid's layer 1 / last hidden layer at the last step of the first depth
eval system(sprintf("scripts/figures-runs '%s' depth=%s activation=sigmoid", dir, word(depths, 1)))
sig_ = ""; sigstep_ = 0
do for [i = 1:R_n] { if (is_usual(R_activation[i], R_init[i])) { sigstep_ = last_step(run_file(i, "layers.csv")); sig_ = ratio10(run_file(i, "layers.csv"), "grad_w_log10", sigstep_, 1, int(word(depths, 1))) } }
headline = sig_ eq "" ? "Weight-gradient norm per layer during training" : \
    sprintf("After %d steps of training sigmoid's layer 1 still gets %s of layer %s's gradient", sigstep_, factor(sig_), word(depths, 1))

set multiplot layout words(depths), words(acts) margins 0.06, 0.91, 0.08, 0.86 spacing 0.045, 0.14 \
    title sprintf("{/:Bold=14 %s}\n", headline) . \
          "each activation with its usual init (Xavier for sigmoid and tanh, He for relu and leaky\\_relu); colour: training step; each panel has its own y axis" font ",11"
set xlabel "layer l" offset 0, 0.5
@LOG10Y
set autoscale xfix
set offsets 0.5, 0.5, 0, 0
set palette defined (0 "#440154", 0.25 "#3b528b", 0.5 "#21918c", 0.75 "#5ec962", 1 "#e8c21a")
# the colour bar ends at the last logged step, which gets a tic of its own
set cbrange [0:STEPMAX]
CBINC = nice_inc(STEPMAX, 4)
set cbtics 0, CBINC, STEPMAX - 0.6 * CBINC
set cbtics add (sprintf("%d", STEPMAX) STEPMAX)
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
        f_ = run_file(j, "layers.csv"); n_ = last_step(f_)
        set title sprintf("%s, %s, %s layers\nlayer 1 / layer %s: %s at step 0, %s at step %d", enh(a), R_init[j], d, d, \
            factor(ratio10(f_, "grad_w_log10", 0, 1, int(d))), factor(ratio10(f_, "grad_w_log10", n_, 1, int(d))), n_) font ",10" enhanced
        set ylabel (c_ == 1 ? "||∂L/∂W_l||  (log scale)" : "")
        # this panel's own y range (at least 2 decades, integer powers of ten as tics)
        S_ = scan(sprintf("'%s'", f_), "grad_w_log10", "", 0, 0, 0)
        YMIN = word(S_, 1) eq "nan" ? 0 : real(word(S_, 1)); YMAX = word(S_, 2) eq "nan" ? 0 : real(word(S_, 2)); NZ = int(word(S_, 3))
        if (YMAX - YMIN < 2) { YMID = (YMAX + YMIN) / 2.0; YMIN = YMID - 1; YMAX = YMID + 1 }
        eval FLOOR_SETUP
        set yrange [NZ > 0 ? FLOOR - 0.6 : YMIN - 0.3 : YMAX + 0.3]
        YINC_ = nice_inc(YMAX - YMIN, 4); YINC_ = YINC_ < 1 ? 1 : YINC_
        set ytics YINC_
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
