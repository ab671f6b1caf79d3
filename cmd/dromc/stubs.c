#include "cmd/dromc/dromc.h"

int dromc_compile(int argc, char **argv) { return dromc_usage_error("compile", "not built yet"); }
int dromc_graph(int argc, char **argv) { return dromc_usage_error("graph", "not built yet"); }
int dromc_dsl(int argc, char **argv) { return dromc_usage_error("dsl", "not built yet"); }
