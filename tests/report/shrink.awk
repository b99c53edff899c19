# Writes a test-budget copy of an experiment file (tests/report/run): the same [experiment]
# and the same axes, so every figure script and report section meets the data it expects,
# but tiny networks, few steps and a slice of Fashion-MNIST (with -v fmnist=idx:IMAGES,LABELS,
# a small IDX copy that loads in a fraction of the time of the whole set).
#   awk [-v fmnist=SPEC] -f tests/report/shrink.awk experiments/E.ini > small/E.ini
function flush_run() {
    if (!in_run) return
    if (!has_steps) print "steps = 24"
    if (file_data && !has_train) print "train-size = 1024"
    if (file_data && !has_test) print "test-size = 256"
    in_run = 0
}
/^[ \t]*\[/ {
    flush_run()
    in_run = $0 ~ /^[ \t]*\[run\]/
    in_sweep = $0 ~ /^[ \t]*\[sweep\]/
    print; next
}
in_run && /^[a-z-]+[ \t]*=/ {
    key = $0; sub(/[ \t]*=.*/, "", key)
    val = $0; sub(/^[^=]*=[ \t]*/, "", val)
    if (key == "data" && val ~ /fashion-mnist|idx:|csv:/) file_data = 1
    if (key == "data" && val ~ /^fashion-mnist/ && fmnist != "") val = fmnist
    if (key == "width") val = 16
    else if (key == "steps") { val = val + 0 < 24 ? val + 0 : 24; has_steps = 1 }
    else if (key == "epochs") next
    else if (key == "every" || key == "census-every" || key == "eval-every") val = 8
    else if (key == "train-size") { val = 1024; has_train = 1 }
    else if (key == "test-size") { val = 256; has_test = 1 }
    else if (key == "batch") val = 32
    print key " = " val; next
}
in_sweep && /^seeds[ \t]*=/ { print "seeds = 2"; next }
{ print }
END { flush_run() }
