# bookparse: PGXS build of the extension, plus the core library's tools.
#
#   make                      the extension and ./bookparse-dump
#   make install              install the extension (as root)
#   make check-core           plain C tests of src/core
#   make installcheck         pg_regress against a running server (makes
#                             the sample books first)
#   make prove_installcheck   the TAP tests (test/t) against the installed
#                             extension (as a user that may run initdb)
#   make fuzz / asan / bench  see mk/dev.mk

EXTENSION = bookparse
EXTVERSION = $(shell sed -n "s/^default_version = '\(.*\)'/\1/p" bookparse.control)

MODULE_big = bookparse
# the core: shared pieces flat in src/core, one folder per format
# (src/core/epub, fb2, txt) with its private headers
CORE_SRCS = $(sort $(wildcard src/core/*.c src/core/*/*.c))
CORE_HDRS = $(wildcard src/core/*.h src/core/*/*.h)
EXT_SRCS = $(sort $(wildcard src/*.c))
OBJS = $(EXT_SRCS:.c=.o) $(CORE_SRCS:.c=.o)

DATA = $(sort $(wildcard sql/bookparse--*.sql))

REGRESS = $(basename $(notdir $(sort $(wildcard sql/[0-9]*.sql))))
REGRESS_OPTS = --inputdir=. --outputdir=regress_out --load-extension=bookparse
# installcheck makes the sample books the regress tests read (build/samples)
REGRESS_PREP = samples

DEP_CFLAGS := $(shell pkg-config --cflags libxml-2.0 icu-uc icu-i18n zlib)
DEP_LIBS := $(shell pkg-config --libs libxml-2.0 icu-uc icu-i18n zlib) -lstemmer

PG_CPPFLAGS = -Isrc -Isrc/core $(DEP_CFLAGS)
PG_CFLAGS = -Werror
SHLIB_LINK = $(DEP_LIBS)

EXTRA_CLEAN = bookparse-dump build regress_out tmp_check

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

# rebuild everything when a header changes (PGXS does not track them)
$(OBJS): $(wildcard src/*.h) $(CORE_HDRS)

# ---- the core library on its own (no PostgreSQL flags) ----
CORE_CC ?= $(CC)
CORE_CFLAGS ?= -O2 -g -std=gnu11 -Wall -Wextra -Wno-unused-parameter \
	-Wmissing-prototypes -Wdeclaration-after-statement -Werror \
	-fno-strict-aliasing -fwrapv
CORE_OBJDIR ?= build/core
CORE_OBJS = $(patsubst src/core/%.c,$(CORE_OBJDIR)/%.o,$(CORE_SRCS))

$(CORE_OBJDIR)/%.o: src/core/%.c $(CORE_HDRS)
	@mkdir -p $(dir $@)
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

# the small sample books of the tests (deterministic bytes: test/make_samples.py)
samples:
	/usr/bin/python3 test/make_samples.py build/samples >/dev/null

# the TAP tests (test/t/*.pl) with PostgreSQL::Test::Cluster, each on a
# throwaway cluster of the installed PostgreSQL; the corpus is passed as
# BP_CORPUS (default ../shared/corpus when present: tests that want it say
# SKIPPED otherwise), the samples as BP_SAMPLES
PROVE_TESTS = test/t/*.pl
prove_installcheck: export BP_SAMPLES = $(CURDIR)/build/samples
prove_installcheck: export BP_CORPUS ?= $(if $(wildcard ../shared/corpus/MANIFEST.tsv),$(abspath ../shared/corpus))
prove_installcheck: samples
	$(prove_installcheck)

.PHONY: samples prove_installcheck

# fuzzing, sanitizer builds and benchmarks: developers' rules
include mk/dev.mk
# releases: make dist, META.json checks, the version (issue 16)
include mk/release.mk
