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

# figure names per experiment, and the sweep directory each figure reads
figs_of = $(patsubst plots/%.gp,%,$(wildcard plots/$(1).gp plots/$(1)_*.gp))
EXP_FIGS := $(foreach e,$(EXPERIMENTS),$(call figs_of,$(e)))
ALL_FIGS := $(EXP_FIGS) activations
$(foreach e,$(EXPERIMENTS),$(foreach f,$(call figs_of,$(e)),$(eval FIG_DATA_$(f) := $(RESULTS)/$(e))))
FIG_DATA_activations := $(RESULTS)/activations.csv

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

# gnuplot is run from the top directory (the scripts load plots/style.gp and call
# scripts/figures-runs); a failed figure leaves no file behind
$(FIGURES)/%.png: plots/%.gp $(PLOT_DEPS)
	@mkdir -p $(@D)
	$(GNUPLOT) -e "dir='$(FIG_DATA_$*)'; out='$@.tmp'; fmt='png'" $< && mv $@.tmp $@ || { rm -f $@.tmp; exit 1; }
$(FIGURES)/%.svg: plots/%.gp $(PLOT_DEPS)
	@mkdir -p $(@D)
	$(GNUPLOT) -e "dir='$(FIG_DATA_$*)'; out='$@.tmp'; fmt='svg'" $< && mv $@.tmp $@ || { rm -f $@.tmp; exit 1; }

# the report covers every experiment file of $(EXPDIR) (and says "not run" for one
# without results); it embeds the PNGs, so it depends on them
$(REPORT)/index.html: $(filter %.png,$(FIGURE_FILES)) $(INDEX_FILES) $(RESULTS)/activations.csv \
                      $(wildcard $(EXPDIR)/*.ini) scripts/report scripts/report.awk scripts/figures-lib.awk
	scripts/report --results $(RESULTS) --figures $(FIGURES) --experiments $(EXPDIR) --out $@
