# Experiment 11 (Pennington et al. 2017's headline, smaller): Fashion-MNIST test accuracy of
# 200-layer networks over 5 epochs, a line per network (colour: activation and init; solid
# sigma_w2 1.05, dashed 2). Test accuracy at step 0 and after every epoch (eval-every =
# one epoch's steps) from steps.csv, and after the last epoch from run.json; x in epochs.
W = 1150; H = 620
load "plots/style.gp"
eval system(sprintf("scripts/figures-runs '%s'", dir))
C(a, in_) = a eq "tanh" ? (in_ eq "orthogonal" ? "#1f3a93" : "#17becf") : (in_ eq "orthogonal" ? "#c0392b" : "#d08c00")
PE = 1
set title sprintf("{/:Bold=13 Training %s-layer networks: orthogonal at criticality vs Gaussian vs relu}\n", R_depth[1]) . \
          sprintf("Fashion-MNIST (first %s training images), width %s, SGD lr %s, batch %s, σ_b^2 = 2·10^{-5}\nsolid σ_w^2 = 1.05, dashed 2; the last point: after the last epoch", \
                  R_train_size[1], R_width[1], R_lr[1], R_batch[1]) font ",11"
set xlabel "epoch"
set ylabel "test accuracy (%)"
set yrange [0:100]
set arrow 1 from graph 0, first 10 to graph 1, first 10 nohead dt 3 lc rgb "#777777"
set label 1 "chance" at graph 0.99, first 12 right
set key outside right top font ",10"
FT(i) = system("grep -o '\"final_test_acc\":[[:space:]]*[0-9.eE+-]*' '" . run_file(i, "run.json") . "' | sed 's/.*:[[:space:]]*//'")
array DT[R_n]
set print $F
do for [i = 1:R_n] {
    DT[i] = R_sigma_w2[i] eq "2" ? 2 : 1
    print "x,test_acc"; print sprintf("%s,%s", R_epochs[i], FT(i)); print ""; print ""
}
unset print
set xrange [0:*]
plot for [i = 1:R_n] run_file(i, "steps.csv") using (column("step") / (R_train_size[i] / R_batch[i])):(100 * column("test_acc")) \
        with linespoints lw LW pt 7 ps 1.0 dt DT[i] lc rgb C(R_activation[i], R_init[i]) \
        title sprintf("%s, %s, σ_w^2 %s", R_activation[i], R_init[i], R_sigma_w2[i]), \
     for [i = 1:R_n] $F index i - 1 using "x":(100 * column("test_acc")) with points pt 5 ps 1.3 lc rgb C(R_activation[i], R_init[i]) notitle
