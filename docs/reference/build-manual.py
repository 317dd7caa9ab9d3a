#!/usr/bin/env python3
# SPDX-FileCopyrightText: 2026 The mwt authors
# SPDX-License-Identifier: LGPL-2.1-or-later

"""Builds the manual with gtk-doc's tools, or installs it.

The tools run one after the other, as gtk-doc documents, in the output
directory; html/ there holds the manual. meson's gnome.gtkdoc() does the
same, but rebuilds on every `meson compile` and prints the tools' warnings
only there. Run from a custom target of its own, the manual is rebuilt
only when its sources change, and what the tools printed (only warnings:
they are silent on a clean build) is kept in a log that the docs test
reads.
"""

import argparse
import glob
import os
import shutil
import subprocess
import sys


def run(command, log):
    result = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    sys.stdout.write(result.stdout)
    log.write(result.stdout)
    if result.returncode != 0:
        sys.exit('%s failed with status %d' % (command[0], result.returncode))


def build(args):
    module = args.module
    main_file = os.path.abspath(args.main)
    chapters = [os.path.abspath(c) for c in args.chapter]
    library = os.path.abspath(args.library)
    log_path = os.path.abspath(args.log)
    os.chdir(args.output_dir)
    source_dir_args = ['--source-dir=' + d for d in args.source_dir]

    # Every header that is not public (private ones, config.h, the
    # umbrella header, which only includes the others) is left out.
    public = {os.path.basename(h) for h in args.public_header}
    ignored = sorted({os.path.basename(h)
                      for d in args.source_dir for h in glob.glob(os.path.join(d, '*.h'))} - public)

    # mkhtml reads the main file, and the version entity it includes,
    # from here; mkdb writes the expanded chapters into xml/.
    shutil.copy(main_file, '.')
    shutil.rmtree('html', ignore_errors=True)
    os.mkdir('html')

    with open(log_path + '.tmp', 'w', encoding='utf-8') as log:
        run([args.gtkdoc_bindir + '/gtkdoc-scan', '--module=' + module,
             '--rebuild-types', '--rebuild-sections',
             '--ignore-headers=' + ' '.join(ignored)]
            + source_dir_args + args.scan_arg, log)
        run([args.gtkdoc_bindir + '/gtkdoc-scangobj', '--module=' + module,
             '--types=' + module + '.types', '--output-dir=.',
             '--cc=' + args.cc, '--ld=' + args.cc,
             '--cflags=' + args.cflags,
             '--ldflags=%s -Wl,-rpath,%s %s' % (library, os.path.dirname(library), args.libs)],
            log)
        run([args.gtkdoc_bindir + '/gtkdoc-mkdb', '--module=' + module,
             '--output-format=xml', '--xml-mode',
             '--main-sgml-file=' + os.path.basename(main_file),
             '--expand-content-files=' + ' '.join(chapters)]
            + source_dir_args + args.mkdb_arg, log)
        os.chdir('html')
        run([args.gtkdoc_bindir + '/gtkdoc-mkhtml', module, '../' + os.path.basename(main_file)], log)
        os.chdir('..')
        # Links to GLib's, GObject's and GIO's manuals are made for where
        # this one is installed: relative when they share its prefix,
        # absolute otherwise.
        run([args.gtkdoc_bindir + '/gtkdoc-fixxref', '--module=' + module,
             '--module-dir=html', '--html-dir=' + args.installed_dir], log)
    os.replace(log_path + '.tmp', log_path)


def install(args):
    destdir = os.environ.get('DESTDIR', '')
    target = args.installed_dir
    if destdir:
        target = os.path.join(destdir, os.path.relpath(target, os.path.sep))
    print('Installing the manual to %s' % target)
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(args.html_dir, target)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('--installed-dir', required=True,
                        help='where the manual is installed')
    sub = parser.add_subparsers(dest='action', required=True)

    b = sub.add_parser('build')
    b.add_argument('--module', required=True)
    b.add_argument('--output-dir', required=True, help='where to build; html/ holds the result')
    b.add_argument('--main', required=True, help='the main DocBook file')
    b.add_argument('--chapter', action='append', default=[],
                   help='a DocBook chapter whose gtk-doc shorthand is expanded')
    b.add_argument('--source-dir', action='append', default=[],
                   help='a directory of sources and headers with doc comments')
    b.add_argument('--public-header', action='append', default=[],
                   help='a header whose declarations are the API; the others are ignored')
    b.add_argument('--library', required=True, help='the shared library, for gtkdoc-scangobj')
    b.add_argument('--cc', required=True)
    b.add_argument('--cflags', default='')
    b.add_argument('--libs', default='')
    b.add_argument('--gtkdoc-bindir', required=True)
    b.add_argument('--scan-arg', action='append', default=[])
    b.add_argument('--mkdb-arg', action='append', default=[])
    b.add_argument('--log', required=True,
                   help='where to write what the tools printed')

    i = sub.add_parser('install')
    i.add_argument('--html-dir', required=True, help='the built manual')

    args = parser.parse_args()
    if args.action == 'build':
        build(args)
    else:
        install(args)


if __name__ == '__main__':
    main()
