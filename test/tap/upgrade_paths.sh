#!/usr/bin/env bash
# ALTER EXTENSION covara UPDATE is covara's migration system.  For every
# version older than default_version (enumerated from src/sql/versions/,
# so each new version is covered the moment its script exists):
#   - install it, fill every table the extension owns (awkward values too),
#     and check the newest shared library serves that version's functions
#     (known answers for every C function it defines);
#   - ALTER EXTENSION covara UPDATE TO the default version;
#   - the whole footprint equals a fresh install's (readable diff if not)
#     and every row survived;
#   - a second UPDATE is a harmless no-op;
#   - pg_dump and restore of the updated database again equal the fresh
#     install in footprint and the updated database in rows.
# Also: pg_extension_update_paths offers exactly the forward paths along the
# version chain, and a fresh install survives its own dump and restore.
set -uo pipefail
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/tap.sh"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$COVARA_ROOT"

default=$(sed -n "s/^default_version *= *'\(.*\)'/\1/p" covara.control)
mapfile -t versions < <(
	for f in src/sql/versions/covara--*.sql; do
		b=${f#src/sql/versions/covara--}; b=${b%.sql}
		echo "${b%%--*}"; [[ $b == *--* ]] && echo "${b#*--}"
	done | sort -uV)
tap_diag "versions: ${versions[*]} (default $default)"
tap_is "${versions[-1]}" "$default" "default_version is the newest version"

q() { psql -X -At -q -v ON_ERROR_STOP=1 "$@"; }

# the reference: a fresh install of the default version
fresh=covara_up_fresh
dropdb --if-exists "$fresh" 2>/dev/null
createdb "$fresh"
q -d "$fresh" -c 'CREATE EXTENSION covara'
tap_is "$(q -d "$fresh" -c "SELECT extversion FROM pg_extension WHERE extname = 'covara'")" "$default" \
	"a fresh install gets $default"
covara_footprint "$fresh" >"$work/fresh.fp"
tap_ok "$([ "$(wc -l <"$work/fresh.fp")" -gt 20 ]; echo $?)" "the footprint of a fresh install has $(wc -l <"$work/fresh.fp") lines"

# paths: exactly one forward path between every two versions, along the chain
q -d "$fresh" -c "SELECT source || ' -> ' || target || ': ' || path FROM pg_extension_update_paths('covara')
                  WHERE path IS NOT NULL ORDER BY 1" | sort >"$work/paths.got"
for ((i = 0; i < ${#versions[@]}; i++)); do
	p=${versions[i]}
	for ((j = i + 1; j < ${#versions[@]}; j++)); do
		p="$p--${versions[j]}"
		echo "${versions[i]} -> ${versions[j]}: $p"
	done
done | sort >"$work/paths.want"
tap_diff_ok "$work/paths.want" "$work/paths.got" \
	"pg_extension_update_paths offers exactly the forward paths along the version chain"

# run every smoke file for the C functions of the installed version
smoke() {
	local db=$1 fn out rc=0
	for fn in $(q -d "$db" -c "
		SELECT DISTINCT p.proname FROM pg_proc p
		  JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
		  JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'covara'
		 WHERE p.prolang = (SELECT oid FROM pg_language WHERE lanname = 'c') ORDER BY 1"); do
		if [ ! -f "test/fixtures/smoke/$fn.sql" ]; then
			echo "no test/fixtures/smoke/$fn.sql for C function covara.$fn" >&2; rc=1; continue
		fi
		out=$(PGOPTIONS='-c client_min_messages=warning' q -d "$db" -f "test/fixtures/smoke/$fn.sql" 2>&1)
		if [ -n "$(grep -v -x t <<<"$out")" ]; then
			echo "covara.$fn: $out" >&2; rc=1
		fi
	done
	return $rc
}
smoke "$fresh"
tap_ok $? "known answers from every C function of a fresh install"

n=0
for v in "${versions[@]}"; do
	[ "$v" = "$default" ] && continue
	n=$((n + 1))
	db=covara_up_$n
	dropdb --if-exists "$db" 2>/dev/null
	createdb "$db"
	q -d "$db" -c "CREATE EXTENSION covara VERSION '$v'"
	tap_is "$(q -d "$db" -c "SELECT extversion FROM pg_extension WHERE extname = 'covara'")" "$v" "$v: installs"
	smoke "$db" 2>"$work/smoke.err"
	tap_ok $? "$v: the newest library serves $v's C functions correctly"
	sed 's/^/# /' "$work/smoke.err"
	covara_fill_tables "$db" 2>"$work/fill.err"
	tap_ok $? "$v: every table the extension owns filled with rows"
	sed 's/^/# /' "$work/fill.err"
	covara_rows "$db" >"$work/rows.before"

	q -d "$db" -c "ALTER EXTENSION covara UPDATE TO '$default'"
	tap_ok $? "$v: ALTER EXTENSION covara UPDATE TO '$default'"
	covara_footprint "$db" >"$work/updated.fp"
	tap_diff_ok "$work/fresh.fp" "$work/updated.fp" "$v -> $default: footprint equals a fresh install of $default"
	covara_rows "$db" >"$work/rows.after"
	lost=$(comm -23 <(sort "$work/rows.before") <(sort "$work/rows.after"))
	tap_ok "$([ -z "$lost" ]; echo $?)" "$v -> $default: every table keeps every row (count and content checksum)"
	[ -n "$lost" ] && sed 's/^/# lost or changed: /' <<<"$lost"

	out=$(q -d "$db" -c 'ALTER EXTENSION covara UPDATE' 2>&1)
	tap_ok $? "$v: a second ALTER EXTENSION covara UPDATE succeeds"
	tap_ok "$(grep -q "already installed" <<<"$out"; echo $?)" "$v: ... and says the version is already installed"
	covara_footprint "$db" >"$work/again.fp"
	covara_rows "$db" >"$work/rows.again"
	tap_ok "$(cmp -s "$work/updated.fp" "$work/again.fp" && cmp -s "$work/rows.after" "$work/rows.again"; echo $?)" \
		"$v: ... and changes nothing"

	pg_dump -Fc -d "$db" -f "$work/dump" && dropdb --if-exists "${db}_r" 2>/dev/null; createdb "${db}_r" &&
		pg_restore -d "${db}_r" "$work/dump"
	tap_ok $? "$v: the updated database dumps and restores"
	covara_footprint "${db}_r" >"$work/restored.fp"
	covara_rows "${db}_r" >"$work/rows.restored"
	tap_diff_ok "$work/fresh.fp" "$work/restored.fp" "$v: restored footprint equals a fresh install (fresh, updated and restored agree)"
	tap_diff_ok "$work/rows.after" "$work/rows.restored" "$v: restored rows equal the updated database's"
	dropdb "$db"; dropdb "${db}_r"
done
tap_diag "checked $n older version(s)"

# the fresh install itself survives a dump and restore unchanged
covara_fill_tables "$fresh"
pg_dump -Fc -d "$fresh" -f "$work/dump" && dropdb --if-exists "${fresh}_r" 2>/dev/null; createdb "${fresh}_r" &&
	pg_restore -d "${fresh}_r" "$work/dump"
covara_footprint "${fresh}_r" >"$work/fresh_r.fp"
tap_diff_ok "$work/fresh.fp" "$work/fresh_r.fp" "$default: a restored fresh install equals the original"
tap_diff_ok <(covara_rows "$fresh") <(covara_rows "${fresh}_r") "$default: ... with every row"
dropdb "$fresh"; dropdb "${fresh}_r"
tap_done
