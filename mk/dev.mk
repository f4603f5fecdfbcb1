# mk/dev.mk: developers' rules of bookparse, included by the Makefile:
# benchmarks, the libFuzzer targets and the ASan+UBSan builds of the core.
# They build only the core library (src/core, no PostgreSQL), with the
# CORE_* variables and CORE_SRCS of the Makefile.

bench: all
	bash test/bench/run.sh

# ---- fuzzing (test/fuzz/): libFuzzer targets with ASan+UBSan ----
#   make fuzz                 build build/fuzz/fuzz_* (clang)
#   make fuzz-run FUZZ_TARGET=fuzz_zip FUZZ_SECONDS=60
#   make asan                 build/asan/: bookparse-dump and the C tests
#                             under ASan+UBSan
FUZZ_CC ?= clang
FUZZ_SAN ?= -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
FUZZ_CFLAGS ?= -g -O1 -std=gnu11 -fno-omit-frame-pointer -fno-strict-aliasing -fwrapv
FUZZ_TARGETS = $(patsubst test/fuzz/%.c,build/fuzz/%,$(sort $(wildcard test/fuzz/fuzz_*.c)))
FUZZ_TARGET ?= fuzz_book
FUZZ_SECONDS ?= 30

FUZZ_CORE_OBJS = $(patsubst src/core/%.c,build/fuzz/core/%.o,$(CORE_SRCS))

# the core once, instrumented for the fuzzers (fuzzer-no-link), then one link per target
build/fuzz/core/%.o: src/core/%.c $(CORE_HDRS)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(subst fuzzer,fuzzer-no-link,$(FUZZ_SAN)) $(FUZZ_CFLAGS) -Isrc/core $(DEP_CFLAGS) -c -o $@ $<

build/fuzz/%: test/fuzz/%.c test/fuzz/*.h test/c/zipgen.h $(FUZZ_CORE_OBJS)
	$(FUZZ_CC) $(FUZZ_SAN) $(FUZZ_CFLAGS) -Isrc/core -Itest/c $(DEP_CFLAGS) -o $@ $< $(FUZZ_CORE_OBJS) $(DEP_LIBS)

fuzz: $(FUZZ_TARGETS)

fuzz-run: build/fuzz/$(FUZZ_TARGET)
	bash test/fuzz/run.sh $(FUZZ_TARGET) $(FUZZ_SECONDS)

ASAN_FLAGS ?= -g -O1 -std=gnu11 -fno-omit-frame-pointer -fsanitize=address,undefined \
	-fno-sanitize-recover=undefined -fno-strict-aliasing -fwrapv

asan:
	$(MAKE) CORE_CC=clang CORE_OBJDIR=build/asan/core \
		CORE_CFLAGS="$(ASAN_FLAGS) -Wall -Wno-unused-parameter" \
		build/asan/bookparse-dump build/asan/tests

build/asan/bookparse-dump: tools/bookparse-dump.c $(CORE_OBJDIR)/libbookparse_core.a
	$(CORE_CC) $(CORE_CFLAGS) -Isrc/core -o $@ $< $(CORE_OBJDIR)/libbookparse_core.a $(DEP_LIBS)

build/asan/tests: $(patsubst test/c/%.c,build/asan/test/%,$(sort $(wildcard test/c/test_*.c)))

build/asan/test/%: test/c/%.c test/c/*.h $(CORE_OBJDIR)/libbookparse_core.a
	@mkdir -p build/asan/test
	$(CORE_CC) $(CORE_CFLAGS) -Isrc/core -Itest/c $(DEP_CFLAGS) -o $@ $< $(CORE_OBJDIR)/libbookparse_core.a $(DEP_LIBS)

.PHONY: fuzz fuzz-run asan build/asan/tests
