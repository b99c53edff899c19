# Experiment 6 (claim S8): sign coherence of each unit's incoming weight gradients,
# |sum_i sign(dL/dW_ij)| / fan_in averaged over units: 1 when all of a unit's incoming
# gradients share a sign (as sigmoid's positive outputs force), about sqrt(2/(pi fan_in))
# for independent random signs. (a) per layer, mean over the logged steps; (b) over training,
# mean over layers 2.. (layer 1's inputs are the data, not an activation).
W = 1400; H = 620
load "plots/style.gp"
eval system(sprintf("scripts/figures-runs '%s'", dir))
set multiplot layout 1, 2 margins 0.07, 0.80, 0.12, 0.84 spacing 0.08 \
    title "{/:Bold=14 Sign coherence of each unit's incoming weight gradients}\n" . \
          "|Σ_i sign(∂L/∂W_{ij})| / fan\\_in, mean over units j; 1 = all of a unit's weights move the same way; random signs give about √(2/(π fan\\_in))" font ",11"
set key at screen 0.81, 0.84 left top font ",10" samplen 4 title "activation, init" noenhanced
set yrange [0:1.05]
set ylabel "sign coherence"
set title "(a) per layer, mean over the logged training steps"
set xlabel "layer l  (its inputs are layer l-1's outputs; layer 1 reads the data)"
set xtics 1
set autoscale xfix
set offsets 0.3, 0.3, 0, 0
plot for [i = 1:R_n] mean_of(run_file(i, "layers.csv"), "layer", "sign_coherence", 0, 0) using "x":"sign_coherence" \
        with linespoints lw LW ps PS pt act_pt(R_activation[i]) lc rgb act_color(R_activation[i]) \
        dt init_dt(R_activation[i], R_init[i]) title sprintf("%s, %s", R_activation[i], R_init[i]) noenhanced, \
     run_file(1, "layers.csv") using (column("step") == 0 ? column("layer") : NaN):(sqrt(2 / (pi * column("fan_in")))) \
        with linespoints lw 1.2 dt 3 pt 1 lc rgb "#777777" title "random signs"
set title "(b) over training, mean over layers 2 to L+1"
set xlabel "training step"
set xtics autofreq
set offsets 0, 0, 0, 0
set key off
plot for [i = 1:R_n] mean_of(run_file(i, "layers.csv"), "step", "sign_coherence", 2, 0) using "x":"sign_coherence" \
        with lines lw LW lc rgb act_color(R_activation[i]) dt init_dt(R_activation[i], R_init[i]) notitle
unset multiplot
