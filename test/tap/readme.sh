#!/usr/bin/env bash
# README.md as a user meets it: every ```sql block runs, in order, in one
# fresh database of a cluster of its own (so the roles and databases the
# README creates meet nothing), and prints what the README shows
# (test/lib/readme_blocks.py reads the conventions: "-- → value",
# "-- error: SQLSTATE", a ```text fence of the whole output).  Also: every
# link points somewhere, every public function of schema covara appears in
# an example, and the table of the auth tables' columns is the catalog's.
set -uo pipefail
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/tap.sh"

readme=${COVARA_README:-$COVARA_ROOT/README.md}
extract=$COVARA_ROOT/test/lib/readme_blocks.py

if [ "${1:-}" != --inside ]; then
	covara_with_cluster "$0" --inside
	exit
fi

db=covara_readme
work=$(mktemp -d /tmp/covara-readme.XXXXXX)
chmod 755 "$work"
trap 'rm -rf "$work"' EXIT
export PGDATABASE=$db
createdb "$db" || { tap_ok 1 "create database $db"; tap_done; exit; }

# trailing blanks do not count (psql pads a table's lines and ends it with
# an empty one; the README's text does not)
trim() { sed -e 's/[[:space:]]*$//' "$1" | sed -e :a -e '/^\n*$/{$d;N;ba' -e '}'; }

python3 "$extract" "$readme" "$work" >"$work/manifest" || { tap_ok 1 "extract README.md's SQL blocks"; tap_done; exit; }
if ! grep -qiE '^CREATE EXTENSION covara;' "$work"/*.sql 2>/dev/null; then
	covara_psql -c 'CREATE EXTENSION covara'
fi

while IFS=$'\t' read -r line what why; do
	name="README.md:$line ($why)"
	if [ "$what" = skip ]; then
		tap_skip "README.md:$line" "$why"
		continue
	fi
	psql -X -q -d "$db" -f "$work/$line.sql" >"$work/$line.got" 2>"$work/$line.err"
	rc=$?
	trim "$work/$line.got" >"$work/$line.got.t"
	trim "$work/$line.want" >"$work/$line.want.t"
	if [ $rc -ne 0 ]; then
		tap_ok 1 "$name"
		tap_diag "psql exited with $rc:"
		sed 's/^/#   /' "$work/$line.err" | head -20
	else
		tap_diff_ok "$work/$line.want.t" "$work/$line.got.t" "$name"
		# a psql error that ON_ERROR_STOP let pass is one the block expects
	fi
done <"$work/manifest"

bad=$(python3 "$extract" --links "$readme")
tap_is "$bad" "" "every link of README.md points to a file or heading that exists"

# every function and view of schema covara whose name does not start with
# _ and whose comment does not begin "internal:"
missing=$(comm -23 \
	<(covara_psql -At -c "SELECT DISTINCT p.proname FROM pg_proc p WHERE p.pronamespace = 'covara'::regnamespace AND p.proname !~ '^_'
	                         AND coalesce(obj_description(p.oid, 'pg_proc'), '') NOT LIKE 'internal:%'
	                   UNION SELECT c.relname FROM pg_class c WHERE c.relnamespace = 'covara'::regnamespace AND c.relkind = 'v' ORDER BY 1" | sort) \
	<(python3 "$extract" --names "$readme" | sort))
tap_is "$missing" "" "every public function and view of schema covara has an example in a sql block"

# the README's table of the auth tables: one row per table, as the catalog
# has them (in a fresh database: the README's own may have moved on)
createdb covara_readme_columns && covara_psql -d covara_readme_columns -c 'CREATE EXTENSION covara'
covara_psql -d covara_readme_columns -At >"$work/columns" <<'SQL'
SELECT format('| `%s` | %s | %s | %s |', c.relname,
       (SELECT string_agg(format('`%s` %s%s', quote_ident(a.attname),
                                 replace(format_type(a.atttypid, a.atttypmod), 'timestamp without time zone', 'timestamp'),
                                 CASE WHEN a.attnotnull THEN '' ELSE ' null' END), ', ' ORDER BY a.attnum)
          FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped),
       (SELECT format('`%s` (%s)', i.relname, string_agg(quote_ident(a.attname), ', ' ORDER BY k.n))
          FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
          CROSS JOIN LATERAL unnest(x.indkey) WITH ORDINALITY AS k(attnum, n)
          JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum
         WHERE x.indrelid = c.oid AND x.indisprimary GROUP BY i.relname),
       coalesce((SELECT string_agg(format('`%s` (%s)', i.relname, quote_ident(a.attname)), ', ' ORDER BY i.relname)
          FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
          JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = x.indkey[0]
         WHERE x.indrelid = c.oid AND NOT x.indisprimary), 'none'))
  FROM pg_class c
 WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r' AND c.relname LIKE 'auth\_%'
 ORDER BY c.relname;
SQL
dropdb covara_readme_columns
tap_is "$(grep -cxvFf <(grep -F '| `auth_' "$readme") "$work/columns")" 0 \
	"README.md lists the four auth tables' columns, keys and indexes as they are"
grep -xvFf <(grep -F '| `auth_' "$readme") "$work/columns" | sed 's/^/# catalog: /'
tap_is "$(wc -l <"$work/columns")" 4 "the catalog has four auth tables"

tap_done
