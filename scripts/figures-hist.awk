# One step of a run's histograms.csv, normalised, for the gnuplot scripts:
#   awk -v q=delta -v step=0|last -f scripts/figures-hist.awk histograms.csv
# prints "layer,x,frac,zero,lo,hi": per layer, each bin's centre x and the fraction of the
# layer's entries in it (frac = count / all entries of the layer, exact zeros included), and
# for the log-binned quantities (grad_w, delta) a row with zero = 1, x = -inf holding the fraction of exact zeros.
# With -v summary=1 [-v maxlayer=L] it prints instead "xmin xmax zeros" over layers <= L:
# the extreme bin edges (nan without any) and the number of layers with exact zeros.
BEGIN { FS = ","; if (!summary) print "layer,x,frac,zero,lo,hi" }
NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
$c["quantity"] != q { next }
{
    s = $c["step"] + 0
    if (step == "last") { if (s > best) { best = s; n = 0; delete tot } else if (s < best) next }
    else if (s != step + 0) next
    n++
    L[n] = $c["layer"]; lo[n] = $c["bin_lo"]; hi[n] = $c["bin_hi"]; cnt[n] = $c["count"] + 0
    tot[L[n]] += cnt[n]
}
END {
    if (summary) {
        mn = ""; mx = ""; z = 0
        for (i = 1; i <= n; i++) {
            if (maxlayer != "" && L[i] + 0 > maxlayer + 0) continue
            if (lo[i] == "-inf") { if (cnt[i] > 0) z++; continue }
            if (mn == "" || lo[i] + 0 < mn) mn = lo[i] + 0
            if (mx == "" || hi[i] + 0 > mx) mx = hi[i] + 0
        }
        printf "%s %s %d\n", mn == "" ? "nan" : mn, mx == "" ? "nan" : mx, z
        exit
    }
    for (i = 1; i <= n; i++) {
        f = tot[L[i]] ? cnt[i] / tot[L[i]] : 0
        if (lo[i] == "-inf") printf "%s,-inf,%.9g,1,-inf,-inf\n", L[i], f
        else printf "%s,%.9g,%.9g,0,%s,%s\n", L[i], (lo[i] + hi[i]) / 2, f, lo[i], hi[i]
    }
}
