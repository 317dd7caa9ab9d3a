#!/usr/bin/env bash
# SPDX-FileCopyrightText: 2026 The mwt authors
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Builds GLib from Debian's own source package with ThreadSanitizer, once,
# into a cache outside the checkout, and prints the directory of its
# libraries on standard output, and nothing else there, so that
#   libdir=$(.ci/build-tsan-glib.sh) && ...
# stops when it fails: every failure exits non-zero with a message on stderr.
#
# Debian's GLib takes its GMutex with raw futex calls that ThreadSanitizer
# cannot see: against it, a correct program draws false race reports.
set -euo pipefail
exec 3>&1 1>&2
fail () { echo "build-tsan-glib.sh: $*; no ThreadSanitizer GLib was built" >&2; exit 1; }
trap 'fail "\"$BASH_COMMAND\" failed"' ERR
ci=$(dirname "$0")

# Bumped whenever the recipe below changes, so that caches built by an
# older one are not used.
recipe=2
version=$(dpkg-query -W -f='${Version}' libglib2.0-0)
prefix=${MWT_TSAN_GLIB_PREFIX:-/var/cache/mwt-ci/glib-tsan-$version-r$recipe}
libdir=$prefix/lib

if [ -f "$prefix/.done" ]; then
  echo "$libdir" >&3
  exit 0
fi

sudo_cmd=()
[ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)

# GLib's build dependencies (those of libglib2.0-dev), and dpkg-source.
"$ci/install-deps" demo checkers

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"

# The source package comes through an apt configuration of our own, which
# lists as deb-src every Debian archive that apt is configured for: apt
# reads its sources in whatever layout they are (deb822 .sources files,
# one-line sources.list or sources.list.d/*.list, with or without deb-src
# entries), and the system's configuration is left as it is.
mkdir -p apt/sources.list.d apt/lists/partial apt/cache/archives/partial
apt-get indextargets --format '$(REPO_URI) $(RELEASE) $(COMPONENT)' 'Origin: Debian' |
  sort -u | sed -n 's/^\([^ ]\+ [^ ]\+ [^ ]\+\)$/deb-src \1/p' > apt/sources.list
[ -s apt/sources.list ] ||
  fail "apt knows no Debian archive (none configured, or no 'apt-get update' yet)"
private_apt=(
  -o Dir::Etc::SourceList="$work/apt/sources.list"
  -o Dir::Etc::SourceParts="$work/apt/sources.list.d"
  -o Dir::State::Lists="$work/apt/lists"
  -o Dir::Cache="$work/apt/cache"
  -o Acquire::Languages=none
)
# apt downloads as the user _apt when run as root: let it reach the files.
chmod 755 "$work"
mkdir download
if [ "$(id -u)" -eq 0 ] && id -u _apt > /dev/null 2>&1; then
  chown _apt download
fi
apt-get "${private_apt[@]}" update -qq
(cd download && apt-get "${private_apt[@]}" source -qq --download-only "glib2.0=$version" > /dev/null) ||
  fail "no source package glib2.0 $version in $(tr '\n' ';' < apt/sources.list)"

# Unpacking applies Debian's patches, as the package build does. apt has
# checked the files against the archive's signed index; dpkg-source, which
# has no keyring of Debian developers to check the .dsc's own signature
# with, says so: its messages show only if it fails.
dpkg-source -x download/glib2.0_*.dsc src > dpkg-source.log 2>&1 ||
  { cat dpkg-source.log; fail "dpkg-source could not unpack glib2.0 $version"; }
cd src

# GLib 2.74 takes its bit locks (GObject's qdata, GData) with inline
# assembly, which ThreadSanitizer cannot see either: build them from the
# atomic operations it can.
sed -i 's/^#if (defined (i386) || defined (__amd64__))$/& \&\& !defined (__SANITIZE_THREAD__)/' glib/gbitlock.c
grep -q '__SANITIZE_THREAD__' glib/gbitlock.c

# GLib 2.74 has no introspection to turn off; tests and docs are off.
meson setup build --prefix="$prefix" --libdir=lib --buildtype=debugoptimized \
  -Db_sanitize=thread -Dtests=false -Dinstalled_tests=false -Dgtk_doc=false \
  -Dman=false -Dlibmount=disabled -Dselinux=disabled -Dsysprof=disabled \
  -Dlibelf=disabled -Dxattr=false -Dnls=disabled > /dev/null
meson compile -C build > /dev/null
"${sudo_cmd[@]}" meson install -C build --quiet > /dev/null
"${sudo_cmd[@]}" touch "$prefix/.done"

echo "$libdir" >&3
