# Experiment 3 (claim S4): exact zeros in each hidden layer's output. frac_zero of layer l
# is also the share of layer l+1's multiply-adds that have a zero operand (every output of
# layer l meets every unit of layer l+1). The headline states the measured sparsity.
W = 1400; H = 600
load "plots/style.gp"
eval system(sprintf("scripts/figures-runs '%s'", dir))
hidden(i) = column("layer") <= R_depth[i] + 0
# the headline: relu's (He init) exact zeros after training against the most any sigmoid or
# tanh run has, mean over the hidden layers at the last logged step
relu_ = ""; dense_ = -1
do for [i = 1:R_n] {
    v_ = last_mean(run_file(i, "layers.csv"), "frac_zero", int(R_depth[i]))
    if (R_activation[i] eq "relu" && is_usual("relu", R_init[i])) { relu_ = v_ }
    if ((R_activation[i] eq "sigmoid" || R_activation[i] eq "tanh") && v_ ne "") { dense_ = real(v_) > dense_ ? real(v_) : dense_ }
}
headline = relu_ eq "" ? "Sparsity: exact zeros in each hidden layer's output" : \
    sprintf("relu (He init): %.0f %% of hidden outputs are exactly 0 after training", 100 * real(relu_)) . \
    (dense_ < 0 ? "" : dense_ == 0 ? "; sigmoid and tanh: none" : sprintf("; sigmoid and tanh: at most %.2g %%", 100 * dense_))
set multiplot layout 1, 2 margins 0.07, 0.80, 0.12, 0.84 spacing 0.08 \
    title sprintf("{/:Bold=14 %s}\n", headline) . \
          "relu outputs exactly 0 for z <= 0; sigmoid and tanh almost never do. solid: the activation's usual init, dashed: the other one" font ",11"
set key at screen 0.81, 0.84 left top font ",10" samplen 4 title "activation, init" noenhanced
set yrange [0:100]
set ylabel "outputs exactly 0  (% of units x batch)"
# (a) per layer, at the last logged step
set title "(a) per layer after training (last logged step)"
set xlabel "hidden layer l  (= share of layer l+1's multiply-adds with a zero operand)"
set xtics 1
set autoscale xfix
set offsets 0.3, 0.3, 0, 0
array LASTS[R_n]
do for [i = 1:R_n] { LASTS[i] = real(word(scan(sprintf("'%s'", run_file(i, "layers.csv")), "step", "", 0, 0, 0), 2)) }
plot for [i = 1:R_n] run_file(i, "layers.csv") \
        using (column("step") == LASTS[i] && hidden(i) ? column("layer") : NaN):(100 * column("frac_zero")) \
        with linespoints lw LW ps PS pt act_pt(R_activation[i]) lc rgb act_color(R_activation[i]) \
        dt init_dt(R_activation[i], R_init[i]) title sprintf("%s, %s", R_activation[i], R_init[i]) noenhanced
# (b) mean over hidden layers, over training
set title "(b) mean over the hidden layers, during training"
set xlabel "training step"
set xtics autofreq
set offsets 0, 0, 0, 0
set key off
plot for [i = 1:R_n] mean_of(run_file(i, "layers.csv"), "step", "frac_zero", 0, R_depth[i] + 0) \
        using "x":(100 * column("frac_zero")) with lines lw LW lc rgb act_color(R_activation[i]) dt init_dt(R_activation[i], R_init[i]) notitle
unset multiplot
