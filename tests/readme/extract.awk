# tests/readme/extract.awk: finds in README.md the example outputs tests/readme/run checks
# and prints, one tab-separated record a line, what to run and what README shows:
#   P  NAME  KEY  VALUE                 a command or parameter for tests/readme/run
#   E  KEY  TYPE  DEP  LINE  LABEL  TEXT  README's TEXT at LINE, to compare with the value
#      tests/readme/run finds for KEY; TYPE str (the same text), row (a demo-table row, field
#      by field), num (a decimal at TEXT's digits), pow10 (10^value as TEXT's d.de-N);
#      DEP is "core" when the value depends on the OpenBLAS kernels
# Each block is found by its own header line or phrase; one that is missing ends it with a
# line naming it and exit status 1, so a reformatted README cannot switch a check off.
BEGIN { OFS = "\t"; FS = "\n" }

function fail(msg) { print "tests/readme: FAIL: README.md: " msg >"/dev/stderr"; failed = 1; exit 1 }
function emit(key, type, dep, line, label, text) { print "E", key, type, dep, line, label, text }
function param(name, key, value) { print "P", name, key, value }
function unminus(s) { gsub(/−/, "-", s); return s }
function trim(s) { sub(/^[ \t]+/, "", s); sub(/[ \t]+$/, "", s); return s }
# the README line of the current paragraph that holds text (after unminus)
function where(text,    i) { for (i = 1; i <= np; i++) if (index(unminus(p[i]), text)) return pl[i]; return pl[1] }

# ---- fenced blocks ----------------------------------------------------------------------
/^```/ {
    if (!infence) { endpar(); infence = 1; lang = substr($0, 4); nb = 0; next }
    infence = 0; block()
    plang = lang; pnb = nb; for (i = 1; i <= nb; i++) pb[i] = b[i]
    next
}
infence { b[++nb] = $0; bl[nb] = NR; next }
/^#+ / { endpar(); section = $0; sub(/^#+ +/, "", section); next }
/^[ \t]*$/ { endpar(); next }
{ p[++np] = $0; pl[np] = NR }
END { if (failed) exit 1; endpar(); finish() }

function block(    i, cmd, c, k, text, key, n, f, rows, s, cols) {
    if (nb && b[1] ~ /^activation +init +L1 @0 /) {
        # the demo table; the paragraph before it names the kernels its numbers come from
        if (!match(prev, /OPENBLAS_CORETYPE=[A-Za-z0-9]+/))
            fail("the paragraph before the demo table (line " bl[1] ") names no OPENBLAS_CORETYPE=NAME, the OpenBLAS kernels its numbers come from")
        param("core", "-", substr(prev, RSTART + 18, RLENGTH - 18))
        emit("demo:header", "str", "core", bl[1], "demo table header", b[1])
        s = b[1]; cols = ""                    # column names for messages ("L1 @0" is one)
        while (match(s, /[^ ]+( @[^ ]+)?/)) { cols = cols (cols == "" ? "" : "|") substr(s, RSTART, RLENGTH); s = substr(s, RSTART + RLENGTH) }
        param("cols", "-", cols)
        rows = ""
        for (i = 2; i <= nb; i++) {
            n = split(b[i], f, " ")
            if (n < 3) continue
            emit("demo:" f[1] ":" f[2], "row", "core", bl[i], "demo table, " f[1] " " f[2], b[i])
            rows = rows " " f[1] "/" f[2]
        }
        if (rows == "") fail("the demo table (line " bl[1] ") has no rows")
        emit("demo:rows", "str", "core", bl[1], "demo table rows (activation/init)", substr(rows, 2))
        found["demo"] = 1
        return
    }
    if (nb && b[1] ~ /^activation +[a-z_]+, sigma_w2 /) {
        # `gradtrace theory`'s output, after the block with its command
        cmd = ""
        for (i = 1; i <= pnb; i++) if (pb[i] ~ /^build\/gradtrace theory /) cmd = pb[i]
        if (plang != "sh" || cmd == "" || cmd ~ /\\$/)
            fail("the theory output block (line " bl[1] ") does not follow a ```sh block with one `build/gradtrace theory ...` line")
        param("theory", "-", cmd)
        for (i = 1; i <= nb; i++) emit("theory:" i, "str", "-", bl[i], "theory output line " i, b[i])
        emit("theory:n", "str", "-", bl[1], "theory output: number of lines", nb)
        found["theory"] = 1
        return
    }
    if (lang != "sh") return
    if (section == "A worked example") {
        cmd = ""
        for (i = 1; i <= nb; i++) {
            if (b[i] ~ /^awk .*#/) {
                # `awk ... runs/X/layers.csv   # -25.5: 3e-26`: the command, then its output
                c = b[i]; k = 0
                while (match(substr(c, k + 1), /#/)) k += RSTART
                text = trim(substr(c, k + 1)); c = trim(substr(c, 1, k - 1))
                key = "awk:" ++nawk
                param("awk", key, c)
                n = split(text, f, ":")
                emit(key, "num", "-", bl[i], "worked example, `" c "`", trim(f[1]))
                if (n > 1) emit(key, "pow10", "-", bl[i], "worked example, `" c "` as a power of ten", trim(f[2]))
                found["awk"] = 1
            } else if (cmd != "" || b[i] ~ /^build\/gradtrace run /) {
                cmd = cmd b[i]
                if (sub(/\\$/, "", cmd)) continue
                param("run", "-", cmd); nrun++
                if (nrun == 1) firstrun = cmd
                cmd = ""
                found["run"] = 1
            }
        }
        return
    }
    # the mean-field example: a run and `gradtrace theory ... --csv > FILE`
    mfrun = mftheory = ""
    for (i = 1; i <= nb; i++) {
        if (cmd != "" || b[i] ~ /^build\/gradtrace run /) { cmd = cmd b[i]; if (sub(/\\$/, "", cmd)) continue; mfrun = cmd; cmd = "" }
        else if (b[i] ~ /^build\/gradtrace theory .*--csv *> *[^ ]+$/) mftheory = b[i]
    }
    if (mfrun == "" || mftheory == "") mfrun = mftheory = ""
}

# ---- paragraphs (runs of non-blank lines outside fences; a table is one) ----------------
function endpar(    s, i) {
    if (!np) return
    s = p[1]; for (i = 2; i <= np; i++) s = s " " trim(p[i])
    s = unminus(s)
    if (p[1] ~ /^\| width \| depth \| born dead, he-normal \| exact \| born dead, rai \|/) census()
    else {
        if (section == "A worked example" && index(s, "`--dtype float64`")) float64(s)
        if (match(s, /layer [0-9]+ (is )?at -?[0-9.]+ (measured )?against -?[0-9.]+/)) meanfield(s)
        if (index(s, "tanh gives ")) critical(s)
        if (match(s, /[a-z_]+ at σb² = [0-9.]+ near σw² = [0-9.]+/)) jump(substr(s, RSTART, RLENGTH))
    }
    prev = s; np = 0
}

# "(-25.5336326 against -25.533632598193137)": float32 against float64, as layers.csv prints them
function float64(s,    t, f) {
    if (!match(s, /\(-?[0-9][0-9.e-]* against -?[0-9][0-9.e-]*\)/)) fail("the worked example's `--dtype float64` sentence (line " pl[1] ") has no `(FLOAT32 against FLOAT64)`")
    t = substr(s, RSTART + 1, RLENGTH - 2); split(t, f, " ")
    param("float64", "-", firstrun)
    emit("f64:32", "str", "core", where(f[1]), "float64 sentence, the float32 run's value", f[1])
    emit("f64:64", "str", "-", where(f[3]), "float64 sentence, the float64 run's value", f[3])
    found["float64"] = 1
}

# "layer 1 is at -0.85 measured against -0.90 predicted, layer 10 at -0.24 against -0.28"
function meanfield(s,    t, f, n, j, meas, pairs, k) {
    if (mfrun == "") fail("the mean-field sentence (line " pl[1] ") does not follow a ```sh block with a `build/gradtrace run` and a `build/gradtrace theory ... --csv > FILE`")
    param("mfrun", "-", mfrun); param("mftheory", "-", mftheory)
    t = s; pairs = gsub(/ against /, "", t)     # each comparison must be one the test reads
    while (match(s, /layer [0-9]+ (is )?at -?[0-9.]+ (measured )?against -?[0-9.]+/)) {
        t = substr(s, RSTART, RLENGTH); s = substr(s, RSTART + RLENGTH)
        n = split(t, f, " "); meas = ""; sub(/\.$/, "", f[n])
        for (j = 3; j < n; j++) if (f[j] == "at") meas = f[j + 1]
        emit("mf:" f[2] ":measured", "num", "-", where(meas), "mean-field, layer " f[2] " measured", meas)
        emit("mf:" f[2] ":predicted", "num", "-", where(f[n]), "mean-field, layer " f[2] " predicted", f[n])
        k++
    }
    if (k != pairs) fail("the mean-field paragraph (line " pl[1] ") compares " pairs " pairs (`against`), of which " k " read `layer N is at X measured against Y` or `layer N at X against Y`")
    found["meanfield"] = 1
}

# "tanh gives 1 at σb² = 0 and 1.7609546 at 0.05, relu 2, leaky_relu 2/(1+α²), sigmoid 103.0"
function critical(s,    f) {
    s = substr(s, index(s, "tanh gives "))
    if (!match(s, /^tanh gives [0-9.]+ at σb² = [0-9.]+ and [0-9.]+ at [0-9.]+, relu [0-9.]+, leaky_relu 2\/\(1\+α²\), sigmoid [0-9.]+/))
        fail("the `--critical` sentence (line " pl[1] ") is not `tanh gives X at σb² = B and Y at B2, relu R, leaky_relu 2/(1+α²), sigmoid S`")
    split(substr(s, 1, RLENGTH), f, " ")
    sub(/,$/, "", f[11]); sub(/,$/, "", f[13])
    crit("tanh", f[7], f[3], "gives " f[3]); crit("tanh", f[11], f[9], f[9] " at"); crit("relu", 0, f[13], "relu " f[13])
    crit("sigmoid", 0, f[17], "sigmoid " f[17])
    # 2/(1+α²) at the default α = 0.01, at 8 decimals
    param("crit", "crit:leaky_relu:0", "leaky_relu 0")
    emit("crit:leaky_relu:0", "num", "-", where("leaky_relu 2/"), "--critical, leaky_relu: 2/(1+α²) at α = 0.01", sprintf("%.8f", 2 / (1 + 0.01 * 0.01)))
    found["critical"] = 1
}
function crit(act, b2, text, context) {
    param("crit", "crit:" act ":" b2, act " " b2)
    emit("crit:" act ":" b2, "num", "-", where(context), "--critical, " act " at sigma_b2 " b2, text)
}
# "swish at σb² = 0.5 near σw² = 2.0017": where --critical reports the jump
function jump(t,    f) {
    split(t, f, " ")
    crit(f[1], f[5], f[9], "σw² = " f[9])
    found["jump"] = 1
}

# the rai table: "| 2 | 10 | 0.946 | 0.944 | 0.406 |" after "(`--bias on`, 10000 trials, seed 1)"
function census(    i, n, f, w, d, ws, ds, seenw, seend) {
    if (!match(prev, /\(`--bias on`, [0-9]+ trials, seed [0-9]+\)/))
        fail("the paragraph before the census rai table (line " pl[1] ") has no (`--bias on`, N trials, seed S)")
    split(substr(prev, RSTART, RLENGTH), f, " ")
    param("census_trials", "-", f[3]); sub(/\)$/, "", f[6]); param("census_seed", "-", f[6])
    ws = ds = ""
    for (i = 2; i <= np; i++) {
        if (p[i] ~ /^\|[-:| ]+\|$/) continue
        n = split(p[i], f, "|")
        if (n != 7) fail("census rai table, line " pl[i] ": expected 5 columns")
        w = trim(f[2]); d = trim(f[3])
        emit("census:he-normal:" w ":" d ":fraction", "num", "-", pl[i], "census, width " w " depth " d ", born dead he-normal", trim(f[4]))
        emit("census:he-normal:" w ":" d ":exact", "num", "-", pl[i], "census, width " w " depth " d ", exact", trim(f[5]))
        emit("census:rai:" w ":" d ":fraction", "num", "-", pl[i], "census, width " w " depth " d ", born dead rai", trim(f[6]))
        if (!(w in seenw)) { seenw[w] = 1; ws = ws "," w }
        if (!(d in seend)) { seend[d] = 1; ds = ds "," d }
    }
    if (ws == "") fail("the census rai table (line " pl[1] ") has no rows")
    param("census_widths", "-", substr(ws, 2)); param("census_depths", "-", substr(ds, 2))
    found["census"] = 1
}

function finish(    k) {
    what["demo"] = "demo table: a block whose first line is `activation  init  L1 @0 ...`"
    what["run"] = "worked example's runs: `build/gradtrace run` in a ```sh block of `## A worked example`"
    what["awk"] = "worked example's awk lines: `awk ... # VALUE` in a ```sh block of `## A worked example`"
    what["float64"] = "worked example's float64 sentence: `--dtype float64` ... (A against B)"
    what["theory"] = "theory output: a block whose first line is `activation  NAME, sigma_w2 ...`"
    what["meanfield"] = "mean-field sentence: layer N is at X measured against Y"
    what["critical"] = "--critical sentence: tanh gives ..."
    what["jump"] = "--critical jump: ACT at σb² = B near σw² = X"
    what["census"] = "census rai table: header | width | depth | born dead, he-normal | exact | born dead, rai |"
    for (k in what) if (!(k in found)) { print "tests/readme: FAIL: README.md: cannot find the " what[k] >"/dev/stderr"; failed = 1 }
    if (!failed && (nrun < 2 || nawk < 2)) { print "tests/readme: FAIL: README.md: the worked example has " nrun + 0 " runs and " nawk + 0 " awk lines, expected 2 of each" >"/dev/stderr"; failed = 1 }
    if (failed) exit 1
}
