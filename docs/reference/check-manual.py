#!/usr/bin/env python3
# SPDX-FileCopyrightText: 2026 The mwt authors
# SPDX-License-Identifier: LGPL-2.1-or-later

"""Checks the built manual as its readers see it.

Every page, chapters and API pages alike, must have its gtk-doc shorthand
expanded (no literal #Type, %CONSTANT, @parameter or [text][id]) and must
link every documented symbol it names (mwt's own, and GLib's, GObject's and
GIO's); every link must lead to a page and an anchor that exist; and the
doc build must have printed nothing (gtk-doc's tools print only warnings).
"""

import argparse
import glob
import html.parser
import os
import re
import sys
import urllib.parse

SHORTHAND = re.compile(r'(?<![\w&#%@])(#[A-Z]\w*(?::{1,2}[\w-]+)?|%[A-Z][A-Z0-9_]*\b|@[a-z_]\w*)')
# gtk-doc's link to a section, [text][id], left as typed.
SECTION_LINK = re.compile(r'\[[^\]]+\]\[[\w-]+\]')
CALL = re.compile(r'\b([A-Za-z_]\w*)\(\)')
ANCHOR = re.compile(r'\b(?:name|id)="([^"]+)"')
# gtk-doc's "Since:" links name the id of the version index's inner
# indexdiv, which its stylesheet never writes out: the page is the right one.
SINCE_LINK = re.compile(r'^api-index-[\d-]+\.html#api-index-[\d.]+$')
KEYWORD = re.compile(r'<keyword type="[^"]*" name="([^"]+)"')


def documented_symbols(devhelp_files):
    """The C names that some manual documents, from its devhelp index."""
    symbols = set()
    for path in devhelp_files:
        with open(path, encoding='utf-8') as f:
            for name in KEYWORD.findall(f.read()):
                name = re.sub(r'^(struct|union|enum) |\s*\(\)$', '', name)
                if re.fullmatch(r'[A-Za-z_]\w*', name):
                    symbols.add(name)
    return symbols


class Page(html.parser.HTMLParser):
    """Collects what a reader would see as unexpanded or unlinked."""

    # The elements gtk-doc marks a symbol up with, linked or not.
    SYMBOL_MARKUP = {('code', 'function'), ('span', 'type'), ('code', 'literal'),
                     ('span', 'function')}

    def __init__(self, symbols):
        super().__init__(convert_charrefs=True)
        self.symbols = symbols
        self.stack = []         # (tag, class) of the open elements
        self.links = []         # (href, line)
        self.problems = []      # (line, message)
        # [text, line, depth, linked] of the symbol element being read
        self.markup = None

    def inside(self, tag):
        return any(t == tag for t, _ in self.stack)

    def in_own_heading(self):
        # The heading of a symbol's own entry on an API page names it
        # without a link, as it should.
        return self.stack[-2:-1] == [('div', 'refsect2')] and self.stack[-1][0] == 'h3'

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == 'a' and 'href' in attrs:
            self.links.append((attrs['href'], self.getpos()[0]))
            if self.markup is not None:
                self.markup[3] = True
        if tag in ('br', 'img', 'hr', 'meta', 'link', 'col', 'input'):
            return
        self.stack.append((tag, attrs.get('class', '')))
        if (tag, attrs.get('class')) in self.SYMBOL_MARKUP and self.markup is None:
            self.markup = ['', self.getpos()[0], len(self.stack), self.inside('a')]

    def handle_endtag(self, tag):
        while self.stack:
            if self.markup is not None and len(self.stack) == self.markup[2]:
                self.check_markup()
            open_tag, _ = self.stack.pop()
            if open_tag == tag:
                break

    def check_markup(self):
        text, line, _, linked = self.markup
        self.markup = None
        name = text.strip().strip('\u201c\u201d').removesuffix('()').strip()
        if name in self.symbols and not linked:
            self.problems.append((line, '%s is documented but not linked' % text.strip()))

    def handle_data(self, data):
        if self.markup is not None:
            self.markup[0] += data
        if self.inside('head') or self.inside('pre'):
            return
        line = self.getpos()[0]
        for match in SHORTHAND.finditer(data):
            self.problems.append((line, 'literal gtk-doc shorthand %s' % match.group(1)))
        for match in SECTION_LINK.finditer(data):
            self.problems.append((line, 'literal gtk-doc link %s' % match.group(0)))
        # A name marked up as a symbol is checked as a whole, at its end.
        if self.inside('a') or self.in_own_heading() or self.markup is not None:
            return
        for match in CALL.finditer(data):
            if match.group(1) in self.symbols:
                self.problems.append((line, '%s is documented but not linked' % match.group(0)))


class Anchors:
    """The anchors of each page a link may lead to, read once."""

    def __init__(self):
        self.cache = {}

    def __call__(self, path):
        if path not in self.cache:
            with open(path, encoding='utf-8', errors='replace') as f:
                self.cache[path] = set(ANCHOR.findall(f.read()))
        return self.cache[path]


def link_target(href, page_path, html_dir, installed_dir):
    """The file a link leads to once the manual is installed, and its anchor.

    Links within the manual resolve in the build tree; gtk-doc writes links
    to other manuals relative to where this one is installed (or absolute
    when the two do not share a prefix).
    """
    url = urllib.parse.urlsplit(href)
    path = urllib.parse.unquote(url.path)
    if not path:
        target = page_path
    elif os.path.isabs(path):
        target = path
    elif path.startswith('../'):
        target = os.path.normpath(os.path.join(installed_dir, path))
    else:
        target = os.path.join(html_dir, path)
    return target, urllib.parse.unquote(url.fragment)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('--html-dir', required=True,
                        help='the built manual')
    parser.add_argument('--installed-dir', required=True,
                        help='where the manual is installed, which its links to other manuals assume')
    parser.add_argument('--devhelp', action='append', default=[],
                        help="another manual's devhelp index, for the symbols it documents")
    parser.add_argument('--build-log',
                        help='what the doc build printed; it must be empty')
    args = parser.parse_args()

    problems = []

    if args.build_log is not None:
        with open(args.build_log, encoding='utf-8') as f:
            problems += ['%s: the doc build printed: %s' % (os.path.basename(args.build_log), line.rstrip())
                         for line in f if line.strip()]

    devhelp = glob.glob(os.path.join(args.html_dir, '*.devhelp2'))
    missing = [path for path in args.devhelp if not os.path.exists(path)]
    problems += ['%s is missing: no link to that manual can be checked' % path for path in missing]
    symbols = documented_symbols(devhelp + [path for path in args.devhelp if path not in missing])

    anchors = Anchors()
    pages = sorted(glob.glob(os.path.join(args.html_dir, '*.html')))
    for page_path in pages:
        page = Page(symbols)
        with open(page_path, encoding='utf-8') as f:
            page.feed(f.read())
        page.close()
        name = os.path.basename(page_path)
        problems += ['%s:%d: %s' % (name, line, message) for line, message in page.problems]

        for href, line in page.links:
            if urllib.parse.urlsplit(href).scheme:
                continue
            target, fragment = link_target(href, page_path, args.html_dir, args.installed_dir)
            if not os.path.isfile(target):
                problems.append('%s:%d: link to a missing page: %s' % (name, line, href))
            elif fragment and fragment not in anchors(target) and not SINCE_LINK.match(href):
                problems.append('%s:%d: link to a missing anchor: %s' % (name, line, href))

    if not pages:
        problems.append('no page in %s' % args.html_dir)

    for problem in problems:
        print(problem)
    print('%d pages, %d documented symbols known, %d problems'
          % (len(pages), len(symbols), len(problems)))
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main())
