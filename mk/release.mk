# mk/release.mk: versions and releases (included from the Makefile).
#
#   make dist            bookparse-$(EXTVERSION).zip: the release for PGXN
#                        (git archive of HEAD: what a user needs to build,
#                        install and check it, DIST_PATHS)
#   make check-meta      META.json is valid PGXN metadata and its version
#                        is bookparse.control's default_version
#   make deb             the Debian package postgresql-15-bookparse
#                        (debian/, pg_buildext; in ../, as Debian does)
#
# The library's version is bookparse.control's default_version:
# src/version_funcs.c gets it as BP_LIBRARY_VERSION and reports it in
# bookparse.version() (next to the installed extension's).

# (the .bc is the LLVM bitcode PGXS builds for JIT inlining)
src/version_funcs.o src/version_funcs.bc: override CPPFLAGS += -DBP_LIBRARY_VERSION=\"$(EXTVERSION)\"
src/version_funcs.o src/version_funcs.bc: bookparse.control

DIST_NAME = $(EXTENSION)-$(EXTVERSION)

# What a user needs to build, install and check the extension: the
# sources, the install and upgrade scripts, the scene word lists, the
# docs, and the regression tests (make installcheck, which PGXN clients
# run) with the script that writes their sample books.  Not: the other
# tests, benchmarks, fuzzing, CI, debian/ (the Debian package is built
# from the repository).
DIST_PATHS = LICENSE README.md CHANGELOG.md META.json Makefile mk \
	bookparse.control sql expected src tools data docs test/make_samples.py

# A zip of the committed tree at HEAD under $(DIST_NAME)/ (git archive,
# as pgvector does): no build output, nothing uncommitted (commit first).
# Written into DIST_DIR (default: here).
DIST_DIR ?= .
dist:
	git archive --format zip --prefix=$(DIST_NAME)/ --output $(DIST_DIR)/$(DIST_NAME).zip HEAD -- $(DIST_PATHS) || \
		{ rm -f $(DIST_DIR)/$(DIST_NAME).zip; exit 1; }
	@echo "wrote $(DIST_DIR)/$(DIST_NAME).zip: $$(unzip -Z1 $(DIST_DIR)/$(DIST_NAME).zip | grep -vc '/$$') files"

check-meta:
	/usr/bin/python3 test/check_meta.py

deb:
	dpkg-buildpackage -us -uc -b

.PHONY: dist check-meta deb
