# dromedary — build, test and run. `make help` lists the targets.
SHELL   := /bin/bash
CC      ?= gcc
PKGS    := libxml-2.0 yaml-0.1 jansson libmariadb rdkafka libqpid-proton libmicrohttpd libsystemd libpcre2-8 libzstd openssl
CSTD    := -std=c17 -D_GNU_SOURCE
WARN    := -Wall -Wextra -Werror -Wshadow -Wno-unused-parameter
OPT     ?= -O2 -g
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
CFLAGS  += $(CSTD) $(WARN) $(OPT) -I. $(PKG_CFLAGS) -pthread
LDLIBS  += $(PKG_LIBS) -pthread -lm
BUILD   ?= build
# `CC file` a line; V=1 prints the full commands.
ifeq ($(V),1)
Q :=
say = @true
else
Q := @
say = @printf '  %-4s %s\n' $(1) $(2)
endif

LIB_SRC  := $(sort $(wildcard runtime/*.c dsl/*.c compiler/*.c components/*.c components/*/*.c))
LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/%.o)
LIB      := $(BUILD)/libdrom.a
DROMC_SRC := $(wildcard cmd/dromc/*.c)
DROMD_SRC := $(wildcard cmd/dromd/*.c)
PROGS    := $(if $(DROMC_SRC),$(BUILD)/dromc) $(if $(DROMD_SRC),$(BUILD)/dromd)
UNIT_SRC := $(sort $(wildcard tests/unit/*.c tests/golden/*.c))
INTEG_SRC := $(sort $(wildcard tests/integration/*.c tests/observe/*.c))
FAULTS_SRC := $(sort $(wildcard tests/faults/*.c))
HA_SRC := $(sort $(wildcard tests/ha/*.c))
# tests/support: what every test binary shares (servers, clocks, files).
TSUP_OBJ := $(patsubst %.c,$(BUILD)/%.o,$(sort $(wildcard tests/support/*.c)))
TEST_LIBS := $(shell pkg-config --libs criterion 2>/dev/null)

.PHONY: print-pkgs all deps test unit integration san san-integration check-layers fuzz valgrind tsan clean help \
        services-up services-down demo demo-stop bench debezium-golden debezium-signals observe camel-compat debezium-replay faults ha
all: $(LIB) $(PROGS)

# the pkg-config packages the library links, for scripts that link it themselves
print-pkgs:
	@echo $(PKGS)

help:
	@echo "make            build dromc, dromd and build/libdrom.a"
	@echo "make deps       install the Debian packages the build, tests and demo need"
	@echo "make test       deps + build + every test (unit, golden, integration on real servers)"
	@echo "make san        unit and golden tests under AddressSanitizer + UBSan"
	@echo "make san-integration  the component suites on the real servers under ASan + UBSan"
	@echo "make valgrind   unit tests under valgrind memcheck"
	@echo "make tsan       engine tests under ThreadSanitizer"
	@echo "make fuzz       each fuzz target for FUZZ_SECONDS (default 30)"
	@echo "make check-layers  prove includes only point down the layers, no long function or file, no circle"
	@echo "make demo / demo-stop   the seed pipeline end to end"
	@echo "make bench      benchmarks (not part of make test)"
	@echo "make observe    only the dashboard/alerts (real Prometheus) and status page (headless Chromium) suites"
	@echo "make camel-compat  routes/camel-debezium.xml + .properties under dromd and Camel Main 4.17 (Java, mvn), same queue"
	@echo "make faults     the fault matrix on the seed pipeline (~8 min; writes docs/reliability.md)"
	@echo "make ha         standby replicas, takeovers and a broker lost, on a 3-node Kafka cluster (docs/ha.md)"
	@echo "make debezium-golden  rewrite tests/debezium/expected/ and tests/debezium/options/expected/ with Debezium 3.6.1 (Java 21+), then compare"
	@echo "make debezium-replay  Debezium's own test scripts through Debezium 3.6.1 and dromedary (about 30 min)"

deps:
	@bash scripts/deps.sh

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(call say,CC,$<)
	$(Q)$(CC) $(CFLAGS) -MMD -MP -c $< -o $@

$(LIB): $(LIB_OBJ)
	@mkdir -p $(dir $@)
	$(call say,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^

$(BUILD)/dromc: $(DROMC_SRC:%.c=$(BUILD)/%.o) $(LIB)
	$(call say,LD,$@)
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)
	@ln -sf $@ dromc

# The status page is written as HTML and compiled in as one string.
$(BUILD)/gen/page.c: cmd/dromd/page.html
	@mkdir -p $(dir $@)
	$(call say,GEN,$@)
	$(Q){ echo '#include "cmd/dromd/page.h"'; echo 'const char dromd_status_page[] ='; \
	  sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/"/' -e 's/$$/\\n"/' $<; echo ';'; } > $@

$(BUILD)/gen/page.o: $(BUILD)/gen/page.c
	$(call say,CC,$<)
	$(Q)$(CC) $(CFLAGS) -c $< -o $@

$(BUILD)/dromd: $(DROMD_SRC:%.c=$(BUILD)/%.o) $(BUILD)/gen/page.o $(LIB)
	$(call say,LD,$@)
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)
	@ln -sf $@ dromd

$(BUILD)/test-unit: $(UNIT_SRC:%.c=$(BUILD)/%.o) $(TSUP_OBJ) $(LIB)
	$(call say,LD,$@)
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS) $(TEST_LIBS)

$(BUILD)/test-integration: $(INTEG_SRC:%.c=$(BUILD)/%.o) $(TSUP_OBJ) $(LIB)
	$(call say,LD,$@)
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS) $(TEST_LIBS)

$(BUILD)/test-faults: $(FAULTS_SRC:%.c=$(BUILD)/%.o) $(TSUP_OBJ) $(LIB)
	$(call say,LD,$@)
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS) $(TEST_LIBS)

$(BUILD)/test-ha: $(HA_SRC:%.c=$(BUILD)/%.o) $(TSUP_OBJ) $(LIB)
	$(call say,LD,$@)
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS) $(TEST_LIBS)

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)

# The unit and golden suites need no server; they run in parallel.
unit: all $(BUILD)/test-unit
	$(BUILD)/test-unit $(CRITERION_ARGS)

# Integration suites share the real servers, so they run one at a time.
integration: all $(if $(INTEG_SRC),$(BUILD)/test-integration)
	@if [ -n "$(INTEG_SRC)" ]; then bash tests/services/up.sh && \
	  . tests/services/env.sh && $(BUILD)/test-integration --jobs 1 $(CRITERION_ARGS); fi

# The operator's view alone (make integration runs it too): a real Prometheus
# and a headless Chromium on a running pipeline; screenshots and logs land in
# build/observe/.
observe: deps all $(BUILD)/test-integration
	bash tests/services/up.sh && . tests/services/env.sh && \
	  $(BUILD)/test-integration --jobs 1 --filter 'prometheus/*' $(CRITERION_ARGS) && \
	  $(BUILD)/test-integration --jobs 1 --filter 'statuspage/*' $(CRITERION_ARGS)

test: deps
	$(MAKE) all
	$(MAKE) unit
	$(MAKE) integration
	bash tests/check-routes.sh

# Not part of make test (a minute, and Camel's jars through mvn): one route file and one
# properties file under dromd and under Apache Camel Main, the same changes in the queue.
camel-compat: all
	bash tests/camel-compat/run.sh

# Not part of make test (which needs no Java): the golden files come from a real Debezium.
debezium-golden: all
	bash tests/services/mariadb/ctl start
	bash tests/debezium/capture.sh
	DROM_GOLDEN_DIR=$(CURDIR)/tests/debezium/options bash tests/debezium/capture.sh

# An incremental snapshot, then a blocking one, under 200 changes/s, Debezium and dromedary compared
# (tests/debezium/signals.sh).
debezium-signals: all
	bash tests/services/mariadb/ctl start
	bash tests/debezium/signals.sh
	KIND=blocking ROWS=5000 bash tests/debezium/signals.sh

debezium-replay: all
	bash tests/services/mariadb/ctl start
	bash tests/debezium/replay-ddl.sh $(SCRIPTS)

SAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
san:
	$(MAKE) BUILD=build/san OPT="-O1 -g $(SAN_FLAGS)" LDFLAGS="$(SAN_FLAGS)" all build/san/test-unit
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
	  LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp build/san/test-unit $(CRITERION_ARGS)

# The components on the real servers, in process, under ASan + UBSan: the
# binlog reader, the Kafka and AMQP clients meet what unit tests cannot give.
SAN_SUITES ?= @(mysql_binlog|kafka|amqp)*/*
san-integration:
	$(MAKE) BUILD=build/san OPT="-O1 -g $(SAN_FLAGS)" LDFLAGS="$(SAN_FLAGS)" all build/san/test-integration
	bash tests/services/up.sh && . tests/services/env.sh && \
	  ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
	  build/san/test-integration --jobs 1 --filter '$(SAN_SUITES)' $(CRITERION_ARGS)

valgrind: all $(BUILD)/test-unit
	valgrind --error-exitcode=1 --leak-check=full --errors-for-leak-kinds=definite,indirect \
	  --trace-children=yes --trace-children-skip='*/dot,*/sh,*/bash' -q $(BUILD)/test-unit --jobs 1

# Criterion's runner cannot start under ThreadSanitizer, so the engine suites run
# through tests/tsan/run.sh in one process.
tsan:
	$(MAKE) BUILD=build/tsan OPT="-O1 -g -fsanitize=thread" LDFLAGS="-fsanitize=thread" build/tsan/libdrom.a
	bash tests/tsan/run.sh

FUZZ_SECONDS ?= 30
fuzz:
	bash tests/fuzz/run.sh $(FUZZ_SECONDS)

# Includes point down the layers; pieces stay small and the files of a
# folder call each other one way only (read from the objects, hence $(LIB)).
check-layers: $(LIB)
	@bash scripts/check-layers.sh
	@BUILD=$(BUILD) python3 scripts/check-structure.py
	@echo "check-structure: ok (no function over 100 lines, no file over 600, no circle inside a folder)"

services-up:
	bash tests/services/up.sh
services-down:
	bash tests/services/down.sh

demo: deps all
	bash scripts/demo.sh
demo-stop:
	bash scripts/demo.sh stop

bench: all
	bash tests/bench/run.sh

# The fault matrix: long (each row restarts servers), so not in `make test`.
# Every row is recorded even when it fails; the report is written either way.
faults: all $(BUILD)/test-faults
	bash tests/faults/run.sh $(BUILD)/test-faults

# Standby replicas and broker loss on a 3-node Kafka cluster (docs/ha.md): long, not in `make test`.
ha: all $(BUILD)/test-ha
	bash tests/ha/run.sh $(BUILD)/test-ha

clean:
	rm -rf build dromc dromd
