# Experiment 10: the spread of the Jacobian's spectrum, q90 - q10 of log10 sigma (mean over
# the probe samples, step 0), against depth, a line per network; sigma_w2 1.05 solid, 2
# dashed. Filled points are measured; an open point is only a lower bound (the lower
# decile at the SVD's rounding floor, more than 15 decades below the largest sigma); relu's
# spread is infinite (more than 10 % of sigma exactly 0), drawn on the line at the top.
W = 1100; H = 700
load "plots/style.gp"
TOP = 30
set print $D
do for [a in "tanh relu sigmoid"] {
    do for [in_ in "orthogonal gaussian"] {
        do for [s in "1.05 2"] {
            eval system(sprintf("scripts/figures-runs '%s' activation=%s init=%s sigma-w2=%s", dir, a, in_, s))
            print "depth,spread,floor"
            do for [i = 1:R_n] {
                S_ = system(sprintf("awk -v spread=1 -f scripts/figures-sv.awk '%s'", run_file(i, "jacobian_summary.csv")))
                if (S_ ne "") { print sprintf("%s,%s,%s", R_depth[i], word(S_, 1) eq "inf" ? "inf" : word(S_, 1), word(S_, 2)) }
            }
            print ""; print ""
        }
    }
}
unset print
set logscale x
set xrange [7:1500]
set yrange [0:TOP + 2]
set xlabel "hidden layers L"
set ylabel "q90 − q10 of log_{10} σ  (decades)"
set title "{/:Bold=13 Spread of the Jacobian's singular values vs depth, at initialisation}\nwidth 128, σ_b^2 = 2·10^{-5}; solid: σ_w^2 = 1.05, dashed: σ_w^2 = 2\nopen: a lower bound (rounding floor); on the top line: infinite (exact zeros; relu)" font ",11"
set arrow 1 from graph 0, first TOP to graph 1, first TOP nohead dt 3 lc rgb "#777777"
set label 1 "∞" at graph 0.01, first TOP + 0.8 left
set key outside right top font ",10"
C(a, in_) = a eq "tanh" ? (in_ eq "orthogonal" ? "#1f3a93" : "#17becf") : a eq "relu" ? (in_ eq "orthogonal" ? "#c0392b" : "#d08c00") : (in_ eq "orthogonal" ? "#2e8b57" : "#7d3c98")
y(v) = strcol(2) eq "inf" ? TOP : column(2)
array NA[12]; array NI[12]; array NS[12]; array ND[12]
k_ = 0
do for [a in "tanh relu sigmoid"] { do for [in_ in "orthogonal gaussian"] { do for [s in "1.05 2"] { k_ = k_ + 1; NA[k_] = a; NI[k_] = in_; NS[k_] = s; ND[k_] = s eq "2" ? 2 : 1 } } }
plot for [k = 1:12] $D index k - 1 using 1:(y(0)) with lines lw LW dt ND[k] lc rgb C(NA[k], NI[k]) \
        title sprintf("%s, %s, %s", NA[k], NI[k], NS[k]), \
     for [k = 1:12] $D index k - 1 using 1:(y(0)):(column(3) == 1 ? 6 : 7) with points pt variable ps 1.3 lc rgb C(NA[k], NI[k]) notitle
