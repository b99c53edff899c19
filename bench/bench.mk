# Benchmarks (issue 6). Not part of `make test` or CI: they measure, they do not pass or fail.
#   make bench        step time, gemm bound, memory, depth scaling, census/sweep hooks
#                     -> tables on stdout, bench/results.csv (see bench/RESULTS.md)
#   make bench-torch  the same configurations in PyTorch (Debian's python3-torch, installed
#                     by bench/install-torch) and the gradtrace/torch ratios from one run
# BENCH_ARGS passes options to bench (e.g. --quick, --scale 2); see `build/bench/bench --help`.

BENCH_ARGS ?=
BENCH_CENSUS_ARGS ?= --widths 5 --depths 50 --trials 10000 --csv
BENCH_CENSUS_TRIALS ?= 10000
BENCH_PY ?= /usr/bin/python3

.PHONY: bench bench-torch

$(BUILD)/bench/bench: bench/bench.c $(BUILD)/libgradtrace.a | $(BUILD)/obj
	@mkdir -p $(BUILD)/bench
	$(CC) $(CFLAGS) -Isrc bench/bench.c $(BUILD)/libgradtrace.a $(LDLIBS) -o $@

bench: $(BUILD)/bench/bench $(BUILD)/gradtrace
	$(BUILD)/bench/bench --gradtrace $(BUILD)/gradtrace --csv bench/results.csv \
	    --census-args "$(BENCH_CENSUS_ARGS)" --census-trials $(BENCH_CENSUS_TRIALS) $(BENCH_ARGS)

bench-torch: $(BUILD)/bench/bench
	bench/install-torch
	$(BUILD)/bench/bench --steps-only --csv bench/results-gradtrace-steps.csv $(BENCH_ARGS)
	$(BENCH_PY) bench/torch_reference.py --csv bench/results-torch.csv \
	    --gradtrace-csv bench/results-gradtrace-steps.csv $(BENCH_ARGS)
