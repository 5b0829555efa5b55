# The workshop's build. `make help` lists the targets.
#
# Every stage is one binary, build/stageN, linked against build/libworkshop.a
# (the modules of common/). Other builds go to their own folders:
# build/asan (address + undefined sanitizers) and build/fuzz (libFuzzer).

STAGES    := $(sort $(notdir $(wildcard stages/stage*)))
NEWEST    := $(lastword $(STAGES))
STAGE     ?= $(patsubst stage%,%,$(NEWEST))
PORT      ?= 6379
BUILD     ?= build
SAN       ?=
FUZZ_SECONDS ?= 60
PYTEST    := /usr/bin/python3 -m pytest

CC        ?= cc
WARNINGS  := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes
OPT       ?= -O2 -g
CFLAGS    := $(OPT) -std=c11 -D_GNU_SOURCE $(WARNINGS) -MMD -MP -Icommon -Iseed
LDLIBS    += -lpthread
ifneq ($(SAN),)
CFLAGS    += -fsanitize=$(SAN) -fno-omit-frame-pointer -fno-sanitize-recover=all
LDFLAGS   += -fsanitize=$(SAN)
endif

COMMON_SRC := $(wildcard common/*/*.c)
COMMON_OBJ := $(COMMON_SRC:%.c=$(BUILD)/obj/%.o)
LIB        := $(BUILD)/libworkshop.a
SEED_SRC   := $(wildcard seed/*.c)
SEED_OBJ   := $(SEED_SRC:%.c=$(BUILD)/obj/%.o)
SEED_LIB   := $(BUILD)/libseed.a
STAGE_BINS := $(STAGES:%=$(BUILD)/%)
TOOL_BINS  := $(patsubst tools/%.c,$(BUILD)/%,$(wildcard tools/*.c))
UNIT_SRC   := $(wildcard tests/unit/test_*.c)
UNIT_BINS  := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/unit/%)

.SECONDARY:

.PHONY: all $(STAGES) run test unit integration grade grade-starters oracle check valgrind asan tsan fuzz bench bench-ext bench-ext2 clean help deps clients cluster-demo docs-check layers

all: $(STAGE_BINS) $(TOOL_BINS) $(UNIT_BINS)

$(STAGES): %: $(BUILD)/%

help:
	@echo "make run        install what is missing, build, start stage $(STAGE) on 127.0.0.1:$(PORT) (PORT=, STAGE=)"
	@echo "make check      everything CI runs: units, suite on every stage, oracle, sanitizers, valgrind, fuzz"
	@echo "make stageN     build one stage into $(BUILD)/stageN      make all: every stage and unit test"
	@echo "make test       unit tests + integration suite for stage $(STAGE)"
	@echo "make grade      the grade table, step by step: SERVER='yourserver --port {port}' grades yours (STAGE=N)"
	@echo "make valgrind   integration suite against stage $(STAGE) under valgrind memcheck"
	@echo "make tsan       integration suite against stage $(STAGE) built with -fsanitize=thread"
	@echo "make fuzz       run each libFuzzer target for FUZZ_SECONDS=$(FUZZ_SECONDS)"
	@echo "make bench      stage $(STAGE) side by side with redis-server (redis-benchmark)"
	@echo "make bench-ext  stage 6's Part II extensions (hashes, sets, MULTI, SCAN, eviction) side by side with redis-server"
	@echo "make bench-ext2 sorted sets, blocking pops and pub/sub fan-out side by side with redis-server"
	@echo "make clients    ioredis, node-redis, redis-py, redis-cli, redis-benchmark against stage $(STAGE) (SERVER=redis-server: the real one)"
	@echo "make cluster-demo  three stage $(STAGE) servers behind twemproxy: benchmark, 1000 keys, how they spread"
	@echo "make clean      remove build/"

deps:
	@ci/install-deps.sh

# ---------------- Objects, library, binaries ----------------

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC    $<"
	@$(CC) $(CFLAGS) -c $< -o $@

$(LIB): $(COMMON_OBJ)
	@echo "  AR    $@"
	@rm -f $@
	@ar rcs $@ $^

# The seed workshop's modes (echo, UDP, hexdump, exec): a program apart
# from the Redis server's layers, which only stage 6 links.
$(SEED_LIB): $(SEED_OBJ)
	@echo "  AR    $@"
	@rm -f $@
	@ar rcs $@ $^

# Stage 0 is written by hand and uses nothing from common/.
$(BUILD)/stage0: $(BUILD)/obj/stages/stage0/main.o
	@echo "  LD    $@"
	@$(CC) $(LDFLAGS) $^ -o $@ $(LDLIBS)

$(BUILD)/stage6: $(BUILD)/obj/stages/stage6/main.o $(SEED_LIB) $(LIB)
	@echo "  LD    $@"
	@$(CC) $(LDFLAGS) $^ -o $@ $(LDLIBS)

$(BUILD)/stage%: $(BUILD)/obj/stages/stage%/main.o $(LIB)
	@echo "  LD    $@"
	@$(CC) $(LDFLAGS) $^ -o $@ $(LDLIBS)

# Tools built on common/, e.g. build/aof-check (stage 5).
$(BUILD)/%: $(BUILD)/obj/tools/%.o $(LIB)
	@echo "  LD    $@"
	@$(CC) $(LDFLAGS) $^ -o $@ $(LDLIBS)

$(BUILD)/unit/%: tests/unit/%.c $(SEED_LIB) $(LIB)
	@mkdir -p $(dir $@)
	@echo "  CC    $<"
	@$(CC) $(CFLAGS) $(LDFLAGS) $< $(SEED_LIB) $(LIB) -o $@ -lcriterion $(LDLIBS)

-include $(COMMON_OBJ:.o=.d) $(SEED_OBJ:.o=.d) $(BUILD)/obj/stages/*/main.d $(BUILD)/obj/tools/*.d $(BUILD)/unit/*.d

# ---------------- Running ----------------

run: deps $(BUILD)/stage$(STAGE)
	@ci/run-server.sh $(BUILD)/stage$(STAGE) $(PORT) $(if $(filter 5 6,$(STAGE)),$(BUILD)/data)

# ---------------- Tests ----------------

unit: $(UNIT_BINS)
	@status=0; for t in $(UNIT_BINS); do echo "  UNIT  $$t"; $$t --jobs 1 || status=1; done; exit $$status

integration: $(BUILD)/stage$(STAGE) $(TOOL_BINS)
	$(PYTEST) tests/integration -q --stage $(STAGE) --build-dir $(BUILD)

test: unit integration

# The includes against the architecture (ci/check-layers.py's table): no
# layer includes one above it, no two modules include each other, even
# through others. `/usr/bin/python3 ci/check-layers.py --dot` draws the graph.
layers:
	@/usr/bin/python3 ci/check-layers.py

# The grade table (tests/grade.py): stage by stage, step by step, stopping
# at the first stage not complete. SERVER='CMD {port} {dir}' grades your own
# server; without it, each stage is graded on this project's build/stageN.
# STAGE=N grades stages 0..N only; EXT=names picks the Part II rows.
GIVEN = $(filter command line environment,$(origin $(1)))
grade: export GRADE_SERVER = $(value SERVER)
grade: deps $(if $(call GIVEN,SERVER),,all)
	@/usr/bin/python3 tests/grade.py --build-dir $(BUILD) \
	  $(if $(call GIVEN,SERVER),--server-cmd "$$GRADE_SERVER") \
	  $(if $(call GIVEN,STAGE),--stage $(STAGE)) $(if $(EXT),--extension $(EXT))

# The starter kits, untouched, must build and stop at step 0a.
grade-starters: deps
	@ci/grade-starters.sh

oracle:
	$(PYTEST) tests/integration -q --server-cmd "redis-server --port {port} --dir {dir} --save '' --appendonly no"

valgrind: $(BUILD)/stage$(STAGE) $(TOOL_BINS)
	$(PYTEST) tests/integration -q --stage $(STAGE) --build-dir $(BUILD) --startup-timeout 60 \
	  --wrapper "valgrind --quiet --error-exitcode=99 --leak-check=full --show-leak-kinds=definite,indirect --errors-for-leak-kinds=definite,indirect --track-fds=no"

asan:
	@$(MAKE) --no-print-directory BUILD=build/asan SAN=address,undefined OPT="-O1 -g" all
	ASAN_OPTIONS=detect_leaks=1 $(MAKE) --no-print-directory BUILD=build/asan SAN=address,undefined OPT="-O1 -g" unit
	$(PYTEST) tests/integration -q --stage $(STAGE) --build-dir build/asan

# ThreadSanitizer: the suite against a -fsanitize=thread build. Stage 5 on
# has a second thread (the AOF's everysec fsync); a data race makes the
# server exit non-zero, which fails the test that stopped it.
tsan:
	@$(MAKE) --no-print-directory BUILD=build/tsan SAN=thread OPT="-O1 -g" build/tsan/stage$(STAGE) $(TOOL_BINS:$(BUILD)/%=build/tsan/%)
	$(PYTEST) tests/integration -q --stage $(STAGE) --build-dir build/tsan

fuzz:
	@$(MAKE) --no-print-directory -f tests/fuzz/fuzz.mk FUZZ_SECONDS=$(FUZZ_SECONDS) run

bench: $(BUILD)/stage$(STAGE)
	/usr/bin/python3 tests/bench/bench.py --stage $(STAGE) --build-dir $(BUILD)

bench-ext: $(BUILD)/stage6
	/usr/bin/python3 tests/bench/bench_ext.py --build-dir $(BUILD)

bench-ext2: $(BUILD)/stage6 $(BUILD)/bench/fanout
	/usr/bin/python3 tests/bench/bench_ext2.py --build-dir $(BUILD)

# bench-ext2's pub/sub client: C, so that the reader is not what sets the rate.
$(BUILD)/bench/fanout: tests/bench/fanout.c
	@mkdir -p $(dir $@)
	@echo "  CC    $<"
	@$(CC) $(CFLAGS) $< -o $@

# ---------------- Real clients and scale-out ----------------

# The node clients, pinned by tests/clients/package-lock.json, go to
# $(BUILD)/clients/node_modules (npm ci: exactly the locked versions, from
# npm's cache when it has them; done again only when the lock file changes).
CLIENTS_DIR := $(BUILD)/clients
SERVER      ?= $(BUILD)/stage$(STAGE)

$(CLIENTS_DIR)/installed: tests/clients/package.json tests/clients/package-lock.json
	@mkdir -p $(CLIENTS_DIR)
	@cp tests/clients/package.json tests/clients/package-lock.json $(CLIENTS_DIR)/
	@echo "  NPM   $(CLIENTS_DIR)/node_modules"
	@cd $(CLIENTS_DIR) && npm ci --prefer-offline --no-audit --no-fund --loglevel=error
	@touch $@

clients: deps $(CLIENTS_DIR)/installed $(filter $(BUILD)/%,$(SERVER))
	@tests/clients/run.sh $(SERVER)

cluster-demo: deps $(filter $(BUILD)/%,$(SERVER))
	@deploy/cluster-demo.sh $(SERVER)

# The documents against the code: the functions, files and figures they cite.
docs-check: $(BUILD)/stage6
	@/usr/bin/python3 ci/check-docs.py $(BUILD)/stage6

check:
	@ci/check.sh

clean:
	rm -rf build
