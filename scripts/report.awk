# The numbers and sentences of scripts/report (load after scripts/figures-lib.awk).
# Everything happens in BEGIN, selected by -v part=:
#   top      the page head, the claims and the list of experiments (names, results, topexp,
#            expdir, now, figures)
#   head     an experiment section's opening: title, claim, question, status (name, dir, ini)
#   body     the measured sentences and the exact configuration of a section
#   caption  a figure's caption (fig)
#   bottom   the page end
# Every number in a sentence is computed here from the run directories (layers.csv,
# steps.csv, census.csv, run.json), the sweep's sweep.json and index.csv, or
# activations.csv; the text around it chooses its words from the same numbers, so a result
# that qualifies a claim is reported as such.

# ---- formatting ----------------------------------------------------------------------------
function h(s) { gsub(/&/, "\\&amp;", s); gsub(/</, "\\&lt;", s); gsub(/>/, "\\&gt;", s); gsub(/"/, "\\&quot;", s); return s }
function minus(s) { sub(/^-/, "\342\210\222", s); return s }
# a log10 value as a power of ten; "exactly 0" for -inf
function p10(x, d) {
    if (x == "-inf") return "exactly 0"
    if (x == "" || x == "nan") return "n/a"
    if (d == "") d = (x + 0 > -0.95 && x + 0 < 0.95) ? 2 : 1
    return "10<sup>" minus(sprintf("%." d "f", x + 0)) "</sup>"
}
# a log10 ratio as a power of ten with the factor a reader takes in at once beside it:
# "10<sup>−0.88</sup> (×0.13)", "10<sup>−12.3</sup> (10<sup>12</sup> times smaller)"
function r10(x,    e, n) {
    if (x == "-inf" || x == "" || x == "nan") return p10(x)
    e = x + 0
    if (e >= -1.5 && e <= 1.5) return p10(x) " (×" sprintf("%.2g", exp(e * log(10))) ")"
    n = e < 0 ? -e : e
    return p10(x) " (" (n < 5 ? round2(exp(n * log(10))) : "10<sup>" int(n + 0.5) "</sup>") " times " (e < 0 ? "smaller" : "larger") ")"
}
# a number >= 10 rounded to two significant digits, printed as an integer (1023 -> 1000)
function round2(v,    m) { m = exp((int(log(v) / log(10)) - 1) * log(10)); return sprintf("%d", int(v / m + 0.5) * m + 0.5) }
function f1(x) { return x == "" || x == "nan" ? "n/a" : minus(sprintf("%.1f", x + 0)) }
function f2(x) { return x == "" || x == "nan" ? "n/a" : minus(sprintf("%.2f", x + 0)) }
function f3(x) { return x == "" || x == "nan" ? "n/a" : minus(sprintf("%.3f", x + 0)) }
function pct(x) {
    if (x == "" || x == "nan") return "n/a"
    x = 100 * x
    if (x == 0) return "0 %"
    if (x < 0.1) return sprintf("%.2g %%", x)
    return sprintf("%.1f %%", x)
}
function num(x) { return is_num(x) }
function code(s) { return "<code>" h(s) "</code>" }
function li(s) { print "<li>" s "</li>" }
function verdict(kind, text) { print "<p class=\"verdict " kind "\"><b>" (kind == "confirms" ? "Confirms" : kind == "qualifies" ? "Qualifies" : kind == "contradicts" ? "Does not confirm" : "Inconclusive") ":</b> " text "</p>" }
function abs(x) { return x < 0 ? -x : x }

# ---- the claims (DESIGN.md section 1) ------------------------------------------------------
function claims_init() {
    CL["S1"] = "sigmoid' <= 0.25, so gradients shrink layer by layer in deep sigmoid nets"
    CL["S2"] = "tanh is zero-centred but still vanishes when it saturates"
    CL["S3"] = "ReLU' = 1 for x > 0: with He init the gradient does not vanish"
    CL["S4"] = "ReLU activations are sparse (many exact zeros), which saves compute"
    CL["S5"] = "dying ReLU: a unit at 0 for every input gets no gradient and does not come back"
    CL["S6"] = "Leaky ReLU (slope 0.01) keeps gradient flowing for x < 0"
    CL["S7"] = "backprop through ReLU uses 1 for x > 0 and 0 for x <= 0 (a choice at 0)"
    CL["S8"] = "sigmoid is not zero-centred, so a unit's incoming weight gradients share a sign (zig-zag updates)"
    CL["S9"] = "sigmoid's output reads as a probability"
    CL["I1"] = "orthogonal init at criticality keeps the Jacobian spectrum concentrated (dynamical isometry); ReLU cannot"
    CL["C1"] = "gradient clipping keeps an exploding network trainable"
    CL["R1"] = "skip connections keep the gradient from vanishing with depth"
    CL["N1"] = "batch normalization keeps deep sigmoid/tanh networks trainable"
}
function claim_html(c,    n, parts, i, k, s) {
    n = split(c, parts, /[ ,]+/)
    s = ""
    for (i = 1; i <= n; i++) {
        k = parts[i]
        if (k in CL) s = s "<li><b>" k "</b>: " h(CL[k]) "</li>"
    }
    return s == "" ? "<p class=\"claim\"><b>Tests:</b> " h(c) "</p>" : "<ul class=\"claim\">" s "</ul>"
}

# ---- experiment files ---------------------------------------------------------------------
# Reads [experiment] name/title/claim/description of an .ini into INI[...] and its
# [run]/[sweep] lines into INI_RUN (text).
function ini_load(path,    line, sec, key, val, last) {
    for (key in INI) delete INI[key]
    INI_RUN = ""
    if (path == "") return 0
    sec = ""
    while ((getline line < path) > 0) {
        if (line ~ /^[ \t]*;/ || line ~ /^[ \t]*#/) continue
        if (line ~ /^[ \t]*\[/) { sec = line; gsub(/[ \t\[\]]/, "", sec); if (sec != "experiment") INI_RUN = INI_RUN line "\n"; continue }
        if (sec == "experiment") {
            if (line ~ /^[ \t]+[^ \t]/ && last != "") { sub(/^[ \t]+/, " ", line); INI[last] = INI[last] line; continue }
            if (line !~ /=/) continue
            key = line; sub(/[ \t]*=.*/, "", key); sub(/^[ \t]+/, "", key)
            val = line; sub(/^[^=]*=[ \t]*/, "", val)
            INI[key] = val; last = key
        } else if (sec != "" && line ~ /[^ \t]/) INI_RUN = INI_RUN line "\n"
    }
    close(path)
    return 1
}

# ---- run data -------------------------------------------------------------------------------
# For every finished point i (1..SW_n): OK[i] = 1, DEP[i] (hidden layers), V[i, step, layer,
# column] for the layers.csv columns in LCOLS, STEPS i's logged steps ST[i, 1..NS[i]] with
# LAST[i], the steps.csv loss/test_acc/grad_l2/clipped per step (LOSS[i, s], ACC[i, s],
# GL2[i, s], CLIP[i, s]; the steps in SS[i, k], NSS[i]), the census means over hidden
# layers CD[i, s] (dead), CR[i, s] (revived), CSAT[i, s], CNP[i, s] (frac_nonpositive), the
# census steps CS[i, k], NCS[i], and the per-layer census CDL[i, s, layer];
# run.json values RJV[i, path] for the paths in RJKEYS.
function load_all(    i, st) {
    LCOLS = "fan_in fan_out grad_w_log10 delta_log10 act_mean act_std frac_zero frac_dead_batch frac_saturated frac_preact_zero sign_coherence frac_update_zero"
    RJKEYS = "status summary.final_test_acc summary.final_test_loss summary.last_loss summary.steps_done summary.diverged_at_step timings.total_seconds config.depth resolved.steps resolved.train_size resolved.test_size resolved.probe_size blas.core gradtrace_version dtype"
    NLC = split(LCOLS, LC, " ")
    NRJ = split(RJKEYS, RK, " ")
    if (!sweep_load(dir)) return 0
    index_load(dir)
    NOK = 0
    for (i = 1; i <= SW_n; i++) {
        st = (SW_id[i] in IX_row) ? IX_v[IX_row[SW_id[i]], "status"] : "pending"
        STATUS[i] = st
        if (st != "complete" && st != "diverged") continue
        OK[i] = 1; NOK++
        load_run(i, dir "/runs/" SW_id[i])
    }
    return 1
}
function load_run(i, rdir,    path, line, f, n, c, k, s, l, j, v, seen, cs, sum, cnt, sumr, sums, sumnp) {
    if (runjson_load(rdir)) for (k = 1; k <= NRJ; k++) if (RK[k] in RJ) RJV[i, RK[k]] = RJ[RK[k]]
    DEP[i] = ((i, "depth") in SW_arg) ? SW_arg[i, "depth"] + 0 : RJV[i, "config.depth"] + 0
    path = rdir "/layers.csv"
    NS[i] = 0; LAST[i] = -1
    if ((getline line < path) > 0) {
        n = split(line, f, ","); for (k = 1; k <= n; k++) c[f[k]] = k
        while ((getline line < path) > 0) {
            split(line, f, ",")
            s = f[c["step"]] + 0; l = f[c["layer"]] + 0
            if (!((i, s) in HAVE_STEP)) { HAVE_STEP[i, s] = 1; ST[i, ++NS[i]] = s; if (s > LAST[i]) LAST[i] = s }
            for (j = 1; j <= NLC; j++) if (LC[j] in c) V[i, s, l, LC[j]] = f[c[LC[j]]]
            if (l > NLAY[i]) NLAY[i] = l
        }
        close(path)
    }
    for (k in c) delete c[k]
    path = rdir "/steps.csv"
    NSS[i] = 0
    if ((getline line < path) > 0) {
        n = split(line, f, ","); for (k = 1; k <= n; k++) c[f[k]] = k
        while ((getline line < path) > 0) {
            split(line, f, ",")
            s = f[c["step"]] + 0
            SS[i, ++NSS[i]] = s
            LOSS[i, s] = f[c["loss"]]
            if (f[c["test_acc"]] != "") ACC[i, s] = f[c["test_acc"]]
            if ("grad_l2" in c) GL2[i, s] = f[c["grad_l2"]]
            if ("clipped" in c) CLIP[i, s] = f[c["clipped"]]
        }
        close(path)
    }
    for (k in c) delete c[k]
    path = rdir "/census.csv"
    NCS[i] = 0
    if ((getline line < path) > 0) {
        n = split(line, f, ","); for (k = 1; k <= n; k++) c[f[k]] = k
        cs = ""
        while ((getline line < path) > 0) {
            split(line, f, ",")
            s = f[c["step"]] + 0; l = f[c["layer"]] + 0
            if (cs == "" || s != cs) {
                if (cs != "") census_mean(i, cs, sum, sumr, sums, sumnp, cnt, "frac_nonpositive" in c)
                cs = s; sum = 0; sumr = 0; sums = 0; sumnp = 0; cnt = 0; CS[i, ++NCS[i]] = s
            }
            sum += f[c["frac_dead"]]; sumr += f[c["frac_revived"]]; sums += f[c["frac_saturated"]]; cnt++
            if ("frac_nonpositive" in c) sumnp += f[c["frac_nonpositive"]]
            CDL[i, s, l] = f[c["frac_dead"]]; CRL[i, s, l] = f[c["frac_revived"]]
        }
        if (cs != "") census_mean(i, cs, sum, sumr, sums, sumnp, cnt, "frac_nonpositive" in c)
        close(path)
    }
}
# the census means over the hidden layers at step s; CNP (frac_nonpositive) only when the
# traces have that column (gradtrace 0.2.0 on)
function census_mean(i, s, dead, rev, sat, np, n, have_np) {
    CD[i, s] = dead / n; CR[i, s] = rev / n; CSAT[i, s] = sat / n
    if (have_np) CNP[i, s] = np / n
}
# the value of a layers.csv column
function lv(i, s, l, col) { return ((i, s, l, col) in V) ? V[i, s, l, col] : "" }
# the mean of a layers.csv column over layers lo..hi at step s (numbers only; "" if none;
# "-inf" if any value is -inf)
function lmean(i, s, lo, hi, col,    l, v, sum, n, inf) {
    sum = 0; n = 0; inf = 0
    for (l = lo; l <= hi; l++) {
        v = lv(i, s, l, col)
        if (v == "-inf") inf = 1
        else if (is_num(v)) { sum += v; n++ }
    }
    if (inf) return "-inf"
    return n ? sum / n : ""
}
# the mean over all logged steps of lmean
function lmean_all(i, lo, hi, col,    k, v, sum, n) {
    sum = 0; n = 0
    for (k = 1; k <= NS[i]; k++) { v = lmean(i, ST[i, k], lo, hi, col); if (is_num(v)) { sum += v; n++ } }
    return n ? sum / n : ""
}
function lmax_all(i, lo, hi, col,    k, l, v, m) {
    m = ""
    for (k = 1; k <= NS[i]; k++) for (l = lo; l <= hi; l++) { v = lv(i, ST[i, k], l, col); if (is_num(v) && (m == "" || v + 0 > m)) m = v + 0 }
    return m
}
function loss0(i) { return NSS[i] ? LOSS[i, SS[i, 1]] : "" }
function lossN(i) { return NSS[i] ? LOSS[i, SS[i, NSS[i]]] : "" }
function test_acc(i) { return ((i, "summary.final_test_acc") in RJV) ? RJV[i, "summary.final_test_acc"] : "" }
function best_acc(i,    k, s, b) {
    b = ""
    for (k = 1; k <= NSS[i]; k++) { s = SS[i, k]; if (((i, s) in ACC) && (b == "" || ACC[i, s] + 0 > b)) b = ACC[i, s] + 0 }
    if (is_num(test_acc(i)) && (b == "" || test_acc(i) + 0 > b)) b = test_acc(i) + 0
    return b
}
function census_last(i) { return NCS[i] ? CS[i, NCS[i]] : "" }
function census_max(i, which,    k, m, v) {
    m = ""
    for (k = 1; k <= NCS[i]; k++) { v = which == "dead" ? CD[i, CS[i, k]] : CR[i, CS[i, k]]; if (m == "" || v > m) m = v }
    return m
}
function arg(i, key) { return ((i, key) in SW_arg) ? SW_arg[i, key] : "" }
# the first finished point matching "key=value,key=value" (a value ending in * matches by prefix)
function pick(filter,    n, fl, i, k, eq, key, val, ok) {
    n = split(filter, fl, ",")
    for (i = 1; i <= SW_n; i++) {
        if (!OK[i]) continue
        ok = 1
        for (k = 1; k <= n && ok; k++) {
            eq = index(fl[k], "="); key = substr(fl[k], 1, eq - 1); val = substr(fl[k], eq + 1)
            if (val ~ /\*$/) { if (index(arg(i, key), substr(val, 1, length(val) - 1)) != 1) ok = 0 }
            else if (arg(i, key) != val) ok = 0
        }
        if (ok) return i
    }
    return 0
}
# the distinct values of a key over the finished points, space separated, in sweep order
function values(key,    i, s, v) {
    s = " "
    for (i = 1; i <= SW_n; i++) { if (!OK[i]) continue; v = arg(i, key); if (index(s, " " v " ") == 0) s = s v " " }
    sub(/^ /, "", s); sub(/ $/, "", s)
    return s
}
function usual_prefix(a) { return (a == "relu" || a == "leaky_relu") ? "he" : "xavier" }
function label(i) { return "<b>" h(arg(i, "activation")) "</b>/" h(arg(i, "init")) }

# ---- the configuration block ----------------------------------------------------------------
function config_block(    k, key, i, vals, seeds, nseeds, cmd, first) {
    print "<details class=\"config\"><summary>Exact configuration (from " h(dir) "/sweep.json)</summary>"
    printf "<pre>[run]\n"
    for (k = 1; k <= SW_nkeys; k++) {
        key = SW_key[k]
        vals = ""
        for (i = 1; i <= SW_n; i++) if (((i, key) in SW_arg) && index("," vals ",", "," SW_arg[i, key] ",") == 0) vals = vals (vals == "" ? "" : ",") SW_arg[i, key]
        if (key == "seed") { seeds = vals; continue }
        gsub(/,/, ", ", vals)
        printf "%s = %s\n", h(key), h(vals)
    }
    nseeds = split(seeds, first, ",")
    if (nseeds > 1) printf "\n[sweep]\nseeds = %d   ; seeds %s\n", nseeds, h(seeds)
    else printf "seed = %s\n", h(seeds)
    print "</pre>"
    cmd = "gradtrace sweep " (SW_experiment != "" ? SW_experiment : "EXPERIMENT.ini") " --out " dir " -j 2"
    print "<p>Run with " code(cmd) " (" SW_n " points; each point is one " code("gradtrace run") " with one BLAS thread). The first point, as a command:</p>"
    cmd = "gradtrace run"
    for (k = 1; k <= SW_nkeys; k++) if ((1, SW_key[k]) in SW_arg) cmd = cmd " --" SW_key[k] "=" SW_arg[1, SW_key[k]]
    print "<pre>" h(cmd) " --threads=1 --out=" h(dir "/runs/" SW_id[1]) "</pre></details>"
}

# ---- page parts -------------------------------------------------------------------------------
function top(    n, nm, i, k, t, cl, st, cnt, ok, s) {
    print "<!DOCTYPE html>"
    print "<html lang=\"en\"><head><meta charset=\"utf-8\"><title>gradtrace report</title>"
    print "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
    print "<style>"
    print "body{font-family:'DejaVu Sans',Helvetica,Arial,sans-serif;max-width:1200px;margin:2em auto;padding:0 1em;line-height:1.45;color:#222}"
    print "h1{margin-bottom:.2em} h2{border-top:2px solid #ddd;padding-top:1em;margin-top:2em} h2 .claimids{font-weight:normal;color:#666;font-size:.8em}"
    print "figure{margin:1.2em 0} figure img{max-width:100%;height:auto;border:1px solid #eee} figcaption{font-size:.92em;color:#333;margin-top:.4em}"
    print "figcaption .files{color:#888} .claim{background:#f6f8fa;padding:.5em 1em .5em 2em;border-left:4px solid #0072B2}"
    print ".verdict{padding:.6em 1em;border-left:4px solid #888;background:#fafafa} .verdict.confirms{border-color:#009E73} .verdict.qualifies{border-color:#E69F00} .verdict.contradicts{border-color:#D55E00}"
    print ".notrun{color:#a33;font-weight:bold} .more{padding:.5em 1em;background:#f6f8fa;border-left:4px solid #888} .nofig{color:#a33} table{border-collapse:collapse;font-size:.88em;margin:.6em 0} td,th{border:1px solid #ddd;padding:.2em .5em;text-align:right} th{background:#f3f3f3} td.l,th.l{text-align:left}"
    print "pre{background:#f6f8fa;padding:.6em;overflow-x:auto;font-size:.85em} code{background:#f3f3f3;padding:0 .2em} details{margin:.8em 0} .desc{color:#444}"
    print "</style></head><body>"
    print "<h1>gradtrace: measurements behind the vanishing-gradient claims</h1>"
    print "<table><tr><th class=l>#</th><th class=l>experiment</th><th class=l>claim</th><th>runs finished</th></tr>"
    n = split(ran, nm, " ")
    for (i = 1; i <= n; i++) {
        t = sec_title(nm[i]); cl = sec_claim(nm[i])
        if (nm[i] == "activations" || is_comp(nm[i])) st = "computed" (have(figures "/" nm[i] ".png") ? "" : ", figure not drawn")
        else {
            index_load(results "/" nm[i]); cnt = 0; ok = 0
            for (k = 1; k <= IX_n; k++) { cnt++; st = IX_v[k, "status"]; if (st == "complete" || st == "diverged") ok++ }
            st = ok " of " cnt
        }
        printf "<tr><td class=l>%d</td><td class=l><a href=\"#%s\">%s</a></td><td class=l>%s</td><td>%s</td></tr>\n", i, nm[i], h(t), h(cl), st
    }
    print "</table>"
    n = split(notrun, nm, " ")
    if (n > 0) {
        s = ""
        for (i = 1; i <= n; i++) s = s (i > 1 ? "; " : "") h(sec_title(nm[i]))
        printf "<p class=more><b>%d more experiment%s: " code("make figures report") "</b> in the project's top directory runs %s into " code("results/") ", draws " code("figures/") " and writes " code("report/index.html") " (about 20 minutes on 2 cores): %s.</p>\n", n, n == 1 ? "" : "s", n == 1 ? "it" : "them", s
    }
}
# the title and claims of section nm, from its sweep, else its experiment file
function sec_title(nm) {
    if (nm == "activations") return "The activations and their derivatives"
    if (is_comp(nm)) return comp_title(nm)
    if (sweep_load(results "/" nm) && SW_title != "") return SW_title
    if (ini_load(ini_path(nm)) && INI["title"] != "") return INI["title"]
    return nm
}
# the experiment file of nm: the one in expdir, else the repository's ("" if neither)
function ini_path(nm) { return have(expdir "/" nm ".ini") ? expdir "/" nm ".ini" : have(topexp "/" nm ".ini") ? topexp "/" nm ".ini" : "" }
function sec_claim(nm) {
    if (nm == "activations") return "S1, S3, S6, S7"
    if (is_comp(nm)) return comp_claim(nm)
    if (sweep_load(results "/" nm)) return SW_claim
    if (ini_load(ini_path(nm))) return INI["claim"]
    return ""
}
function is_comp(nm) { return nm ~ /^(theory_grad_profile|borndead|theory_phase)$/ }
# part=ran: the sections among names, activations and the computed ones whose data are
# there, in that order (an experiment: its sweep.json and index.csv)
function ran_list(    n, nm, i, s) {
    n = split(names " activations theory_grad_profile borndead theory_phase", nm, " "); s = ""
    for (i = 1; i <= n; i++) {
        if (nm[i] == "activations" ? have(results "/activations.csv") : is_comp(nm[i]) ? comp_missing(nm[i]) == "" : have(results "/" nm[i] "/sweep.json") && have(results "/" nm[i] "/index.csv"))
            s = s (s == "" ? "" : " ") nm[i]
    }
    print s
}

function head(    t, c, d) {
    if (name == "activations") {
        print "<section id=\"activations\"><h2>The activations and their derivatives <span class=claimids>(S1, S3, S6, S7)</span></h2>"
        print claim_html("S1, S3, S6, S7")
        print "<p class=desc>f and f' of sigmoid, tanh, relu and leaky_relu on a grid of x, printed by " code("gradtrace activations") " from the activation table that training uses (the derivative at relu's kink included), not by the plotting program's formulas.</p>"
        return
    }
    t = ""; c = ""; d = ""
    if (sweep_load(dir)) { t = SW_title; c = SW_claim; d = SW_description }
    else if (ini_load(ini)) { t = INI["title"]; c = INI["claim"]; d = INI["description"] }
    if (t == "") t = name
    print "<section id=\"" h(name) "\"><h2>" h(t) " <span class=claimids>(" h(c) ")</span></h2>"
    print claim_html(c)
    if (d != "") print "<p class=desc>" h(d) "</p>"
}

function body(    i, n, ok, fail, pend, secs) {
    load_all()
    ok = 0; fail = 0; pend = 0; secs = 0
    for (i = 1; i <= SW_n; i++) {
        if (OK[i]) { ok++; secs += RJV[i, "timings.total_seconds"] }
        else if (STATUS[i] == "failed") fail++
        else pend++
    }
    printf "<p class=status>%d of %d runs finished (%s)%s%s; %.0f s of run time, summed over the runs.</p>\n", ok, SW_n, \
        ok ? "gradtrace " h(RJV[first_ok(), "gradtrace_version"]) ", OpenBLAS core " h(RJV[first_ok(), "blas.core"]) : "none", \
        fail ? sprintf(", <span class=notrun>%d failed (see %s/logs/)</span>", fail, h(dir)) : "", \
        pend ? sprintf(", <span class=notrun>%d not run yet</span>", pend) : "", secs
    if (ok == 0) { print "<p class=notrun>No finished runs: nothing to measure.</p>"; config_block(); return }
    print "<h3>What the runs show</h3>"
    if (name == "grad_profile") body_grad_profile()
    else if (name == "depth_scan") body_depth_scan()
    else if (name == "sparsity") body_sparsity()
    else if (name == "dying_relu") body_dying_relu()
    else if (name == "relu_grad_at_zero") body_relu_grad_at_zero()
    else if (name == "sign_coherence") body_sign_coherence()
    else if (name == "glorot2010") body_glorot()
    else if (name == "he2015") body_he()
    else if (name == "fmnist_curves") body_fmnist()
    else if (name == "isometry") body_isometry()
    else if (name == "isometry-train") body_isometry_train()
    else if (name == "clipping") body_clipping()
    else if (name == "cures") body_cures()
    else if (name == "residual") body_residual()
    else if (name == "normalization") body_normalization()
    else body_generic()
    config_block()
}
function first_ok(    i) { for (i = 1; i <= SW_n; i++) if (OK[i]) return i; return 0 }

# a table of every finished run: label columns (the sweep's axes but seed) and the
# final numbers
function runs_table(extra,    i, k, ax, nax, a) {
    nax = 0
    for (k = 1; k <= SW_nkeys; k++) { a = SW_key[k]; if (a != "seed" && values(a) ~ / /) ax[++nax] = a }
    if (values("seed") ~ / /) ax[++nax] = "seed"
    printf "<table><tr>"
    for (k = 1; k <= nax; k++) printf "<th class=l>%s</th>", h(ax[k])
    print "<th>loss, first step</th><th>loss, last step</th><th>test accuracy</th><th>status</th></tr>"
    for (i = 1; i <= SW_n; i++) {
        if (!OK[i]) continue
        printf "<tr>"
        for (k = 1; k <= nax; k++) printf "<td class=l>%s</td>", h(arg(i, ax[k]))
        printf "<td>%s</td><td>%s</td><td>%s</td><td>%s</td></tr>\n", f3(loss0(i)), f3(lossN(i)), pct(test_acc(i)), h(STATUS[i])
    }
    print "</table>"
}

function body_generic() {
    print "<ul>"; li("No sentences are written for this experiment; the table lists every finished run."); print "</ul>"
    runs_table()
}

# ---- experiment 1: gradient profiles ------------------------------------------------------------
function body_grad_profile(    depths, nd, D, k, a, acts, na, j, i, iu, io, r0, rN, ds, tanh_q, sig, rel, s, sat0, satN, m) {
    depths = values("depth"); nd = split(depths, D, " ")
    acts = values("activation"); na = split(acts, A, " ")
    print "<ul>"
    for (k = 1; k <= nd; k++) {
        ds = D[k]
        s = ""
        for (j = 1; j <= na; j++) {
            a = A[j]
            iu = pick("activation=" a ",depth=" ds ",init=" usual_prefix(a) "*")
            if (!iu) continue
            r0 = grad_ratio(iu, 0)
            s = s (s == "" ? "" : "; ") sprintf("with %s it is %s", label(iu), r10(r0))
            RATIO0[a, ds] = r0; RATION[a, ds] = grad_ratio(iu, LAST[iu]); RUN_U[a, ds] = iu
        }
        li("At initialisation, in the " ds "-layer nets, layer 1 receives this share of layer " ds "'s weight gradient (‖∂L/∂W<sub>1</sub>‖ / ‖∂L/∂W<sub>" ds "</sub>‖): " s ".")
    }
    # the other init
    for (k = 1; k <= nd; k++) {
        ds = D[k]; s = ""
        for (j = 1; j <= na; j++) {
            a = A[j]
            io = 0
            for (i = 1; i <= SW_n; i++) if (OK[i] && arg(i, "activation") == a && arg(i, "depth") == ds && index(arg(i, "init"), usual_prefix(a)) != 1) { io = i; break }
            if (!io) continue
            s = s (s == "" ? "" : "; ") sprintf("%s: ratio %s, layer 1 at %s", label(io), r10(grad_ratio(io, 0)), p10(lv(io, 0, 1, "grad_w_log10")))
        }
        if (s != "") li("With the other initialiser (depth " ds "): " s ".")
    }
    # training
    for (k = 1; k <= nd; k++) {
        ds = D[k]; s = ""
        for (j = 1; j <= na; j++) {
            a = A[j]; iu = RUN_U[a, ds]
            if (!iu) continue
            s = s (s == "" ? "" : "; ") sprintf("%s: ratio %s at step %d, loss %s → %s", label(iu), r10(RATION[a, ds]), LAST[iu], f2(loss0(iu)), f2(lossN(iu)))
        }
        li("After training (depth " ds ", usual init): " s " (ln 10 = 2.30 is the loss of a uniform guess over 10 classes).")
    }
    # saturation of tanh and sigmoid
    for (k = 1; k <= nd; k++) {
        ds = D[k]
        for (j = 1; j <= na; j++) {
            a = A[j]; iu = RUN_U[a, ds]
            if (!iu || (a != "tanh" && a != "sigmoid")) continue
            SAT0[a, ds] = lmean(iu, 0, 1, DEP[iu], "frac_saturated"); SATN[a, ds] = lmean(iu, LAST[iu], 1, DEP[iu], "frac_saturated")
        }
    }
    s = ""
    for (k = 1; k <= nd; k++) if (("tanh", D[k]) in SAT0) s = s (s == "" ? "" : "; ") sprintf("depth %s: %s at step 0, %s at the end", D[k], pct(SAT0["tanh", D[k]]), pct(SATN["tanh", D[k]]))
    if (s != "") li("Saturated tanh units (f'(z) &lt; 0.01 on a (unit, sample) entry, mean over hidden layers): " s ".")
    print "</ul>"
    # verdicts
    ds = D[1]
    sig = RATIO0["sigmoid", ds]; rel = RATIO0["relu", ds]
    if (is_num(sig))
        verdict(sig < -3 ? "confirms" : "contradicts", sprintf("S1 — sigmoid's layer-1 gradient is %s of the last hidden layer's at depth %s%s.", r10(sig), ds, nd > 1 && is_num(RATIO0["sigmoid", D[nd]]) ? sprintf(" and %s at depth %s", r10(RATIO0["sigmoid", D[nd]]), D[nd]) : ""))
    if (is_num(rel))
        verdict(rel > -1.5 ? "confirms" : "contradicts", sprintf("S3 — relu with He init keeps layer 1 within %s of layer %s (depth %s)%s.", r10(rel), ds, ds, nd > 1 && is_num(RATIO0["relu", D[nd]]) ? sprintf(", %s at depth %s", r10(RATIO0["relu", D[nd]]), D[nd]) : ""))
    s6_verdict(RUN_U["leaky_relu", ds], RUN_U["relu", ds], "with He init at depth " ds)
    tanh_q = RATIO0["tanh", ds]
    if (is_num(tanh_q)) {
        if (tanh_q > -2)
            verdict("qualifies", sprintf("S2 — tanh with Xavier init does <em>not</em> vanish here: layer 1 gets %s of layer %s's gradient at depth %s%s, and %s of its units are saturated at step 0. S2's vanishing needs saturation; Xavier's initial scale avoids it in this setting.", \
                r10(tanh_q), ds, ds, nd > 1 && is_num(RATIO0["tanh", D[nd]]) ? sprintf(" (%s at depth %s)", r10(RATIO0["tanh", D[nd]]), D[nd]) : "", SAT0["tanh", ds] + 0 == 0 ? "none" : "only " pct(SAT0["tanh", ds])))
        else verdict("confirms", sprintf("S2 — tanh's layer-1 gradient is %s of layer %s's at depth %s, with %s of units saturated.", r10(tanh_q), ds, ds, pct(SAT0["tanh", ds])))
    }
    runs_table_grad()
}
# S6 from the last census of a leaky_relu run il against a relu run ir of the same setting:
# a unit whose pre-activation is <= 0 on every probe input (frac_nonpositive) has f' = alpha
# there, so it is dead (frac_dead) only if it is exactly at 0; the relu unit is dead.
function s6_verdict(il, ir, where,    cl, cr, lnp, ld, rnp, rd, alpha, probes, rel) {
    if (!il) return
    cl = census_last(il); lnp = CNP[il, cl]; ld = CD[il, cl]
    alpha = arg(il, "alpha") != "" ? arg(il, "alpha") : "0.01"
    probes = RJV[il, "resolved.probe_size"]
    if (ir) { cr = census_last(ir); rnp = CNP[ir, cr]; rd = CD[ir, cr] }
    rel = !ir ? "" : is_num(rnp) ? sprintf(" relu %s: %s of its units are below 0 on every probe input, and %s dead (f' = 0 there: they pass nothing).", where, pct(rnp), rnp == rd ? "all of them are" : pct(rd) " are") : sprintf(" relu %s: %s of its units are dead.", where, pct(rd))
    if (!is_num(lnp)) { verdict("inconclusive", "S6 — these traces have no census " code("frac_nonpositive") " column (written since gradtrace 0.2.0), so the units of leaky_relu below 0 on every input cannot be counted."); return }
    if (ld + 0 > 0) verdict("contradicts", sprintf("S6 — %s of leaky_relu's hidden units (%s) are dead after training: f'(z) = 0 on every one of the %s probe inputs.%s", pct(ld), where, probes, rel))
    else if (lnp + 0 > 0) verdict("confirms", sprintf("S6 — leaky_relu keeps a gradient for x &lt; 0: after training (step %s, %s) %s of its hidden units have z ≤ 0 on every one of the %s probe inputs, where f'(z) = α = %s, and none of them is dead (frac_dead 0): each still passes ×%s of its δ to its weights.%s", \
        cl, where, pct(lnp), probes, alpha, alpha, rel))
    else verdict("inconclusive", sprintf("S6 — no leaky_relu unit (%s) has z ≤ 0 on every one of the %s probe inputs, so the runs do not test whether such units keep a gradient; none is dead (frac_dead 0).%s", where, probes, rel))
}
# log10 of ‖∂L/∂W_1‖ / ‖∂L/∂W_L‖ at step s (L = the last hidden layer)
function grad_ratio(i, s,    a, b) {
    a = lv(i, s, 1, "grad_w_log10"); b = lv(i, s, DEP[i], "grad_w_log10")
    if (a == "-inf") return "-inf"
    if (!is_num(a) || !is_num(b)) return ""
    return a - b
}
function runs_table_grad(    i) {
    print "<table><tr><th class=l>activation</th><th class=l>init</th><th>depth</th><th>‖∂L/∂W<sub>1</sub>‖, step 0</th><th>‖∂L/∂W<sub>L</sub>‖, step 0</th><th>ratio, step 0</th><th>ratio, last step</th><th>loss first → last</th><th>test acc.</th><th>dead (census, end)</th></tr>"
    for (i = 1; i <= SW_n; i++) {
        if (!OK[i]) continue
        printf "<tr><td class=l>%s</td><td class=l>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s → %s</td><td>%s</td><td>%s</td></tr>\n", \
            h(arg(i, "activation")), h(arg(i, "init")), DEP[i], p10(lv(i, 0, 1, "grad_w_log10")), p10(lv(i, 0, DEP[i], "grad_w_log10")), \
            p10(grad_ratio(i, 0)), p10(grad_ratio(i, LAST[i])), f2(loss0(i)), f2(lossN(i)), pct(test_acc(i)), \
            arg(i, "activation") ~ /relu/ ? pct(CD[i, census_last(i)]) : "n/a"
    }
    print "</table><p class=desc>L is the last hidden layer; “dead”: units that pass no gradient, f'(z) = 0 on every probe input (relu: z ≤ 0 on all of them); not shown for sigmoid and tanh, whose f' is not 0.</p>"
}

# ---- experiment 2: depth scan -------------------------------------------------------------------
# mean over seeds of layer 1's grad_w_log10 at step 0 for (activation, init, depth)
function body_depth_scan(    i, a, in_, d, key, acts, inits, depths, na, ni, nd, A2, I2, D2, j, k, m, sx, sy, sxx, sxy, n, slope, x, y, s, lo, hi, first, last, nz) {
    for (i = 1; i <= SW_n; i++) {
        if (!OK[i]) continue
        key = arg(i, "activation") SUBSEP arg(i, "init") SUBSEP DEP[i]
        y = lv(i, 0, 1, "grad_w_log10")
        if (y == "-inf") { ZC[key]++; continue }
        if (!is_num(y)) continue
        SUMY[key] += y; NY[key]++
    }
    na = split(values("activation"), A2, " "); ni = split(values("init"), I2, " "); nd = split(values("depth"), D2, " ")
    # sort depths numerically (few values)
    for (j = 1; j <= nd; j++) for (k = j + 1; k <= nd; k++) if (D2[k] + 0 < D2[j] + 0) { t = D2[j]; D2[j] = D2[k]; D2[k] = t }
    first = D2[1]; last = D2[nd]
    print "<ul>"
    print "<li>Layer 1's weight-gradient norm at initialisation, mean of log<sub>10</sub> over " (split(values("seed"), tmp, " ")) " seed(s), and the least-squares slope of log<sub>10</sub> against depth (decades per added layer; 10<sup>slope</sup> is the factor per layer):</li></ul>"
    print "<table><tr><th class=l>activation</th><th class=l>init</th><th>depth " first "</th><th>depth " last "</th><th>slope (decades/layer)</th><th>factor per layer</th></tr>"
    for (j = 1; j <= na; j++) for (k = 1; k <= ni; k++) {
        a = A2[j]; in_ = I2[k]
        sx = 0; sy = 0; sxx = 0; sxy = 0; n = 0; nz = 0
        for (m = 1; m <= nd; m++) {
            key = a SUBSEP in_ SUBSEP D2[m]
            nz += ZC[key]
            if (!NY[key]) continue
            x = D2[m] + 0; y = SUMY[key] / NY[key]
            sx += x; sy += y; sxx += x * x; sxy += x * y; n++
        }
        slope = n > 1 && (n * sxx - sx * sx) != 0 ? (n * sxy - sx * sy) / (n * sxx - sx * sx) : ""
        SLOPE[a, in_] = slope
        lo = NY[a SUBSEP in_ SUBSEP first] ? SUMY[a SUBSEP in_ SUBSEP first] / NY[a SUBSEP in_ SUBSEP first] : (ZC[a SUBSEP in_ SUBSEP first] ? "-inf" : "")
        hi = NY[a SUBSEP in_ SUBSEP last] ? SUMY[a SUBSEP in_ SUBSEP last] / NY[a SUBSEP in_ SUBSEP last] : (ZC[a SUBSEP in_ SUBSEP last] ? "-inf" : "")
        GL[a, in_] = hi
        printf "<tr><td class=l>%s</td><td class=l>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td></tr>\n", h(a), h(in_), p10(lo), p10(hi), f3(slope), is_num(slope) ? sprintf("%.3g", exp(slope * log(10))) : "n/a"
        if (nz) print "<tr><td class=l colspan=6>" nz " run(s) of " h(a) "/" h(in_) " had an exactly zero layer-1 gradient (drawn on the figure's floor).</td></tr>"
    }
    print "</table><ul>"
    s = usual_slope("sigmoid")
    if (is_num(s)) li(sprintf("sigmoid with %s: %s decades per layer, a factor %.3g per layer — sigmoid' ≤ 0.25 bounds it at 0.25 (%s decades) when the weights do not amplify; at depth %s layer 1 gets %s.", \
        h(USUAL_INIT), f3(s), exp(s * log(10)), f3(log(0.25) / log(10)), last, p10(GL["sigmoid", USUAL_INIT])))
    s = usual_slope("relu")
    if (is_num(s)) li(sprintf("relu with %s: %s decades per layer (factor %.3g); at depth %s layer 1 gets %s.", h(USUAL_INIT), f3(s), exp(s * log(10)), last, p10(GL["relu", USUAL_INIT])))
    s = other_slope("relu")
    if (is_num(s)) li(sprintf("relu with %s: %s decades per layer (factor %.3g): Xavier's variance 1/fan_in halves the signal's second moment at every relu layer, which predicts √½ = 0.707 (%s decades) per layer.", h(OTHER_INIT), f3(s), exp(s * log(10)), f3(log(sqrt(0.5)) / log(10))))
    s = usual_slope("tanh")
    if (is_num(s)) li(sprintf("tanh with %s: %s decades per layer (factor %.3g); at depth %s layer 1 gets %s.", h(USUAL_INIT), f3(s), exp(s * log(10)), last, p10(GL["tanh", USUAL_INIT])))
    print "</ul>"
    s = usual_slope("sigmoid")
    if (is_num(s)) verdict(s < -0.3 ? "confirms" : "contradicts", sprintf("S1 — the layer-1 gradient of a sigmoid net falls exponentially with depth, %s decades per layer with its usual init%s.", f3(s), is_num(usual_slope("relu")) ? sprintf(", against %s for relu with He init", f3(usual_slope("relu"))) : ""))
    s = usual_slope("tanh")
    if (is_num(s) && s > -0.05) verdict("qualifies", sprintf("S2 — at initialisation tanh with %s does not vanish with depth (%s decades per layer): Xavier keeps tanh near its linear regime.", h(USUAL_INIT), f3(s)))
}
function usual_slope(a,    k, in_, n, I3) {
    n = split(values("init"), I3, " ")
    for (k = 1; k <= n; k++) if (index(I3[k], usual_prefix(a)) == 1) { USUAL_INIT = I3[k]; return SLOPE[a, I3[k]] }
    return ""
}
function other_slope(a,    k, n, I3) {
    n = split(values("init"), I3, " ")
    for (k = 1; k <= n; k++) if (index(I3[k], usual_prefix(a)) != 1) { OTHER_INIT = I3[k]; return SLOPE[a, I3[k]] }
    return ""
}

# ---- experiment 3: sparsity --------------------------------------------------------------------
function body_sparsity(    i, a, z, zmin, zmax, l, v, mac, tot, s, L, best, bi, dense) {
    print "<ul>"
    for (i = 1; i <= SW_n; i++) {
        if (!OK[i]) continue
        L = DEP[i]
        z = lmean(i, LAST[i], 1, L, "frac_zero")
        zmin = ""; zmax = ""
        for (l = 1; l <= L; l++) { v = lv(i, LAST[i], l, "frac_zero") + 0; if (zmin == "" || v < zmin) zmin = v; if (zmax == "" || v > zmax) zmax = v }
        # multiply-adds with a zero operand from the hidden layers' outputs, over all layers
        mac = 0; tot = 0
        for (l = 1; l <= L + 1; l++) {
            tot += lv(i, LAST[i], l, "fan_in") * lv(i, LAST[i], l, "fan_out")
            if (l >= 2) mac += lv(i, LAST[i], l - 1, "frac_zero") * lv(i, LAST[i], l, "fan_in") * lv(i, LAST[i], l, "fan_out")
        }
        SPZ[i] = z; SPM[i] = tot ? mac / tot : ""
        li(sprintf("%s: %s of hidden outputs exactly 0 after training (layers range %s–%s; %s at step 0); %s of all the network's multiply-adds have a zero operand coming from a hidden layer; test accuracy %s.", \
            label(i), pct(z), pct(zmin), pct(zmax), pct(lmean(i, 0, 1, L, "frac_zero")), pct(SPM[i]), pct(test_acc(i))))
    }
    print "</ul>"
    bi = pick("activation=relu,init=he*"); dense = ""
    for (i = 1; i <= SW_n; i++) if (OK[i] && arg(i, "activation") != "relu" && arg(i, "activation") != "leaky_relu") { v = SPZ[i] + 0; if (dense == "" || v > dense) dense = v }
    if (bi) verdict(SPZ[bi] > 0.2 ? "confirms" : "contradicts", sprintf("S4 — relu's outputs are sparse: %s exact zeros (he-normal), against at most %s for sigmoid and tanh. Up to %s of the multiply-adds meet a zero operand; a dense gemm (OpenBLAS here) still performs them, so the compute is saved only by kernels that skip zeros.", pct(SPZ[bi]), pct(dense), pct(SPM[bi])))
}

# ---- experiment 4: dying relu --------------------------------------------------------------------
function body_dying_relu(    i, a, o, lr, s, md, last, dmax, rmax, lmax, l, v, rel_hi, relu_rev, ir, il, opts, lrs, no, nl, O2, R2, j, k, deadN) {
    print "<table><tr><th class=l>activation</th><th class=l>optimizer</th><th>lr</th><th>dead, step 0</th><th>dead, end</th><th>dead, max</th><th>most-dead layer, end</th><th>revived, max</th><th>revived, end</th><th>z ≤ 0 on every probe, end</th><th>test acc.</th></tr>"
    for (i = 1; i <= SW_n; i++) {
        if (!OK[i]) continue
        last = census_last(i)
        lmax = ""; for (l = 1; l <= DEP[i]; l++) { v = CDL[i, last, l] + 0; if (lmax == "" || v > lmax) lmax = v }
        DEADN[i] = CD[i, last]; DEADMAXL[i] = lmax; REVMAX[i] = census_max(i, "revived"); DEADMAX[i] = census_max(i, "dead")
        printf "<tr><td class=l>%s</td><td class=l>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td></tr>\n", \
            h(arg(i, "activation")), h(arg(i, "optimizer")), h(arg(i, "lr")), pct(CD[i, CS[i, 1]]), pct(CD[i, last]), pct(DEADMAX[i]), pct(lmax), pct(REVMAX[i]), pct(CR[i, last]), pct(CNP[i, last]), pct(test_acc(i))
    }
    print "</table><p class=desc>Fractions of hidden units, mean over the hidden layers (the “most-dead layer” column: the largest single-layer fraction). Dead: no gradient, f'(z) = 0 on every probe image (relu: z ≤ 0 on all of them; leaky_relu: only z = 0 exactly); revived: dead at an earlier census and alive now; the “z ≤ 0” column counts the units below 0 on every probe image whatever their slope there.</p><ul>"
    no = split(values("optimizer"), O2, " "); nl = split(values("lr"), R2, " ")
    for (j = 1; j <= no; j++) {
        s = ""
        for (k = 1; k <= nl; k++) {
            ir = pick("activation=relu,optimizer=" O2[j] ",lr=" R2[k]); il = pick("activation=leaky_relu,optimizer=" O2[j] ",lr=" R2[k])
            if (!ir) continue
            s = s (s == "" ? "" : "; ") sprintf("lr %s: relu %s dead at the end (worst layer %s)%s", R2[k], pct(DEADN[ir]), pct(DEADMAXL[ir]), il ? sprintf(", leaky_relu %s", pct(DEADN[il])) : "")
        }
        if (s != "") li(h(O2[j]) ": " s ".")
    }
    rel_hi = 0; relu_rev = 0
    for (i = 1; i <= SW_n; i++) {
        if (!OK[i]) continue
        if (arg(i, "activation") == "relu") { if (DEADN[i] > rel_hi) { rel_hi = DEADN[i]; ir = i } if (REVMAX[i] > relu_rev) relu_rev = REVMAX[i] }
    }
    print "</ul>"
    if (rel_hi > 0) verdict(rel_hi > 0.2 ? "confirms" : "qualifies", sprintf("S5 — relu units die at high learning rates: %s of hidden units (%s in the worst layer) are dead after training with %s at lr %s.%s", \
        pct(rel_hi), pct(DEADMAXL[ir]), h(arg(ir, "optimizer")), h(arg(ir, "lr")), \
        relu_rev > 0 ? sprintf(" But “does not come back” holds only where nothing below the unit changes: up to %s of relu units dead at one census were alive at a later one — a dead unit gets no gradient itself, yet the layers below it keep training and can move its input back above 0. %s", pct(relu_rev), layer1_revival("relu")) : " None of them came back (revived stays 0).")) 
    il = 0; md = -1
    for (i = 1; i <= SW_n; i++) if (OK[i] && arg(i, "activation") == "leaky_relu" && CNP[i, census_last(i)] + 0 > md) { md = CNP[i, census_last(i)] + 0; il = i }
    if (il) s6_verdict(il, pick("activation=relu,optimizer=" arg(il, "optimizer") ",lr=" arg(il, "lr")), sprintf("with %s at lr %s", h(arg(il, "optimizer")), h(arg(il, "lr"))))
    s = ""
    for (i = 1; i <= SW_n; i++) if (OK[i] && is_num(test_acc(i)) && test_acc(i) + 0 < 0.15) s = s (s == "" ? "" : ", ") label(i) " (" h(arg(i, "optimizer")) ", lr " h(arg(i, "lr")) ")"
    if (s != "") print "<p>These runs ended at chance (test accuracy below 15 %): " s ".</p>"
}
# the largest fraction of layer-1 units revived at any census of activation a's runs: layer 1
# reads the fixed images, so a dead layer-1 relu unit has nothing below it that could change
function layer1_revival(a,    i, k, m, v) {
    m = 0
    for (i = 1; i <= SW_n; i++) if (OK[i] && arg(i, "activation") == a) for (k = 1; k <= NCS[i]; k++) { v = CRL[i, CS[i, k], 1] + 0; if (v > m) m = v }
    return m == 0 ? "In layer 1, whose inputs are the fixed images, no dead relu unit ever came back, as S5 says." : sprintf("Even in layer 1, whose inputs are fixed, up to %s of units revived: “dead” is measured on the probe images only, so such a unit may still fire on other training images, and momentum or Adam keep moving weights whose gradient has become 0.", pct(m))
}

# ---- experiment 5: relu'(0) ----------------------------------------------------------------------
function body_relu_grad_at_zero(    i, t, dts, nd, T2, j, i0, i1, pz, pzmax, nzs, k, s, diff, first, maxd, same, ident, units, anyz) {
    nd = split(values("dtype"), T2, " ")
    print "<ul>"
    anyz = 0; ident = 1
    for (j = 1; j <= nd; j++) {
        t = T2[j]
        i0 = pick("dtype=" t ",relu-grad-at-zero=0"); i1 = pick("dtype=" t ",relu-grad-at-zero=1")
        for (k = 0; k <= 1; k++) {
            i = k ? i1 : i0
            if (!i) continue
            pz = lmean_all(i, 1, DEP[i], "frac_preact_zero"); pzmax = lmax_all(i, 1, DEP[i], "frac_preact_zero")
            nzs = 0; for (s = 1; s <= NS[i]; s++) if (lmean(i, ST[i, s], 1, DEP[i], "frac_preact_zero") > 0) nzs++
            if (pzmax > 0) anyz = 1
            units = arg(i, "batch") != "" ? arg(i, "batch") : 64
            li(sprintf("%s, ReLU'(0) = %s: pre-activations exactly 0.0 in %d of %d logged steps; %s of hidden pre-activations on average, at most %s in one layer at one step (one layer holds %s × %s = %d entries per batch).", \
                h(t), k, nzs, NS[i], pct(pz), pct(pzmax), units, arg(i, "width"), units * arg(i, "width")))
        }
        if (i0 && i1) {
            first = ""; maxd = 0
            for (s = 1; s <= NSS[i0]; s++) {
                k = SS[i0, s]
                if (!((i1, k) in LOSS)) continue
                diff = abs(LOSS[i0, k] - LOSS[i1, k])
                if (LOSS[i0, k] != LOSS[i1, k] && first == "") first = k
                if (diff > maxd) maxd = diff
            }
            same = files_equal(dir "/runs/" SW_id[i0] "/layers.csv", dir "/runs/" SW_id[i1] "/layers.csv")
            if (!same) ident = 0
            li(sprintf("%s: the runs with ReLU'(0) = 0 and 1 %s", h(t), same ? "have byte-identical layers.csv and the same loss at every logged step: the choice never mattered" : \
                (first == "" ? "log the same losses but differ in layers.csv" : sprintf("first log a different loss at step %s; the largest loss difference is %.3g (final losses %s and %s)", first, maxd, f3(lossN(i0)), f3(lossN(i1))))) ".")
        }
    }
    i0 = pick("dtype=float32,relu-grad-at-zero=0"); i1 = pick("dtype=float64,relu-grad-at-zero=0")
    if (i0 && i1) {
        maxd = 0; for (s = 1; s <= NSS[i0]; s++) { k = SS[i0, s]; if ((i1, k) in LOSS) { diff = abs(LOSS[i0, k] - LOSS[i1, k]); if (diff > maxd) maxd = diff } }
        li(sprintf("float32 against float64 (ReLU'(0) = 0, the same initial weights): the largest loss difference at a logged step is %.3g; final losses %s and %s.", maxd, f3(lossN(i0)), f3(lossN(i1))))
    }
    print "</ul>"
    if (!anyz) verdict("qualifies", "S7 — the choice at 0 is real in the code but did not arise here: no pre-activation was exactly 0.0 at any logged step, so ReLU'(0) = 0 and 1 give the same training.")
    else if (ident) verdict("qualifies", "S7 — exact zeros occur, but the runs with ReLU'(0) = 0 and 1 are identical: the zeros sit where the choice does not change any gradient (e.g. the inputs of the unit are all 0, so its weight gradient is 0 either way).")
    else verdict("confirms", "S7 — pre-activations of exactly 0.0 do occur, and the choice of ReLU'(0) changes the trajectory (see the step where the losses first differ).")
}
function files_equal(a, b,    la, lb, ra, rb, same) {
    same = 1
    while (1) {
        ra = (getline la < a); rb = (getline lb < b)
        if (ra <= 0 || rb <= 0) { if (ra != rb) same = 0; break }
        if (la != lb) { same = 0; break }
    }
    close(a); close(b)
    return same
}

# ---- experiment 6: sign coherence -------------------------------------------------------------------
function body_sign_coherence(    i, c1, c2, base, l, L, s, ir, sig, tnh, rel) {
    print "<ul>"
    for (i = 1; i <= SW_n; i++) {
        if (!OK[i]) continue
        L = DEP[i]
        c1 = lmean_all(i, 1, 1, "sign_coherence"); c2 = lmean_all(i, 2, L + 1, "sign_coherence")
        COH[arg(i, "activation")] = c2
        base = sqrt(2 / (3.14159265358979 * lv(i, 0, 2, "fan_in")))
        li(sprintf("%s: sign coherence %s in layers 2 to %d (whose inputs are %s outputs), %s in layer 1 (whose inputs are the zero-centred data); independent random signs would give about %s.", \
            label(i), f3(c2), L + 1, h(arg(i, "activation")), f3(c1), f3(base)))
    }
    print "</ul>"
    sig = COH["sigmoid"]; tnh = COH["tanh"]; rel = COH["relu"]
    if (is_num(sig)) verdict(sig > 0.8 ? "confirms" : "contradicts", sprintf("S8 — a sigmoid unit's incoming weight gradients share a sign: coherence %s%s.", f3(sig), is_num(tnh) ? sprintf(" against %s for the zero-centred tanh", f3(tnh)) : ""))
    if (is_num(rel)) verdict(rel > 0.3 ? "qualifies" : "confirms", sprintf("relu's outputs are non-negative too (zeros count as no sign), so its coherence is %s: the zig-zag argument applies to relu %s, not only to sigmoid.", f3(rel), rel > 0.3 ? "in part" : "hardly"))
}

# ---- experiment 7: Glorot & Bengio --------------------------------------------------------------------
function body_glorot(    i, a, in_, L, s, acts, inits, na, ni, A2, I2, j, k, m0, mN, mMin, sd, d1, dL, spread, ist, ixv) {
    na = split(values("activation"), A2, " "); ni = split(values("init"), I2, " ")
    print "<table><tr><th class=l>activation</th><th class=l>init</th><th>top hidden layer: mean, step 0</th><th>mean, last step</th><th>std, step 0 → last</th><th>‖δ<sub>1</sub>‖/‖δ<sub>L</sub>‖, step 0</th><th>‖∂L/∂W<sub>1</sub>‖/‖∂L/∂W<sub>L</sub>‖, step 0</th><th>loss first → last</th><th>test acc.</th></tr>"
    for (i = 1; i <= SW_n; i++) {
        if (!OK[i]) continue
        L = DEP[i]
        DR[i] = is_num(lv(i, 0, 1, "delta_log10")) && is_num(lv(i, 0, L, "delta_log10")) ? lv(i, 0, 1, "delta_log10") - lv(i, 0, L, "delta_log10") : ""
        printf "<tr><td class=l>%s</td><td class=l>%s</td><td>%s</td><td>%s</td><td>%s → %s</td><td>%s</td><td>%s</td><td>%s → %s</td><td>%s</td></tr>\n", \
            h(arg(i, "activation")), h(arg(i, "init")), f3(lv(i, 0, L, "act_mean")), f3(lv(i, LAST[i], L, "act_mean")), f3(lv(i, 0, L, "act_std")), f3(lv(i, LAST[i], L, "act_std")), \
            p10(DR[i], 2), p10(grad_ratio(i, 0), 2), f2(loss0(i)), f2(lossN(i)), pct(test_acc(i))
    }
    print "</table><p class=desc>δ<sub>l</sub> = ∂ℓ/∂z<sub>l</sub> is the back-propagated gradient (rms over the batch); L is the top hidden layer.</p><ul>"
    for (j = 1; j <= na; j++) {
        a = A2[j]
        ist = pick("activation=" a ",init=standard"); ixv = pick("activation=" a ",init=xavier*")
        if (!ist || !ixv) continue
        li(sprintf("%s: at initialisation the back-propagated gradient of layer 1 is %s of the top hidden layer's with the standard init and %s with %s init.", h(a), r10(DR[ist]), r10(DR[ixv]), h(arg(ixv, "init"))))
        if (a == "sigmoid") {
            L = DEP[ist]; mMin = ""
            for (k = 1; k <= NS[ist]; k++) { s = lv(ist, ST[ist, k], L, "act_mean") + 0; if (mMin == "" || s < mMin) mMin = s }
            li(sprintf("sigmoid, standard init: the top hidden layer's mean activation starts at %s, reaches %s at its lowest and ends at %s (Glorot and Bengio saw it saturate towards 0 early in training).", f3(lv(ist, 0, L, "act_mean")), f3(mMin), f3(lv(ist, LAST[ist], L, "act_mean"))))
            SIGMIN = mMin
        }
    }
    print "</ul>"
    ist = pick("activation=tanh,init=standard"); ixv = pick("activation=tanh,init=xavier*")
    if (ist && ixv && is_num(DR[ist]) && is_num(DR[ixv])) {
        if (abs(DR[ixv]) < abs(DR[ist])) verdict("confirms", sprintf("Glorot & Bengio: the normalised (Xavier) init keeps the back-propagated gradients more even across layers — tanh's layer-1/top ratio is %s with Xavier against %s with the standard init.", r10(DR[ixv]), r10(DR[ist])))
        else verdict("qualifies", sprintf("Glorot & Bengio's gradient argument does not show at this budget: tanh's layer-1/top ratio of back-propagated gradients is %s with Xavier and %s with the standard init.", r10(DR[ixv]), r10(DR[ist])))
    }
    ist = pick("activation=sigmoid,init=standard")
    if (ist && is_num(SIGMIN)) verdict(SIGMIN < 0.1 ? "confirms" : "qualifies", sprintf("Glorot & Bengio (Fig. 2): the top sigmoid layer's mean activation %s — from %s at step 0 to %s by step %d (standard init) — while the net stays at %s test accuracy.", \
        SIGMIN < 0.1 ? "saturates towards 0, as they found" : "moves towards 0 but has not saturated there within this budget (they used 1000-unit layers on other data and longer training)", \
        f3(lv(ist, 0, DEP[ist], "act_mean")), f3(SIGMIN), LAST[ist], pct(test_acc(ist))))
}

# ---- experiment 8: He et al. ----------------------------------------------------------------------------
function body_he(    ix, ih, ax, ah, lx, lh) {
    ix = pick("init=xavier*"); ih = pick("init=he*")
    print "<ul>"
    if (ix) li(sprintf("%s, %d layers: layer 1's weight gradient at step 0 is %s, %s relative to the last hidden layer's; loss %s → %s over %d steps; test accuracy %s (best logged %s).", label(ix), DEP[ix], p10(lv(ix, 0, 1, "grad_w_log10")), r10(grad_ratio(ix, 0)), f3(loss0(ix)), f3(lossN(ix)), LAST[ix] + 1, pct(test_acc(ix)), pct(best_acc(ix))))
    if (ih) li(sprintf("%s, %d layers: layer 1's weight gradient at step 0 is %s, %s relative to the last hidden layer's; loss %s → %s; test accuracy %s (best logged %s).", label(ih), DEP[ih], p10(lv(ih, 0, 1, "grad_w_log10")), r10(grad_ratio(ih, 0)), f3(loss0(ih)), f3(lossN(ih)), pct(test_acc(ih)), pct(best_acc(ih))))
    print "</ul>"
    if (ix && ih) {
        ax = test_acc(ix) + 0; ah = test_acc(ih) + 0
        lx = loss0(ix) - lossN(ix)
        if (ax < 0.2 && ah > ax + 0.2) verdict("confirms", sprintf("He et al.: with Xavier init the %d-layer relu net stalls (test accuracy %s, loss down by only %s) while He init trains it to %s.", DEP[ix], pct(ax), f3(lx), pct(ah)))
        else if (ah > ax) verdict("qualifies", sprintf("He et al.: He init trains faster (test accuracy %s against %s), but the Xavier net did not stall completely in this setting (loss down by %s).", pct(ah), pct(ax), f3(lx)))
        else verdict("contradicts", sprintf("He et al.: here the Xavier net reached %s and the He net %s.", pct(ax), pct(ah)))
    }
}

# ---- experiment 9: Fashion-MNIST curves -------------------------------------------------------------------
function body_fmnist(    i, nd, D2, j, a, iu, s, k, A2, na, reach) {
    nd = split(values("depth"), D2, " "); na = split(values("activation"), A2, " ")
    print "<ul>"
    for (j = 1; j <= nd; j++) {
        s = ""
        for (k = 1; k <= na; k++) {
            a = A2[k]
            iu = pick("activation=" a ",depth=" D2[j] ",init=" usual_prefix(a) "*")
            if (!iu) continue
            FACC[a, D2[j]] = test_acc(iu)
            reach = first_reach(iu, 0.5)
            s = s (s == "" ? "" : "; ") sprintf("%s ends at %s test accuracy after %d steps (%s)", label(iu), pct(test_acc(iu)), LAST[iu] + 1, reach == "" ? "never 50 % at a logged evaluation" : "50 % first seen at step " reach)
        }
        li(sprintf("%s hidden layers: %s.", D2[j], s))
    }
    s = ""
    for (i = 1; i <= SW_n; i++) if (OK[i] && index(arg(i, "init"), usual_prefix(arg(i, "activation"))) != 1) s = s (s == "" ? "" : "; ") sprintf("%s at depth %s: %s", label(i), DEP[i], pct(test_acc(i)))
    if (s != "") li("With the other initialiser: " s ".")
    print "</ul>"
    j = D2[nd]
    if (is_num(FACC["sigmoid", j]) && is_num(FACC["relu", j]))
        verdict(FACC["sigmoid", j] < FACC["relu", j] - 0.1 ? "confirms" : "qualifies", sprintf("S1/S3 on real data — at depth %s the sigmoid net ends at %s test accuracy and the relu net at %s (chance: 10 %%).", j, pct(FACC["sigmoid", j]), pct(FACC["relu", j])))
}
function first_reach(i, thr,    k, s) {
    for (k = 1; k <= NSS[i]; k++) { s = SS[i, k]; if (((i, s) in ACC) && ACC[i, s] + 0 >= thr) return s }
    return ""
}

# ---- experiment 10: the activations ----------------------------------------------------------------------
function body_activations(    line, f, a, x, y, d, maxd, xmax, n, c, lim) {
    while ((getline line < dir) > 0) {
        n = split(line, f, ",")
        if (f[1] == "activation") continue
        a = f[1]; x = f[2] + 0; d = f[4] + 0
        if (!(a in MX) || d > MX[a]) { MX[a] = d; MXX[a] = x }
        if (x == 0) D0[a] = d
        if (x < 0 && (a == "leaky_relu" || a == "relu")) NEG[a] = d
        if (a == "sigmoid" && d >= 0.1) { if (!("s" in LIM) || abs(x) > LIM["s"]) LIM["s"] = abs(x) }
        if (a == "tanh" && d >= 0.1) { if (!("t" in LIM) || abs(x) > LIM["t"]) LIM["t"] = abs(x) }
        XLO = (XLO == "" || x < XLO) ? x : XLO; XHI = (XHI == "" || x > XHI) ? x : XHI
    }
    close(dir)
    print "<ul>"
    if ("sigmoid" in MX) li(sprintf("sigmoid'(x) is at most %s, at x = %s; it is below 0.1 for |x| > %s. Each sigmoid layer therefore multiplies the back-propagated gradient by at most 0.25 times the weights' gain.", f3(MX["sigmoid"]), f3(MXX["sigmoid"]), f2(LIM["s"])))
    if ("tanh" in MX) li(sprintf("tanh'(x) peaks at %s (x = %s) and is below 0.1 for |x| > %s: tanh passes gradient unchanged near 0 and vanishes only when it saturates (S2).", f3(MX["tanh"]), f3(MXX["tanh"]), f2(LIM["t"])))
    if ("relu" in D0) li(sprintf("relu'(x) = 1 for x &gt; 0 and %s for x &lt; 0; at exactly x = 0 the table uses %s (the --relu-grad-at-zero convention, S7).", f3(NEG["relu"]), f3(D0["relu"])))
    if ("leaky_relu" in NEG) li(sprintf("leaky_relu'(x) = %s for x &lt; 0: a unit below zero still passes 1/%.0f of the gradient (S6).", f3(NEG["leaky_relu"]), 1 / NEG["leaky_relu"]))
    print "</ul>"
    if ("sigmoid" in MX) verdict(abs(MX["sigmoid"] - 0.25) < 1e-9 ? "confirms" : "contradicts", sprintf("S1's premise — sigmoid' ≤ 0.25 — holds on the grid from %s to %s: the largest value is %s.", f1(XLO), f1(XHI), sprintf("%.6g", MX["sigmoid"])))
    print "<p class=desc>Computed by " code("gradtrace activations --from -6 --to 6 --points 1201") " (" h(dir) ").</p>"
}

# ---- issue 5: the computed figures (mean-field theory, born-dead census) -----------------------------
# sections theory_grad_profile, borndead, theory_phase; dir = the results root. CSV_ROWS/CSV_V:
# csv_read(path, pfx) reads a CSV with a header into CV[pfx, row, column] and returns the row count.
function csv_read(path, pfx,    line, n, f, c, k, r, hdr) {
    r = 0
    if ((getline line < path) <= 0) { close(path); return 0 }
    n = split(line, hdr, ",")
    while ((getline line < path) > 0) { split(line, f, ","); r++; for (k = 1; k <= n; k++) CV[pfx, r, hdr[k]] = f[k] }
    close(path)
    return r
}
function have(path,    line, ok) { ok = (getline line < path) > 0; close(path); return ok }
function comp_title(nm) {
    if (nm == "theory_grad_profile") return "Mean-field theory laid over experiment 1's per-layer gradients"
    if (nm == "borndead") return "Born-dead relu networks: probability against depth and width"
    if (nm == "theory_phase") return "tanh's order-to-chaos phase diagram and where the inits sit"
}
function comp_claim(nm) { return nm == "borndead" ? "S5" : nm == "theory_grad_profile" ? "S1, S2, S3, S6" : "S2" }
function comp_files(nm) {
    if (nm == "theory_grad_profile") return results "/theory/profiles.csv " results "/grad_profile/index.csv"
    if (nm == "borndead") return results "/census/he-nobias-1.csv " results "/census/he-nobias-100.csv " results "/census/he-bias-1.csv " results "/census/rai-bias-1.csv"
    return results "/theory/tanh-phase.csv " results "/theory/tanh-critical.csv " results "/theory/tanh-inits.csv"
}
# "" when every data file of section nm is there, else the missing ones
function comp_missing(nm,    n, fl, k, s) {
    n = split(comp_files(nm), fl, " "); s = ""
    for (k = 1; k <= n; k++) if (!have(fl[k])) s = s (s == "" ? "" : ", ") fl[k]
    return s
}
function comp_head(    c) {
    c = comp_claim(name)
    print "<section id=\"" name "\"><h2>" h(comp_title(name)) " <span class=claimids>(" c ")</span></h2>"
    print claim_html(c)
    if (name == "theory_grad_profile") print "<p class=desc>Does the mean-field theory of wide random networks (Poole et al. 2016, Schoenholz et al. 2017; " code("gradtrace theory") ") predict the per-layer gradient profile that experiment 1 measured at initialisation? No new runs: step 0 of experiment 1's runs against " code("gradtrace theory --activation A --sigma-w2 S --sigma-b2 0 --q0 1 --depth L --csv") " with σ<sub>w</sub><sup>2</sup> = 1 for xavier-normal (2·fan_in/(fan_in+fan_out) on the square hidden layers) and 2 for he-normal.</p>"
    if (name == "borndead") print "<p class=desc>How likely is a narrow deep relu network to be dead before training — some hidden layer outputs 0 for every input, so the network is constant (Lu, Shin, Su &amp; Karniadakis 2020)? Monte Carlo over fresh networks (" code("gradtrace census") ", input dimension 2) against the exact 1 − (1 − 2<sup>−N</sup>)<sup>L</sup> for one input, and the randomized asymmetric initialisation (rai) that the paper proposes.</p>"
    if (name == "theory_phase") print "<p class=desc>Where do the usual initialisations put a tanh network in the mean-field phase diagram? χ<sub>1</sub> &lt; 1: gradients vanish towards the input (ordered phase), &gt; 1: they explode (chaotic), = 1: critical. " code("gradtrace theory --activation tanh --phase-grid") " and " code("--critical") ".</p>"
}
function comp_body() {
    if (comp_missing(name) != "") return
    if (name == "theory_grad_profile") body_theory_profile()
    else if (name == "borndead") body_borndead()
    else body_theory_phase()
}
function pred_r(a, s, L, l) { return ((a, s, L, l) in PR) ? PR[a, s, L, l] : "" }
function body_theory_profile(    n, r, i, a, s, L, l, mL, m, p, dev, wd, wcfg, pf, mf, t, tanh50, key) {
    n = csv_read(results "/theory/profiles.csv", "p")
    for (r = 1; r <= n; r++) PR[CV["p", r, "activation"], CV["p", r, "sigma_w2"] + 0, CV["p", r, "depth"] + 0, CV["p", r, "layer"] + 0] = CV["p", r, "log10_delta_sq_ratio"]
    dir = results "/grad_profile"
    load_all()
    print "<table><tr><th class=l>activation</th><th class=l>init (σ<sub>w</sub><sup>2</sup>)</th><th>depth L</th><th>layer 1: measured</th><th>predicted</th><th>layer 2: measured</th><th>predicted</th><th>mean factor per layer on E‖δ‖<sup>2</sup> (layers 2…L): measured</th><th>predicted</th><th>largest |measured − predicted|, layers 2…L (decades)</th></tr>"
    wd = -1; t = 0
    for (i = 1; i <= SW_n; i++) {
        if (!OK[i]) continue
        a = arg(i, "activation"); s = arg(i, "init") == "xavier-normal" ? 1 : arg(i, "init") == "he-normal" ? 2 : 0
        L = DEP[i]
        if (!s || pred_r(a, s, L, 1) == "" || !is_num(lv(i, 0, L, "delta_log10"))) continue
        mL = lv(i, 0, L, "delta_log10"); dev = 0
        for (l = 2; l <= L; l++) { m = 2 * (lv(i, 0, l, "delta_log10") - mL); p = pred_r(a, s, L, l); if (abs(m - p) > dev) dev = abs(m - p) }
        mf = 10 ^ (2 * (lv(i, 0, 2, "delta_log10") - mL) / (L - 2)); pf = 10 ^ (pred_r(a, s, L, 2) / (L - 2))
        t++
        if (dev > wd) { wd = dev; wcfg = label(i) " at depth " L }
        if (a == "tanh" && s == 1) { TM1[L] = 2 * (lv(i, 0, 1, "delta_log10") - mL); TP1[L] = pred_r(a, s, L, 1); TMF[L] = mf; TPF[L] = pf; TDEV[L] = dev }
        if (a == "tanh" && s == 2) { HM1[L] = 2 * (lv(i, 0, 1, "delta_log10") - mL); HP1[L] = pred_r(a, s, L, 1) }
        if (a == "sigmoid" && s == 1) { SM1[L] = 2 * (lv(i, 0, 1, "delta_log10") - mL); SP1[L] = pred_r(a, s, L, 1) }
        printf "<tr><td class=l>%s</td><td class=l>%s (%d)</td><td>%d</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td></tr>\n", h(a), h(arg(i, "init")), s, L, \
            p10(2 * (lv(i, 0, 1, "delta_log10") - mL), 2), p10(pred_r(a, s, L, 1), 2), p10(2 * (lv(i, 0, 2, "delta_log10") - mL), 2), p10(pred_r(a, s, L, 2), 2), \
            sprintf("%.4f", mf), sprintf("%.4f", pf), f2(dev)
    }
    print "</table><p class=desc>Measured: 2·(delta_log10<sub>l</sub> − delta_log10<sub>L</sub>) of layers.csv at step 0 (one batch), i.e. log<sub>10</sub>(E‖δ<sub>l</sub>‖<sup>2</sup>/E‖δ<sub>L</sub>‖<sup>2</sup>); predicted: " code("log10_delta_sq_ratio") ". The mean factor per layer is 10 to the power (ratio at layer 2)/(L − 2).</p>"
    if (!t) { print "<p class=notrun>No xavier-normal or he-normal run of experiment 1 has finished: nothing to compare.</p>"; return }
    print "<ul>"
    for (L = 1; L <= 100; L++) if (L in TM1)
        li(sprintf("tanh, xavier-normal, %d layers: E‖δ‖<sup>2</sup> shrinks by a factor %.4f per layer on average from layer L down to layer 2, against %.4f predicted; layer 1 gets %s of layer %d's E‖δ‖<sup>2</sup>, predicted %s. From layer 2 on the measured log-ratio stays within %s decades of the prediction.", \
            L, TMF[L], TPF[L], r10(TM1[L]), L, r10(TP1[L]), f2(TDEV[L])))
    for (L = 1; L <= 100; L++) if (L in HM1) li(sprintf("tanh, he-normal (chaotic side), %d layers: layer 1 gets %s of layer %d's E‖δ‖<sup>2</sup>, predicted %s.", L, r10(HM1[L]), L, r10(HP1[L])))
    for (L = 1; L <= 100; L++) if (L in SM1) li(sprintf("sigmoid, xavier-normal, %d layers: %s measured, %s predicted at layer 1.", L, r10(SM1[L]), r10(SP1[L])))
    print "</ul>"
    verdict(wd < 0.5 ? "confirms" : "qualifies", sprintf("the mean-field prediction %s: over the %d runs, the largest gap between the measured and predicted log<sub>10</sub> ratio on layers 2…L is %s decades (%s), on profiles that span up to %s decades. The gap at layer 1 for xavier-normal comes from its first layer (fan_in 32 against 256 units: q<sub>1</sub> = 0.22 instead of the theory's σ<sub>w</sub><sup>2</sup>q<sub>0</sub> = 1), which only the tanh curve feels.", \
        wd < 0.5 ? "reproduces the measured per-layer profiles of experiment 1 at width 256" : "follows the measured profiles only roughly", t, f2(wd), wcfg, (1 in SM1 || 50 in SM1) ? f1(-SP1[50]) : "many"))
}
function pcb(x) { return is_num(x) && x + 0 > 0.999 && x + 0 < 1 ? sprintf("%.2f %%", 100 * x) : pct(x) }
function bd(v, w, L, col) { return ((v, w, L) in BDR) ? CV[v, BDR[v, w, L], col] : "" }
function body_borndead(    v, nv, VV, k, n, r, w, L, nin, ntot, above, gap, gw, gL, x, hi) {
    nv = split("he-nobias-1 he-nobias-100 he-bias-1 rai-bias-1", VV, " ")
    for (k = 1; k <= nv; k++) {
        n = csv_read(results "/census/" VV[k] ".csv", VV[k])
        NBD[VV[k]] = n
        for (r = 1; r <= n; r++) BDR[VV[k], CV[VV[k], r, "width"] + 0, CV[VV[k], r, "depth"] + 0] = r
    }
    nin = 0; ntot = 0
    for (k = 1; k <= nv; k++) {
        v = VV[k]
        for (r = 1; r <= NBD[v]; r++) if (is_num(CV[v, r, "exact"])) { ntot++; x = CV[v, r, "exact"] + 0; if (x >= CV[v, r, "ci_low"] && x <= CV[v, r, "ci_high"]) nin++ }
    }
    above = 0; gap = -1
    for (r = 1; r <= NBD["he-nobias-100"]; r++) {
        w = CV["he-nobias-100", r, "width"] + 0; L = CV["he-nobias-100", r, "depth"] + 0
        x = bd("he-nobias-1", w, L, "exact")
        if (!is_num(x)) continue
        if (CV["he-nobias-100", r, "ci_low"] + 0 > x + 0) above++
        if (x - CV["he-nobias-100", r, "fraction"] > gap) { gap = x - CV["he-nobias-100", r, "fraction"]; gw = w; gL = L }
    }
    print "<ul>"
    li(sprintf("The exact formula lies inside the Monte Carlo's Wilson 95%% interval in %d of the %d rows where it applies (one input; %s networks per width). The rows of one width share their networks (a depth-L network is the first L layers of a depth-50 one), so misses come in runs along a width rather than independently.", nin, ntot, CV["he-nobias-1", 1, "trials"]))
    li(sprintf("he-normal without biases, one input: at width 2, %s of the networks are born dead at depth 10 and %s at depth 50 (exact %s and %s); at width 5, %s at depth 50; at width 10, %s at depth 50.", \
        pcb(bd("he-nobias-1", 2, 10, "fraction")), pcb(bd("he-nobias-1", 2, 50, "fraction")), pcb(bd("he-nobias-1", 2, 10, "exact")), pcb(bd("he-nobias-1", 2, 50, "exact")), pcb(bd("he-nobias-1", 5, 50, "fraction")), pcb(bd("he-nobias-1", 10, 50, "fraction"))))
    li(sprintf("With 100 Gaussian inputs instead of one, the fraction is lower: %s of the %d rows lie significantly above the single-input formula (lower Wilson bound above it); the largest gap is %s points (width %d, depth %d: %s against %s). For a set of inputs the formula is an upper bound.", \
        above == 0 ? "none" : above, NBD["he-nobias-100"], sprintf("%.1f", 100 * gap), gw, gL, pcb(bd("he-nobias-100", gw, gL, "fraction")), pcb(bd("he-nobias-1", gw, gL, "exact"))))
    li(sprintf("With biases (σ<sub>b</sub><sup>2</sup> = 1), one input, depth 50: he-normal %s at width 2, %s at width 3, %s at width 5, %s at width 10; rai %s, %s, %s and %s.", \
        pcb(bd("he-bias-1", 2, 50, "fraction")), pcb(bd("he-bias-1", 3, 50, "fraction")), pcb(bd("he-bias-1", 5, 50, "fraction")), pcb(bd("he-bias-1", 10, 50, "fraction")), \
        pcb(bd("rai-bias-1", 2, 50, "fraction")), pcb(bd("rai-bias-1", 3, 50, "fraction")), pcb(bd("rai-bias-1", 5, 50, "fraction")), pcb(bd("rai-bias-1", 10, 50, "fraction"))))
    print "</ul>"
    x = bd("he-nobias-1", 2, 50, "fraction")
    if (is_num(x)) verdict(x > 0.5 ? "confirms" : "qualifies", sprintf("S5, at initialisation — a narrow deep relu network is likely dead before any training: %s of width-2, depth-50 he-normal networks are (%s of width-10 ones), and P → 1 as depth grows at any fixed width.", pcb(x), pcb(bd("he-nobias-1", 10, 50, "fraction"))))
    x = bd("he-bias-1", 3, 50, "fraction"); hi = bd("rai-bias-1", 3, 50, "fraction")
    if (is_num(x) && is_num(hi)) verdict(hi < x ? "confirms" : "contradicts", sprintf("Lu et al.: rai lowers the born-dead probability (width 3, depth 50: %s against %s with he-normal%s), but at width 2 it still loses %s of the networks by depth 50.", pcb(hi), pcb(x), is_num(bd("rai-bias-1", 10, 50, "fraction")) ? sprintf("; width 10: %s against %s", pcb(bd("rai-bias-1", 10, 50, "fraction")), pcb(bd("he-bias-1", 10, 50, "fraction"))) : "", pcb(bd("rai-bias-1", 2, 50, "fraction"))))
    print "<p class=desc>" code(sprintf("gradtrace census --widths 2,3,4,5,10 --depths 1,2,3,5,10,…,50 --input-dim 2 --trials %s --seed 1", CV["he-nobias-1", 1, "trials"])) " with " code("--init he-normal --bias off --inputs gaussian:1") ", " code("--inputs gaussian:100") ", " code("--bias on") " (σ<sub>b</sub><sup>2</sup> = 1) and " code("--init rai --bias on") " (" h(results) "/census/).</p>"
}
function body_theory_phase(    n, r, nc, b0, b05, b5, ni, k, nord, ng, xi) {
    nc = csv_read(results "/theory/tanh-critical.csv", "c")
    for (r = 1; r <= nc; r++) { k = sprintf("%.4f", CV["c", r, "sigma_b2"]); CRIT[k] = CV["c", r, "sigma_w2_critical"] }
    ni = csv_read(results "/theory/tanh-inits.csv", "i")
    ng = csv_read(results "/theory/tanh-phase.csv", "g"); nord = 0
    for (r = 1; r <= ng; r++) if (CV["g", r, "chi1"] + 0 < 1 - 1e-9) nord++
    print "<ul>"
    li(sprintf("The critical line (χ<sub>1</sub> = 1) starts at σ<sub>w</sub><sup>2</sup> = %s for σ<sub>b</sub><sup>2</sup> = 0 and rises steeply: %s at σ<sub>b</sub><sup>2</sup> = 0.01, %s at 0.1, %s at 0.5. Any bias variance moves the edge of chaos to larger weights.", \
        sprintf("%.6f", CRIT["0.0000"]), f3(CRIT["0.0100"]), f3(CRIT["0.1000"]), f3(CRIT["0.5000"])))
    for (r = 1; r <= ni; r++) {
        xi = CV["i", r, "xi"]
        li(sprintf("%s (σ<sub>w</sub><sup>2</sup> = %.3g, σ<sub>b</sub><sup>2</sup> = 0): χ<sub>1</sub> = %s, %s%s.", CV["i", r, "init"] == "standard" ? "standard U[±1/√n]" : h(CV["i", r, "init"]), CV["i", r, "sigma_w2"], f3(CV["i", r, "chi1"]), h(CV["i", r, "phase"]), \
            CV["i", r, "phase"] == "ordered" ? sprintf(": E‖δ‖<sup>2</sup> shrinks %.1f-fold per layer (depth scale ξ = %s layers), 10<sup>%s</sup> over 20 layers", 1 / CV["i", r, "chi1"], f2(xi), minus(sprintf("%.1f", 20 * log(CV["i", r, "chi1"]) / log(10)))) : \
            CV["i", r, "phase"] == "chaotic" ? sprintf(": E‖δ‖<sup>2</sup> grows by %.3f per layer, 10<sup>%.1f</sup> over 50 layers", CV["i", r, "chi1"], 50 * log(CV["i", r, "chi1"]) / log(10)) : ": on the edge of chaos, gradients neither vanish nor explode at the fixed point"))
    }
    li(sprintf("On the grid (%d points, σ<sub>w</sub><sup>2</sup> 0.2…4, σ<sub>b</sub><sup>2</sup> 0…0.5) %s of the points are in the ordered phase.", ng, pct(nord / ng)))
    print "</ul>"
    if (is_num(CRIT["0.0000"])) verdict("qualifies", sprintf("S2 — tanh's gradients vanish in the ordered phase, not always: Xavier's σ<sub>w</sub><sup>2</sup> = 1 without biases sits exactly on the critical line (σ<sub>w</sub><sup>2</sup> = %s), which is why experiment 1's tanh/xavier profile is nearly flat; the older standard init (σ<sub>w</sub><sup>2</sup> = 1/3) is deep in the ordered phase, He's σ<sub>w</sub><sup>2</sup> = 2 in the chaotic one.", sprintf("%.6f", CRIT["0.0000"])))
}

# ---- captions ----------------------------------------------------------------------------------------------
function caption(f) {
    if (f ~ /^isometry/) return caption_isometry(f)
    if (f == "clipping" || f == "cures") return caption_cures(f)
    if (f ~ /^residual/) return caption_residual(f)
    if (f ~ /^normalization/) return caption_normalization(f)
    if (f == "grad_profile_init") return "Weight-gradient norm ‖∂L/∂W<sub>l</sub>‖ of every layer at initialisation (step 0, one batch), log scale, one panel per depth. Each activation appears with its usual initialiser (solid) and with the other one (dashed). A straight falling line is exponential vanishing: sigmoid's slope is the factor lost per layer; flat lines keep the gradient. Exact zeros, if any, sit on the dotted floor line. The panel titles give layer 1 / last hidden layer for each activation with its usual init. relu and leaky_relu nearly coincide: relu is the wide line underneath, leaky_relu the thin one on top, and their markers alternate (relu on odd layers, leaky_relu on even ones)."
    if (f == "grad_profile_train") return "The same profile at every logged training step (colour: step), each activation with its usual init. Whether the profile stays where it started shows if training repairs (or worsens) the gradient flow. Each panel has its own y axis (sigmoid's profile spans tens of decades, the others one or two); the panel titles give layer 1 / last hidden layer at the first and the last logged step, and the colour bar ends at the last logged step."
    if (f == "depth_scan") return "Layer 1's weight-gradient norm at initialisation against the number of hidden layers (log y). Lines join the mean of log<sub>10</sub> over seeds; small points are single seeds. The slope of a line is the number of decades lost per added layer. relu (wide line) and leaky_relu (thin, on top) nearly coincide. The title gives layer 1's gradient at the largest depth (mean of log<sub>10</sub> over seeds)."
    if (f == "sparsity") return "(a) Share of each hidden layer's outputs that are exactly 0 after training; the same number is the share of the next layer's multiply-adds that have a zero operand. (b) The mean over hidden layers during training. sigmoid and tanh lie on the 0 line."
    if (f == "dying_relu") return "Top: relu's dead units (solid: no gradient, z ≤ 0 on every probe image) and, for leaky_relu, the units with z ≤ 0 on every probe image (dashed: f' = α there) beside its dead ones (dotted, at 0: those units still pass α·δ), mean over hidden layers, one panel per optimiser; colour is the learning rate. The title states the run with the most dead relu units. Bottom: share of units that were dead at an earlier census and are alive now (revived)."
    if (f == "relu_grad_at_zero") return "(a) Share of hidden pre-activations that are exactly 0.0 (log scale; steps where none occurred sit on the floor line). (b) The training loss of the four runs; a line hidden under another means identical values."
    if (f == "sign_coherence") return "Sign coherence |Σ<sub>i</sub> sign(∂L/∂W<sub>ij</sub>)| / fan_in, mean over units j: 1 when all of a unit's incoming weight gradients share a sign. (a) per layer, mean over training; the dotted line is the expectation for independent random signs. (b) mean over layers 2 to L+1 during training."
    if (f == "glorot2010_act") return "Mean (line) and ± one standard deviation (bars, every other logged step, spread slightly along x) of each hidden layer's activations over training, one panel per activation and initialiser — the analogue of Glorot & Bengio's Fig. 2."
    if (f == "glorot2010_grad_hist") return "Distribution of log<sub>10</sub>|∂ℓ/∂z| (the back-propagated gradients δ, per sample and unit over one batch) of each hidden layer at initialisation (32 bins per layer), one panel per activation and initialiser — Glorot & Bengio's Fig. 7, here on a log axis. Exact zeros, if any, are drawn at the left on the dotted line."
    if (f == "glorot2010_act_hist") return "Distribution of each hidden layer's activation values over one batch at the last logged step — the analogue of Glorot & Bengio's Fig. 6."
    if (f == "he2015") return "(a) Training loss, (b) test accuracy and (c) the weight-gradient norm per layer at initialisation of the deep relu net with Xavier and with He initialisation. The dotted lines mark chance (ln 10 and 10 %). The title gives the measured final test accuracies; in (b) the Xavier curve is drawn wide under the He one, as they may coincide at chance."
    if (f == "fmnist_curves") return "Fashion-MNIST test accuracy (whole test set) over training, one panel per depth; solid: each activation with its usual initialiser, dashed: with the other one. The titles give the measured final test accuracies (run.json)."
    if (f == "theory_grad_profile") return "log<sub>10</sub>(E‖δ<sub>l</sub>‖<sup>2</sup>/E‖δ<sub>L</sub>‖<sup>2</sup>) per hidden layer l at initialisation (δ = ∂ℓ/∂z, L the last hidden layer), one panel per activation and depth. Points: experiment 1's runs at step 0 (width 256, one batch); lines: the mean-field prediction of " code("gradtrace theory") " for W ~ N(0, σ<sub>w</sub><sup>2</sup>/fan_in) with σ<sub>w</sub><sup>2</sup> = 1 (xavier-normal, exact on the square hidden layers) or 2 (he-normal), σ<sub>b</sub><sup>2</sup> = 0 and q<sub>0</sub> = 1 — kept simple: the theory's first layer has q<sub>1</sub> = σ<sub>w</sub><sup>2</sup>, while xavier-normal's first layer (fan_in 32) gives q<sub>1</sub> = 0.22, which shifts tanh's first few layers."
    if (f == "borndead") return "Fraction of relu networks born dead (some hidden layer outputs 0 for every probe input) against the number of hidden layers, one colour per width, input dimension 2. Points: Monte Carlo of " code("gradtrace census") " with Wilson 95% intervals (mostly smaller than the markers); solid lines: the exact 1 − (1 − 2<sup>−width</sup>)<sup>depth</sup> for one input. (a) he-normal without biases, at one Gaussian input (filled) and at 100 (open, dashed): more inputs, fewer dead networks — the formula is an upper bound for a set. (b) With biases σ<sub>b</sub><sup>2</sup> = 1: he-normal (filled) against rai, the randomized asymmetric initialisation of Lu et al. (open squares, dashed)."
    if (f == "theory_phase") return "χ<sub>1</sub> = σ<sub>w</sub><sup>2</sup>E[tanh'(√q* z)<sup>2</sup>] over the (σ<sub>w</sub><sup>2</sup>, σ<sub>b</sub><sup>2</sup>) plane (" code("gradtrace theory --activation tanh --phase-grid") ", 77 × 51 points); blue: ordered (gradients vanish towards the input by χ<sub>1</sub> per layer), red: chaotic (they grow). The black line is χ<sub>1</sub> = 1 from " code("--critical") ". The dots mark the initialisations at σ<sub>b</sub><sup>2</sup> = 0: standard U[±1/√n] (σ<sub>w</sub><sup>2</sup> = 1/3), xavier-normal on square layers (1), he-normal (2)."
    if (f == "activations") return "f(x), f'(x), and f'(x) on a log scale, as computed by gradtrace's activation table. On the log panel relu'(x) = 0 for x ≤ 0 sits on the floor line and leaky_relu's 0.01 is visible."
    return "Figure " h(f) "."
}

BEGIN {
    claims_init()
    if (part == "top") top()
    else if (part == "head") { if (name ~ /^(theory_grad_profile|borndead|theory_phase)$/) comp_head(); else head() }
    else if (part == "body") { if (name ~ /^(theory_grad_profile|borndead|theory_phase)$/) comp_body(); else if (name == "activations") body_activations(); else body() }
    else if (part == "caption") printf "%s", caption(fig)
    else if (part == "ran") ran_list()
    else if (part == "bottom") print "<footer><p class=desc>gradtrace report — scripts/report. The PNG figures are embedded; the SVG versions are next to them in the figures directory.</p></footer></body></html>"
}

# ---- I1: dynamical isometry (experiments isometry and isometry-train) ----------------------------------
# Step 0 of point i's jacobian_summary.csv, over the probe samples: ISP[i] the mean of
# q90 - q10 of log10 sigma ("inf" when some q10 is an exact 0), IFL[i] 1 when some sample's
# q10 is at the SVD's rounding floor (more than 15 decades below its max_log10: a lower
# bound), IMS[i] the mean of mean_sq_log10.
function iso_load(i,    path, line, f, c, k, n, s, ms, inf, fl) {
    path = dir "/runs/" SW_id[i] "/jacobian_summary.csv"
    n = 0; s = 0; ms = 0; inf = 0; fl = 0
    while ((getline line < path) > 0) {
        split(line, f, ",")
        if (!("step" in c)) { for (k = 1; k in f; k++) c[f[k]] = k; continue }
        if (f[c["step"]] != 0) continue
        n++; ms += f[c["mean_sq_log10"]]
        if (f[c["q10_log10"]] == "-inf") { inf = 1; fl = 1; continue }
        s += f[c["q90_log10"]] - f[c["q10_log10"]]
        if (f[c["q10_log10"]] + 0 < f[c["max_log10"]] - 15) fl = 1
    }
    close(path)
    if (!n) return 0
    ISP[i] = inf ? "inf" : s / n; IFL[i] = fl; IMS[i] = ms / n
    return 1
}
# the point of (activation, init, sigma-w2, depth), its spread loaded; 0 when not run
function iso_pick(a, in_, s, d,    i) {
    i = pick("activation=" a ",init=" in_ ",sigma-w2=" s ",depth=" d)
    return i && iso_load(i) ? i : 0
}
function iso_sp(i) { return !i ? "n/a" : ISP[i] == "inf" ? "∞" : (IFL[i] ? "≥ " : "") f2(ISP[i]) }
function body_isometry(    CA, CI, CS, CT, c, k, nd, D, s, i, io, ig, ro, rg, oc, ok) {
    split("tanh tanh relu relu sigmoid", CA, " "); split("orthogonal gaussian orthogonal gaussian gaussian", CI, " ")
    split("1.05 1.05 2 2 1.05", CS, " ")
    nd = split(values("depth"), D, " ")
    print "<p>Spread = q90 − q10 of log<sub>10</sub> σ over the singular values of J = ∂h<sub>L</sub>/∂h<sub>1</sub> at initialisation, mean over the probe samples (decades; “≥”: the lower decile is at the SVD's rounding floor, so the true spread is larger; ∞: more than 10 % of the σ are exactly 0).</p>"
    print "<ul>"
    for (c = 1; c <= 5; c++) {
        s = ""
        for (k = 1; k <= nd; k++) {
            i = iso_pick(CA[c], CI[c], CS[c], D[k])
            if (i) s = s (s == "" ? "" : ", ") sprintf("%s at depth %s", iso_sp(i), D[k])
        }
        if (s != "") li(sprintf("<b>%s</b>/%s, σ<sub>w</sub><sup>2</sup> %s: spread %s.", h(CA[c]), h(CI[c]), CS[c], s))
    }
    oc = iso_pick("tanh", "orthogonal", "2", 100)
    if (oc) li(sprintf("Off the critical point, <b>tanh</b>/orthogonal at σ<sub>w</sub><sup>2</sup> 2 (chaotic) spreads %s decades at depth 100: orthogonal weights alone do not give isometry.", iso_sp(oc)))
    print "</ul>"
    io = iso_pick("tanh", "orthogonal", "1.05", 100); ig = iso_pick("tanh", "gaussian", "1.05", 100)
    ro = iso_pick("relu", "orthogonal", "2", 100); rg = iso_pick("relu", "gaussian", "2", 100)
    if (!io || !ig || !ro || !rg) return
    ok = ISP[io] != "inf" && !IFL[io] && ISP[io] < 2 && (ISP[ig] == "inf" || ISP[ig] >= 5 * ISP[io]) && ISP[ro] == "inf" && ISP[rg] == "inf"
    if (ok) verdict("confirms", sprintf("I1 (Pennington, Schoenholz & Ganguli 2017): at depth 100, orthogonal tanh near criticality keeps the spectrum within %s decades, Gaussian tanh at the same point spreads it over %s (%.0f× or more), and relu cannot be isometric with either init: a positive share of its singular values is exactly 0 (spread ∞).", f2(ISP[io]), iso_sp(ig), ISP[ig] == "inf" ? 5 : ISP[ig] / ISP[io]))
    else verdict("qualifies", sprintf("I1: at depth 100 the spreads are %s (tanh/orthogonal), %s (tanh/Gaussian), %s and %s (relu orthogonal and Gaussian): not the clean separation the paper reports.", iso_sp(io), iso_sp(ig), iso_sp(ro), iso_sp(rg)))
}
# test accuracy after the first epoch: the first evaluated step after 0 (the experiment
# evaluates once per epoch)
function iso_acc1(i,    k, s) {
    for (k = 1; k <= NSS[i]; k++) { s = SS[i, k]; if (s > 0 && ((i, s) in ACC)) return ACC[i, s] }
    return ""
}
function body_isometry_train(    i, io, best, bi) {
    print "<ul>"
    for (i = 1; i <= SW_n; i++) {
        if (!OK[i]) continue
        li(sprintf("%s, σ<sub>w</sub><sup>2</sup> %s, %d layers: test accuracy %s after one epoch, %s after the last (%d steps).", label(i), h(arg(i, "sigma-w2")), DEP[i], pct(iso_acc1(i)), pct(test_acc(i)), LAST[i] + 1))
    }
    print "</ul>"
    io = pick("activation=tanh,init=orthogonal,sigma-w2=1.05")
    if (!io) return
    best = ""; bi = 0
    for (i = 1; i <= SW_n; i++) if (OK[i] && i != io && (best == "" || test_acc(i) + 0 > best)) { best = test_acc(i) + 0; bi = i }
    if (!bi) return
    if (test_acc(io) + 0 > best + 0.2 && iso_acc1(io) + 0 > best) verdict("confirms", sprintf("I1's consequence: the near-critical orthogonal tanh net trains (%s after one epoch, %s at the end) where every other net stays at most at %s (%s, σ<sub>w</sub><sup>2</sup> %s) — the Gaussian tanh net at the same σ<sub>w</sub><sup>2</sup> and both relu nets included.", pct(iso_acc1(io)), pct(test_acc(io)), pct(best), label(bi), h(arg(bi, "sigma-w2"))))
    else verdict("qualifies", sprintf("I1's consequence: the near-critical orthogonal tanh net ends at %s test accuracy, the best other net (%s, σ<sub>w</sub><sup>2</sup> %s) at %s — not the clear lead the paper reports at this budget.", pct(test_acc(io)), label(bi), h(arg(bi, "sigma-w2")), pct(best)))
}
function caption_isometry(f) {
    if (f == "isometry_density") return "Density of log<sub>10</sub> σ, the singular values of the input–output Jacobian ∂h<sub>L</sub>/∂h<sub>1</sub> at initialisation (4 probe inputs pooled, width 128), a line per depth, one panel per network of Pennington et al.'s comparison. Isometry is all mass near 0. The share of σ that are exactly 0 (relu) is written in the panel; values more than ~15 decades below the largest σ are at the SVD's rounding floor. Each panel has its own x range: sigmoid's spectrum lies hundreds of decades below 1."
    if (f == "isometry_spread") return "Spread q90 − q10 of log<sub>10</sub> σ against depth for every network of the grid (solid σ<sub>w</sub><sup>2</sup> 1.05, dashed 2). Open points are lower bounds (the lower decile at the rounding floor, which also makes the Gaussian curves fall at depth 1000); relu's spread is infinite at every depth (exact zeros) and is drawn on the top line."
    if (f == "isometry-train") return "Fashion-MNIST test accuracy of the 200-layer networks after every epoch (the square: after the last), solid σ<sub>w</sub><sup>2</sup> 1.05, dashed 2; the dotted line is chance (10 %)."
    return "Figure " h(f) "."
}

# ---- C1 and the cures (issue 11: experiments clipping and cures) -----------------------------
# the largest logged grad_l2 of point i ("" when none); the share of its logged steps clipped
function gl2_max(i,    k, g, m) {
    m = ""
    for (k = 1; k <= NSS[i]; k++) { g = GL2[i, SS[i, k]]; if (is_num(g) && (m == "" || g + 0 > m)) m = g + 0 }
    return m
}
function clip_share(i,    k, n) {
    n = 0
    for (k = 1; k <= NSS[i]; k++) if (CLIP[i, SS[i, k]] == 1) n++
    return NSS[i] ? n / NSS[i] : 0
}
# a gradient norm: 2 significant digits below 100, a power of ten above
function gnorm(g) { return g == "" ? "n/a" : g + 0 < 100 ? sprintf("%.2g", g + 0) : p10(log(g + 0) / log(10)) }
function c_name(c) { return c + 0 == 0 ? "off" : c }
# per clipping threshold c: runs KN, diverged KD (their diverged_at_step in KST), the finished
# runs' test accuracy KNA runs, KLO..KHI, mean KM, KCH of them below 15 %, the share of logged
# steps clipped KSH (mean over runs), the largest logged gradient norm KG
function clip_stats(c,    i, a, g) {
    KN[c] = 0; KD[c] = 0; KST[c] = ""; KNA[c] = 0; KLO[c] = ""; KHI[c] = ""; KM[c] = 0; KCH[c] = 0; KSH[c] = 0; KG[c] = ""
    for (i = 1; i <= SW_n; i++) {
        if (!OK[i] || arg(i, "clip-grad-norm") != c) continue
        KN[c]++; KSH[c] += clip_share(i)
        g = gl2_max(i); if (g != "" && (KG[c] == "" || g > KG[c])) KG[c] = g
        if (STATUS[i] == "diverged") { KD[c]++; KST[c] = KST[c] (KST[c] == "" ? "" : ", ") RJV[i, "summary.diverged_at_step"]; continue }
        a = test_acc(i); if (!is_num(a)) continue
        a += 0; KNA[c]++; KM[c] += a
        if (KLO[c] == "" || a < KLO[c]) KLO[c] = a
        if (KHI[c] == "" || a > KHI[c]) KHI[c] = a
        if (a < 0.15) KCH[c]++
    }
    if (KNA[c]) KM[c] /= KNA[c]
    if (KN[c]) KSH[c] /= KN[c]
}
function acc_range(c) { return KNA[c] == 0 ? "n/a" : KLO[c] == KHI[c] ? pct(KLO[c]) : sprintf("%s–%s (mean %s)", pct(KLO[c]), pct(KHI[c]), pct(KM[c])) }
function body_clipping(    CV, SD, nc, k, c, i, g0lo, g0hi, g, c0, best, tail) {
    nc = split(values("clip-grad-norm"), CV, " ")
    g0lo = ""; g0hi = ""
    for (i = 1; i <= SW_n; i++) if (OK[i] && NSS[i] && SS[i, 1] == 0 && is_num(g = GL2[i, 0])) { g += 0; if (g0lo == "" || g < g0lo) g0lo = g; if (g0hi == "" || g > g0hi) g0hi = g }
    print "<ul>"
    li(sprintf("Every threshold C starts from the same %d initial networks (one per seed); their gradient norm at step 0 is %s–%s.", split(values("seed"), SD, " "), gnorm(g0lo), gnorm(g0hi)))
    c0 = ""; best = ""
    for (k = 1; k <= nc; k++) {
        c = CV[k]; clip_stats(c)
        if (c + 0 == 0) {
            c0 = c
            li(sprintf("Without clipping: %d of %d runs diverged (at step%s %s, the first step whose loss or gradient was not finite: run.json's diverged_at_step, steps.csv's last row), the largest logged gradient norm %s%s.", \
                KD[c], KN[c], KD[c] > 1 ? "s" : "", KD[c] ? KST[c] : "none", gnorm(KG[c]), KNA[c] ? sprintf("; the %s that did not diverge end%s at %s test accuracy", KNA[c] == 1 ? "one" : KNA[c] " runs", KNA[c] == 1 ? "s" : "", acc_range(c)) : ""))
            continue
        }
        li(sprintf("C = %s: %d of %d runs diverged%s; test accuracy %s%s; the gradients were clipped on %s of the logged steps (the norm before clipping at most %s).", \
            c, KD[c], KN[c], KD[c] ? " (at step" (KD[c] > 1 ? "s " : " ") KST[c] ")" : "", acc_range(c), KCH[c] ? sprintf(", %d of %d below 15 %% (chance: 10 %%)", KCH[c], KNA[c]) : "", pct(KSH[c]), gnorm(KG[c])))
        if (KD[c] == 0 && KNA[c] && (best == "" || KM[c] > KM[best])) best = c
    }
    print "</ul>"
    if (c0 == "" || !KN[c0]) return
    tail = ""
    for (k = 1; k <= nc; k++) { c = CV[k]; if (c + 0 > 0 && c != best && (KD[c] || KCH[c])) tail = tail (tail == "" ? "" : "; ") sprintf("at C = %s %s, %d of %d ended below 15 %% test accuracy", \
        c, KD[c] ? sprintf("%d of %d runs diverged", KD[c], KN[c]) : "no run diverged", KCH[c], KNA[c]) }
    if (tail != "") tail = " The threshold matters: " tail "."
    if (KD[c0] < KN[c0] / 2) verdict("qualifies", sprintf("C1: only %d of %d runs diverged without clipping, so this configuration does not explode reliably; clipped, the best threshold (C = %s) ends at %s test accuracy.%s", KD[c0], KN[c0], best == "" ? "n/a" : best, best == "" ? "n/a" : acc_range(best), tail))
    else if (best == "") verdict("contradicts", sprintf("C1: without clipping %d of %d runs diverged, and every clipping threshold tried also lost runs.%s", KD[c0], KN[c0], tail))
    else if (KLO[best] >= 0.3) verdict("confirms", sprintf("C1 (Pascanu, Mikolov & Bengio 2013): without clipping %d of %d runs of this network diverge (gradient norm up to %s); with the gradient norm clipped to C = %s none of %d does and every run trains, to %s test accuracy (chance: 10 %%).%s", KD[c0], KN[c0], gnorm(KG[c0]), best, KN[best], acc_range(best), tail))
    else verdict("qualifies", sprintf("C1: clipping to C = %s stops the divergence (%d of %d diverged without it, none with it), but the runs end at only %s test accuracy.%s", best, KD[c0], KN[c0], acc_range(best), tail))
}
# the cures: a net's name (plain or residual, the normalization when the sweep has that
# axis, the clipping); the point of (residual r, clipping c, no normalization)
function cures_arch(i,    r, nm) {
    r = arg(i, "residual"); nm = arg(i, "norm")
    return (r + 0 == 0 ? "plain" : "residual (blocks of " r ", α " arg(i, "residual-scale") ")") (nm == "" || nm == "none" ? "" : " + " nm " norm")
}
function cures_name(i) { return "<b>" h(cures_arch(i)) "</b>" (arg(i, "clip-grad-norm") + 0 > 0 ? ", clipped to " h(arg(i, "clip-grad-norm")) : ", no clipping") }
function cures_pick(r, c) { return pick("residual=" r ",clip-grad-norm=" c (values("norm") == "" ? "" : ",norm=none")) }
function cures_acc(i) { return i ? test_acc(i) + 0 : "" }
function body_cures(    i, reach, RV, CV, p0, p1, r0, r1, rk, ck, g) {
    print "<ul>"
    for (i = 1; i <= SW_n; i++) {
        if (!OK[i]) continue
        reach = first_reach(i, 0.5)
        li(sprintf("%s: test accuracy %s after %d steps (%s); gradient norm %s at step 0%s.", cures_name(i), pct(test_acc(i)), RJV[i, "summary.steps_done"], \
            reach == "" ? "never 50 % at a logged evaluation" : "50 % first seen at step " reach, gnorm(GL2[i, 0]), \
            arg(i, "clip-grad-norm") + 0 > 0 ? ", clipped on " pct(clip_share(i)) " of the logged steps" : STATUS[i] == "diverged" ? ", diverged at step " RJV[i, "summary.diverged_at_step"] : ""))
    }
    print "</ul>"
    split(values("residual"), RV, " "); split(values("clip-grad-norm"), CV, " ")
    rk = RV[1] + 0 == 0 ? RV[2] : RV[1]; ck = CV[1] + 0 == 0 ? CV[2] : CV[1]
    p0 = cures_pick(0, 0); r0 = cures_pick(rk, 0); p1 = cures_pick(0, ck); r1 = cures_pick(rk, ck)
    if (!p0 || !r0) return
    g = GL2[p0, 0] + 0 > 0 ? sprintf(" (its gradient norm at step 0 is %s, ×%.2g the plain net's)", gnorm(GL2[r0, 0]), GL2[r0, 0] / GL2[p0, 0]) : ""
    if (cures_acc(r0) >= cures_acc(p0) + 0.1)
        verdict("confirms", sprintf("He et al. (2016) at depth %d: the residual net ends at %s test accuracy, the plain one at %s%s.", DEP[p0], pct(test_acc(r0)), pct(test_acc(p0)), \
            p1 && r1 ? sprintf("; clipping moves them to %s and %s", pct(test_acc(r1)), pct(test_acc(p1))) : ""))
    else if (r1 && p1 && cures_acc(r1) >= cures_acc(p0) + 0.1 && cures_acc(r1) >= cures_acc(p1))
        verdict("qualifies", sprintf("Skip connections help here only together with clipping: the residual net alone ends at %s test accuracy%s, clipped to %s it reaches %s, the best of the four%s, against %s plain and %s plain with clipping.", \
            pct(test_acc(r0)), g, h(ck), pct(test_acc(r1)), values("norm") ~ / / ? " without normalization" : "", pct(test_acc(p0)), pct(test_acc(p1))))
    else verdict("contradicts", sprintf("At this budget the residual nets do not beat the plain one: residual %s%s, plain %s%s.", pct(test_acc(r0)), r1 ? ", with clipping " pct(test_acc(r1)) : "", pct(test_acc(p0)), p1 ? ", with clipping " pct(test_acc(p1)) : ""))
    if (values("norm") ~ /batch/) cures_norm(rk, ck, p0, r0)
}
# the cures with a norm axis: batch norm in the plain and in the residual net (no clipping),
# what clipping does to them, and the best of all the nets
function cures_norm(rk, ck, p0, r0,    pb, rb, pb1, rb1, i, best, up) {
    pb = pick("residual=0,norm=batch,clip-grad-norm=0"); rb = pick("residual=" rk ",norm=batch,clip-grad-norm=0")
    pb1 = pick("residual=0,norm=batch,clip-grad-norm=" ck); rb1 = pick("residual=" rk ",norm=batch,clip-grad-norm=" ck)
    if (!pb || !rb) return
    best = 0
    for (i = 1; i <= SW_n; i++) if (OK[i] && is_num(test_acc(i)) && (!best || test_acc(i) + 0 > test_acc(best) + 0)) best = i
    # log10 of the batch-norm plain net's gradient norm at step 0 over the plain net's
    up = GL2[p0, 0] + 0 > 0 && GL2[pb, 0] + 0 > 0 ? log(GL2[pb, 0] / GL2[p0, 0]) / log(10) : ""
    print "<ul>"
    li(sprintf("Batch norm in the plain net: %s test accuracy against %s without it; its gradient norm at step 0 is %s against the plain net's %s: %s%s.", pct(test_acc(pb)), pct(test_acc(p0)), \
        gnorm(GL2[pb, 0]), gnorm(GL2[p0, 0]), up == "" ? "n/a" : r10(up), \
        pb1 ? sprintf("; clipped to %s it ends at %s, clipped on %s of the logged steps", h(ck), pct(test_acc(pb1)), pct(clip_share(pb1))) : ""))
    li(sprintf("Batch norm in the residual net: %s against %s without it%s.", pct(test_acc(rb)), pct(test_acc(r0)), rb1 ? sprintf("; clipped to %s: %s", h(ck), pct(test_acc(rb1))) : ""))
    if (best) li(sprintf("The best of the %d nets: %s, at %s.", NOK, cures_name(best), pct(test_acc(best))))
    print "</ul>"
    if (cures_acc(pb) >= cures_acc(p0) + 0.1)
        verdict("confirms", sprintf("Ioffe &amp; Szegedy (2015) at depth %d: batch norm lifts the plain net from %s to %s test accuracy, and the residual net from %s to %s.", DEP[p0], pct(test_acc(p0)), pct(test_acc(pb)), pct(test_acc(r0)), pct(test_acc(rb))))
    else if (cures_acc(rb) >= cures_acc(r0) + 0.1)
        verdict("qualifies", sprintf("Batch norm helps here only inside residual blocks: the residual net goes from %s to %s with it, the plain net from %s to %s%s.", pct(test_acc(r0)), pct(test_acc(rb)), pct(test_acc(p0)), pct(test_acc(pb)), \
            up != "" && up > 1 ? sprintf(" (at depth %d batch norm alone multiplies the plain net's gradient norm at step 0 by %s)", DEP[p0], r10(up)) : ""))
    else verdict("contradicts", sprintf("At this budget batch norm does not help: plain %s, with batch norm %s; residual %s, with batch norm %s.", pct(test_acc(p0)), pct(test_acc(pb)), pct(test_acc(r0)), pct(test_acc(rb))))
}
function caption_cures(f) {
    if (f == "clipping") return "(a) Training loss and (b) the global gradient norm before clipping (grad_l2) at every step, log scales (x: step + 1), one line per run, colour = the clipping threshold C (off: no clipping). × marks a diverged run's last step with a finite gradient; the next one, steps.csv's last row (its loss only; run.json's diverged_at_step), overflowed. The dashed lines in (b) are the thresholds. (c) The share of each C's runs that diverged (bars) and the final test accuracy of every run that did not (points, one per seed); the dotted line is chance."
    if (f == "cures") return "(a) Test accuracy over training (squares: the final evaluation after the last step) and (b) the gradient norm before clipping at the logged steps (log y) of the deep relu networks; colour: the architecture (plain or residual, without or with batch norm), dashed: with the global gradient norm clipped. The key gives each net's measured final test accuracy (run.json), the headline the plain net's against the best one's."
    return "Figure " h(f) "."
}

# ---- N1 (issue 11: experiment normalization) -------------------------------------------------
# the point of activation a with its usual init and normalization n; its final test accuracy
function norm_pt(a, n) { return pick("activation=" a ",init=" usual_prefix(a) "*,norm=" n) }
function norm_acc(i) { return i && is_num(test_acc(i)) ? test_acc(i) + 0 : "" }
function norm_name(n) { return n == "none" ? "without normalization" : "with " n " norm" }
# "9.5 % without normalization, 81.4 % with batch norm, …" for activation a (init: usual or other)
function norm_accs(a, usual,    NV, nn, k, i, j, s) {
    nn = split(values("norm"), NV, " "); s = ""
    for (k = 1; k <= nn; k++) {
        i = 0
        for (j = 1; j <= SW_n && !i; j++) if (OK[j] && arg(j, "activation") == a && arg(j, "norm") == NV[k] && (index(arg(j, "init"), usual_prefix(a)) == 1) == usual) i = j
        if (i) s = s (s == "" ? "" : ", ") pct(test_acc(i)) " " norm_name(NV[k])
    }
    return s
}
function body_normalization(    AV, NV, na, nn, j, k, a, n, i, s, s0, sN, L, other, tr, need, fail, i0, ib, il, a0, ab, expl, flat, lnr) {
    na = split(values("activation"), AV, " "); nn = split(values("norm"), NV, " ")
    print "<ul>"
    for (j = 1; j <= na; j++) {
        a = AV[j]; i = norm_pt(a, "none"); if (!i) i = norm_pt(a, NV[1])
        if (!i) continue
        L = DEP[i]; s0 = ""; sN = ""
        for (k = 1; k <= nn; k++) {
            n = NV[k]; i = norm_pt(a, n); if (!i) continue
            s0 = s0 (s0 == "" ? "" : ", ") r10(grad_ratio(i, 0)) " " norm_name(n)
            sN = sN (sN == "" ? "" : ", ") r10(grad_ratio(i, LAST[i])) " " norm_name(n)
        }
        li(sprintf("<b>%s</b>/%s: test accuracy %s. Layer 1 gets this share of layer %d's weight gradient (‖∂L/∂W<sub>1</sub>‖ / ‖∂L/∂W<sub>%d</sub>‖) at step 0: %s; at the last logged step (%d): %s.", \
            h(a), h(arg(i, "init")), norm_accs(a, 1), L, L, s0, LAST[i], sN))
    }
    other = ""
    for (j = 1; j <= na; j++) { s = norm_accs(AV[j], 0); if (s != "") other = other (other == "" ? "" : "; ") "<b>" h(AV[j]) "</b> " s }
    if (other != "") li("With the other initialiser (He for sigmoid and tanh, Xavier for relu): " other ".")
    # batch norm's gradient at initialisation grows toward the input where it is 30x or more
    # (flat again at the last step: within a decade)
    expl = ""; flat = 1
    for (j = 1; j <= na; j++) { ib = norm_pt(AV[j], "batch"); if (ib && is_num(grad_ratio(ib, 0)) && grad_ratio(ib, 0) > 1.5) {
        expl = expl (expl == "" ? "" : "; ") sprintf("%s %s at step 0, %s at step %d", h(AV[j]), r10(grad_ratio(ib, 0)), r10(grad_ratio(ib, LAST[ib])), LAST[ib])
        if (!is_num(grad_ratio(ib, LAST[ib])) || abs(grad_ratio(ib, LAST[ib])) > 1) flat = 0 } }
    if (expl != "") li("Batch norm does not make the gradient flat at initialisation: in these nets it grows toward the input, layer 1 getting more than layer " DEP[first_ok()] " (" expl ")" (flat ? "; training brings it back within a factor 10." : "."))
    print "</ul>"
    # the verdict: per saturating activation, the plain net with the usual init barely learns
    # (below 20 %) and the batch-norm net trains (50 % or more): rescued; the plain net learns
    # (20 % or more) already: not needed; the batch-norm net does not train: failed
    tr = ""; need = ""; fail = ""
    for (j = 1; j <= na; j++) {
        a = AV[j]; if (a != "sigmoid" && a != "tanh") continue
        i0 = norm_pt(a, "none"); ib = norm_pt(a, "batch")
        if (!i0 || !ib) continue
        a0 = norm_acc(i0); ab = norm_acc(ib)
        if (a0 == "" || ab == "") continue
        s = sprintf("%s %s → %s", h(a), pct(a0), pct(ab))
        if (ab < 0.5) fail = fail (fail == "" ? "" : "; ") s
        else if (a0 < 0.2) tr = tr (tr == "" ? "" : "; ") s
        else need = need (need == "" ? "" : "; ") s
    }
    il = norm_pt("sigmoid", "layer"); i0 = norm_pt("sigmoid", "none")
    # the factor per layer: the step-0 ratio over the L - 1 layers between layer 1 and L
    lnr = il && i0 && is_num(norm_acc(il)) && norm_acc(il) < 0.2 && is_num(grad_ratio(il, 0)) && is_num(grad_ratio(i0, 0)) ? \
        sprintf(" Layer norm does not do it: the sigmoid net ends at %s, its layer-1 gradient %s of layer %d's at step 0, a factor %.2f per layer against %.2f without normalization: rescaling each sample by one number over its units does not undo sigmoid' ≤ 0.25.", \
        pct(test_acc(il)), r10(grad_ratio(il, 0)), DEP[il], exp(grad_ratio(il, 0) / (DEP[il] - 1) * log(10)), exp(grad_ratio(i0, 0) / (DEP[i0] - 1) * log(10))) : ""
    if (tr != "" && fail == "" && need == "")
        verdict("confirms", sprintf("N1 (Ioffe &amp; Szegedy 2015) at depth %d: without normalization the net barely learns and with batch norm it trains (test accuracy without → with: %s).%s", DEP[first_ok()], tr, lnr))
    else if (tr != "")
        verdict("qualifies", sprintf("N1 at depth %d: batch norm rescues %s (test accuracy without → with)%s%s.%s", DEP[first_ok()], tr, \
            need != "" ? "; " need ": the plain net learns here without it, so batch norm is not what keeps it trainable" : "", fail != "" ? "; but " fail ": batch norm does not make it train" : "", lnr))
    else if (fail != "")
        verdict("contradicts", sprintf("N1 at depth %d: with batch norm the net still does not train: %s (test accuracy without → with).", DEP[first_ok()], fail))
    else verdict("inconclusive", sprintf("N1: the plain sigmoid and tanh nets train here without normalization (%s), so the runs do not test whether batch norm keeps them trainable.", need == "" ? "n/a" : need))
}
function caption_normalization(f) {
    if (f == "normalization") return "Fashion-MNIST test accuracy over training of the deep nets, one panel per activation; colour: the normalization between each hidden layer's dense output and its activation (none, batch, layer), solid: the activation's usual init (Xavier for sigmoid and tanh, He for relu), dashed: the other one; squares: the final evaluation after the last step (batch norm with its running statistics). The titles give the final test accuracies with the usual init (run.json); the dotted line is chance."
    if (f == "normalization_profile") return "Weight-gradient norm ‖∂L/∂W<sub>l</sub>‖ of every layer (log scale) at step 0 (solid) and at the last logged step (dashed), each activation with its usual init; colour: the normalization. A straight falling line toward the input is exponential vanishing, a rising one explosion. The titles give layer 1 / the last hidden layer at both steps. Each panel has its own y axis."
    return "Figure " h(f) "."
}
# ---- R1: skip connections (experiment residual) --------------------------------------------------------
# Per (activation, net K, depth), over the seeds: the mean of layer 1's grad_w_log10 at step
# 0 (RS0) and at the last logged step (RSE), the exact zeros (RZ0, RZE), the mean final test
# accuracy (RACC); per (activation, K) the least-squares slope of the step-0 means against
# depth (RSL, decades per layer).
function res_load(    i, key, y) {
    for (i = 1; i <= SW_n; i++) {
        if (!OK[i]) continue
        key = arg(i, "activation") SUBSEP arg(i, "residual") SUBSEP DEP[i]
        y = lv(i, 0, 1, "grad_w_log10")
        if (y == "-inf") RZ0[key]++; else if (is_num(y)) { RS0[key] += y; RN0[key]++ }
        y = lv(i, LAST[i], 1, "grad_w_log10")
        if (y == "-inf") RZE[key]++; else if (is_num(y)) { RSE[key] += y; RNE[key]++ }
        if (is_num(test_acc(i))) { RACC[key] += test_acc(i); RNA[key]++ }
    }
}
function res_m(a, K, d, e,    key) {
    key = a SUBSEP K SUBSEP d
    if (e) return RNE[key] ? RSE[key] / RNE[key] : RZE[key] ? "-inf" : ""
    return RN0[key] ? RS0[key] / RN0[key] : RZ0[key] ? "-inf" : ""
}
# Step 0 against `gradtrace theory` (results/theory/residual.csv, scripts/figures-theory) at
# the depth it predicts: per (activation, net) the predicted and the measured (mean over the
# seeds) log10 E||delta_1||^2/E||delta_L||^2 and the largest deviation over layers and seeds.
function res_theory(A, na, K, nk,    n, r, a, kk, d, l, j, k, i, key, m, mn, dev, y, PT) {
    n = csv_read(results "/theory/residual.csv", "rt")
    if (!n) return
    for (r = 1; r <= n; r++) {
        PT[CV["rt", r, "activation"], CV["rt", r, "residual"], CV["rt", r, "layer"]] = CV["rt", r, "log10_delta_sq_ratio"]
        d = CV["rt", r, "depth"] + 0
    }
    print "<p>At initialisation against the mean-field prediction (" code("gradtrace theory --sigma-w2 0.333… [--residual K --residual-scale 0.1] --depth " d) "), log<sub>10</sub>(E‖δ<sub>1</sub>‖<sup>2</sup>/E‖δ<sub>L</sub>‖<sup>2</sup>) at " d " hidden layers (for relu and sigmoid, whose stream has a mean, the backward prediction is approximate: see README, gradtrace theory):</p>"
    print "<table><tr><th class=l>activation</th><th class=l>net</th><th>predicted</th><th>measured (mean over seeds)</th><th>largest deviation over layers and seeds</th></tr>"
    for (j = 1; j <= na; j++) for (k = 1; k <= nk; k++) {
        a = A[j]; kk = K[k]
        if (!((a, kk, 1) in PT)) continue
        m = 0; mn = 0; dev = 0
        for (i = 1; i <= SW_n; i++) {
            if (!OK[i] || arg(i, "activation") != a || arg(i, "residual") != kk || DEP[i] != d) continue
            if (!is_num(lv(i, 0, d, "delta_log10"))) continue
            for (l = 1; l <= d; l++) {
                y = lv(i, 0, l, "delta_log10")
                if (!is_num(y)) continue
                y = 2 * (y - lv(i, 0, d, "delta_log10"))
                if (l == 1) { m += y; mn++ }
                if (abs(y - PT[a, kk, l]) > dev) dev = abs(y - PT[a, kk, l])
            }
        }
        if (!mn) continue
        printf "<tr><td class=l>%s</td><td class=l>%s</td><td>%s</td><td>%s</td><td>%s</td></tr>\n", h(a), res_name(kk), f2(PT[a, kk, 1]), f2(m / mn), f2(dev)
    }
    print "</table>"
}
function res_name(K) { return K == "0" ? "plain" : K == "1" ? "1-layer blocks" : K "-layer blocks" }
function body_residual(    A, K, D, na, nk, nd, j, k, m, t, a, kk, x, y, sx, sy, sxx, sxy, n, first, last, s, ok, bad, grow, worst, lo, hi, acc, key, tz, best, np) {
    res_load()
    na = split(values("activation"), A, " "); nk = split(values("residual"), K, " "); nd = split(values("depth"), D, " ")
    for (j = 1; j <= nd; j++) for (k = j + 1; k <= nd; k++) if (D[k] + 0 < D[j] + 0) { t = D[j]; D[j] = D[k]; D[k] = t }
    first = D[1]; last = D[nd]
    print "<p>Layer 1's weight-gradient norm ‖∂L/∂W<sub>1</sub>‖, mean of log<sub>10</sub> over the seeds, at initialisation and after the last training step; slope: least squares of the step-0 values against depth (decades per added layer).</p>"
    print "<table><tr><th class=l>activation</th><th class=l>net</th><th>step 0, depth " first "</th><th>step 0, depth " last "</th><th>slope (decades/layer)</th><th>trained, depth " last "</th><th>test accuracy, depth " last "</th></tr>"
    for (j = 1; j <= na; j++) for (k = 1; k <= nk; k++) {
        a = A[j]; kk = K[k]
        sx = 0; sy = 0; sxx = 0; sxy = 0; n = 0
        for (m = 1; m <= nd; m++) {
            y = res_m(a, kk, D[m], 0)
            if (!is_num(y)) continue
            x = D[m] + 0; sx += x; sy += y; sxx += x * x; sxy += x * y; n++
        }
        RSL[a, kk] = n > 1 && (n * sxx - sx * sx) != 0 ? (n * sxy - sx * sy) / (n * sxx - sx * sx) : ""
        key = a SUBSEP kk SUBSEP last
        acc = RNA[key] ? RACC[key] / RNA[key] : ""
        printf "<tr><td class=l>%s</td><td class=l>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td></tr>\n", h(a), res_name(kk), \
            p10(res_m(a, kk, first, 0)), p10(res_m(a, kk, last, 0)), f3(RSL[a, kk]), p10(res_m(a, kk, last, 1)), pct(acc)
    }
    print "</table><ul>"
    # the plain nets: exponential fall; the residual ones: the change from the first to the last depth
    ok = 1; bad = ""; grow = ""; worst = 0
    for (j = 1; j <= na; j++) {
        a = A[j]
        s = RSL[a, "0"]
        if (is_num(s) || res_m(a, "0", last, 0) == "-inf")
            li(sprintf("<b>%s</b>, plain: %s decades per layer at initialisation (a factor %s per layer); layer 1 gets %s at depth %s, %s after training.", h(a), f3(s), \
                is_num(s) ? sprintf("%.3g", exp(s * log(10))) : "n/a", p10(res_m(a, "0", last, 0)), last, p10(res_m(a, "0", last, 1))))
        np = res_m(a, "0", last, 0)
        if (!(np == "-inf" || (is_num(s) && s < -0.1))) { ok = 0; bad = bad (bad == "" ? "" : ", ") h(a) " plain falls only " f3(s) " decades per layer" }
        for (k = 1; k <= nk; k++) {
            kk = K[k]
            if (kk == "0") continue
            lo = res_m(a, kk, first, 0); hi = res_m(a, kk, last, 0); y = res_m(a, kk, last, 1)
            if (!is_num(lo) || !is_num(hi)) { ok = 0; bad = bad (bad == "" ? "" : ", ") h(a) " " res_name(kk) " has no finite layer-1 gradient"; continue }
            li(sprintf("<b>%s</b>, %s: layer 1 gets %s at depth %s and %s at depth %s (a change of %s decades over %d layers); after training %s.", h(a), res_name(kk), p10(lo), first, p10(hi), last, f2(hi - lo), last - first, p10(y)))
            if (abs(hi - lo) > worst) worst = abs(hi - lo)
            if (hi - lo < -1 || (is_num(y) && y - lo < -1)) { ok = 0; bad = bad (bad == "" ? "" : ", ") h(a) " " res_name(kk) " loses " f2(lo - (hi < y ? hi : y)) " decades" }
        }
    }
    best = ""
    for (j = 1; j <= na; j++) for (k = 1; k <= nk; k++) {
        key = A[j] SUBSEP K[k] SUBSEP last
        if (K[k] != "0" && RNA[key]) { acc = RACC[key] / RNA[key]; if (best == "" || acc > best) best = acc }
    }
    tz = ""
    for (j = 1; j <= na; j++) { key = A[j] SUBSEP "0" SUBSEP last; if (RNA[key]) tz = tz (tz == "" ? "" : ", ") h(A[j]) " " pct(RACC[key] / RNA[key]) }
    if (best != "" && tz != "") li(sprintf("After training at depth %s, the plain nets reach %s test accuracy, the best residual net %s.", last, tz, pct(best)))
    print "</ul>"
    res_theory(A, na, K, nk)
    if (ok) verdict("confirms", sprintf("R1 — without skip connections layer 1's gradient falls exponentially with depth for every activation; with them it stays within %s decades of its depth-%s value up to depth %s, at initialisation and after training.", f2(worst), first, last))
    else verdict("qualifies", "R1 — " bad ".")
}
function caption_residual(f) {
    if (f == "residual_depth") return "Layer 1's weight-gradient norm against the number of hidden layers (log y), plain nets (dashed, open circles) and residual nets with one-layer (solid) and two-layer blocks (dotted), one colour per activation; (a) at initialisation, (b) after the last training step. Lines join the mean of log<sub>10</sub> over the seeds, points are single seeds; exact zeros sit on the dotted floor line. A straight falling line is exponential vanishing."
    if (f == "residual_profile") return "The profile at 101 hidden layers. Top: log<sub>10</sub>(E‖δ<sub>l</sub>‖<sup>2</sup>/E‖δ<sub>L</sub>‖<sup>2</sup>) at step 0 (δ = ∂ℓ/∂z, L the last hidden layer), points measured over the seeds, lines the mean-field prediction of " code("gradtrace theory [--residual K --residual-scale 0.1]") " for σ<sub>w</sub><sup>2</sup> = 1/3; in residual nets layer 1 (outside every block) sits 2 decades above its neighbours, as the block layers receive α·∂L/∂h with α = 0.1. Bottom: ‖∂L/∂W<sub>l</sub>‖ at step 0 (solid) and after training (dashed), seed 1. In the plain tanh and relu nets every weight gradient is tiny, not only the first layers': the forward signal dies too (q → 0 in the ordered phase), and ∂L/∂W<sub>l</sub> = a<sub>l−1</sub><sup>T</sup>δ<sub>l</sub> multiplies a vanishing activation by a vanishing δ."
    return "Figure " h(f) "."
}
