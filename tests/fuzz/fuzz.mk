# Fuzzing (issue 7), included by the Makefile. libFuzzer targets under ASan+UBSan, built
# with Debian's clang into build-fuzz/ (apt-get install -y clang libclang-rt-14-dev).
#   make fuzz [FUZZ_SECONDS=600] [FUZZ_TARGETS="csv idx"]   fuzz each target that long
#        (make -j2 fuzz runs two at a time); new inputs go to build-fuzz/corpus/<target>,
#        crashes to build-fuzz/crashes/; the seeds in tests/fuzz/corpus/<target>/ are read only
#   make fuzz-replay [FUZZ_REPLAY_SECONDS=60]   CI: every corpus input once (regressions
#        included), then a short run of each target; fails on any finding
#   make fuzz-build   just the binaries (build-fuzz/fuzz_<target>)
#   make fuzz-coverage   line/branch coverage of the parsers by the corpora (llvm-cov; the
#        committed corpus plus build-fuzz/corpus/<target> when a fuzz run has left one)
# Without clang these rules say so and fail; `make`, `make test` and `make clean` never
# need clang (nothing here runs unless a fuzz goal is asked for).

FUZZ_BUILD   := build-fuzz
FUZZ_CC      ?= clang
FUZZ_TARGETS ?= run_args census_args spectrum_args theory_args experiment csv idx rundir checkpoint
FUZZ_SECONDS ?= 600
FUZZ_REPLAY_SECONDS ?= 60
FUZZ_FLAGS   ?=
FUZZ_SAN     := -fsanitize=address,undefined -fno-sanitize-recover=undefined \
                -fno-omit-frame-pointer
# recursive (=): pkg-config runs only when a fuzz rule does
FUZZ_CFLAGS   = -std=c11 -O1 -g -Wall -Wextra -Wno-unused-function -D_GNU_SOURCE -MMD -MP \
                $(FUZZ_SAN) $(shell pkg-config --cflags openblas lapacke zlib inih libcjson)
FUZZ_LDLIBS   = $(shell pkg-config --libs openblas lapacke zlib inih libcjson) -lm
# -timeout: an input that takes 10 s is a finding (a hang); the malloc/RSS limit makes a
# small file that asks for gigabytes one too
FUZZ_RUNFLAGS = -timeout=10 -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1 \
                -artifact_prefix=$(FUZZ_BUILD)/crashes/$*- \
                $(if $(wildcard tests/fuzz/$*.dict),-dict=tests/fuzz/$*.dict) $(FUZZ_FLAGS)
FUZZ_ENV     := ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:symbolize=1 \
                UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 OPENBLAS_NUM_THREADS=1

# the library, plus the CLI's option helpers (cmd_args.c) that the included cmd_*.c call
FUZZ_LIB_SRC := $(filter-out src/main.c $(filter-out src/cmd_args.c,$(wildcard src/cmd_*.c)),\
                  $(wildcard src/*.c))
FUZZ_LIB_OBJ := $(FUZZ_LIB_SRC:src/%.c=$(FUZZ_BUILD)/obj/%.o)
FUZZ_BINS    := $(FUZZ_TARGETS:%=$(FUZZ_BUILD)/fuzz_%)

.PHONY: fuzz fuzz-replay fuzz-build fuzz-check-cc fuzz-clean fuzz-coverage
.PRECIOUS: $(FUZZ_BUILD)/obj/%.o

fuzz-check-cc:
	@command -v $(FUZZ_CC) >/dev/null 2>&1 || { echo "fuzz: $(FUZZ_CC) not found;" \
	  "install Debian's clang: apt-get install -y clang libclang-rt-14-dev" >&2; exit 1; }
	@echo 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n) { return d && n; }' | \
	  $(FUZZ_CC) -x c -fsanitize=fuzzer - -o /dev/null 2>/dev/null || { echo "fuzz:" \
	  "$(FUZZ_CC) has no libFuzzer runtime; apt-get install -y libclang-rt-14-dev" >&2; exit 1; }

$(FUZZ_BUILD)/obj/%.o: src/%.c | fuzz-check-cc
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c $< -o $@

$(FUZZ_BUILD)/libgradtrace-fuzz.a: $(FUZZ_LIB_OBJ)
	rm -f $@ && ar rcs $@ $^

$(FUZZ_BUILD)/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz_util.h $(FUZZ_BUILD)/libgradtrace-fuzz.a \
                      | fuzz-check-cc
	$(FUZZ_CC) $(FUZZ_CFLAGS) -Isrc -fsanitize=fuzzer $< $(FUZZ_BUILD)/libgradtrace-fuzz.a \
	  $(FUZZ_LDLIBS) -o $@

fuzz-build: $(FUZZ_BINS)

# one rule per target, so `make -j2 fuzz` fuzzes two at a time
fuzz-run-%: $(FUZZ_BUILD)/fuzz_%
	@mkdir -p $(FUZZ_BUILD)/corpus/$* $(FUZZ_BUILD)/crashes
	@echo "== fuzz_$*: $(FUZZ_SECONDS) s, log in $(FUZZ_BUILD)/fuzz_$*.log"
	@$(FUZZ_ENV) $< $(FUZZ_BUILD)/corpus/$* tests/fuzz/corpus/$* $(FUZZ_RUNFLAGS) \
	  -max_total_time=$(FUZZ_SECONDS) >$(FUZZ_BUILD)/fuzz_$*.log 2>&1; rc=$$?; \
	  { grep -aE '^#[0-9]+' $(FUZZ_BUILD)/fuzz_$*.log | sed -n '1p;$$p'; \
	    grep -aE '^stat::(number_of_executed_units|average_exec_per_sec|peak_rss)|^==[0-9]+==|^SUMMARY|Test unit written' \
	      $(FUZZ_BUILD)/fuzz_$*.log; } | sed 's/^/fuzz_$*: /'; exit $$rc

fuzz: $(FUZZ_TARGETS:%=fuzz-run-%)

fuzz-replay-%: $(FUZZ_BUILD)/fuzz_%
	@mkdir -p $(FUZZ_BUILD)/replay/$* $(FUZZ_BUILD)/crashes
	@echo "== fuzz_$*: replaying tests/fuzz/corpus/$*/ ($$(ls tests/fuzz/corpus/$* | wc -l) inputs)"
	@$(FUZZ_ENV) $< $(FUZZ_RUNFLAGS) -runs=0 tests/fuzz/corpus/$* >$(FUZZ_BUILD)/replay_$*.log 2>&1 || \
	  { tail -40 $(FUZZ_BUILD)/replay_$*.log; exit 1; }
	@echo "== fuzz_$*: fuzzing for $(FUZZ_REPLAY_SECONDS) s"
	@$(FUZZ_ENV) $< $(FUZZ_BUILD)/replay/$* tests/fuzz/corpus/$* $(FUZZ_RUNFLAGS) \
	  -max_total_time=$(FUZZ_REPLAY_SECONDS) >>$(FUZZ_BUILD)/replay_$*.log 2>&1 || \
	  { tail -40 $(FUZZ_BUILD)/replay_$*.log; exit 1; }
	@grep -aE '^#[0-9]+' $(FUZZ_BUILD)/replay_$*.log | tail -1

fuzz-replay: $(FUZZ_TARGETS:%=fuzz-replay-%)

# ---- coverage of the parsers by the corpora (no sanitizers: clang's source coverage) --------
FUZZ_COV      := $(FUZZ_BUILD)/cov
FUZZ_PROFDATA ?= llvm-profdata
FUZZ_LLVM_COV ?= llvm-cov
FUZZ_COV_CFLAGS = -std=c11 -O1 -g -Wno-unused-function -D_GNU_SOURCE \
                  -fprofile-instr-generate -fcoverage-mapping \
                  $(shell pkg-config --cflags openblas lapacke zlib inih libcjson)
# the files each target is about (census_args, spectrum_args and theory_args include their
# cmd_*.c)
FUZZ_COV_FILES_run_args    := src/config.c
FUZZ_COV_FILES_census_args := src/census_mc.c src/cmd_args.c
FUZZ_COV_FILES_spectrum_args := src/jacobian.c src/cmd_args.c
FUZZ_COV_FILES_theory_args := src/theory.c
FUZZ_COV_FILES_experiment  := src/experiment.c
FUZZ_COV_FILES_csv         := src/data_csv.c src/data.c
FUZZ_COV_FILES_idx         := src/data_idx.c src/data.c
FUZZ_COV_FILES_rundir      := src/summary.c src/sweep.c src/trace.c

$(FUZZ_COV)/obj/%.o: src/%.c | fuzz-check-cc
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_COV_CFLAGS) -fsanitize=fuzzer-no-link -c $< -o $@

$(FUZZ_COV)/libgradtrace-cov.a: $(FUZZ_LIB_SRC:src/%.c=$(FUZZ_COV)/obj/%.o)
	rm -f $@ && ar rcs $@ $^

$(FUZZ_COV)/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz_util.h $(FUZZ_COV)/libgradtrace-cov.a \
                    | fuzz-check-cc
	$(FUZZ_CC) $(FUZZ_COV_CFLAGS) -Isrc -fsanitize=fuzzer $< $(FUZZ_COV)/libgradtrace-cov.a \
	  $(FUZZ_LDLIBS) -o $@

# each input in its own process, so an input that still crashes (a finding not yet fixed)
# costs only its own coverage
fuzz-coverage-%: $(FUZZ_COV)/fuzz_%
	@rm -rf $(FUZZ_COV)/$*.prof && mkdir -p $(FUZZ_COV)/$*.prof
	@for f in tests/fuzz/corpus/$*/* $(wildcard $(FUZZ_BUILD)/corpus/$*/*); do \
	  LLVM_PROFILE_FILE=$(FUZZ_COV)/$*.prof/%p.profraw OPENBLAS_NUM_THREADS=1 $< \
	    -rss_limit_mb=2048 -artifact_prefix=$(FUZZ_COV)/$*- "$$f" >/dev/null 2>&1 || \
	    echo "fuzz_$*: $$f crashes (a finding not fixed yet?)"; \
	done
	@$(FUZZ_PROFDATA) merge -sparse $(FUZZ_COV)/$*.prof/*.profraw -o $(FUZZ_COV)/$*.profdata
	@echo "== fuzz_$*"; $(FUZZ_LLVM_COV) report $< -instr-profile=$(FUZZ_COV)/$*.profdata \
	  $(FUZZ_COV_FILES_$*) | awk '$$1 ~ /\.c$$/ || $$1 == "TOTAL" {sub(".*/", "", $$1); printf "  %-14s lines %7s  branches %7s  functions %7s\n", $$1, $$10, $$13, $$7}'

fuzz-coverage: $(FUZZ_TARGETS:%=fuzz-coverage-%)

fuzz-clean:
	rm -rf $(FUZZ_BUILD)

clean: fuzz-clean

# the harnesses' own .d too: census_args, spectrum_args and theory_args include a cmd_*.c
-include $(wildcard $(FUZZ_BUILD)/obj/*.d $(FUZZ_BUILD)/*.d)
