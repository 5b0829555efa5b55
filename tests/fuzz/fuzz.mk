# libFuzzer builds of the fuzz targets (clang, libclang-rt-14-dev), each
# with its own copy of common/ compiled with the fuzzer's coverage hooks
# and the address and undefined sanitizers. `make fuzz` runs every target
# for FUZZ_SECONDS and fails on any crash, leak or sanitizer report.

FUZZ_SECONDS ?= 60
FUZZ_DIR     := build/fuzz
FUZZ_CC      := clang
FUZZ_FLAGS   := -std=c11 -D_GNU_SOURCE -g -O1 -Icommon -Iseed -fsanitize=fuzzer,address,undefined \
                -fno-sanitize-recover=all -fno-omit-frame-pointer
TARGETS      := fuzz_resp fuzz_dispatch fuzz_aof
COMMON_SRC   := $(wildcard common/*/*.c)

.PHONY: run build

build: $(TARGETS:%=$(FUZZ_DIR)/%)

$(FUZZ_DIR)/%: tests/fuzz/%.c $(COMMON_SRC) $(wildcard common/*/*.h)
	@mkdir -p $(FUZZ_DIR)
	@echo "  FUZZCC $@"
	@$(FUZZ_CC) $(FUZZ_FLAGS) $< $(COMMON_SRC) -o $@ -lpthread

# Each target starts from the seed corpus in tests/fuzz/corpus/<target> and
# keeps what it finds in build/fuzz/corpus-<target>, never in the source tree.
run: build
	@for t in $(TARGETS); do \
	  mkdir -p $(FUZZ_DIR)/corpus-$$t; \
	  echo "  FUZZ  $$t for $(FUZZ_SECONDS)s"; \
	  $(FUZZ_DIR)/$$t -max_total_time=$(FUZZ_SECONDS) -max_len=4096 -print_final_stats=1 \
	    -artifact_prefix=$(FUZZ_DIR)/crash-$$t- $(FUZZ_DIR)/corpus-$$t tests/fuzz/corpus/$$t \
	    2> $(FUZZ_DIR)/$$t.log || { tail -n 40 $(FUZZ_DIR)/$$t.log; exit 1; }; \
	  grep -E "stat::number_of_executed_units" $(FUZZ_DIR)/$$t.log; \
	done
