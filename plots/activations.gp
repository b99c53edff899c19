# Experiment 10: the activations themselves, f and f', as computed by gradtrace's own
# activation table (`gradtrace activations`; dir = that CSV), not by gnuplot formulas.
# (a) f, (b) f' on a linear axis, (c) f' on a log axis, where relu's exact zeros sit on the
# floor and leaky_relu's 0.01 shows.
W = 1600; H = 560
load "plots/style.gp"
acts = "sigmoid tanh relu leaky_relu"
csv = dir
sel(a) = strcol("activation") eq a
lk_dt(a) = a eq "leaky_relu" ? 2 : 1
S_ = system(sprintf("awk -F, 'NR > 1 && ($1 == \"sigmoid\" || $1 == \"tanh\" || $1 == \"relu\" || $1 == \"leaky_relu\") && $4 > 0 { v = log($4) / log(10); if (mn == \"\" || v < mn) mn = v } $1 == \"relu\" && $4 == 0 { z++ } END { printf \"%%s %%d\", mn, z }' '%s'", csv))
YMIN = real(word(S_, 1)); NZ = int(word(S_, 2))
set multiplot layout 1, 3 margins 0.05, 0.87, 0.13, 0.84 spacing 0.06 \
    title "{/:Bold=14 The activations and their derivatives, from gradtrace's activation table}\n" . \
          "f'(0) of relu and leaky\\_relu is the convention backprop uses (--relu-grad-at-zero, default 0); sigmoid' peaks at 0.25, tanh' at 1" font ",11"
set key at screen 0.875, 0.84 left top font ",10" samplen 3 title "activation" noenhanced
set xlabel "x"
set xrange [*:*]
set title "(a) f(x)"
set ylabel "f(x)"
set yrange [-1.2:2.2]
plot for [a in acts] csv using (sel(a) ? column("x") : NaN):"f" with lines lw LW lc rgb act_color(a) dt lk_dt(a) title sprintf("%s", a) noenhanced
set key off
set title "(b) f'(x)"
set ylabel "f'(x)"
set yrange [-0.05:1.1]
set label 1 "sigmoid'(0) = 0.25" at 0.4, 0.25 left offset 0, 0.6 tc rgb act_color("sigmoid") font ",10"
set arrow 1 from graph 0, first 0.25 to graph 1, first 0.25 nohead dt 3 lc rgb act_color("sigmoid")
plot for [a in acts] csv using (sel(a) ? column("x") : NaN):"df" with lines lw LW lc rgb act_color(a) dt lk_dt(a) notitle
unset label 1; unset arrow 1
set title "(c) f'(x), log scale"
set ylabel "f'(x)  (log scale)"
@LOG10Y
FLOOR = floor(YMIN) - 1
set yrange [FLOOR - 0.5 : 0.5]
if (NZ > 0) {
    set arrow 90 from graph 0, first FLOOR to graph 1, first FLOOR nohead dt 3 lw 1.5 lc rgb "#777777" back
    set label 90 sprintf("▽ relu'(x) = 0 exactly (x <= 0): on the floor line") at graph 0.03, first FLOOR offset 0, 0.8 font ",9" tc rgb "#555555"
}
plot for [a in acts] csv using (sel(a) ? column("x") : NaN):(column("df") > 0 ? log10(column("df")) : NaN) \
        with lines lw LW lc rgb act_color(a) dt lk_dt(a) notitle, \
     csv using (sel("relu") && column("df") == 0 && int(column("x") * 2) == column("x") * 2 ? column("x") : NaN):(FLOOR) \
        with points pt ZERO_PT ps 1.0 lc rgb act_color("relu") notitle
unset multiplot
