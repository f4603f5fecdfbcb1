#!/bin/bash
# install_deps.sh: install everything bookparse needs to build and test on
# Debian 12 (bookworm) with PostgreSQL 15.  Used by test/run_all.sh and
# test/demo.sh; run as root (or with sudo available).  Skips apt entirely
# when every package is already installed (BP_FORCE_APT=1 to update anyway).
set -euo pipefail

PACKAGES=(
	build-essential pkg-config
	postgresql-15 postgresql-server-dev-15 postgresql-contrib  # postgresql-15 has pgbench (test/t/020, test/bench/load.sh)
	postgresql-15-pgtap libtap-parser-sourcehandler-pgtap-perl
	postgresql-15-cron
	libicu-dev libxml2-dev zlib1g-dev libstemmer-dev
	libipc-run-perl perl
	cppcheck
	python3 python3-lxml
	zip unzip ca-certificates
	clang libclang-rt-14-dev strace time
	python3-jsonschema
	debhelper postgresql-server-dev-all lintian
)

missing=()
for p in "${PACKAGES[@]}"; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing+=("$p")
	fi
done

if [ ${#missing[@]} -eq 0 ] && [ "${BP_FORCE_APT:-0}" != 1 ]; then
	echo "install_deps: all ${#PACKAGES[@]} packages already installed"
	exit 0
fi

SUDO=
if [ "$(id -u)" != 0 ]; then
	if command -v sudo >/dev/null; then
		SUDO=sudo
	else
		echo "install_deps: missing packages (${missing[*]}); run as root" >&2
		exit 1
	fi
fi

echo "install_deps: installing ${missing[*]:-(forced update)}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${PACKAGES[@]}"
