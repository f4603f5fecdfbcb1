# bookparse: PGXS build of the extension, plus the core library's tools.
#
#   make                 the extension and ./bookparse-dump
#   make install         install the extension (as root)
#   make check-core      plain C tests of src/core
#   make installcheck    pg_regress against a running server

EXTENSION = bookparse
EXTVERSION = $(shell sed -n "s/^default_version = '\(.*\)'/\1/p" bookparse.control)

MODULE_big = bookparse
CORE_SRCS = $(sort $(wildcard src/core/*.c))
EXT_SRCS = $(sort $(wildcard src/*.c))
OBJS = $(EXT_SRCS:.c=.o) $(CORE_SRCS:.c=.o)

DATA = $(sort $(wildcard sql/bookparse--*.sql))

REGRESS = $(basename $(notdir $(sort $(wildcard sql/[0-9]*.sql))))
REGRESS_OPTS = --inputdir=. --outputdir=regress_out --load-extension=bookparse

DEP_CFLAGS := $(shell pkg-config --cflags libxml-2.0 icu-uc icu-i18n zlib)
DEP_LIBS := $(shell pkg-config --libs libxml-2.0 icu-uc icu-i18n zlib) -lstemmer

PG_CPPFLAGS = -Isrc -Isrc/core $(DEP_CFLAGS)
PG_CFLAGS = -Werror
SHLIB_LINK = $(DEP_LIBS)

EXTRA_CLEAN = bookparse-dump build regress_out

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

# rebuild everything when a header changes (PGXS does not track them)
$(OBJS): $(wildcard src/*.h) $(wildcard src/core/*.h)

# ---- the core library on its own (no PostgreSQL flags) ----
CORE_CC ?= $(CC)
CORE_CFLAGS ?= -O2 -g -std=gnu11 -Wall -Wextra -Wno-unused-parameter \
	-Wmissing-prototypes -Wdeclaration-after-statement -Werror \
	-fno-strict-aliasing -fwrapv
CORE_OBJDIR ?= build/core
CORE_OBJS = $(patsubst src/core/%.c,$(CORE_OBJDIR)/%.o,$(CORE_SRCS))

$(CORE_OBJDIR)/%.o: src/core/%.c src/core/*.h
	@mkdir -p $(CORE_OBJDIR)
	$(CORE_CC) $(CORE_CFLAGS) -Isrc/core $(DEP_CFLAGS) -c -o $@ $<

$(CORE_OBJDIR)/libbookparse_core.a: $(CORE_OBJS)
	rm -f $@
	ar rcs $@ $^

bookparse-dump: tools/bookparse-dump.c $(CORE_OBJDIR)/libbookparse_core.a
	$(CORE_CC) $(CORE_CFLAGS) -Isrc/core -o $@ $< $(CORE_OBJDIR)/libbookparse_core.a $(DEP_LIBS)

all: bookparse-dump

# ---- the scene extractor's word lists (issue 13, docs/scenes.md) ----
# installed into the extension's share directory, where bookparse-dump
# and the extension look for them
SCENE_LISTS = $(sort $(wildcard data/scenes/*.*))
SCENE_DIR = $(datadir)/extension/bookparse/scenes

install: install-scenes
install-scenes:
	$(MKDIR_P) '$(DESTDIR)$(SCENE_DIR)'
	$(INSTALL_DATA) $(SCENE_LISTS) '$(DESTDIR)$(SCENE_DIR)/'

uninstall: uninstall-scenes
uninstall-scenes:
	rm -rf '$(DESTDIR)$(SCENE_DIR)'

# agreement with the labels of test/scenes (exit 77 = no corpus: skipped)
check-scenes: bookparse-dump
	@python3 test/scenes/check_scenes.py; rc=$$?; \
	if [ $$rc -ne 0 ] && [ $$rc -ne 77 ]; then exit $$rc; fi

.PHONY: install-scenes uninstall-scenes check-scenes

# plain C tests of src/core, one program per test/c/test_*.c
CORE_TESTS = $(patsubst test/c/%.c,build/test/%,$(sort $(wildcard test/c/test_*.c)))

build/test/%: test/c/%.c test/c/*.h $(CORE_OBJDIR)/libbookparse_core.a
	@mkdir -p build/test
	$(CORE_CC) $(CORE_CFLAGS) -Isrc/core -Itest/c $(DEP_CFLAGS) -o $@ $< $(CORE_OBJDIR)/libbookparse_core.a $(DEP_LIBS)

check-core: $(CORE_TESTS)
	@set -e; for t in $(CORE_TESTS); do echo "== $$t"; \
		BP_TSEARCH_DATA='$(shell $(PG_CONFIG) --sharedir)/tsearch_data' $$t; done

.PHONY: check-core

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
build/fuzz/core/%.o: src/core/%.c src/core/*.h
	@mkdir -p build/fuzz/core
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
