# covara: PostgreSQL extension, built with PGXS.
#
#   make && make install      build and install into the server of $(PG_CONFIG)
#   make installcheck         run the pg_regress and isolation suites against
#                             a running server (see test/run-all for everything)

EXTENSION = covara
MODULE_big = covara
OBJS = $(patsubst %.c,%.o,$(sort $(wildcard src/*.c)))
PGFILEDESC = "covara - auth tables, token hashing, search triggers and seeding"

# Install scripts and upgrade scripts; every released one is frozen (see
# sql/released.sha256).
DATA = $(sort $(wildcard sql/covara--*.sql))

# pg_regress: every sql/NAME.sql that is not an extension script.
REGRESS = $(sort $(basename $(notdir $(filter-out sql/covara--%,$(wildcard sql/*.sql)))))

# Isolation tester specs live in test/isolation/specs with their expected
# output in test/isolation/expected.
ISOLATION = $(sort $(basename $(notdir $(wildcard test/isolation/specs/*.spec))))
ISOLATION_OPTS = --inputdir=test/isolation --outputdir=test/isolation

EXTRA_CLEAN = test/isolation/results test/isolation/output_iso test/isolation/regression.diffs test/isolation/regression.out

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)
