#!/usr/bin/env bash
# make installcheck on a cluster initialised with SQL_ASCII, as minimal
# containers initialise theirs: pg_regress and the isolation tester create
# their test database as UTF8 (the Makefile's --encoding=UTF8), so every
# regression test and isolation spec passes there as well.
set -uo pipefail
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/tap.sh"

out=$(mktemp -d /tmp/covara-sql-ascii.XXXXXX)
trap 'rm -rf "$out"' EXIT

# installcheck_here: both suites, out of tree in $out, against the cluster
# in the PG* variables; the TAP plan last.
installcheck_here() {
	local enc
	enc=$(psql -X -At -d postgres -c "SELECT pg_catalog.pg_encoding_to_char(encoding) FROM pg_catalog.pg_database WHERE datname = 'template1'")
	tap_is "$enc" SQL_ASCII "the cluster is SQL_ASCII"
	local suite
	for suite in pg_regress isolation; do
		if [ $suite = pg_regress ]; then
			set -- ISOLATION= regression.diffs "pg_regress passes in an SQL_ASCII cluster"
		else
			set -- REGRESS= output_iso/regression.diffs "the isolation specs pass in an SQL_ASCII cluster"
		fi
		if make -s -C "$out" -f "$COVARA_ROOT/Makefile" VPATH="$COVARA_ROOT" \
			PG_CONFIG="$(covara_driver_pg_config)" "$1" installcheck >"$out/$suite.log" 2>&1; then
			tap_ok 0 "$3"
		else
			tap_ok 1 "$3"
			tail -n 5 "$out/$suite.log" | sed 's/^/# /'
			head -n 100 "$out/$2" 2>/dev/null | sed 's/^/# /'
		fi
	done
	tap_done
}

# (the TAP output comes from inside the cluster's subshell; no plan at all
# when the cluster does not start)
COVARA_CLUSTER_ENCODING=SQL_ASCII covara_with_cluster installcheck_here
