/* The subcommands of the gradtrace command line. Each parses its own arguments, calls the
 * library and turns an error into one line on stderr; each returns the exit status. */
#ifndef GT_CMD_H
#define GT_CMD_H

int cmd_run(int argc, char **argv);    /* argv[0] is "run" */
int cmd_sweep(int argc, char **argv);
int cmd_theory(int argc, char **argv);
int cmd_census(int argc, char **argv);
int cmd_spectrum(int argc, char **argv);
int cmd_act(int argc, char **argv);    /* `gradtrace activations` */
int cmd_plot(int argc, char **argv);

#endif
