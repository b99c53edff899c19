# Step 0 of a run's jacobian.csv for the isometry figures:
#   awk -v bw=0.25 -f scripts/figures-sv.awk jacobian.csv     "x,density" per bin of log10 sigma
#   awk -v zeros=1 -f scripts/figures-sv.awk jacobian.csv     the share of sigma exactly 0
#   awk -v spread=1 -f scripts/figures-sv.awk jacobian_summary.csv   "spread floor": the mean
#       over samples of q90 - q10 of log10 sigma (inf when q10 is an exact 0) and 1 when some
#       sample's q10 is at the SVD's rounding floor (more than 15 decades below max_log10),
#       where the spread is only a lower bound
# pooled over the probe samples, every bin from the lowest to the highest (empty ones as 0);
# the density integrates to the share that is not 0.
BEGIN { FS = "," }
NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
$c["step"] != 0 { next }
spread {
    n++
    if ($c["q10_log10"] == "-inf") inf = 1
    else s += $c["q90_log10"] - $c["q10_log10"]
    if ($c["q10_log10"] == "-inf" || $c["q10_log10"] < $c["max_log10"] - 15) fl = 1
    next
}
{
    n++
    v = $c["sv_log10"]
    if (v == "-inf") { z++; next }
    b = int((v + 100000) / bw); cnt[b]++
    if (!nb || b < lo) lo = b
    if (!nb || b > hi) hi = b
    nb++
}
END {
    if (spread) { if (n) printf "%s %d\n", inf ? "inf" : sprintf("%.6g", s / n), fl; exit }
    if (zeros) { printf "%.4f\n", n ? z / n : 0; exit }
    if (!nb) exit
    for (b = lo; b <= hi; b++) printf "%.6g,%.6g\n", b * bw - 100000 + bw / 2, cnt[b] / (n * bw)
}
