# Range of one CSV column, for the gnuplot scripts' axis floors:
#   awk -v col=grad_w_log10 [-v where=step=0] [-v lo=1 -v hi=5] [-v islog=1] -f scripts/figures-scan.awk FILE...
# prints "min max zeros n": the extreme finite values of column col over the rows kept
# (each file's first line is its header; rows whose `layer` is outside [lo, hi] or whose
# column `where` differs are skipped), how many were exact zeros and how many were kept.
# The column holds log10 values (an exact zero is -inf) unless islog=1, in which case it holds
# plain values whose log10 is taken (an exact zero is 0). min/max print as nan when no
# finite value was seen.
# Fields are split as CSV: a quoted field (index.csv's run id, "activation=relu,seed=1") is
# one field, commas and all.
function split_csv(line, f,    n, i, ch, q, cur) {
    n = 0; q = 0; cur = ""
    for (i = 1; i <= length(line); i++) {
        ch = substr(line, i, 1)
        if (ch == "\"") q = !q
        else if (ch == "," && !q) { f[++n] = cur; cur = "" }
        else cur = cur ch
    }
    f[++n] = cur
    return n
}
BEGIN { mn = ""; mx = ""; z = 0; n = 0 }
{ nf = index($0, "\"") ? split_csv($0, F) : split($0, F, ",") }
FNR == 1 {
    delete c
    for (i = 1; i <= nf; i++) c[F[i]] = i
    wcol = 0
    if (where != "") { eq = index(where, "="); wcol = c[substr(where, 1, eq - 1)]; wval = substr(where, eq + 1) }
    k = c[col]
    next
}
{
    if (!k) next
    if (wcol && F[wcol] != wval) next
    if (lo != "" && F[c["layer"]] + 0 < lo + 0) next
    if (hi != "" && F[c["layer"]] + 0 > hi + 0) next
    v = F[k]
    if (v == "" || v == "nan" || v == "-nan" || v == "inf") next
    n++
    if (islog) { if (v + 0 == 0) { z++; next } if (v + 0 < 0) next; v = log(v + 0) / log(10) }
    else if (v == "-inf") { z++; next }
    v += 0
    if (mn == "" || v < mn) mn = v
    if (mx == "" || v > mx) mx = v
}
END { printf "%s %s %d %d\n", (mn == "" ? "nan" : mn), (mx == "" ? "nan" : mx), z, n }
