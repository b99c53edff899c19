# Experiment 9 (claims S1, S3): Fashion-MNIST test accuracy over training, deep sigmoid
# against deep relu, one panel per depth; solid: each activation's usual init. The titles
# state the measured final test accuracies (run.json).
W = 1400; H = 600
load "plots/style.gp"
eval system(sprintf("scripts/figures-runs '%s'", dir))
depths = ""
do for [i = 1:R_n] { if (strstrt(" " . depths . " ", " " . R_depth[i] . " ") == 0) { depths = depths . " " . R_depth[i] } }
# the final test accuracy (run.json) of activation a with its usual init among R_1..R_n
acc_of(a) = (ac_ = "", sum [i = 1:R_n] ((R_activation[i] eq a && is_usual(a, R_init[i])) ? (ac_ = final_acc(i), 0) : 0), ac_)
eval system(sprintf("scripts/figures-runs '%s' depth=%s", dir, word(depths, words(depths))))
sig_ = acc_of("sigmoid"); relu_ = acc_of("relu")
headline = sig_ eq "" || relu_ eq "" ? "Fashion-MNIST: test accuracy over training, deep sigmoid vs relu" : \
    sprintf("Fashion-MNIST, %s hidden layers: sigmoid ends at %s test accuracy, relu at %s", word(depths, words(depths)), sig_, relu_)
set multiplot layout 1, words(depths) margins 0.07, 0.80, 0.12, 0.84 spacing 0.07 \
    title sprintf("{/:Bold=14 %s}\n", headline) . \
          sprintf("width %s, %s, lr %s, batch %s; solid: the activation's usual init (Xavier for sigmoid, He for relu), dashed: the other one", \
                  R_width[1], R_optimizer[1], R_lr[1], R_batch[1]) font ",11"
set key at screen 0.81, 0.84 left top font ",10" samplen 4 title "activation, init" noenhanced
set xlabel "training step"
set ylabel "test accuracy  (%, whole test set)"
set yrange [0:100]
k_ = 0
do for [d in depths] {
    k_ = k_ + 1
    eval system(sprintf("scripts/figures-runs '%s' depth=%s", dir, d))
    set title sprintf("%s hidden layers: sigmoid %s, relu %s at the end", d, acc_of("sigmoid") eq "" ? "n/a" : acc_of("sigmoid"), acc_of("relu") eq "" ? "n/a" : acc_of("relu"))
    if (k_ > 1) { set key off }
    plot for [i = 1:R_n] mean_of(run_file(i, "steps.csv"), "step", "test_acc", 0, 0) using "x":(100 * column("test_acc")) \
            with linespoints lw LW ps PS pt act_pt(R_activation[i]) lc rgb act_color(R_activation[i]) \
            dt init_dt(R_activation[i], R_init[i]) title sprintf("%s, %s", R_activation[i], R_init[i]) noenhanced, \
         10 with lines dt 3 lc rgb "#777777" title "chance (10 classes)"
}
unset multiplot
