# gradtrace build. `make` builds build/gradtrace and build/libgradtrace.a; `make test` runs
# the CMocka suite; SANITIZE=1 builds into build-san/ with ASan+UBSan; WERROR=1 adds -Werror.
# Missing Debian packages are installed by scripts/install-deps (only when something is missing;
# INSTALL_DEPS=0 never runs it: package builds, where Build-Depends have done that).

BUILD   := build
SANITIZE ?= 0
WERROR  ?= 0
PKGS    := openblas lapacke zlib cmocka inih libcjson
INSTALL_DEPS ?= 1

# The version is written once, in the file VERSION; the compiler gets it as GT_VERSION.
# debian/changelog and the man pages' .TH lines repeat it; tests/version/run fails when any
# of them, `gradtrace --version` or run.json says something else.
VERSION := $(shell cat VERSION 2>/dev/null)
ifneq ($(shell [ "$$(wc -l 2>/dev/null <VERSION)" = 1 ] && grep -Exq '[0-9]+(\.[0-9]+)*([~+][0-9A-Za-z.~+]*)?' VERSION && echo ok),ok)
$(error VERSION must be one line such as 0.1.0 or 0.2.0~rc1 (digits and dots, then optionally ~ or + and letters, digits, dots, ~, +: a Debian native version); it holds '$(VERSION)')
endif

CC      ?= cc
OPT     ?= -O2 -fvect-cost-model=dynamic
# Floating point stays IEEE: no FMA contraction (same bits from every vector width, see
# GT_HOT in src/common.h). -fno-trapping-math and -fno-math-errno change no value: they
# say that no code reads FP exception flags or errno after sqrt, which lets gcc if-convert
# selects such as x < -110 ? -110 : x and vectorise those loops (and adam's sqrt).
# EXTRA_CFLAGS come first, so the project's flags win where both set something (debian/rules
# passes dpkg-buildflags' hardening flags there; none of them changes a floating-point result).
EXTRA_CFLAGS ?=
CFLAGS  := -std=c11 $(EXTRA_CFLAGS) $(OPT) -ffp-contract=off -fno-trapping-math -fno-math-errno -g -Wall -Wextra -Wshadow -Wstrict-prototypes -D_GNU_SOURCE -MMD -MP \
           -DGT_VERSION='"$(VERSION)"'
LDLIBS  := -lm
ifeq ($(WERROR),1)
CFLAGS  += -Werror
endif
ifeq ($(SANITIZE),1)
BUILD   := build-san
CFLAGS  += -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
LDFLAGS += -fsanitize=address,undefined
endif

# ---- dependencies: install what is missing, then say what was found -----------------------
NODEPS_GOALS := clean help fresh-check uninstall
ifeq ($(filter-out $(NODEPS_GOALS),$(or $(MAKECMDGOALS),all)),)
else
ifneq ($(INSTALL_DEPS),0)
ifneq ($(shell scripts/install-deps --check >/dev/null 2>&1 && echo ok),ok)
$(info gradtrace: Debian packages missing; running scripts/install-deps)
ifneq ($(shell scripts/install-deps >&2 && echo ok),ok)
$(error scripts/install-deps failed; run it as root (see README.md))
endif
endif
endif
ifeq ($(MAKELEVEL),0)
$(info ✓ OpenBLAS $(shell pkg-config --modversion openblas) (BLAS + LAPACKE $(shell pkg-config --modversion lapacke)))
$(info ✓ zlib $(shell pkg-config --modversion zlib), cmocka $(shell pkg-config --modversion cmocka), inih r$(shell pkg-config --modversion inih), cJSON $(shell pkg-config --modversion libcjson))
$(info ✓ gnuplot $(shell gnuplot --version 2>/dev/null | cut -d' ' -f2))
endif
CFLAGS  += $(shell pkg-config --cflags $(PKGS))
LDLIBS  := $(shell pkg-config --libs openblas lapacke zlib inih libcjson) $(LDLIBS)
TESTLIBS := $(shell pkg-config --libs cmocka)
endif

# the command line (main.c, cmd_*.c) prints and exits; the library below it never does
CLI_SRC  := src/main.c $(wildcard src/cmd_*.c)
CLI_OBJ  := $(CLI_SRC:src/%.c=$(BUILD)/obj/%.o)
LIB_SRC  := $(filter-out $(CLI_SRC),$(wildcard src/*.c))
LIB_OBJ  := $(LIB_SRC:src/%.c=$(BUILD)/obj/%.o)
TEST_SRC := $(wildcard tests/test_*.c)
TEST_BIN := $(TEST_SRC:tests/%.c=$(BUILD)/tests/%)
TEST_SUPPORT := $(filter-out $(TEST_SRC),$(wildcard tests/*.c))
TEST_SUPPORT_OBJ := $(TEST_SUPPORT:tests/%.c=$(BUILD)/tests/obj/%.o)

.PHONY: all test demo clean help figures report fresh-check install uninstall deb deb-check
.SECONDARY: # keep test objects between builds
all: $(BUILD)/gradtrace

$(BUILD)/obj/%.o: src/%.c | $(BUILD)/obj
	$(CC) $(CFLAGS) -c $< -o $@

# a new VERSION recompiles everything: GT_VERSION is a compiler flag, which -MMD does not track
$(LIB_OBJ) $(CLI_OBJ): VERSION

$(BUILD)/libgradtrace.a: $(LIB_OBJ)
	rm -f $@ && ar rcs $@ $^

# linked under a temporary name: a sweep running the old binary never sees a half-written one
$(BUILD)/gradtrace: $(CLI_OBJ) $(BUILD)/libgradtrace.a
	$(CC) $(LDFLAGS) $^ $(LDLIBS) -o $@.tmp && mv $@.tmp $@

$(BUILD)/tests/obj/%.o: tests/%.c | $(BUILD)/tests/obj
	$(CC) $(CFLAGS) -Isrc -c $< -o $@

$(BUILD)/tests/%: $(BUILD)/tests/obj/%.o $(TEST_SUPPORT_OBJ) $(BUILD)/libgradtrace.a
	$(CC) $(LDFLAGS) $^ $(TESTLIBS) $(LDLIBS) -o $@

$(BUILD)/obj $(BUILD)/tests/obj:
	mkdir -p $@

# Script tests drive the binary end to end: faults (kills, full disks, signals) and, outside
# the sanitizer build, the figures and report in headless Chromium.
# The report test runs under LC_ALL=C with LANG unset, as on a minimal server or in a
# container: the figures must not depend on the caller's locale. tests/readme/run checks
# that the numbers README shows are what today's binary prints; tests/slurm/run submits a
# sweep to a single-node Slurm it starts itself (its C paths run under ASan in test_sweep).
SCRIPT_TESTS := $(wildcard tests/faults/run tests/live/run tests/resume/run tests/torch_cures/run)
ifneq ($(SANITIZE),1)
SCRIPT_TESTS += $(wildcard tests/report/run tests/readme/run tests/slurm/run tests/install/run \
                           tests/plot/run tests/version/run)
endif
ENV_tests/report/run := env -u LANG -u LANGUAGE LC_ALL=C

# Each test binary runs on its own; the CLI tests find the binary through GRADTRACE.
test: $(TEST_BIN) $(BUILD)/gradtrace
	@set -e; $(foreach t,$(TEST_BIN) $(SCRIPT_TESTS),\
	  echo "== $(t)"; $(ENV_$(t)) GRADTRACE=$(CURDIR)/$(BUILD)/gradtrace OPENBLAS_NUM_THREADS=1 $(t);) \
	echo "all tests passed"

demo: $(BUILD)/gradtrace
	scripts/demo $(BUILD)/gradtrace

# README's two commands on a fresh Debian 12 root (debootstrap), from the committed HEAD
fresh-check:
	scripts/fresh-check

clean:
	rm -rf build build-san

# ---- make install / uninstall (PREFIX, DESTDIR as GNU and Debian expect) -------------------
# share/gradtrace holds the experiment files, gnuplot scripts, helper scripts and figures.mk,
# so that an installed copy runs the figures pipeline from its share directory:
#   make -C /usr/local/share/gradtrace -f figures.mk figures report \
#        GRADTRACE_BIN=/usr/local/bin/gradtrace RESULTS=$PWD/results FIGURES=$PWD/figures REPORT=$PWD/report
# (absolute RESULTS, FIGURES, REPORT: make runs in the share directory, which stays read-only).
# Man pages are installed gzip -9n'd (no name or time stamp: reproducible), as Debian does.
PREFIX   ?= /usr/local
DESTDIR  ?=
BINDIR   := $(DESTDIR)$(PREFIX)/bin
SHAREDIR := $(DESTDIR)$(PREFIX)/share/gradtrace
MAN1DIR  := $(DESTDIR)$(PREFIX)/share/man/man1
COMPDIR  := $(DESTDIR)$(PREFIX)/share/bash-completion/completions
# the pipeline's own scripts only (not install-deps, demo or fresh-check: a source checkout's)
SHARE_FILES := $(wildcard experiments/*.ini plots/*.gp scripts/figures-* scripts/report*) figures.mk
MAN_PAGES   := $(wildcard man/*.1)

install: $(BUILD)/gradtrace
	install -D -m 755 $(BUILD)/gradtrace $(BINDIR)/gradtrace
	@set -e; for f in $(SHARE_FILES); do \
	  if [ -x "$$f" ]; then m=755; else m=644; fi; \
	  echo "install -D -m $$m $$f $(SHAREDIR)/$$f"; install -D -m $$m "$$f" "$(SHAREDIR)/$$f"; done
	install -d -m 755 $(MAN1DIR)
	@set -e; for p in $(MAN_PAGES); do \
	  echo "gzip -9n < $$p > $(MAN1DIR)/$${p#man/}.gz"; \
	  gzip -9n < "$$p" > "$(MAN1DIR)/$${p#man/}.gz"; chmod 644 "$(MAN1DIR)/$${p#man/}.gz"; done
	install -D -m 644 completion/gradtrace.bash $(COMPDIR)/gradtrace

# removes exactly what install put there, then the share/gradtrace directories left empty
uninstall:
	rm -f $(BINDIR)/gradtrace $(COMPDIR)/gradtrace $(addprefix $(SHAREDIR)/,$(SHARE_FILES)) \
	      $(patsubst man/%,$(MAN1DIR)/%.gz,$(MAN_PAGES))
	@for d in experiments plots scripts; do \
	  [ ! -d "$(SHAREDIR)/$$d" ] || rmdir --ignore-fail-on-non-empty "$(SHAREDIR)/$$d"; done; \
	[ ! -d "$(SHAREDIR)" ] || rmdir --ignore-fail-on-non-empty "$(SHAREDIR)"

# ---- make deb / deb-check: the Debian package (debian/) ----------------------------------------
# deb: dpkg-buildpackage -us -uc -b in a temporary copy of the tree, lintian; the .deb, its
# dbgsym, .buildinfo, .changes, build.log and lintian.txt land in build/deb/.
# deb-check: that .deb installed from Debian's archive into a fresh debootstrap'd bookworm
# root, run there (and its traces compared with build/gradtrace's), removed; needs root.
DEB_FILE := build/deb/gradtrace_$(VERSION)_$(shell dpkg --print-architecture 2>/dev/null).deb
deb:
	scripts/deb-build --outdir build/deb

deb-check: deb $(BUILD)/gradtrace
	scripts/deb-check --compare $(BUILD)/gradtrace $(DEB_FILE)

help:
	@echo "make            build build/gradtrace (installs missing Debian packages first)"
	@echo "make test       build and run the CMocka test suite"
	@echo "make demo       the flagship experiment: gradient norms per activation, depth 20"
	@echo "make SANITIZE=1 test   the suite under ASan+UBSan (build-san/)"
	@echo "make figures    run experiments/*.ini not yet run (results/) and draw figures/*.png|svg"
	@echo "make report     report/index.html: every figure, measured sentences, exact configs"
	@echo "make fuzz       libFuzzer targets, FUZZ_SECONDS each (tests/fuzz/fuzz.mk; needs clang)"
	@echo "make fuzz-replay   replay tests/fuzz/corpus, then FUZZ_REPLAY_SECONDS of fuzzing per target"
	@echo "make fresh-check   README's two commands in a fresh debootstrap'd Debian 12 root (committed HEAD)"
	@echo "make install    bin/gradtrace, share/gradtrace, man pages, bash completion under \$$(DESTDIR)\$$(PREFIX) [/usr/local]"
	@echo "make uninstall  remove what make install put there (same PREFIX and DESTDIR)"
	@echo "make deb        the Debian package build/deb/gradtrace_<version>_<arch>.deb (dpkg-buildpackage, lintian)"
	@echo "make deb-check  that .deb installed and run in a fresh debootstrap'd Debian 12 root (needs root)"
	@echo "make bench      benchmark tables (bench/RESULTS.md); make bench-torch: PyTorch side by side; make bench-gemm: OpenBLAS vs BLIS vs libxsmm"

# benchmarks and fuzzing bring their own rules
include $(wildcard bench/*.mk tests/fuzz/*.mk)
include figures.mk

-include $(LIB_OBJ:.o=.d) $(CLI_OBJ:.o=.d) $(TEST_BIN:$(BUILD)/tests/%=$(BUILD)/tests/obj/%.d) \
         $(TEST_SUPPORT_OBJ:.o=.d)
