"""What Streamlit keeps of sessions that have gone, given back.

A closed tab's session is kept `server.disconnectedSessionTTL` seconds for a reconnect. When that
time is up, Streamlit (1.67) only forgets it lazily, and never shuts it down: its uploaded
files, the files and deferred downloads it registered (each download button's callable holds
its view, and so a whole catalog of the data version it was made for) stay in the runtime for
the life of the process. With editors saving (a new data version each time), every closed
session kept its own catalogs: memory went from 70 MB to 1.8 GB and stayed there.

Here a daemon thread, one per server process, shuts such sessions down every REAP_EVERY_S
seconds, as Streamlit does a session whose tab closes for good: on the runtime's event loop,
through the session's own `shutdown`. It then frees what no known session owns any more, drops
the views (and their cards and charts) that nobody has asked for within the reconnect time
(`cache.forget_idle`: at 100k figures about 12 MB a district, which the current data version
kept for as long as it was current), and gives the freed heap back to the system (glibc's
`malloc_trim`). It reaches into Streamlit's session storage, which has no public way to list
expired sessions; a test holds it to what it must do, so a Streamlit upgrade that moves those
internals fails that test.
"""

from __future__ import annotations

import asyncio
import ctypes
import gc
import logging
import threading
import time
from concurrent.futures import Future

import streamlit as st

from civic import cache

REAP_EVERY_S = 30.0
_LOG = logging.getLogger("civic")


def _known(manager) -> set[str]:
    return {info.session.id for info in manager.list_sessions()}


def _shut_down_expired(runtime) -> int:
    """On the runtime's event loop: shut down every disconnected session past its TTL, and
    drop what sessions forgotten without a shutdown still hold. How many were shut down."""
    manager = runtime._session_mgr
    expired = manager._session_storage._cache.expire()
    for _, info in expired:
        info.session.shutdown()
    known = _known(manager)
    uploads = runtime.uploaded_file_mgr
    for session_id in set(getattr(uploads, "file_storage", {})) - known:
        uploads.remove_session_files(session_id)
    media = runtime.media_file_mgr
    held = set(media._files_by_session_and_coord) | set(media._deferred_ids_by_session)
    for session_id in held - known:
        media.clear_session_refs(session_id)
        runtime.dataframe_source_mgr.clear_all_for_session(session_id)
    media.remove_orphaned_files()
    return len(expired)


def reap() -> int:
    """Shut down expired sessions now (from any thread but the event loop's) and give the
    memory back; how many sessions were shut down. Nothing outside a running server."""
    from streamlit import runtime

    if not runtime.exists():
        return 0
    instance = runtime.get_instance()
    loop = instance._get_async_objs().eventloop
    # AppTest's stand-in runtime has no event loop: a callback sent to it never runs, and the
    # wait below would take its full minute. A server stopping: nothing to shut down either.
    if not isinstance(loop, asyncio.AbstractEventLoop) or not loop.is_running():
        return 0
    # A plain callback, not a coroutine: a loop that stops before running it leaves no
    # coroutine un-awaited behind.
    done: Future[int] = Future()

    def on_loop() -> None:
        try:
            done.set_result(_shut_down_expired(instance))
        except BaseException as error:  # noqa: BLE001 - handed to the waiting thread
            done.set_exception(error)

    loop.call_soon_threadsafe(on_loop)
    count = done.result(60)
    cache.forget_idle(st.get_option("server.disconnectedSessionTTL"))
    gc.collect()
    _give_back()
    return count


def _give_back() -> None:
    """Return freed memory to the system: Arrow's pool (pandas' text columns) and glibc's."""
    import pyarrow

    pyarrow.default_memory_pool().release_unused()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc: the allocator keeps what it keeps
        pass


def _loop() -> None:
    while True:
        time.sleep(REAP_EVERY_S)
        try:
            reap()
        except Exception:  # noqa: BLE001 - a janitor that fails must not take the server down
            _LOG.exception("freeing closed sessions failed")


M_MMAP_THRESHOLD, M_ARENA_MAX = -3, -8  # glibc's mallopt parameters


def _tune_allocator() -> None:
    """Arrow (the text columns of pandas' frames) allocates through glibc rather than its own
    mimalloc pool, whose heaps are per thread: every rerun runs in a new thread, and the heap a
    finished thread leaves keeps what it held. glibc: large blocks (a frame's columns) always
    mapped apart, so that freeing one gives it back at once (the threshold would otherwise rise
    to 32 MB and keep them in the heap); and two heaps for all script threads, not eight per
    core, each keeping what it freed. Python's own small objects come from glibc too where the
    server runs with PYTHONMALLOC=malloc (`make run`, the unit of docs/deploy.md): its pools
    give memory back only by whole 1 MiB arenas, and the catalogs that saves build one after
    another leave most of them partly used."""
    import pyarrow

    pyarrow.set_memory_pool(pyarrow.system_memory_pool())
    try:
        libc = ctypes.CDLL("libc.so.6")
        libc.mallopt(M_MMAP_THRESHOLD, 128 * 1024)
        libc.mallopt(M_ARENA_MAX, 2)
    except (OSError, AttributeError):  # not glibc
        pass


@st.cache_resource(show_spinner=False)
def start() -> threading.Thread:
    """The janitor of this server process, started on its first run."""
    _tune_allocator()
    thread = threading.Thread(target=_loop, name="civic-closed-sessions", daemon=True)
    thread.start()
    return thread
