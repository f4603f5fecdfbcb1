#!/bin/bash
# debian_package.sh: build the Debian package postgresql-15-bookparse from
# debian/ (dpkg-buildpackage, pg_buildext), check it with lintian, install
# it on this machine with apt in place of the make install files, and run
# the regression tests (make installcheck) against the installed package
# on a throwaway cluster; also CREATE EXTENSION at 0.1.0 and
# ALTER EXTENSION UPDATE from the package's scripts.  Then the package is
# removed and the make install files are put back as they were.
#
#   bash test/slow/debian_package.sh      (run_all.sh runs it when
#                                           BOOKPARSE_SLOW_TESTS=1)
#
# Run as root on Debian 12 (it installs into the system PostgreSQL 15,
# /usr/lib/postgresql/15 and /usr/share/postgresql/15).  The package is
# built from the working tree (not only what is committed) in
# ${BP_DEB_DIR:-/tmp/bookparse-deb}, which is removed at the end.  About
# 2 minutes on 2 cores.  lintian must report no error and no warning that
# debian/postgresql-15-bookparse.lintian-overrides does not explain.
set -eu -o pipefail

cd "$(dirname "$0")/../.."
ROOT=$(pwd)
DIR=${BP_DEB_DIR:-/tmp/bookparse-deb}
PGBIN=/usr/lib/postgresql/15/bin
PGC=$PGBIN/pg_config
PKG=postgresql-15-bookparse
VERSION=$(sed -n "s/^default_version = '\(.*\)'/\1/p" bookparse.control)
BACKUP=$DIR/make-install-files
WORK=

if [ "$(id -u)" != 0 ]; then
	echo "debian_package: run as root (it installs a package)" >&2
	exit 2
fi
if dpkg-query -W -f='${Status}' "$PKG" 2>/dev/null | grep -q "install ok installed"; then
	echo "debian_package: $PKG is installed already; remove it first" >&2
	exit 2
fi

# The files make install put into the system PostgreSQL (relative to /).
installed_files() {
	local lib share
	lib=$($PGC --pkglibdir)
	share=$($PGC --sharedir)
	(cd / && for f in "${lib#/}/bookparse.so" "${lib#/}/bitcode/bookparse.index.bc" \
		"${lib#/}/bitcode/bookparse" "${share#/}/extension/bookparse.control" \
		"${share#/}"/extension/bookparse--*.sql "${share#/}/extension/bookparse"; do
		[ -e "$f" ] && echo "$f"
	done) || true
}

# Put back what make install had installed, remove the package.
restore() {
	set +e
	if [ -n "$WORK" ]; then
		bp_cluster_stop
		rm -rf "$WORK"
	fi
	if dpkg-query -W -f='${Status}' "$PKG" 2>/dev/null | grep -q "install ok installed"; then
		echo "debian_package: removing $PKG"
		apt-get purge -y -q "$PKG" >/dev/null
	fi
	if [ -f "$BACKUP.tar" ]; then
		tar -C / -xpf "$BACKUP.tar" && echo "debian_package: the make install files are back"
	fi
	rm -rf "$DIR"
}

rm -rf "$DIR"
mkdir -p "$DIR"
trap restore EXIT

# ---- build ----
SRC=$DIR/bookparse-$VERSION
mkdir -p "$SRC"
tar --exclude=./.git --exclude=./build --exclude=./regress_out --exclude='*.o' \
	--exclude='*.so' --exclude='*.bc' --exclude=./bookparse-dump --exclude='./debian/.debhelper' \
	--exclude="./debian/$PKG" -cf - . | tar -C "$SRC" -xf -
echo "debian_package: dpkg-buildpackage in $SRC"
(cd "$SRC" && dpkg-buildpackage -us -uc -b) >"$DIR/build.log" 2>&1 || {
	tail -n 40 "$DIR/build.log"
	exit 1
}
DEB=$(ls "$DIR"/${PKG}_*.deb)
echo "debian_package: built $(basename "$DEB")"
case $(basename "$DEB") in
${PKG}_$VERSION-*) ;;
*)
	echo "debian_package: the package's version is not $VERSION (bookparse.control): debian/changelog"
	exit 1
	;;
esac

# ---- lintian ----
echo "debian_package: lintian"
lintian --fail-on error,warning --info --display-info "$DIR"/bookparse_*.changes ||
	{ echo "debian_package: lintian found errors or unexplained warnings"; exit 1; }

# ---- the package's contents ----
dpkg-deb -c "$DEB" >"$DIR/contents"
for f in lib/postgresql/15/lib/bookparse.so share/postgresql/15/extension/bookparse.control \
	share/postgresql/15/extension/bookparse--0.1.0.sql \
	share/postgresql/15/extension/bookparse--0.1.0--0.2.0.sql \
	share/postgresql/15/extension/bookparse/scenes/en.location \
	share/postgresql/15/extension/bookparse/scenes/ru.location \
	share/doc/$PKG/README.md share/doc/$PKG/docs/monitoring/queries.yaml; do
	# (dh_compress gzips the bigger documents)
	grep -q "\./usr/$f\(\.gz\)\?\$" "$DIR/contents" ||
		{ echo "debian_package: the package lacks /usr/$f"; grep '/doc/' "$DIR/contents"; exit 1; }
done
echo "debian_package: $(grep -c '^-' "$DIR/contents") files, with the scene word lists"

# ---- install in place of make install ----
mapfile -t files < <(installed_files)
if [ ${#files[@]} -gt 0 ]; then
	tar -C / -cpf "$BACKUP.tar" "${files[@]}"
	(cd / && rm -rf "${files[@]}")
	echo "debian_package: moved aside ${#files[@]} make install files"
fi
apt-get install -y -q "$DEB" >"$DIR/apt.log" 2>&1 || { cat "$DIR/apt.log"; exit 1; }
dpkg -L "$PKG" | grep "/bookparse.so$" >/dev/null
echo "debian_package: installed $(dpkg-query -W -f='${Package} ${Version}' "$PKG")"

# ---- the regression tests against the package ----
WORK=$(mktemp -d /tmp/bookparse-debtest.XXXXXX)
chmod 755 "$WORK"
cp -a "$SRC" "$WORK/repo"
rm -rf "$WORK/repo/debian/$PKG"
chown -R postgres: "$WORK"
export PGBIN
. test/cluster.sh
bp_cluster_start "$WORK/cluster" "bookparse.max_workers = 0"
if ! bp_as_pg make -C "$WORK/repo" installcheck PG_CONFIG="$PGC"; then
	[ -f "$WORK/repo/regress_out/regression.diffs" ] && head -n 100 "$WORK/repo/regress_out/regression.diffs"
	exit 1
fi
# the package's scripts: 0.1.0, then ALTER EXTENSION UPDATE
got=$(bp_as_pg psql -X -q -A -t -v ON_ERROR_STOP=1 -d postgres <<'SQL'
CREATE DATABASE pkg_upgrade;
\c pkg_upgrade
CREATE EXTENSION bookparse VERSION '0.1.0';
SELECT bookparse.submit(convert_to('Installed from the package. Two sentences.', 'UTF8'), 'pkg.txt');
SELECT bookparse.run_queue();
ALTER EXTENSION bookparse UPDATE;
SELECT library || ',' || extension || ',' || status FROM bookparse.version();
SELECT status FROM bookparse.book;
SQL
)
echo "$got"
want=$(printf '1\n1\n%s,%s,ok\nparsed' "$VERSION" "$VERSION")
if [ "$got" != "$want" ]; then
	echo "debian_package: the upgrade from the package's scripts gave the above, not:"
	echo "$want"
	exit 1
fi
bp_cluster_stop
echo "debian_package: make installcheck and ALTER EXTENSION UPDATE passed against the package"
