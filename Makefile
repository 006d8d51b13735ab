# covara: PostgreSQL extension, built with PGXS.
#
#   make && make install      build and install into the server of $(PG_CONFIG)
#   make installcheck         run the pg_regress and isolation suites against
#                             a running server (see test/run-all for everything)
#   make dist                 dist/covara-VERSION.tar.gz from git (PGXN, Debian)
#
# Out-of-tree builds work too (Debian's pg_buildext builds that way):
#   make -C build -f /path/to/covara/Makefile VPATH=/path/to/covara

EXTENSION = covara
MODULE_big = covara
PGFILEDESC = "covara - auth tables, token hashing, search triggers and seeding"

# The directory of this Makefile: the sources, also in an out-of-tree build.
covara_src := $(dir $(firstword $(MAKEFILE_LIST)))

# The version is written once, as covara.control's default_version;
# test/lint/cut-release writes it into META.json and debian/changelog, and
# test/lint/check-version holds them to it.
EXTVERSION := $(shell sed -n "s/^default_version *= *'\(.*\)'/\1/p" $(covara_src)covara.control)

OBJS = $(patsubst $(covara_src)%.c,%.o,$(sort $(wildcard $(covara_src)src/*.c)))

# The current version's install script, built from the module sources
# src/sql/*.sql by concatenation in name order; nobody edits the result.
INSTALL_SOURCES = $(sort $(wildcard $(covara_src)src/sql/*.sql))
DATA_built = covara--$(EXTVERSION).sql

# Scripts installed as they are: every upgrade script and the full install
# scripts of released versions up to 0.7.0; the released ones are frozen
# (test/lint/released.sha256).
DATA = $(patsubst $(covara_src)%,%,$(sort $(wildcard $(covara_src)src/sql/versions/covara--*.sql)))

# pg_regress: every sql/NAME.sql, in a UTF8 test database whatever the
# cluster's encoding (minimal containers initialise SQL_ASCII ones).
REGRESS = $(sort $(basename $(notdir $(wildcard $(covara_src)sql/*.sql))))
REGRESS_OPTS = --encoding=UTF8

# Isolation tester specs live in test/isolation/specs with their expected
# output in test/isolation/expected; results go to output_iso/ in the build
# directory (PGXS's default).
ISOLATION = $(sort $(basename $(notdir $(wildcard $(covara_src)test/isolation/specs/*.spec))))
ISOLATION_OPTS = --inputdir=$(covara_src)test/isolation --encoding=UTF8

EXTRA_CLEAN = dist

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

# (after PGXS, so that its "all" stays the default goal; the directory is a
# prerequisite too, so that removing or renaming a module rebuilds it, and
# a failed build leaves no half-written script behind)
.DELETE_ON_ERROR:
covara--$(EXTVERSION).sql: $(INSTALL_SOURCES) $(covara_src)src/sql
	cat $(INSTALL_SOURCES) >$@

# An out-of-tree build writes its objects under src/ there (an absolute
# name: VPATH would find the source tree's src/ instead).
$(OBJS): | $(CURDIR)/src
$(CURDIR)/src:
	mkdir -p $@

# A release tarball of the committed tree (DIST_REF: another commit).
DIST_REF ?= HEAD
.PHONY: dist
dist:
	mkdir -p dist
	git -C $(covara_src) archive --format=tar.gz --prefix=covara-$(EXTVERSION)/ \
		-o $(abspath dist/covara-$(EXTVERSION).tar.gz) $(DIST_REF)
	@echo dist/covara-$(EXTVERSION).tar.gz
