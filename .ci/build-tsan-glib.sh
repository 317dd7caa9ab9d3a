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
trap 'echo "build-tsan-glib.sh: failed; no ThreadSanitizer GLib was built" >&2' ERR

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

# deb-src entries mirroring the deb ones, in files of our own, for each
# layout Debian 12 uses: deb822 files (sources.list.d/*.sources, as in
# container images) and one-line files (sources.list, as debootstrap
# writes it, and sources.list.d/*.list).
shopt -s nullglob
deb822=(/etc/apt/sources.list.d/*.sources)
one_line=(/etc/apt/sources.list /etc/apt/sources.list.d/*.list)
[ -f /etc/apt/sources.list ] || one_line=("${one_line[@]:1}")
if ! grep -qs '^Types:.*deb-src' "${deb822[@]}" /dev/null &&
   ! grep -qs '^[[:space:]]*deb-src[[:space:]]' "${one_line[@]}" /dev/null; then
  for file in "${deb822[@]}"; do
    sed -n '/^Types:/!{p;d}; /^Types:.*\bdeb\b/s/.*/Types: deb-src/p' "$file"
    echo
  done | "${sudo_cmd[@]}" tee /etc/apt/sources.list.d/mwt-deb-src.sources > /dev/null
  sed -n 's/^[[:space:]]*deb[[:space:]]/deb-src /p' "${one_line[@]}" /dev/null |
    "${sudo_cmd[@]}" tee /etc/apt/sources.list.d/mwt-deb-src.list > /dev/null
  if ! grep -qs '^Types: deb-src' /etc/apt/sources.list.d/mwt-deb-src.sources &&
     ! grep -qs '^deb-src ' /etc/apt/sources.list.d/mwt-deb-src.list; then
    echo "build-tsan-glib.sh: no deb entry in /etc/apt/sources.list or /etc/apt/sources.list.d/ to mirror as deb-src" >&2
    exit 1
  fi
fi
"${sudo_cmd[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends \
  dpkg-dev meson ninja-build gcc pkg-config python3 libffi-dev libpcre2-dev zlib1g-dev > /dev/null

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
# Unpacking applies Debian's patches, as the package build does.
apt-get source -qq --download-only "glib2.0=$version" > /dev/null
dpkg-source -x glib2.0_*.dsc src > /dev/null
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
