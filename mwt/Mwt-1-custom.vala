// SPDX-FileCopyrightText: 2026 The mwt authors
// SPDX-License-Identifier: LGPL-2.1-or-later
//
// mwt_run_in_main_dont_wait() takes a GLib 2.74 GSourceOnceFunc, which
// valac 0.56's GLib bindings lack: the function is declared here, with
// that type (and skipped in Mwt-1.metadata).
namespace Mwt {
  [CCode (cheader_filename = "mwt.h", cname = "GSourceOnceFunc")]
  public delegate void SourceOnceFunc ();

  [CCode (cheader_filename = "mwt.h")]
  public static void run_in_main_dont_wait (owned Mwt.SourceOnceFunc func);
}
