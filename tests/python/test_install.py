# SPDX-FileCopyrightText: 2026 The mwt authors
# SPDX-License-Identifier: LGPL-2.1-or-later

"""Where `meson install` puts the Python override, and that Python finds it
there as README.md says.

Usage: test_install.py MESON SOURCE_ROOT BUILD_ROOT
"""

import json
import os
import subprocess
import sys
import tempfile
import unittest

MESON, SOURCE_ROOT, BUILD_ROOT = sys.argv[1:4]
del sys.argv[1:4]


def meson(*args):
    return subprocess.run([MESON, *args], check=True, capture_output=True, text=True).stdout


def installed(build_dir):
    """Maps each installed file's name in the source or build tree to where
    it is installed."""
    return json.loads(meson('introspect', '--installed', build_dir))


def destination_of(build_dir, suffix):
    matches = [dest for source, dest in installed(build_dir).items() if source.endswith(suffix)]
    assert len(matches) == 1, (suffix, matches)
    return matches[0]


def option(build_dir, name):
    options = json.loads(meson('introspect', '--buildoptions', build_dir))
    return next(o['value'] for o in options if o['name'] == name)


class TestInstall(unittest.TestCase):

    def test_the_override_goes_under_the_prefix(self):
        prefix = option(BUILD_ROOT, 'prefix')
        destination = destination_of(BUILD_ROOT, 'gi/overrides/Mwt.py')
        self.assertTrue(destination.startswith(prefix.rstrip('/') + '/'), (prefix, destination))
        self.assertTrue(destination.endswith('/gi/overrides/Mwt.py'), destination)

    def test_an_option_sets_the_directory(self):
        with tempfile.TemporaryDirectory() as directory:
            build_dir = os.path.join(directory, 'build')
            prefix = os.path.join(directory, 'prefix')
            meson('setup', build_dir, SOURCE_ROOT, '--prefix=' + prefix,
                  '-Dtests=false', '-Dexamples=false', '-Dgtk_doc=false', '-Dvapi=disabled')
            destination = destination_of(build_dir, 'gi/overrides/Mwt.py')
            self.assertTrue(destination.startswith(prefix + '/'), destination)

            overrides_dir = os.path.join(directory, 'elsewhere', 'gi', 'overrides')
            meson('setup', '--reconfigure', build_dir, SOURCE_ROOT,
                  '-Dpygobject_overrides_dir=' + overrides_dir)
            self.assertEqual(destination_of(build_dir, 'gi/overrides/Mwt.py'),
                             os.path.join(overrides_dir, 'Mwt.py'))

    def test_python_finds_the_installed_override(self):
        with tempfile.TemporaryDirectory() as destdir:
            meson('install', '-C', BUILD_ROOT, '--no-rebuild', '--quiet', '--destdir', destdir)

            def staged(suffix):
                return os.path.dirname(destdir + destination_of(BUILD_ROOT, suffix))

            # As README.md says for an install under another prefix.
            env = {key: value for key, value in os.environ.items()
                   if key not in ('PYTHONPATH', 'GI_TYPELIB_PATH', 'LD_LIBRARY_PATH')}
            env['PYTHONPATH'] = os.path.dirname(os.path.dirname(staged('gi/overrides/Mwt.py')))
            env['GI_TYPELIB_PATH'] = staged('Mwt-1.typelib')
            env['LD_LIBRARY_PATH'] = staged('libmwt-1.so.0')
            result = subprocess.run([sys.executable, '-c', '''if True:
                import gi
                gi.require_version('Mwt', '1')
                from gi.repository import Mwt
                import gi.overrides.Mwt
                print(gi.overrides.Mwt.__file__)
                pool = Mwt.Pool.new(1, lambda: 'state')
                print(pool.props.n_threads)
                pool.close(None)
            '''], env=env, capture_output=True, text=True)
            self.assertEqual(result.stderr, '')
            self.assertEqual(result.stdout.splitlines(),
                             [staged('gi/overrides/Mwt.py') + '/Mwt.py', '1'])


if __name__ == '__main__':
    unittest.main(verbosity=2)
