#!/bin/bash
# cassert.sh: build PostgreSQL 15 from Debian's source with
# --enable-cassert (CLOBBER_FREED_MEMORY, assertions), build bookparse
# against it and run pg_regress and the TAP tests there.  Memory bugs that
# a release server hides (reading memory that was pfree'd) fail there.
#
#   bash test/slow/cassert.sh            (run_all.sh runs it when
#                                          BOOKPARSE_SLOW_TESTS=1)
#
# Run as root on Debian 12: adds a deb-src entry for Debian's archive,
# fetches the postgresql-15 source package, builds into
# ${BP_CASSERT_DIR:-/tmp/bookparse-cassert}/pg (kept between runs: a
# second run skips the PostgreSQL build), runs the tests as postgres.
# Takes about 15 minutes on 2 cores the first time.
set -eu -o pipefail

cd "$(dirname "$0")/../.."
ROOT=$(pwd)
DIR=${BP_CASSERT_DIR:-/tmp/bookparse-cassert}
PREFIX=$DIR/pg
JOBS=$(nproc)

# The PostgreSQL source from Debian (the newest version the archive serves).
fetch_source() {
	local v
	if [ ! -f /etc/apt/sources.list.d/bookparse-deb-src.sources ]; then
		sed -e 's/^Types: deb$/Types: deb-src/' /etc/apt/sources.list.d/debian.sources \
			>/etc/apt/sources.list.d/bookparse-deb-src.sources
		apt-get update -q
	fi
	mkdir -p "$DIR/src"
	cd "$DIR/src"
	for v in $(apt-cache showsrc postgresql-15 | sed -n 's/^Version: //p' | sort -rV); do
		if apt-get source --download-only "postgresql-15=$v" >/dev/null 2>&1; then
			echo "cassert: postgresql-15 $v source"
			break
		fi
	done
	tar -xjf postgresql-15_*.orig.tar.bz2
	cd "$ROOT"
}

# Configure, build and install PostgreSQL with assertions.
build_postgres() {
	local src
	apt-get install -y -q --no-install-recommends bison flex libreadline-dev \
		libicu-dev libxml2-dev zlib1g-dev liblz4-dev pkg-config >/dev/null
	fetch_source
	src=$(ls -d "$DIR"/src/postgresql-15*/ | head -n 1)
	(cd "$src" &&
		./configure --prefix="$PREFIX" --enable-cassert --enable-debug \
			--enable-tap-tests --with-icu --with-libxml --with-lz4 \
			CFLAGS='-O1 -g' >"$DIR/configure.log" &&
		make -j"$JOBS" -s >"$DIR/build.log" 2>&1 &&
		make -s install >"$DIR/install.log" 2>&1 &&
		make -s -C src/test/perl install >>"$DIR/install.log" 2>&1 &&
		make -s -C src/test/regress install >>"$DIR/install.log" 2>&1) || {
		tail -n 30 "$DIR"/*.log
		return 1
	}
	touch "$PREFIX/.built"
}

[ -f "$PREFIX/.built" ] || build_postgres
"$PREFIX/bin/pg_config" --configure | grep enable-cassert >/dev/null

# bookparse against the assert-enabled server, in a copy postgres may write
rm -rf "$DIR/repo"
mkdir -p "$DIR/repo"
tar --exclude=./.git --exclude=./build --exclude=./regress_out -cf - . | tar -C "$DIR/repo" -xf -
make -C "$DIR/repo" -s -j"$JOBS" PG_CONFIG="$PREFIX/bin/pg_config" >/dev/null
make -C "$DIR/repo" -s PG_CONFIG="$PREFIX/bin/pg_config" install >/dev/null
chown -R postgres: "$DIR/repo"
python3 test/make_samples.py "$DIR/repo/build/samples" >/dev/null
chown -R postgres: "$DIR/repo/build"

export PGBIN=$PREFIX/bin
. test/cluster.sh
WORK=$(mktemp -d /tmp/bookparse-cassert-run.XXXXXX)
chmod 755 "$WORK"
trap 'bp_cluster_stop; rm -rf "$WORK"' EXIT
rc=0
bp_cluster_start "$WORK/cluster" "bookparse.max_workers = 0"
bp_as_pg make -C "$DIR/repo" PG_CONFIG="$PREFIX/bin/pg_config" installcheck || {
	head -n 100 "$DIR/repo/regress_out/regression.diffs" 2>/dev/null
	rc=1
}
bp_cluster_stop
CORPUS=
[ -d ../shared/corpus ] && CORPUS=$(cd ../shared/corpus && pwd)
pgxs=$(dirname "$(dirname "$("$PREFIX/bin/pg_config" --pgxs)")")
(cd "$DIR/repo" && runuser -u postgres -- env PATH="$PREFIX/bin:$PATH" \
	PERL5LIB="$pgxs/test/perl" \
	PG_REGRESS="$pgxs/test/regress/pg_regress" \
	TESTDIR="$DIR/repo" BP_SAMPLES="$DIR/repo/build/samples" BP_CORPUS="$CORPUS" \
	PGHOST= PGPORT= prove ${BP_CASSERT_TAP:-test/t/*.pl}) || rc=1
exit $rc
