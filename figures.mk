# Experiments -> results -> figures -> report (included by the Makefile).
#   make figures   run the experiments that have not run (finished runs are reused) and
#                  render $(FIGURES)/*.png and *.svg; a second `make figures` does nothing
#   make report    $(REPORT)/index.html: every figure (embedded) with its caption, the
#                  numbers measured and the exact configuration
# Variables: RESULTS (results root), FIGURES, REPORT, EXPDIR (where the experiment files
# are), EXPERIMENTS (names to run, default every $(EXPDIR)/*.ini), FIGURES_JOBS (runs at a
# time in a sweep), GRADTRACE_BIN, GNUPLOT. Tests and the demo point them at a small tree, e.g.
#   make figures report EXPDIR=/tmp/x/exp RESULTS=/tmp/x/results FIGURES=/tmp/x/fig REPORT=/tmp/x/rep
#
# An experiment E is run by `gradtrace sweep $(EXPDIR)/E.ini --out $(RESULTS)/E`; its figures
# are drawn by plots/E.gp and plots/E_*.gp (so no experiment name may be another's name
# followed by "_"), each called with dir = the sweep directory. plots/activations.gp
# draws $(RESULTS)/activations.csv (`gradtrace activations`). The binary is an order-only
# prerequisite: rebuilding it does not redo finished experiments (delete $(RESULTS)/E, or
# touch its .ini, to redo one).

RESULTS      ?= results
FIGURES      ?= figures
REPORT       ?= report
EXPDIR       ?= experiments
EXPERIMENTS  ?= $(sort $(basename $(notdir $(wildcard $(EXPDIR)/*.ini))))
FIGURES_JOBS ?= 2
GRADTRACE_BIN ?= $(BUILD)/gradtrace
GNUPLOT      ?= gnuplot
# plots/style.gp says `set encoding utf8` (degree signs, Greek letters): gnuplot gets a UTF-8
# locale of its own, so that the figures do not depend on the caller's (under LANG unset or
# LC_ALL=C gnuplot 5.4 warns "iconv failed" on every script). C.UTF-8 is in every Debian.
GNUPLOT_ENV  := LC_ALL=C.UTF-8

# the computed figures (issue 5): no sweep, their data come from `gradtrace theory` and
# `gradtrace census` into $(RESULTS)/theory and $(RESULTS)/census
#   theory_grad_profile  experiment 1's per-layer delta at step 0 against the mean-field
#                        prediction (drawn only when grad_profile is among EXPERIMENTS)
#   theory_phase         tanh's chi1 over (sigma_w2, sigma_b2), the critical line, the inits
#   borndead             born-dead networks vs depth per width (census Monte Carlo + exact)
# COMPUTED_FIGS chooses which (e.g. COMPUTED_FIGS= for none); CENSUS_TRIALS networks per
# width and census variant (4 variants; 20000 take about 40 s on 2 cores), with
# FIGURES_JOBS threads.
COMPUTED_FIGS ?= theory_grad_profile theory_phase borndead
CENSUS_TRIALS ?= 20000

# figure names per experiment, and the sweep directory each figure reads
figs_of = $(patsubst plots/%.gp,%,$(wildcard plots/$(1).gp plots/$(1)_*.gp))
EXP_FIGS := $(foreach e,$(EXPERIMENTS),$(call figs_of,$(e)))
COMP_FIGS := $(filter-out $(if $(filter grad_profile,$(EXPERIMENTS)),,theory_grad_profile),$(COMPUTED_FIGS))
ALL_FIGS := $(EXP_FIGS) activations $(COMP_FIGS)
$(foreach e,$(EXPERIMENTS),$(foreach f,$(call figs_of,$(e)),$(eval FIG_DATA_$(f) := $(RESULTS)/$(e))))
FIG_DATA_activations := $(RESULTS)/activations.csv
FIG_DATA_theory_grad_profile := $(RESULTS)
FIG_DATA_theory_phase := $(RESULTS)/theory
FIG_DATA_borndead := $(RESULTS)/census
THEORY_FILES := $(RESULTS)/theory/profiles.csv $(RESULTS)/theory/tanh-phase.csv \
                $(RESULTS)/theory/tanh-critical.csv $(RESULTS)/theory/tanh-inits.csv
CENSUS_VARIANTS := he-nobias-1 he-nobias-100 he-bias-1 rai-bias-1
CENSUS_FILES := $(foreach v,$(CENSUS_VARIANTS),$(RESULTS)/census/$(v).csv)
# each computed figure's own data only (the demo draws theory_grad_profile alone, so its
# report has no theory_phase section without a figure)
COMP_DATA := $(if $(filter theory_grad_profile,$(COMP_FIGS)),$(RESULTS)/theory/profiles.csv) \
             $(if $(filter theory_phase,$(COMP_FIGS)),$(filter-out %/profiles.csv,$(THEORY_FILES))) \
             $(if $(filter borndead,$(COMP_FIGS)),$(CENSUS_FILES))

FIGURE_FILES := $(foreach f,$(ALL_FIGS),$(FIGURES)/$(f).png $(FIGURES)/$(f).svg)
INDEX_FILES  := $(foreach e,$(EXPERIMENTS),$(RESULTS)/$(e)/index.csv)
PLOT_DEPS    := plots/style.gp scripts/figures-runs scripts/figures-lib.awk

.PHONY: figures report
figures: $(INDEX_FILES) $(FIGURE_FILES)
report: $(REPORT)/index.html

$(RESULTS)/%/index.csv: $(EXPDIR)/%.ini | $(GRADTRACE_BIN) scripts/figures-sweep
	scripts/figures-sweep $(GRADTRACE_BIN) $< $(RESULTS)/$* $(FIGURES_JOBS)

$(RESULTS)/activations.csv: | $(GRADTRACE_BIN)
	@mkdir -p $(@D)
	$(GRADTRACE_BIN) activations --from -6 --to 6 --points 1201 > $@.tmp && mv $@.tmp $@

# each figure depends on its data: a sweep's index.csv (rewritten whenever the sweep ran)
$(foreach e,$(EXPERIMENTS),$(foreach f,$(call figs_of,$(e)),\
  $(eval $(FIGURES)/$(f).png $(FIGURES)/$(f).svg: $(RESULTS)/$(e)/index.csv)))
$(FIGURES)/activations.png $(FIGURES)/activations.svg: $(RESULTS)/activations.csv

# ---- the computed figures' data (issue 5); the binary is order-only, as for the sweeps
$(RESULTS)/theory/profiles.csv $(RESULTS)/theory/tanh-critical.csv $(RESULTS)/theory/tanh-inits.csv: \
  | $(GRADTRACE_BIN) scripts/figures-theory
	scripts/figures-theory $(GRADTRACE_BIN) $(patsubst tanh-%,%,$(basename $(@F))) $@
$(RESULTS)/theory/tanh-phase.csv: | $(GRADTRACE_BIN)
	@mkdir -p $(@D)
	$(GRADTRACE_BIN) theory --activation tanh --phase-grid --w2-range 0.2:4:77 --b2-range 0:0.5:51 --csv > $@.tmp && mv $@.tmp $@
CENSUS_ARGS_he-nobias-1   := --init he-normal --bias off --inputs gaussian:1
CENSUS_ARGS_he-nobias-100 := --init he-normal --bias off --inputs gaussian:100
CENSUS_ARGS_he-bias-1     := --init he-normal --bias on --inputs gaussian:1
CENSUS_ARGS_rai-bias-1    := --init rai --bias on --inputs gaussian:1
$(CENSUS_FILES): $(RESULTS)/census/%.csv: | $(GRADTRACE_BIN)
	@mkdir -p $(@D)
	$(GRADTRACE_BIN) census --widths 2,3,4,5,10 --depths 1,2,3,5,10,15,20,25,30,35,40,45,50 --input-dim 2 \
	    --trials $(CENSUS_TRIALS) --seed 1 --threads $(FIGURES_JOBS) $(CENSUS_ARGS_$*) --csv > $@.tmp && mv $@.tmp $@
$(FIGURES)/theory_grad_profile.png $(FIGURES)/theory_grad_profile.svg: $(RESULTS)/theory/profiles.csv \
  $(if $(filter grad_profile,$(EXPERIMENTS)),$(RESULTS)/grad_profile/index.csv)
$(FIGURES)/theory_phase.png $(FIGURES)/theory_phase.svg: $(RESULTS)/theory/tanh-phase.csv \
  $(RESULTS)/theory/tanh-critical.csv $(RESULTS)/theory/tanh-inits.csv
$(FIGURES)/borndead.png $(FIGURES)/borndead.svg: $(CENSUS_FILES)

# ---- R1 (experiments/residual.ini): the mean-field profiles its profile figure draws
$(RESULTS)/theory/residual.csv: | $(GRADTRACE_BIN) scripts/figures-theory
	scripts/figures-theory $(GRADTRACE_BIN) residual $@
$(FIGURES)/residual_profile.png $(FIGURES)/residual_profile.svg: $(RESULTS)/theory/residual.csv
ifneq ($(filter residual,$(EXPERIMENTS)),)
$(REPORT)/index.html: $(RESULTS)/theory/residual.csv
endif

# gnuplot is run from the top directory (the scripts load plots/style.gp and call
# scripts/figures-runs); a failed figure leaves no file behind
$(FIGURES)/%.png: plots/%.gp $(PLOT_DEPS)
	@mkdir -p $(@D)
	$(GNUPLOT_ENV) $(GNUPLOT) -e "dir='$(FIG_DATA_$*)'; out='$@.tmp'; fmt='png'" $< && mv $@.tmp $@ || { rm -f $@.tmp; exit 1; }
$(FIGURES)/%.svg: plots/%.gp $(PLOT_DEPS)
	@mkdir -p $(@D)
	$(GNUPLOT_ENV) $(GNUPLOT) -e "dir='$(FIG_DATA_$*)'; out='$@.tmp'; fmt='svg'" $< && mv $@.tmp $@ || { rm -f $@.tmp; exit 1; }

# the report covers every experiment file of $(EXPDIR) (and says "not run" for one
# without results); it embeds the PNGs, so it depends on them
$(REPORT)/index.html: $(filter %.png,$(FIGURE_FILES)) $(INDEX_FILES) $(RESULTS)/activations.csv $(COMP_DATA) \
                      $(wildcard $(EXPDIR)/*.ini) scripts/report scripts/report.awk scripts/figures-lib.awk
	scripts/report --results $(RESULTS) --figures $(FIGURES) --experiments $(EXPDIR) --out $@
