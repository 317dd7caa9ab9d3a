// SPDX-FileCopyrightText: 2026 The mwt authors
// SPDX-License-Identifier: LGPL-2.1-or-later

// The Vala binding: pools built with per-thread state, an async run with
// yield, a blocking run, a post to the main loop, and closing.

int n_inits = 0;
int n_exits = 0;

// Each thread's state: the number of its init, made inside that thread.
void* init_state () throws GLib.Error {
    return (void*) (long) (AtomicInt.add (ref n_inits, 1) + 1);
}

void release_state (void* state) {
    assert ((long) state >= 1);
    AtomicInt.inc (ref n_exits);
}

async int sum_on_pool (Mwt.Pool pool, int a, int b) throws GLib.Error {
    void* result = yield pool.run_async ((thread_state, cancellable) => {
        assert (Mwt.Pool.get_current () == pool);
        assert ((long) thread_state >= 1);
        return (void*) (long) (a + b);
    }, null, GLib.Priority.HIGH);
    return (int) (long) result;
}

// Posts from a pool thread to the main loop; the task's callback runs
// after the post.
int n_posted = 0;

async int post_from_pool (Mwt.Pool pool) throws GLib.Error {
    yield pool.run_async ((thread_state, cancellable) => {
        Mwt.run_in_main_dont_wait (() => {
            assert (Mwt.Pool.get_current () == null);
            n_posted++;
        });
        return null;
    });
    return n_posted;
}

int main () {
    var loop = new GLib.MainLoop ();
    Mwt.Pool pool = null;
    Mwt.Pool second_pool = null;
    int sum = 0;
    int n_passed = 0;

    try {
        pool = new Mwt.Pool (2, init_state, release_state);
    } catch (GLib.Error error) {
        GLib.error ("%s", error.message);
    }
    assert (AtomicInt.get (ref n_inits) == 2);
    n_passed++;

    sum_on_pool.begin (pool, 40, 2, (obj, res) => {
        try {
            sum = sum_on_pool.end (res);
        } catch (GLib.Error error) {
            GLib.error ("%s", error.message);
        }
        loop.quit ();
    });
    loop.run ();
    assert (sum == 42);
    n_passed++;

    try {
        void* product = pool.run_sync ((thread_state, cancellable) => {
            return (void*) (long) (6 * 7);
        }, null, GLib.Priority.HIGH);
        assert ((long) product == 42);
    } catch (GLib.Error error) {
        GLib.error ("%s", error.message);
    }
    n_passed++;

    post_from_pool.begin (pool, (obj, res) => {
        try {
            assert (post_from_pool.end (res) == 1);
        } catch (GLib.Error error) {
            GLib.error ("%s", error.message);
        }
        loop.quit ();
    });
    loop.run ();
    n_passed++;

    try {
        second_pool = new Mwt.Pool (2, init_state, release_state);
    } catch (GLib.Error error) {
        GLib.error ("%s", error.message);
    }
    assert (AtomicInt.get (ref n_inits) == 4);
    n_passed++;

    try {
        assert (pool.close (null));
        assert (second_pool.close (null));
    } catch (GLib.Error error) {
        GLib.error ("%s", error.message);
    }
    assert (pool.is_closed ());
    assert (AtomicInt.get (ref n_exits) == 4);
    n_passed++;
    print ("%d passed, 0 failed\n", n_passed);
    return 0;
}
