# Issue 5: tanh's mean-field phase diagram. dir = the theory directory (figures.mk:
# $(RESULTS)/theory): tanh-phase.csv (`gradtrace theory --activation tanh --phase-grid`),
# tanh-critical.csv (the σw² where χ1 = 1 per σb², `--critical`) and tanh-inits.csv (the
# inits of experiment 1 and the standard one at σb² = 0), all by figures.mk.
W = 1100; H = 700
load "plots/style.gp"
f(v) = dir . "/" . v . ".csv"
# the grid as gnuplot's image wants it: a blank line whenever sigma_w2 (the outer loop) changes
grid = sprintf("< awk -F, 'NR > 2 && $1 != p { print \"\" } { p = $1; print }' '%s'", f("tanh-phase"))

set title "{/:Bold=14 tanh: mean-field phase diagram}\n" . \
          "χ_1 = σ_w^2 E[tanh'(√q* z)^2], the factor per layer on E||δ||^2 at the fixed point q*; black line: χ_1 = 1 (edge of chaos)" font ",11"
set xlabel "σ_w^2  (weight variance × fan\\_in)"
set ylabel "σ_b^2  (bias variance)"
set xrange [0.2:4]
set yrange [-0.025:0.51]
set cbrange [0:2]
set cbtics 0.25
set cblabel "χ_1  (< 1: gradients vanish towards the input, > 1: they explode)" offset 1, 0
set palette defined (0 "#053061", 0.5 "#4393c3", 0.9 "#d1e5f0", 1 "#f7f7f7", 1.1 "#fddbc7", 1.5 "#d6604d", 2 "#67001f")
set colorbox user origin graph 1.03, graph 0 size character 2, graph 1
set rmargin 14
set grid front lc rgb "#999999" dt 3
set key at graph 0.98, graph 0.1 right bottom font ",10" samplen 3
set label 1 "ordered: χ_1 < 1" at 0.55, 0.42 font ",12" tc rgb "#ffffff" front
set label 2 "chaotic: χ_1 > 1" at 3.2, 0.3 font ",12" tc rgb "#67001f" front
plot grid using "sigma_w2":"sigma_b2":"chi1" with image notitle, \
     f("tanh-critical") using "sigma_w2_critical":"sigma_b2" with lines lw 3 lc rgb "#000000" title "χ_1 = 1 (gradtrace theory --critical)", \
     f("tanh-inits") using "sigma_w2":(0):(sprintf("%s\nσ_w^2 = %.3g, χ_1 = %.2f", strcol("init") eq "standard" ? "standard U[±1/√n]" : strcol("init"), column("sigma_w2"), column("chi1"))) \
        with labels point pt 7 ps 1.6 lc rgb "#000000" offset 0, 2.2 font ",9" tc rgb "#000000" notitle, \
     NaN with points pt 7 ps 1.6 lc rgb "#000000" title "the inits of experiments 1 and 7 (σ_b^2 = 0)"
