// SPDX-FileCopyrightText: 2026 The mwt authors
// SPDX-License-Identifier: LGPL-2.1-or-later

// The Vala binding: a pool, an async run with yield, and closing.

async int sum_on_pool (Mwt.Pool pool, int a, int b) throws GLib.Error {
    void* result = yield pool.run_async ((thread_state, cancellable) => {
        assert (Mwt.Pool.get_current () == pool);
        return (void*) (long) (a + b);
    }, null);
    return (int) (long) result;
}

int main () {
    var loop = new GLib.MainLoop ();
    Mwt.Pool pool;
    int sum = 0;

    try {
        pool = (Mwt.Pool) GLib.Initable.new (typeof (Mwt.Pool), null, "n-threads", 2);
    } catch (GLib.Error error) {
        GLib.error ("%s", error.message);
    }

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

    try {
        assert (pool.close (null));
    } catch (GLib.Error error) {
        GLib.error ("%s", error.message);
    }
    assert (pool.is_closed ());
    print ("1 passed, 0 failed\n");
    return 0;
}
