/* mwt-lock-count.c: counts the GMutex and GCond calls that libmwt makes,
 * by call site, for count-syscalls.sh.
 *
 * SPDX-FileCopyrightText: 2026 The mwt authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Preloaded into a program that uses libmwt:
 *
 *   LD_PRELOAD=build/bench/libmwt-lock-count.so MWT_LOCK_COUNT=counts.txt \
 *     build/bench/mwt-bench --plain=run_async
 *
 * it stands between libmwt and GLib's g_mutex_lock(), g_mutex_trylock(),
 * g_cond_wait(), g_cond_wait_until(), g_cond_signal() and
 * g_cond_broadcast(), and counts the calls whose return address lies in
 * libmwt's code. At exit it writes a line per call site to the file named
 * by MWT_LOCK_COUNT (or to stderr): the function, the return address as an
 * offset into libmwt (give addr2line the offset minus one) and the count;
 * then a line "# lib PATH" and "# lost N" (calls that found the table
 * full). GLib's calls to itself and the program's own calls are passed on
 * uncounted. A call the compiler turned into a jump (a tail call) is
 * missed: only g_cond_signal() and g_cond_broadcast() can be one.
 *
 * The counting costs an atomic increment of a shared counter per call:
 * times measured with it preloaded mean nothing.
 */

#define _GNU_SOURCE
#include <dlfcn.h>
#include <glib.h>
#include <link.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef enum {
  COUNT_LOCK = 1,
  COUNT_TRYLOCK_TAKEN,
  COUNT_TRYLOCK_BUSY,
  COUNT_COND_WAIT,
  COUNT_COND_WAIT_UNTIL,
  COUNT_COND_SIGNAL,
  COUNT_COND_BROADCAST,
  N_COUNTS
} Count;

static const char *count_names[N_COUNTS] = {
  NULL,
  "g_mutex_lock",
  "g_mutex_trylock:taken",
  "g_mutex_trylock:busy",
  "g_cond_wait",
  "g_cond_wait_until",
  "g_cond_signal",
  "g_cond_broadcast",
};

#define N_SLOTS 4096

static guint64 keys[N_SLOTS];
static guint64 counts[N_SLOTS];
static guint64 n_lost;

static guintptr mwt_base, mwt_start, mwt_end;
static char mwt_path[4096];

static void     (*real_mutex_lock)      (GMutex *);
static gboolean (*real_mutex_trylock)   (GMutex *);
static void     (*real_cond_wait)       (GCond *, GMutex *);
static gboolean (*real_cond_wait_until) (GCond *, GMutex *, gint64);
static void     (*real_cond_signal)     (GCond *);
static void     (*real_cond_broadcast)  (GCond *);

static void *
real (const char *name)
{
  void *func = dlsym (RTLD_NEXT, name);

  if (func == NULL)
    {
      fprintf (stderr, "mwt-lock-count: no %s after this module\n", name);
      abort ();
    }

  return func;
}

#define RESOLVE(var, name) \
  G_STMT_START { if (G_UNLIKELY (var == NULL)) var = real (name); } G_STMT_END

/* libmwt is the object that defines mwt_pool_new(). */
static int
find_mwt (struct dl_phdr_info *info,
          size_t               size,
          void                *data)
{
  const Dl_info *mwt = data;

  if ((guintptr) mwt->dli_fbase != info->dlpi_addr)
    return 0;

  for (int i = 0; i < info->dlpi_phnum; i++)
    {
      const ElfW(Phdr) *phdr = &info->dlpi_phdr[i];

      if (phdr->p_type == PT_LOAD && (phdr->p_flags & PF_X))
        {
          mwt_base = info->dlpi_addr;
          mwt_start = info->dlpi_addr + phdr->p_vaddr;
          mwt_end = mwt_start + phdr->p_memsz;
          snprintf (mwt_path, sizeof mwt_path, "%s", mwt->dli_fname);
          return 1;
        }
    }

  return 0;
}

static void
count (Count    what,
       gpointer caller)
{
  guintptr address = (guintptr) caller;
  guint64 key;

  if (address < mwt_start || address >= mwt_end)
    return;

  key = ((guint64) what << 48) | (address - mwt_base);
  for (guint i = 0; i < N_SLOTS; i++)
    {
      guint slot = (guint) ((key * 0x9E3779B97F4A7C15ull) >> 52) + i;
      guint64 seen = 0;

      slot %= N_SLOTS;
      if (__atomic_compare_exchange_n (&keys[slot], &seen, key, FALSE,
                                       __ATOMIC_RELAXED, __ATOMIC_RELAXED) ||
          seen == key)
        {
          __atomic_fetch_add (&counts[slot], 1, __ATOMIC_RELAXED);
          return;
        }
    }

  __atomic_fetch_add (&n_lost, 1, __ATOMIC_RELAXED);
}

__attribute__ ((constructor)) static void
mwt_lock_count_init (void)
{
  void *mwt_pool_new = dlsym (RTLD_DEFAULT, "mwt_pool_new");
  Dl_info mwt;

  if (mwt_pool_new != NULL && dladdr (mwt_pool_new, &mwt) != 0)
    dl_iterate_phdr (find_mwt, &mwt);
  if (mwt_end == 0)
    fprintf (stderr, "mwt-lock-count: libmwt is not loaded: nothing will be counted\n");
}

__attribute__ ((destructor)) static void
mwt_lock_count_write (void)
{
  const char *path = getenv ("MWT_LOCK_COUNT");
  FILE *out = path != NULL ? fopen (path, "w") : stderr;

  if (out == NULL)
    {
      perror (path);
      return;
    }

  for (guint slot = 0; slot < N_SLOTS; slot++)
    {
      guint64 key = __atomic_load_n (&keys[slot], __ATOMIC_RELAXED);

      if (key != 0)
        fprintf (out, "%s 0x%" G_GINT64_MODIFIER "x %" G_GUINT64_FORMAT "\n",
                 count_names[key >> 48], key & ((G_GUINT64_CONSTANT (1) << 48) - 1),
                 __atomic_load_n (&counts[slot], __ATOMIC_RELAXED));
    }
  fprintf (out, "# lib %s\n# lost %" G_GUINT64_FORMAT "\n", mwt_path, n_lost);

  if (out != stderr)
    fclose (out);
}

/* The stand-ins. Each counts before it calls GLib, so that a thread that
 * then sleeps in the call was counted already.
 */

void
g_mutex_lock (GMutex *mutex)
{
  RESOLVE (real_mutex_lock, "g_mutex_lock");
  count (COUNT_LOCK, __builtin_return_address (0));
  real_mutex_lock (mutex);
}

gboolean
g_mutex_trylock (GMutex *mutex)
{
  gboolean taken;

  RESOLVE (real_mutex_trylock, "g_mutex_trylock");
  taken = real_mutex_trylock (mutex);
  count (taken ? COUNT_TRYLOCK_TAKEN : COUNT_TRYLOCK_BUSY, __builtin_return_address (0));

  return taken;
}

void
g_cond_wait (GCond  *cond,
             GMutex *mutex)
{
  RESOLVE (real_cond_wait, "g_cond_wait");
  count (COUNT_COND_WAIT, __builtin_return_address (0));
  real_cond_wait (cond, mutex);
}

gboolean
g_cond_wait_until (GCond  *cond,
                   GMutex *mutex,
                   gint64  end_time)
{
  RESOLVE (real_cond_wait_until, "g_cond_wait_until");
  count (COUNT_COND_WAIT_UNTIL, __builtin_return_address (0));

  return real_cond_wait_until (cond, mutex, end_time);
}

void
g_cond_signal (GCond *cond)
{
  RESOLVE (real_cond_signal, "g_cond_signal");
  count (COUNT_COND_SIGNAL, __builtin_return_address (0));
  real_cond_signal (cond);
}

void
g_cond_broadcast (GCond *cond)
{
  RESOLVE (real_cond_broadcast, "g_cond_broadcast");
  count (COUNT_COND_BROADCAST, __builtin_return_address (0));
  real_cond_broadcast (cond);
}
