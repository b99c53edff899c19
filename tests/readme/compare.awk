# tests/readme/compare.awk: README's numbers (the E records of tests/readme/extract.awk,
# the second file) against what tests/readme/run found (the first file, KEY<TAB>VALUE lines).
# Prints a line for each number that differs (where in README, what README shows, what
# gradtrace gives) and a summary; exit status 1 when one differs.
#   -v skip=REASON   skip the numbers that depend on the OpenBLAS kernels, saying why
#   -v core=NAME     the OpenBLAS kernels used, and -v secs=N the time taken, for the summary
BEGIN { FS = "\t" }
FILENAME == ARGV[1] { if (!($1 in got)) got[$1] = substr($0, length($1) + 2); next }
$1 == "P" && $2 == "cols" { ncol = split($4, col, "|"); next }
$1 == "E" { check($2, $3, $4, $5, $6, $7) }

function decimals(s) { return index(s, ".") ? length(s) - index(s, ".") : 0 }
function nz(s) { return s ~ /^-0(\.0*)?$/ ? substr(s, 2) : s }      # -0.00 reads as 0.00
function numbers(s,    n, w, i, c) { n = split(s, w, " "); for (i = 1; i <= n; i++) c += w[i] ~ /^[-(]?[0-9][0-9.e+-]*[%,)]*$/; return c }
function differ(line, label, readme, binary) {
    printf "README.md:%d: %s: README shows %s, gradtrace gives %s\n", line, label, readme, binary; bad++
}

function check(key, type, dep, line, label, text,    v, a, b, na, nb, i, s, m, d) {
    if (dep == "core" && skip != "") { skipped += type == "row" ? split(text, a, " ") - 2 : type == "str" ? numbers(text) : 1; return }
    v = got[key]
    if (type == "str") {
        total += numbers(text)
        if (!(key in got)) differ(line, label, text, "nothing")
        else if (v != text) differ(line, label, "\"" text "\"", "\"" v "\"")
        return
    }
    if (type == "row") {
        na = split(text, a, " "); nb = split(v, b, " "); total += na - 2; d = 0
        if (v == text) return
        for (i = 1; i <= na || i <= nb; i++)
            if (a[i] != b[i]) { differ(line, label ", " (i <= ncol ? col[i] : "column " i), i <= na ? a[i] : "nothing", i <= nb ? b[i] : "nothing"); d++ }
        if (!d) differ(line, label " (spacing)", "\"" text "\"", "\"" v "\"")
        return
    }
    total++
    if (v !~ /^-?[0-9]+(\.[0-9]*)?(e[-+]?[0-9]+)?$/) { differ(line, label, text, (key in got) ? "\"" v "\", not a number" : "nothing"); return }
    if (type == "num") {
        if (text !~ /^-?[0-9]+(\.[0-9]+)?$/) { differ(line, label " (README's text is not a decimal)", text, v); return }
        s = nz(sprintf("%." decimals(text) "f", v))
        if (s != nz(text)) differ(line, label, text, s " (" v ")")
    } else if (type == "pow10") {
        m = text; sub(/e.*/, "", m)
        s = sprintf("%." decimals(m) "e", 10 ^ v)
        if (s != text) differ(line, label, text, s " (10^" v ")")
    } else differ(line, label " (unknown check " type ")", text, v)
}

END {
    if (bad) {
        printf "tests/readme: FAIL: %d of the %d numbers README.md shows differ from what gradtrace gives%s\n", bad, total, skip != "" ? " (" skipped " more skipped: " skip ")" : ""
        exit 1
    }
    if (skip != "") printf "tests/readme: %d numbers match README.md (%d s); %d more SKIPPED: %s\n", total, secs, skipped, skip
    else printf "tests/readme: %d numbers match README.md (OpenBLAS core %s, %d s)\n", total, core, secs
}
