# Issue 5: born-dead relu networks (some hidden layer outputs 0 for every probe input) at
# initialisation, against depth, one colour per width. dir = the census directory
# (figures.mk: $(RESULTS)/census) with the `gradtrace census --csv` outputs he-nobias-1,
# he-nobias-100, he-bias-1 and rai-bias-1 (.csv): points are the Monte Carlo fractions with
# their Wilson 95% intervals, lines the exact 1 - (1 - 2^-width)^depth.
W = 1400; H = 640
load "plots/style.gp"
f(v) = dir . "/" . v . ".csv"
widths = "2 3 4 5 10"
w_color(w) = w == 2 ? "#D55E00" : w == 3 ? "#E69F00" : w == 4 ? "#009E73" : w == 5 ? "#0072B2" : "#CC79A7"
sel(w) = column("width") == w
T_ = system(sprintf("awk -F, 'NR == 2 { print $3; exit }' '%s'", f("he-nobias-1")))

set multiplot layout 1, 2 margins 0.055, 0.80, 0.12, 0.83 spacing 0.065 \
    title "{/:Bold=14 Born-dead relu networks at initialisation: some hidden layer outputs 0 for every input}\n" . \
          sprintf("input dimension 2, %s networks per width and variant (nested depths); points: Monte Carlo with Wilson 95%% intervals, solid lines: exact 1 − (1 − 2^{−width})^{depth} for one input", T_) font ",11"
set xlabel "hidden layers L"
set ylabel "fraction of networks born dead"
set xrange [0:52]
set yrange [-0.02:1.02]
set ytics 0.2
set key at screen 0.815, 0.83 left top Left reverse font ",10" samplen 3 title "width" noenhanced

set title "(a) he-normal, no biases: one Gaussian input vs 100"
plot for [w in widths] f("he-nobias-1") using (sel(w) ? column("depth") : NaN):"exact" \
        with lines lw LW lc rgb w_color(w) title sprintf("%s", w), \
     for [w in widths] f("he-nobias-1") using (sel(w) ? column("depth") : NaN):"fraction":"ci_low":"ci_high" \
        with yerrorbars pt 7 ps PS lw 1 lc rgb w_color(w) notitle, \
     for [w in widths] f("he-nobias-100") using (sel(w) ? column("depth") : NaN):"fraction" \
        with lines lw 1 dt 2 lc rgb w_color(w) notitle, \
     for [w in widths] f("he-nobias-100") using (sel(w) ? column("depth") : NaN):"fraction":"ci_low":"ci_high" \
        with yerrorbars pt 6 ps 1.0 lw 1 lc rgb w_color(w) notitle, \
     NaN with lines lw LW lc rgb "#444444" title "exact (one input)", \
     NaN with points pt 7 ps PS lc rgb "#444444" title "(a) Monte Carlo, one input", \
     NaN with linespoints pt 6 ps 1.0 lw 1 dt 2 lc rgb "#444444" title "(a) Monte Carlo, 100 inputs"

set title "(b) with biases (σ_b^2 = 1): he-normal vs rai (Lu et al. 2020), one input"
set key off
set label 1 "(b) filled ●, solid: he-normal\n     (line: exact, one input)\n     open □, dashed: rai" at screen 0.815, 0.42 left font ",10"
plot for [w in widths] f("he-bias-1") using (sel(w) ? column("depth") : NaN):"exact" \
        with lines lw LW lc rgb w_color(w) notitle, \
     for [w in widths] f("he-bias-1") using (sel(w) ? column("depth") : NaN):"fraction":"ci_low":"ci_high" \
        with yerrorbars pt 7 ps PS lw 1 lc rgb w_color(w) notitle, \
     for [w in widths] f("rai-bias-1") using (sel(w) ? column("depth") : NaN):"fraction" \
        with lines lw 1 dt 2 lc rgb w_color(w) notitle, \
     for [w in widths] f("rai-bias-1") using (sel(w) ? column("depth") : NaN):"fraction":"ci_low":"ci_high" \
        with yerrorbars pt 4 ps 1.0 lw 1 lc rgb w_color(w) notitle
unset multiplot
