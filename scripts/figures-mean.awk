# Means of CSV columns grouped by another column, for the gnuplot scripts (plot "< awk ...").
#   awk -v x=step -v y=frac_zero[,act_std...] [-v lo=1 -v hi=5] [-v where=col=value] -f scripts/figures-mean.awk FILE
# reads FILE (header line first), keeps rows whose `layer` is within [lo, hi] (when given)
# and whose column `where` has that value, and prints the header "x,<y columns>,n" and, for
# each value of column x in first-seen order, the mean of each y column over the kept rows
# (n of them). Empty and nan fields are skipped, and a group without any value is left out;
# a group holding -inf (an exact zero on a log10 scale) has mean -inf. With lo = hi this
# selects one layer's rows.
BEGIN {
    FS = ","
    ny = split(y, ys, ",")
    printf "x"
    for (j = 1; j <= ny; j++) printf ",%s", ys[j]
    print ",n"
}
NR == 1 {
    for (i = 1; i <= NF; i++) col[$i] = i
    if (!(x in col)) { print "figures-mean: no column " x > "/dev/stderr"; exit 2 }
    for (j = 1; j <= ny; j++) if (!(ys[j] in col)) { print "figures-mean: no column " ys[j] > "/dev/stderr"; exit 2 }
    if (where != "") { eq = index(where, "="); wcol = col[substr(where, 1, eq - 1)]; wval = substr(where, eq + 1) }
    next
}
{
    if (lo != "" && $col["layer"] + 0 < lo + 0) next
    if (hi != "" && $col["layer"] + 0 > hi + 0) next
    if (where != "" && $wcol != wval) next
    k = $col[x]
    if (!(k in seen)) { order[++m] = k; seen[k] = 1; cnt[k] = 0 }
    cnt[k]++
    for (j = 1; j <= ny; j++) {
        v = $col[ys[j]]
        if (v == "" || v == "nan" || v == "-nan") continue
        if (v == "-inf") ninf[k, j] = 1
        else s[k, j] += v
        n[k, j]++
    }
}
END {
    for (i = 1; i <= m; i++) {
        k = order[i]
        for (j = 1; j <= ny; j++) if (n[k, j]) break
        if (j > ny) continue   # no value in any y column (e.g. a step without evaluation)
        printf "%s", k
        for (j = 1; j <= ny; j++) {
            if (!n[k, j]) printf ","
            else if ((k, j) in ninf) printf ",-inf"
            else printf ",%.10g", s[k, j] / n[k, j]
        }
        printf ",%d\n", cnt[k]
    }
}
