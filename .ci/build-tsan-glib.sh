#!/usr/bin/env bash
# SPDX-FileCopyrightText: 2026 The mwt authors
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Builds GLib from Debian's own source package with ThreadSanitizer, once,
# into a cache outside the checkout, and prints the directory of its
# libraries on the last line as MWT_TSAN_GLIB_LIBDIR=...
#
# Debian's GLib takes its GMutex with raw futex calls that ThreadSanitizer
# cannot see: against it, a correct program draws false race reports.
set -euo pipefail

# Bumped whenever the recipe below changes, so that caches built by an
# older one are not used.
recipe=2
version=$(dpkg-query -W -f='${Version}' libglib2.0-0)
prefix=${MWT_TSAN_GLIB_PREFIX:-/var/cache/mwt-ci/glib-tsan-$version-r$recipe}
libdir=$prefix/lib

if [ -f "$prefix/.done" ]; then
  echo "MWT_TSAN_GLIB_LIBDIR=$libdir"
  exit 0
fi

sudo_cmd=()
[ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)

# deb-src entries mirroring the deb ones, in a file of our own.
if ! grep -rqs '^Types:.*deb-src' /etc/apt/sources.list.d/ &&
   ! grep -qs '^deb-src' /etc/apt/sources.list; then
  sed 's/^Types: deb$/Types: deb-src/' /etc/apt/sources.list.d/debian.sources |
    "${sudo_cmd[@]}" tee /etc/apt/sources.list.d/mwt-deb-src.sources > /dev/null
fi
"${sudo_cmd[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends \
  dpkg-dev meson ninja-build gcc pkg-config python3 libffi-dev libpcre2-dev zlib1g-dev > /dev/null

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
# Unpacking applies Debian's patches, as the package build does.
apt-get source -qq --download-only "glib2.0=$version" > /dev/null 2>&1
dpkg-source -x glib2.0_*.dsc src > /dev/null 2>&1
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

echo "MWT_TSAN_GLIB_LIBDIR=$libdir"
