# Benchmarks (issue 6). Not part of `make test` or CI: they measure, they do not pass or fail.
#   make bench        step time, gemm bound, memory, depth scaling, census/sweep hooks
#                     -> tables on stdout, bench/results.csv (see bench/RESULTS.md)
#   make bench-torch  the same configurations in PyTorch (Debian's python3-torch, installed
#                     by bench/install-torch) and the gradtrace/torch ratios from one run
#   make bench-gemm   a step's float32 gemm sequence with OpenBLAS, BLIS and libxsmm on the
#                     small shapes (bench/gemm_libs.c; libraries by bench/install-gemm-libs)
# BENCH_ARGS passes options to bench (e.g. --quick, --scale 2); see `build/bench/bench --help`.

BENCH_ARGS ?=
BENCH_CENSUS_ARGS ?= --widths 5 --depths 50 --trials 10000 --csv
BENCH_CENSUS_TRIALS ?= 10000
BENCH_PY ?= /usr/bin/python3

.PHONY: bench bench-torch bench-gemm

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

# one binary per library: BLIS exports cblas_* as OpenBLAS does
GEMM_LIBS_openblas := $(shell pkg-config --cflags --libs openblas 2>/dev/null || echo -lopenblas)
GEMM_LIBS_blis := -I/usr/include/x86_64-linux-gnu -lblis
GEMM_LIBS_xsmm = $(shell pkg-config --cflags --libs libxsmm) -lxsmmnoblas
BENCH_GEMM_SHAPES ?= 200,64,64 1000,64,32 20,256,128
BENCH_GEMM_SECONDS ?= 2

$(BUILD)/bench/gemm_%: bench/gemm_libs.c
	@mkdir -p $(BUILD)/bench
	$(CC) $(CFLAGS) -DGEMM_$(shell echo $* | tr a-z A-Z) $< -o $@ $(GEMM_LIBS_$*) -lm

bench-gemm:
	bench/install-gemm-libs
	$(MAKE) $(BUILD)/bench/gemm_openblas $(BUILD)/bench/gemm_blis $(BUILD)/bench/gemm_xsmm
	@for r in 1 2 3; do for s in $(BENCH_GEMM_SHAPES); do for l in openblas blis xsmm; do \
	    OMP_NUM_THREADS=1 BLIS_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 taskset -c 0 \
	        $(BUILD)/bench/gemm_$$l $$(echo $$s | tr , ' ') $(BENCH_GEMM_SECONDS) || exit 1; \
	done; done; done
