# Shared awk functions of scripts/figures-runs and scripts/report (POSIX awk; mawk is
# Debian's default): CSV lines with quoted fields, a sweep's sweep.json and index.csv, a
# run's run.json. The JSON readers rely on cJSON's pretty printing (one key per line),
# which is what gradtrace writes.

# Splits one CSV line into f[1..n] (double-quoted fields may hold commas and ""); returns n.
function csv_split(line, f,    n, i, c, q, cur) {
    n = 0; cur = ""; q = 0
    for (i = 1; i <= length(line); i++) {
        c = substr(line, i, 1)
        if (q) {
            if (c == "\"") {
                if (substr(line, i + 1, 1) == "\"") { cur = cur "\""; i++ }
                else q = 0
            } else cur = cur c
        } else if (c == "\"") q = 1
        else if (c == ",") { f[++n] = cur; cur = "" }
        else if (c != "\r") cur = cur c
    }
    f[++n] = cur
    return n
}

# A JSON string literal's text (the part between the quotes) unescaped.
function json_unescape(s,    out, i, c, d) {
    out = ""
    for (i = 1; i <= length(s); i++) {
        c = substr(s, i, 1)
        if (c != "\\") { out = out c; continue }
        d = substr(s, ++i, 1)
        if (d == "n") out = out "\n"
        else if (d == "t") out = out "\t"
        else if (d == "r") out = out ""
        else if (d == "u") { out = out "?"; i += 4 }
        else out = out d
    }
    return out
}

# For a line `"key": value[,]` sets JKEY and JVAL (strings unquoted and unescaped; JSTR
# is 1 for a string value) and returns 1; 0 for any other line.
function json_line(line,    rest, k) {
    sub(/^[ \t]+/, "", line)
    if (substr(line, 1, 1) != "\"") return 0
    if (!match(line, /^"([^"\\]|\\.)*"[ \t]*:[ \t]*/)) return 0
    k = substr(line, 1, RLENGTH)
    rest = substr(line, RLENGTH + 1)
    sub(/[ \t]*:[ \t]*$/, "", k)
    JKEY = json_unescape(substr(k, 2, length(k) - 2))
    sub(/[ \t]*,?[ \t]*$/, "", rest)
    JSTR = substr(rest, 1, 1) == "\""
    JVAL = JSTR ? json_unescape(substr(rest, 2, length(rest) - 2)) : rest
    return 1
}

# Reads DIR/sweep.json: SW_name, SW_title, SW_claim, SW_description, SW_experiment, the
# points SW_id[1..SW_n] with SW_arg[i, key], and the keys in first-seen order
# SW_key[1..SW_nkeys]. Returns 0 when the file is missing.
function sweep_load(dir,    path, line, inargs, i, seen) {
    path = dir "/sweep.json"
    SW_n = 0; SW_nkeys = 0; inargs = 0
    if ((getline line < path) <= 0) return 0
    do {
        if (inargs) {
            if (line ~ /^[ \t]*}/) { inargs = 0; continue }
            if (json_line(line)) {
                SW_arg[SW_n, JKEY] = JVAL
                if (!((JKEY) in seen)) { seen[JKEY] = 1; SW_key[++SW_nkeys] = JKEY }
            }
            continue
        }
        if (!json_line(line)) continue
        if (JKEY == "id" && SW_n_started) SW_id[++SW_n] = JVAL
        else if (JKEY == "args" && JVAL == "{") inargs = 1
        else if (JKEY == "points") SW_n_started = 1
        else if (!SW_n_started && JKEY == "name") SW_name = JVAL
        else if (!SW_n_started && JKEY == "title") SW_title = JVAL
        else if (!SW_n_started && JKEY == "claim") SW_claim = JVAL
        else if (!SW_n_started && JKEY == "description") SW_description = JVAL
        else if (!SW_n_started && JKEY == "experiment") SW_experiment = JVAL
    } while ((getline line < path) > 0)
    close(path)
    SW_n_started = 0
    return 1
}

# Reads DIR/index.csv: IX_n rows, IX_id[i], IX_v[i, column name], the header IX_col[1..IX_ncol],
# and IX_row[id] = i. Returns 0 when the file is missing.
function index_load(dir,    path, line, f, n, i, r) {
    path = dir "/index.csv"
    IX_n = 0
    if ((getline line < path) <= 0) return 0
    IX_ncol = csv_split(line, IX_col)
    while ((getline line < path) > 0) {
        n = csv_split(line, f)
        r = ++IX_n
        for (i = 1; i <= IX_ncol; i++) IX_v[r, IX_col[i]] = i <= n ? f[i] : ""
        IX_id[r] = f[1]
        IX_row[f[1]] = r
    }
    close(path)
    return 1
}

# Reads a run directory's run.json into RJ[path] with dotted paths ("config.depth",
# "summary.final_test_acc", "status"). Returns 0 when missing.
function runjson_load(dir,    path, line, depth, stack, p, i) {
    for (p in RJ) delete RJ[p]
    path = dir "/run.json"
    depth = 0
    if ((getline line < path) <= 0) return 0
    do {
        if (line ~ /^[ \t]*}/) { if (depth > 0) depth--; continue }
        if (!json_line(line)) continue
        p = ""
        for (i = 1; i <= depth; i++) p = p stack[i] "."
        if (!JSTR && JVAL == "{") { stack[++depth] = JKEY; continue }
        RJ[p JKEY] = JVAL
    } while ((getline line < path) > 0)
    close(path)
    return 1
}

# 1 when a CSV field holds -inf (an exact zero on a log10 scale).
function is_neginf(s) { return s == "-inf" }
# 1 when a CSV field holds a finite number.
function is_num(s) { return s != "" && s != "nan" && s != "-nan" && s != "inf" && s != "-inf" }
