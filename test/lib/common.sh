# Shared shell helpers for covara's test command, demo and benchmarks.
# Source it; it defines functions only.

COVARA_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# The PostgreSQL major version to build against and run on (test/run-all
# goes through every version of test/pg/versions), and the version whose
# client programs drive every server: pg_regress, the isolation tester,
# psql, pgbench, createdb (the machine's own Debian packages).
COVARA_PGVERSION=${COVARA_PGVERSION:-15}
COVARA_DRIVER_PGVERSION=15

covara_log() { printf '==> %s\n' "$*" >&2; }

# Run a command as root: directly when we are root, else through sudo.
covara_as_root() {
	if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

# Run a command as the owner of the clusters: postgres when we are root
# (the server refuses to run as root), else ourselves.
covara_as_owner() {
	if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# Install what building and testing need, when it is missing: the server's
# development files (PGXS), pgTAP, pg_prove and pg_cron (for
# test/tap/pg_cron.sh; the other versions' is built by test/pg/fetch, with
# libpq-dev's libpq-fe.h) unless COVARA_NEED_TESTS=0, Python 3 for the
# script lint, curl for the pinned server downloads, and Node.js for the
# client checks (unless COVARA_NEED_NODE=0).  Debian packages from the
# machine's own sources only (the other PostgreSQL versions come from
# test/pg/fetch, which installs nothing).
covara_install_deps() {
	local v=$COVARA_DRIVER_PGVERSION pkgs=()
	[ -f "/usr/include/postgresql/$v/server/postgres.h" ] || pkgs+=("postgresql-server-dev-$v")
	[ -x "/usr/lib/postgresql/$v/bin/initdb" ] || pkgs+=("postgresql-$v")
	if [ "${COVARA_NEED_TESTS:-1}" = 1 ]; then	# the suites (test/demo sets 0)
		[ -f "/usr/share/postgresql/$v/extension/pgtap.control" ] || pkgs+=("postgresql-$v-pgtap")
		[ -f "/usr/share/postgresql/$v/extension/pg_cron.control" ] || pkgs+=("postgresql-$v-cron")
		[ -f /usr/include/postgresql/libpq-fe.h ] || pkgs+=(libpq-dev)
		command -v pg_prove >/dev/null || pkgs+=(libtap-parser-sourcehandler-pgtap-perl)
		command -v prove >/dev/null || pkgs+=(perl)
	fi
	command -v make >/dev/null || pkgs+=(make)
	command -v gcc >/dev/null || pkgs+=(gcc)
	command -v python3 >/dev/null || pkgs+=(python3)	# test/lint, test/pg
	command -v curl >/dev/null || pkgs+=(curl)	# test/pg/fetch
	command -v runuser >/dev/null || pkgs+=(util-linux)
	if [ "${COVARA_NEED_NODE:-1}" = 1 ]; then
		command -v node >/dev/null || pkgs+=(nodejs)
		command -v npm >/dev/null || pkgs+=(npm)
	fi
	if [ "${COVARA_NEED_PACKAGING:-0}" = 1 ]; then	# test/package
		command -v dpkg-buildpackage >/dev/null || pkgs+=(dpkg-dev)
		command -v dh >/dev/null || pkgs+=(debhelper)
		command -v pg_buildext >/dev/null || pkgs+=(postgresql-server-dev-all)
		command -v git >/dev/null || pkgs+=(git)
	fi
	if [ ${#pkgs[@]} -gt 0 ]; then
		covara_log "installing ${pkgs[*]}"
		covara_as_root apt-get update -qq
		covara_as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${pkgs[@]}" >/dev/null
	fi
}

# The scratch directory of this run (kits, builds, clusters), readable by
# the clusters' owner.  Made on first use (call this directly, not in a
# command substitution, so that the variable stays set), and removed on
# exit by the process that made it, unless COVARA_KEEP_WORK is set (a
# caller with an exit trap of its own calls covara_work_cleanup there).
covara_work_init() {
	[ -n "${COVARA_WORK:-}" ] && return 0
	COVARA_WORK=$(mktemp -d /tmp/covara-run.XXXXXX)
	chmod 755 "$COVARA_WORK"
	export COVARA_WORK
	_covara_work_made_here=1
	[ -n "$(trap -p EXIT)" ] || trap covara_work_cleanup EXIT
}
# Remove the scratch directory, if this process made it.
covara_work_cleanup() {
	if [ -n "${_covara_work_made_here:-}" ] && [ -z "${COVARA_KEEP_WORK:-}" ]; then
		rm -rf "$COVARA_WORK"
	fi
	return 0
}

# covara_use_pg MAJOR: make MAJOR the version of what follows.  Sets
# COVARA_PGVERSION, COVARA_PG_CONFIG (the pg_config to build with),
# COVARA_PG_BINDIR (initdb, pg_ctl, postgres, pg_dump, pg_restore,
# pg_basebackup of MAJOR), COVARA_PG_SERVER (the server tree covara is
# installed into; empty for the system's packages and for a version that is
# only built) and PATH (MAJOR's programs first, then the driver version's).
# A pinned version's kit is prepared by test/pg/fetch; a version that
# test/pg/versions does not list is used if the machine has it.
covara_use_pg() {
	local major=$1 origin
	covara_work_init
	origin=$(awk -v m="$major" '($1 == "tested" || $1 == "built") && $2 == m { print $3 }' \
		"$COVARA_ROOT/test/pg/versions")
	COVARA_PGVERSION=$major
	COVARA_PG_SERVER=
	case $origin in
	system)
		COVARA_PG_BINDIR=/usr/lib/postgresql/$major/bin
		COVARA_PG_CONFIG=$COVARA_PG_BINDIR/pg_config
		;;
	pinned)
		local kit
		kit=$COVARA_WORK/pg$major
		"$COVARA_ROOT/test/pg/fetch" "$major" "$kit" || return 1
		COVARA_PG_BINDIR=$kit/bin
		COVARA_PG_CONFIG=$kit/bin/pg_config
		[ -d "$kit/server" ] && COVARA_PG_SERVER=$kit/server
		;;
	*)
		# a major the machine has although test/pg/versions does not list
		# it (for the demo and benchmarks; test/run-all sticks to the list)
		if [ -x "/usr/lib/postgresql/$major/bin/pg_config" ]; then
			COVARA_PG_BINDIR=/usr/lib/postgresql/$major/bin
			COVARA_PG_CONFIG=$COVARA_PG_BINDIR/pg_config
		else
			covara_log "PostgreSQL $major is neither in test/pg/versions nor installed"
			return 1
		fi
		;;
	esac
	: "${COVARA_PATH0:=$PATH}"
	PATH=$COVARA_PG_BINDIR:/usr/lib/postgresql/$COVARA_DRIVER_PGVERSION/bin:$COVARA_PATH0
	export COVARA_PGVERSION COVARA_PG_CONFIG COVARA_PG_BINDIR COVARA_PG_SERVER COVARA_PATH0 PATH
}

# Make sure a version is in use (COVARA_PGVERSION, 15 unless set) and the
# run has its scratch directory.  Call it directly, not in $(...).
_covara_ensure_pg() {
	covara_work_init
	[ -n "${COVARA_PG_CONFIG:-}" ] || covara_use_pg "$COVARA_PGVERSION"
}

# The pg_config of the version in use (what covara is built against; the
# system's 15 when none was chosen).
covara_pg_config() {
	echo "${COVARA_PG_CONFIG:-/usr/lib/postgresql/$COVARA_PGVERSION/bin/pg_config}"
}

# The directory of the server programs (initdb, pg_ctl, pg_basebackup, ...)
# of the version in use.
covara_pg_bindir() {
	echo "${COVARA_PG_BINDIR:-$("$(covara_pg_config)" --bindir)}"
}

# The pg_config whose PGXS drives the suites (pg_regress, the isolation
# tester) against any server.
covara_driver_pg_config() {
	echo "/usr/lib/postgresql/$COVARA_DRIVER_PGVERSION/bin/pg_config"
}

# Make's arguments for building against the version in use.  The compiler
# flags of a Debian build from a newer suite can name warnings this
# machine's gcc does not know: those are dropped (and said).  Bitcode for
# JIT needs that suite's clang, so a pinned version builds without it.
covara_make_args() {
	local pgc f flags=() dropped=()
	pgc=$(covara_pg_config)
	echo "PG_CONFIG=$pgc"
	if [ "$pgc" != "/usr/lib/postgresql/$COVARA_PGVERSION/bin/pg_config" ]; then
		echo "with_llvm=no"
		for f in $("$pgc" --cflags); do
			case $("${CC:-gcc}" "$f" -E -x c /dev/null -o /dev/null 2>&1) in
			*unrecognized*) dropped+=("$f") ;;
			*) flags+=("$f") ;;
			esac
		done
		[ ${#dropped[@]} -gt 0 ] &&
			covara_log "PostgreSQL $COVARA_PGVERSION: this gcc does not know ${dropped[*]}; building without"
		echo "CFLAGS=${flags[*]}"
	fi
}

# Build covara for the version in use (after covara_use_pg), warnings as
# errors (here only, never in users' builds), out of tree in the run's
# scratch directory.  -Werror goes in PG_CFLAGS, which PGXS appends with
# override (COPT would be lost under a CFLAGS given on the command line);
# every compiler call is checked for it.  COVARA_BUILD_FLAVOR names a
# second build of the same version (its own directory), compiled with
# COVARA_BUILD_CFLAGS and linked with COVARA_BUILD_LDFLAGS (the sanitizer
# run's).
covara_build() {
	local build args=() unchecked
	build=$(covara_build_dir)
	mapfile -t args < <(covara_make_args)
	rm -rf "$build"
	mkdir -p "$build"
	covara_log "building covara for PostgreSQL $COVARA_PGVERSION (warnings are errors)"
	args+=("PG_CFLAGS=-Werror ${COVARA_BUILD_CFLAGS:-}")
	[ -n "${COVARA_BUILD_LDFLAGS:-}" ] && args+=("PG_LDFLAGS=$COVARA_BUILD_LDFLAGS")
	make -C "$build" -f "$COVARA_ROOT/Makefile" VPATH="$COVARA_ROOT" "${args[@]}" >"$build/build.log" 2>&1
	local rc=$?
	grep -v -e '^make' -e '^[a-z0-9_-]*gcc .* -c -o ' -e '^[a-z0-9_-]*gcc .* -shared ' \
		-e '^/usr/bin/clang' -e '^mkdir ' -e '^cat ' "$build/build.log" >&2
	[ $rc -eq 0 ] || return 1
	unchecked=$(grep -E '^[a-z0-9_-]*gcc .* -c -o ' "$build/build.log" | grep -v -e ' -Werror ' -e ' -Werror$' || true)
	if [ -n "$unchecked" ] || ! grep -qE '^[a-z0-9_-]*gcc .* -c -o ' "$build/build.log"; then
		covara_log "PostgreSQL $COVARA_PGVERSION: a compiler call without -Werror (or none at all):"
		printf '%s\n' "$unchecked" >&2
		return 1
	fi
}

# The build directory of the version in use (and COVARA_BUILD_FLAVOR).
covara_build_dir() {
	echo "$COVARA_WORK/build/$COVARA_PGVERSION${COVARA_BUILD_FLAVOR:+-$COVARA_BUILD_FLAVOR}"
}

# Install the build of the version in use: into its server tree (a pinned
# version), under COVARA_DESTDIR when set (clusters started by
# covara_with_cluster load from there), or into the system.
covara_install() {
	local build args=()
	build=$(covara_build_dir)
	mapfile -t args < <(covara_make_args 2>/dev/null)	# covara_build said it
	args=(-C "$build" -f "$COVARA_ROOT/Makefile" -s VPATH="$COVARA_ROOT" "${args[@]}")
	if [ -n "$COVARA_PG_SERVER" ]; then
		covara_log "installing into $COVARA_PG_SERVER"
		make "${args[@]}" pkglibdir="$COVARA_PG_SERVER/lib/postgresql" \
			datadir="$COVARA_PG_SERVER/share/postgresql" install >/dev/null
	elif [ -n "${COVARA_DESTDIR:-}" ]; then
		covara_log "installing into $COVARA_DESTDIR"
		make "${args[@]}" DESTDIR="$COVARA_DESTDIR" install >/dev/null
	else
		covara_log "installing into $("$COVARA_PG_CONFIG" --sharedir)/extension and $("$COVARA_PG_CONFIG" --pkglibdir)"
		covara_as_root make "${args[@]}" install >/dev/null
	fi
}

# Build and install for the version in use.
covara_build_install() {
	_covara_ensure_pg
	covara_build && covara_install
}

# First free TCP port at or above $1 on loopback.
covara_free_port() {
	local p=$1
	while (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; do p=$((p + 1)); done
	echo "$p"
}

# covara_cluster_start: start a throwaway cluster of the version in use
# (after covara_use_pg) and print its directory: initdb into the run's
# scratch directory, started on a free port on loopback and a private
# socket directory (never the system's default cluster).  The socket trusts
# its directory's users; TCP wants the password.  Extra server settings come
# from COVARA_CLUSTER_OPTS (one "name=value" per word); COVARA_PORT is the
# first port tried (a random one in 54320-55319 unless set);
# COVARA_CLUSTER_ENCODING the cluster's encoding (UTF8 unless set).
covara_cluster_start() {
	local dir port o pw
	dir=$(mktemp -d "$COVARA_WORK/cluster.XXXXXX") || return 1
	mkdir "$dir/sock"
	pw=$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')
	echo "$pw" >"$dir/pw"
	echo "$COVARA_PG_BINDIR" >"$dir/bindir"
	[ "$(id -u)" = 0 ] && chown -R postgres: "$dir"
	chmod 700 "$dir/sock"
	if ! covara_as_owner "$COVARA_PG_BINDIR/initdb" -D "$dir/data" -U postgres --pwfile="$dir/pw" \
		--auth-local=trust --auth-host=scram-sha-256 -E "${COVARA_CLUSTER_ENCODING:-UTF8}" \
		--locale="$([ "${COVARA_CLUSTER_ENCODING:-UTF8}" = UTF8 ] && echo C.UTF-8 || echo C)" \
		>"$dir/initdb.log" 2>&1; then
		cat "$dir/initdb.log" >&2
		rm -rf "$dir"
		return 1
	fi
	port=$(covara_free_port "${COVARA_PORT:-$((54320 + RANDOM % 1000))}")
	{
		echo "port = $port"
		echo "listen_addresses = 'localhost'"
		echo "unix_socket_directories = '$dir/sock'"
		echo "max_connections = ${COVARA_MAX_CONNECTIONS:-100}"
		echo "fsync = off"
		echo "log_line_prefix = '%m [%p] %q%u@%d '"
		echo "log_checkpoints = off"
		if [ -n "${COVARA_DESTDIR:-}" ] && [ -z "$COVARA_PG_SERVER" ]; then
			echo "extension_destdir = '$COVARA_DESTDIR'"
		fi
		for o in ${COVARA_CLUSTER_OPTS:-}; do echo "${o%%=*} = '${o#*=}'"; done
	} >>"$dir/data/postgresql.conf"
	echo "PGHOST=$dir/sock PGPORT=$port PGUSER=postgres PGPASSWORD=$pw PGDATABASE=postgres" >"$dir/env"
	if ! covara_as_owner "$COVARA_PG_BINDIR/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 120 start >/dev/null; then
		tail -n 50 "$dir/server.log" >&2
		rm -rf "$dir"
		return 1
	fi
	echo "$dir"
}

# covara_cluster_env DIR: the PG* settings that reach that cluster
# ("PGHOST=... PGPORT=..."), for export or env.
covara_cluster_env() { cat "$1/env"; }

# covara_cluster_stop DIR [STATUS]: stop and remove a cluster; with a
# non-zero STATUS, print the end of its server log first.
covara_cluster_stop() {
	local dir=$1 rc=0
	covara_as_owner "$(cat "$dir/bindir")/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null || rc=1
	if [ "${2:-0}" != 0 ] || [ $rc != 0 ]; then
		covara_log "server log of $dir (last 100 lines):"
		tail -n 100 "$dir/server.log" >&2
	fi
	rm -rf "$dir"
	return $rc
}

# Run "$@" inside a throwaway cluster of the version in use (covara_use_pg;
# 15 unless chosen), with PGHOST, PGPORT, PGUSER, PGPASSWORD and PGDATABASE
# set for it; the cluster is removed afterwards.
covara_with_cluster() {
	_covara_ensure_pg
	local dir rc=0
	dir=$(covara_cluster_start) || return 1
	# shellcheck disable=SC2046
	(export $(covara_cluster_env "$dir") && "$@") || rc=$?
	covara_cluster_stop "$dir" $rc || rc=1
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
