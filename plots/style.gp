# Shared look of the gradtrace figures; every plots/*.gp loads it first:
#   gnuplot -e "dir='results/grad_profile'; out='figures/x.png'; fmt='png'" plots/x.gp
# dir: the sweep directory (index.csv, sweep.json, runs/<id>/); out: the file to write;
# fmt: png (pngcairo) or svg. A script may set W and H (pixels) before loading this file.
#
# Quantities stored as log10 (grad_w_log10, delta_log10) are plotted on a linear axis of
# log10 values with 10^k tic labels (set by LOG10Y/LOG10X); an exact zero (-inf in the CSV)
# is drawn at a floor below the data with its own marker and a note (zero_note), never
# dropped.

if (!exists("fmt")) fmt = "png"
if (!exists("W")) W = 900
if (!exists("H")) H = 560
if (!exists("out")) out = "figure." . fmt
FONT = "DejaVu Sans"
if (fmt eq "svg") {
    set terminal svg size W, H dynamic enhanced font FONT . ",12" linewidth 1 background "white"
} else {
    set terminal pngcairo size W, H enhanced font FONT . ",11" linewidth 1 background "white"
}
set output out
set encoding utf8
set datafile separator ","
set datafile columnheaders
set grid back lc rgb "#dddddd" lw 1 dt 1
set border 3 lw 1 lc rgb "#444444"
set tics nomirror out scale 0.6
set key noautotitle
set key spacing 1.1 samplen 2.5 box lc rgb "#cccccc" opaque
LW = 2.0
PS = 0.8

# ---- palette (Okabe-Ito, readable in colour-blind vision and in grey) -------------------
act_color(a) = a eq "sigmoid" ? "#0072B2" : a eq "tanh" ? "#E69F00" : a eq "relu" ? "#009E73" : \
               a eq "leaky_relu" ? "#CC79A7" : a eq "softsign" ? "#D55E00" : \
               a eq "elu" ? "#56B4E9" : a eq "selu" ? "#F0E442" : "#555555"
act_pt(a) = a eq "sigmoid" ? 7 : a eq "tanh" ? 5 : a eq "relu" ? 9 : a eq "leaky_relu" ? 11 : \
            a eq "softsign" ? 13 : 3
# the initialiser each activation is usually paired with: solid for it, dashed for the other
usual_init(a) = (a eq "relu" || a eq "leaky_relu") ? "he" : "xavier"
is_usual(a, i) = strstrt(i, usual_init(a)) == 1
init_dt(a, i) = is_usual(a, i) ? 1 : 2
usual_tag(a, i) = is_usual(a, i) ? "" : " (other init)"
# relu and leaky_relu often coincide: relu is drawn wide, leaky_relu thin on top of it
lw_of(a) = a eq "relu" ? 2.5 * LW : LW
# sequential colours for an ordered axis (learning rates, steps, layers): k of n
seq_color(k, n) = word("#1b9e77 #d95f02 #7570b3 #e7298a #66a61e #e6ab02 #a6761d #666666 #000000", \
                       (n <= 1 ? 1 : int(1 + (k - 1) * 8.0 / (n - 1 > 8 ? n - 1 : 8) + 0.5)))
layer_color(k, n) = word("#1f3a93 #2e8b57 #d08c00 #c0392b #7d3c98 #17becf #8c564b #555555", (k - 1) % 8 + 1)

# ---- log10-valued data ----------------------------------------------------------------
LOG10Y = "set format y '10^{%g}'"
LOG10X = "set format x '10^{%g}'"
isneg_inf(v) = (v == v && v < -1e300)
finite(v) = (v == v && abs(v) < 1e300) ? v : NaN
# FLOOR is set per figure below its lowest finite value; zeros are drawn there
at_floor(v) = isneg_inf(v) ? FLOOR : NaN
ZERO_PT = 10   # open triangle down
# zero_note(n): the note a figure shows when it draws n exact zeros at the floor
zero_note(n) = sprintf("▽ on the dotted floor line: exactly 0 (log10 = -∞), %d point%s", n, n == 1 ? "" : "s")
# run files
run_file(i, name) = R_dir[i] . "/" . name

# ---- exact zeros on log10 axes ---------------------------------------------------------
# scan(src, col, where, lo, hi, islog): "min max zeros n" of column col of src (a file, or
# several quoted names) over the rows whose column `where` (e.g. "step=0", or "") matches
# and whose layer is within [lo, hi] (0: no bound); islog = 1 when col holds plain values
# whose log10 is wanted, 0 when it holds log10 values already. Computed by awk, so an
# empty selection is no gnuplot warning.
scan(src, col, where, lo, hi, islog) = system(sprintf("awk -v col=%s -v where='%s' %s %s -v islog=%d -f scripts/figures-scan.awk %s", \
    col, where, lo > 0 ? sprintf("-v lo=%d", lo) : "", hi > 0 ? sprintf("-v hi=%d", hi) : "", islog, src))
# SCAN: a script sets SCAN_FILE (a file name in each run directory), SCAN_COL, SCAN_WHERE and
# SCAN_LOG (as islog above), then `eval SCAN`: YMIN/YMAX are the extreme finite log10 values
# over the runs R_1..R_n (YMIN = YMAX = 0 without any), NZ the number of exact zeros.
SCAN_WHERE = ""; SCAN_LOG = 0
SCAN = "SRC_ = ''; do for [i_ = 1:R_n] { SRC_ = SRC_ . sprintf(\" '%s'\", run_file(i_, SCAN_FILE)) }; " . \
       "S_ = scan(SRC_, SCAN_COL, SCAN_WHERE, 0, 0, SCAN_LOG); " . \
       "YMIN = word(S_, 1) eq 'nan' ? 0 : real(word(S_, 1)); YMAX = word(S_, 2) eq 'nan' ? 0 : real(word(S_, 2)); NZ = int(word(S_, 3))"
FLOOR_SETUP = "FLOOR = floor(YMIN) - 2; if (NZ > 0) { " . \
       "set arrow 90 from graph 0, first FLOOR to graph 1, first FLOOR nohead dt 3 lw 1.5 lc rgb '#777777' back; " . \
       "set label 90 zero_note(NZ) at graph 0.02, first FLOOR offset 0, 0.7 font ',9' tc rgb '#555555' front; " . \
       "set yrange [FLOOR - 0.6 : *] } else { unset arrow 90; unset label 90 }"

# mean_of(file, x, y, lo, hi): the source "< awk ..." of the mean of column(s) y ("a,b") per value of
# column x over the rows with lo <= layer <= hi (0 for no bound); its columns: x, the y names, n.
mean_of(file, x, y, lo, hi) = sprintf("< awk -v x=%s -v y=%s %s %s -f scripts/figures-mean.awk '%s'", \
    x, y, lo > 0 ? sprintf("-v lo=%d", lo) : "", hi > 0 ? sprintf("-v hi=%d", hi) : "", file)

# nice_inc(range, n): a 1-2-5 tic increment giving about n tics over range
nice_inc(r, n) = (m_ = 10 ** floor(log10(r / n > 0 ? r / n : 1)), f_ = (r / n) / m_, (f_ < 1.5 ? 1 : f_ < 3.5 ? 2 : f_ < 7.5 ? 5 : 10) * m_)

# ---- findings for titles (computed from the run files, never typed in) --------------------
# ratio10(f, col, s, l1, l2): log10 of layer l1's over layer l2's value of a log10 column
# (grad_w_log10) at step s of the layers.csv f, as a string; "" when either is missing or
# an exact zero, so a title can fall back to words without a number
ratio10(f, col, s, l1, l2) = (r1_ = word(scan(sprintf("'%s'", f), col, sprintf("step=%d", s), l1, l1, 0), 1), \
    r2_ = word(scan(sprintf("'%s'", f), col, sprintf("step=%d", s), l2, l2, 0), 1), \
    (r1_ eq "nan" || r2_ eq "nan") ? "" : sprintf("%.6f", real(r1_) - real(r2_)))
# factor(r): a log10 ratio as a reader takes it in: ×0.37 near 1, 10^{-12} far from it
factor(r) = r eq "" ? "n/a" : abs(real(r)) <= 1.5 ? sprintf("×%.2g", 10 ** real(r)) : sprintf("10^{%.0f}", real(r))
# the last logged step of a layers.csv (0 when it has no rows)
last_step(f) = (ls_ = word(scan(sprintf("'%s'", f), "step", "", 0, 0, 0), 2), ls_ eq "nan" ? 0 : int(real(ls_)))
# an activation's name in enhanced text (where factor()'s 10^{k} needs it): _ escaped
enh(a) = a eq "leaky_relu" ? "leaky\\_relu" : a
# magnitude(v): a log10 value as a number: 0.37 near 1, 10^{-63} far from it
magnitude(v) = v eq "" ? "n/a" : abs(real(v)) <= 1.5 ? sprintf("%.2g", 10 ** real(v)) : sprintf("10^{%.0f}", real(v))
# last_mean(f, col, hi): the mean of column col over layers 1..hi (0: all) at the last step
# of the CSV f (layers.csv, census.csv), as a string; "" when missing
last_mean(f, col, hi) = system(sprintf("awk -v x=step -v y=%s %s -f scripts/figures-mean.awk '%s' 2>/dev/null | tail -n 1 | cut -d, -f2", \
    col, hi > 0 ? sprintf("-v hi=%d", hi) : "", f))
# run_num(i, key): the first number called key in run i's run.json (summary.final_test_acc,
# summary.steps_done, summary.diverged_at_step), as a string; "" when absent or null
run_num(i, key) = system(sprintf("sed -n 's/.*\"%s\":[[:space:]]*\\([-0-9.eE+][-0-9.eE+]*\\).*/\\1/p' '%s' | head -n 1", key, run_file(i, "run.json")))
# final_acc(i): run i's final test accuracy in % from its run.json summary ("" when absent)
final_acc(i) = (fa_ = run_num(i, "final_test_acc"), fa_ eq "" ? "" : sprintf("%.0f %%", 100 * real(fa_)))
