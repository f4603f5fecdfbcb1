# cluster.sh: a throwaway PostgreSQL 15 cluster for tests and the demo.
# Source it, then:
#   bp_cluster_start DIR [CONF_LINE...]   initdb in DIR/data and start it as
#                                         the user postgres (when run as root)
#                                         on a free port, Unix socket in DIR/sock;
#                                         exports PGHOST, PGPORT, PGUSER
#   bp_as_pg CMD...                       run CMD as postgres (or as yourself
#                                         when not root), PostgreSQL bin on PATH
#   bp_cluster_stop                       stop it (safe to call twice)
# The cluster loads shared_preload_libraries = 'bookparse'; CONF_LINEs are
# appended to postgresql.conf after that, so they can override it.

PGBIN=${PGBIN:-$(pg_config --bindir)}
BP_CLUSTER_DIR=

# Run a command as postgres with PostgreSQL's programs first on PATH.
bp_as_pg() {
	if [ "$(id -u)" = 0 ]; then
		runuser -u postgres -- env PATH="$PGBIN:$PATH" PGHOST="${PGHOST:-}" \
			PGPORT="${PGPORT:-}" PGUSER="${PGUSER:-}" PGDATABASE="${PGDATABASE:-}" "$@"
	else
		env PATH="$PGBIN:$PATH" "$@"
	fi
}

# A TCP port nobody listens on now.
bp_free_port() {
	/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# initdb and start a cluster in $1 (see above).
bp_cluster_start() {
	local dir=$1 line
	shift
	BP_CLUSTER_DIR=$dir
	mkdir -p "$dir/sock"
	if [ "$(id -u)" = 0 ]; then
		chown -R postgres: "$dir"
	fi
	PGPORT=$(bp_free_port)
	PGHOST=$dir/sock
	PGUSER=postgres
	export PGHOST PGPORT PGUSER
	bp_as_pg initdb -D "$dir/data" -A trust -U postgres -E UTF8 --locale=C.UTF-8 \
		--no-sync >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log"; return 1; }
	{
		echo "# added by test/cluster.sh"
		echo "listen_addresses = ''"
		echo "unix_socket_directories = '$dir/sock'"
		echo "port = $PGPORT"
		echo "fsync = off"
		echo "shared_preload_libraries = 'bookparse'"
		for line in "$@"; do
			echo "$line"
		done
	} >>"$dir/data/postgresql.conf"
	bp_as_pg pg_ctl -D "$dir/data" -l "$dir/server.log" -w -t 60 start >/dev/null ||
		{ tail -n 30 "$dir/server.log"; return 1; }
}

# Stop the cluster started by bp_cluster_start.
bp_cluster_stop() {
	if [ -n "$BP_CLUSTER_DIR" ] && [ -f "$BP_CLUSTER_DIR/data/postmaster.pid" ]; then
		bp_as_pg pg_ctl -D "$BP_CLUSTER_DIR/data" -m fast -w -t 60 stop >/dev/null 2>&1 ||
			bp_as_pg pg_ctl -D "$BP_CLUSTER_DIR/data" -m immediate stop >/dev/null 2>&1 || true
	fi
}
