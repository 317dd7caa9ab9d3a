/* main.c: search-as-you-type over a million names, on mwt pools
 *
 * SPDX-FileCopyrightText: 2026 The mwt authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <stdlib.h>

#include "search-self-test.h"
#include "search-window.h"

static char *self_test;
static char *screenshot;
static SearchSelfTestSpeed self_test_speed;

static int
handle_local_options (GApplication *application,
                      GVariantDict *options,
                      gpointer      user_data)
{
  if (self_test == NULL && screenshot == NULL)
    return -1;

  if (!search_self_test_parse_speed (self_test, &self_test_speed))
    {
      g_printerr ("--self-test takes \"human\" or \"machine\" (and --screenshot needs it)\n");
      return EXIT_FAILURE;
    }

  /* A window of its own, even beside a running instance. */
  g_application_set_flags (application, G_APPLICATION_NON_UNIQUE);

  return -1;
}

static void
activate (GtkApplication *application)
{
  GtkWindow *window = gtk_application_get_active_window (application);

  if (window == NULL && self_test != NULL)
    window = GTK_WINDOW (search_self_test_start (application, self_test_speed, screenshot));
  else if (window == NULL)
    window = GTK_WINDOW (search_window_new (application));
  gtk_window_present (window);
}

int
main (int   argc,
      char *argv[])
{
  const GOptionEntry entries[] = {
    { "self-test", 0, 0, G_OPTION_ARG_STRING, &self_test,
      "Type into the search entry at a human's or a machine's speed, check what the window "
      "shows, and quit", "human|machine" },
    { "screenshot", 0, 0, G_OPTION_ARG_FILENAME, &screenshot,
      "With --self-test: save the window as a PNG once it shows the final results", "FILE" },
    { NULL }
  };
  g_autoptr(GtkApplication) application = NULL;
  int status;

  application = gtk_application_new ("org.mwt.GtkSearch", G_APPLICATION_DEFAULT_FLAGS);
  g_application_add_main_option_entries (G_APPLICATION (application), entries);
  g_signal_connect (application, "handle-local-options", G_CALLBACK (handle_local_options), NULL);
  g_signal_connect (application, "activate", G_CALLBACK (activate), NULL);
  status = g_application_run (G_APPLICATION (application), argc, argv);

  if (status == EXIT_SUCCESS && self_test != NULL && !search_self_test_finish ())
    status = EXIT_FAILURE;

  return status;
}
