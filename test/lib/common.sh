# Shared shell helpers for covara's test command, demo and benchmarks.
# Source it; it defines functions only.

COVARA_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
COVARA_PGVERSION=${COVARA_PGVERSION:-15}

covara_log() { printf '==> %s\n' "$*" >&2; }

# Run a command as root: directly when we are root, else through sudo.
covara_as_root() {
	if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

# Install what building and testing need, when it is missing: the server's
# development files (PGXS), pgTAP and pg_prove, Python 3 for the script
# lint, and Node.js for the client checks.  Debian packages only.
covara_install_deps() {
	local v=$COVARA_PGVERSION pkgs=()
	[ -f "/usr/lib/postgresql/$v/lib/pgxs/src/makefiles/pgxs.mk" ] || pkgs+=("postgresql-server-dev-$v")
	[ -f "/usr/share/postgresql/$v/extension/pgtap.control" ] || pkgs+=("postgresql-$v-pgtap")
	command -v pg_prove >/dev/null || pkgs+=(libtap-parser-sourcehandler-pgtap-perl)
	command -v prove >/dev/null || pkgs+=(perl)
	command -v pg_virtualenv >/dev/null || pkgs+=(postgresql-common)
	command -v make >/dev/null || pkgs+=(make)
	command -v gcc >/dev/null || pkgs+=(gcc)
	command -v python3 >/dev/null || pkgs+=(python3)	# test/lint
	if [ "${COVARA_NEED_NODE:-1}" = 1 ]; then
		command -v node >/dev/null || pkgs+=(nodejs)
		command -v npm >/dev/null || pkgs+=(npm)
	fi
	if [ ${#pkgs[@]} -gt 0 ]; then
		covara_log "installing ${pkgs[*]}"
		covara_as_root apt-get update -qq
		covara_as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${pkgs[@]}" >/dev/null
	fi
}

# The pg_config of the server we build against.
covara_pg_config() {
	echo "/usr/lib/postgresql/$COVARA_PGVERSION/bin/pg_config"
}

# Build (warnings are errors here, not in users' builds) and install.
# With COVARA_DESTDIR set, install under that directory instead of the
# system, and clusters started by covara_with_cluster load from there.
covara_build_install() {
	local pgc
	pgc=$(covara_pg_config)
	covara_log "building covara (warnings are errors)"
	make -C "$COVARA_ROOT" -s PG_CONFIG="$pgc" clean >/dev/null
	make -C "$COVARA_ROOT" -s PG_CONFIG="$pgc" COPT='-Werror' >/dev/null
	if [ -n "${COVARA_DESTDIR:-}" ]; then
		covara_log "installing into $COVARA_DESTDIR"
		make -C "$COVARA_ROOT" -s PG_CONFIG="$pgc" DESTDIR="$COVARA_DESTDIR" install >/dev/null
	else
		covara_log "installing into $("$pgc" --sharedir)/extension and $("$pgc" --pkglibdir)"
		covara_as_root make -C "$COVARA_ROOT" -s PG_CONFIG="$pgc" install >/dev/null
	fi
}

# First free TCP port at or above $1 on loopback.
covara_free_port() {
	local p=$1
	while (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; do p=$((p + 1)); done
	echo "$p"
}

# Run "$@" inside a throwaway cluster (pg_virtualenv: created, started,
# and destroyed afterwards; never the system's default cluster).  The
# cluster listens on a free port on loopback and on a private socket
# directory; PGHOST, PGPORT, PGUSER, PGPASSWORD and PGDATABASE are set for
# the command.  Extra server settings come from COVARA_CLUSTER_OPTS (one
# "name=value" per word).
covara_with_cluster() {
	local opts=() o sockdir port
	sockdir=$(mktemp -d /tmp/covara-sock.XXXXXX)
	chmod 1777 "$sockdir"
	port=$(covara_free_port $((54320 + RANDOM % 1000)))
	opts+=(-o "unix_socket_directories=$sockdir" -o "listen_addresses=localhost")
	opts+=(-o "max_connections=${COVARA_MAX_CONNECTIONS:-100}")
	if [ -n "${COVARA_DESTDIR:-}" ]; then
		opts+=(-o "extension_destdir=$COVARA_DESTDIR")
	fi
	for o in ${COVARA_CLUSTER_OPTS:-}; do opts+=(-o "$o"); done
	local rc=0
	PGPORT=$port pg_virtualenv -t -v "$COVARA_PGVERSION" \
		-i "--encoding=UTF8 --locale=C.UTF-8" "${opts[@]}" "$@" || rc=$?
	rm -rf "$sockdir"
	return $rc
}

# psql with the settings every covara script wants.
covara_psql() {
	psql -X -q -v ON_ERROR_STOP=1 "$@"
}

# Fill every table that belongs to covara in database $1 with the rows of
# test/fixtures/fill/<table>.sql (awkward values included).  Fails when a
# member table has no fill file, so a new table cannot escape the data
# checks of the dump and upgrade tests.
covara_fill_tables() {
	local db=$1 tbl nsp
	while IFS='|' read -r nsp tbl; do
		[ -n "$tbl" ] || continue
		if [ ! -f "$COVARA_ROOT/test/fixtures/fill/$tbl.sql" ]; then
			echo "no test/fixtures/fill/$tbl.sql for covara's table $nsp.$tbl" >&2
			return 1
		fi
		PGOPTIONS="-c search_path=$nsp,covara,public" covara_psql -d "$db" \
			-f "$COVARA_ROOT/test/fixtures/fill/$tbl.sql" >/dev/null || return 1
	done < <(psql -X -At -d "$db" -c "
		SELECT n.nspname || '|' || c.relname
		  FROM pg_depend d JOIN pg_class c ON c.oid = d.objid
		  JOIN pg_namespace n ON n.oid = c.relnamespace
		 WHERE d.classid = 'pg_class'::regclass AND d.deptype = 'e' AND c.relkind = 'r'
		   AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'covara')
		 ORDER BY c.relname")
}

# Print the footprint (test/lib/footprint.sql) or the row checksums
# (test/lib/rows.sql) of database $1.
covara_footprint() { psql -X -At -q -d "$1" -f "$COVARA_ROOT/test/lib/footprint.sql"; }
covara_rows() { psql -X -At -q -d "$1" -f "$COVARA_ROOT/test/lib/rows.sql"; }
