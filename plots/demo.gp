# Gradient norm per layer at initialisation (step 0), one line per activation: the
# vanishing gradient of sigmoid against relu's flat profile. Called by scripts/demo with
# dir (the demo's output directory) and out (the PNG to write).
set terminal pngcairo size 900,560 font ",11" noenhanced
set output out
set datafile separator ","
set key bottom right
set grid
set xlabel "layer (1 = next to the input)"
set ylabel "log10 ||dL/dW_l||  (step 0)"
set title "Gradient norm per layer at initialisation, depth 20, width 256"
plot for [a in "sigmoid tanh relu leaky_relu"] \
     sprintf("%s/%s/layers.csv", dir, a) every ::1 using (column(1) == 0 ? column(2) : NaN):7 \
     with linespoints lw 2 title a
