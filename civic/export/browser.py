"""The browser every image and PDF export uses: what the machine has (Chromium, CJK fonts),
one warm kaleido browser on a thread of its own for images, Chromium printing HTML to PDF, and
the deadline every export keeps whatever the browser does (`ExportFailed` when it crashes or
hangs; `BrowserMissing`, saying what to install, when it is not there).
"""

from __future__ import annotations

import asyncio
import atexit
import concurrent.futures
import contextlib
import functools
import io
import logging
import os
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Coroutine, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

import plotly.graph_objects as go

from civic.i18n import t

if TYPE_CHECKING:
    import kaleido

# Chromium's PDFs map Noto CJK glyphs back to Kangxi radicals when text is copied (一 → ⼀);
# WenQuanYi Zen Hei keeps copied Chinese right, so PDFs are set in it.
PDF_FONT = "WenQuanYi Zen Hei"
FONT_PACKAGES = {"fonts-noto-cjk": "Noto Sans CJK SC", "fonts-wqy-zenhei": PDF_FONT}
# Seconds: a whole export ends by EXPORT_TIMEOUT (or $CIVIC_EXPORT_TIMEOUT) whatever the browser
# does; within it, starting the browser, one chart and printing the briefing have their own limits.
EXPORT_TIMEOUT = 180.0
TIMEOUT_ENV = "CIVIC_EXPORT_TIMEOUT"
START_TIMEOUT = 30
RENDER_TIMEOUT = 60
PRINT_TIMEOUT = 120
KILL_WAIT = 1  # seconds to wait for a killed browser and for its loop to end
TABS = 2
"""Tabs of the warm browser: a briefing's charts render two at a time (8 charts: 1.5 s in
one tab)."""
RELOAD_EVERY = 50
"""Images a tab renders before its page is loaded afresh (`_reusing`)."""
TMP_PREFIX = "civic-export-"
CHROMIUM_FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--no-pdf-header-footer",
)
P = ParamSpec("P")
R = TypeVar("R")
T = TypeVar("T")
# The browser's libraries log each failure at length, with advice to download a browser; the
# failure reaches the official as one ExportFailed message instead.
for _name in ("choreographer", "kaleido", "browser_proc", "logistro"):
    logging.getLogger(_name).setLevel(logging.CRITICAL)

class BrowserMissing(RuntimeError):
    """Images and PDFs need Chromium and CJK fonts that are not installed."""

    def __init__(self, packages: tuple[str, ...]) -> None:
        self.packages = packages
        super().__init__("PNG, SVG and PDF exports need Chromium and CJK fonts; install them "
                         f"with: sudo apt-get install {' '.join(packages)}")


class ExportFailed(RuntimeError):
    """The browser was there but did not produce the file: `reason` is "crashed" (it exited or
    broke off) or "timeout" (it did not answer in time and was stopped)."""

    def __init__(self, reason: str, detail: str) -> None:
        self.reason = reason
        super().__init__(detail)


def failure_message(error: BrowserMissing | ExportFailed, lang: str) -> str:
    """What went wrong with an export and what to do, in the page's language."""
    if isinstance(error, BrowserMissing):
        return t("export.no_browser", lang, packages=" ".join(error.packages))
    return t(f"export.failed_{error.reason}", lang)


# --- what the machine has ----------------------------------------------------------------------

def chromium_path() -> str | None:
    """The browser kaleido and the briefing use: `BROWSER_PATH` (kaleido's own variable) or
    the system Chromium."""
    for candidate in (os.environ.get("BROWSER_PATH"), "chromium", "chromium-browser",
                      "/usr/bin/chromium"):
        if candidate and (found := shutil.which(candidate)):
            return found
    return None


def _font_families() -> set[str] | None:
    """Installed font family names, or None when fontconfig cannot be asked."""
    try:
        listed = subprocess.run(["fc-list", ":", "family"], capture_output=True, text=True,
                                timeout=30, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    return {family.strip() for line in listed.stdout.splitlines() for family in line.split(",")}


@functools.cache
def missing_packages() -> tuple[str, ...]:
    """The Debian packages images and PDFs still need; empty when everything is there.

    Checked once per process: installing them means restarting the dashboard.
    """
    missing = [] if chromium_path() else ["chromium"]
    families = _font_families()
    if families is None:
        missing.append("fontconfig")
        families = set()
    missing += [package for package, family in FONT_PACKAGES.items() if family not in families]
    return tuple(missing)


def browser_available() -> bool:
    return not missing_packages()


def install_hint(lang: str) -> str:
    """What to install for images and PDFs, in the page's language."""
    return t("export.no_browser", lang, packages=" ".join(missing_packages()))


def require_browser() -> str:
    missing = missing_packages()
    path = chromium_path()
    if missing or path is None:
        raise BrowserMissing(missing or ("chromium",))
    return path


def export_timeout() -> float:
    """Seconds an export may take in all, whatever the browser does (`CIVIC_EXPORT_TIMEOUT`)."""
    try:
        return max(1.0, float(os.environ.get(TIMEOUT_ENV, "")))
    except ValueError:
        return EXPORT_TIMEOUT


_deadline = threading.local()


@contextlib.contextmanager
def _export_deadline() -> Iterator[None]:
    """Every step of one export shares one deadline; a nested export keeps the outer one."""
    if getattr(_deadline, "until", None) is not None:
        yield
        return
    _deadline.until = time.monotonic() + export_timeout()
    try:
        yield
    finally:
        _deadline.until = None


def _within(step: float) -> float:
    """Seconds a step may take: its own limit, or less where the export's deadline is nearer."""
    until = getattr(_deadline, "until", None)
    left = step if until is None else min(step, until - time.monotonic())
    if left <= 0:
        raise ExportFailed("timeout", "the export ran out of time")
    return left


def bounded(build: Callable[P, R]) -> Callable[P, R]:
    @functools.wraps(build)
    def within_deadline(*args: P.args, **kwargs: P.kwargs) -> R:
        with _export_deadline():
            return build(*args, **kwargs)
    return within_deadline


def _folder() -> Path:
    """A temporary folder named after this process, so that one a killed process left behind is
    recognised and removed by the next export."""
    tmp = Path(tempfile.gettempdir())
    for stale in tmp.glob(f"{TMP_PREFIX}*"):
        pid = stale.name.removeprefix(TMP_PREFIX).split("-", 1)[0]
        if pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(stale, ignore_errors=True)
    return Path(tempfile.mkdtemp(prefix=f"{TMP_PREFIX}{os.getpid()}-", dir=tmp))


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _kill_group(process: subprocess.Popen | None) -> None:
    """SIGKILL to the browser's whole process group (it runs in a session of its own)."""
    if process is None:
        return
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=KILL_WAIT)


def _reusing(kaleido: Any) -> type:
    """kaleido's browser, whose tabs are reloaded (plotly.js and all) every RELOAD_EVERY images
    rather than after each: the reload was half of an image's time (a briefing's 8 charts: 2.2 s
    → 1.1 s). A failed image is no risk to the next: the browser is replaced and the render
    made again in the new one (`render_all`). Its tabs load plotly.js at once when it opens (a
    start: 7 s → 5 s). It overrides methods of kaleido's, some private; tests/test_export.py
    holds kaleido to having them."""

    class Reusing(kaleido.Kaleido):
        renders = 0

        async def populate_targets(self) -> None:
            """The tabs load plotly.js at once, not one after another (2.5 s each)."""
            await super(kaleido.Kaleido, self).populate_targets()  # the browser's first tab
            first = list(self.tabs.values())
            loads = [self._conform_tabs(first)] if first else []
            await asyncio.gather(*loads, *(self._create_kaleido_tab()
                                           for _ in range(self._n - len(first))))

        async def _return_kaleido_tab(self, tab: Any) -> None:
            self.renders += 1
            if self.renders % RELOAD_EVERY:
                await self.tabs_ready.put(tab)
            else:
                await super()._return_kaleido_tab(tab)

    return Reusing


class _Browser:
    """One warm kaleido browser on an event loop of its own thread.

    kaleido's own sync server waits for ever on a browser that hangs, even to close it; here
    every call waits at most until the export's deadline, and `kill` is bounded: the browser's
    process group is killed, the loop stopped and the browser's folder removed.
    """

    def __init__(self, path: str) -> None:
        self.path = path
        self.folder = _folder()
        self.kaleido: kaleido.Kaleido | None = None
        self.loop = asyncio.new_event_loop()
        # A browser given up on fails the tasks still waiting on it; that is already reported.
        self.loop.set_exception_handler(lambda loop, context: None)
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True,
                                       name="civic-export-browser")
        self.thread.start()

    def _call(self, coroutine: Coroutine[Any, Any, T], seconds: float) -> T:
        future = asyncio.run_coroutine_threadsafe(coroutine, self.loop)
        try:
            return future.result(timeout=seconds)
        except concurrent.futures.TimeoutError:
            future.cancel()
            raise ExportFailed("timeout", f"the browser {self.path} did not answer within "
                                          f"{seconds:.0f} s and was stopped") from None
        except Exception as error:  # noqa: BLE001 - any browser failure is one ExportFailed
            process = getattr(self.kaleido, "subprocess", None)
            how = "quit" if process is not None and process.poll() is not None else \
                f"broke off ({type(error).__name__})"
            raise ExportFailed("crashed", f"the browser {self.path} {how} before the image "
                                          "was made") from None

    def open(self) -> None:
        import kaleido  # here: a page opens faster without it, and most runs export nothing
        from kaleido import PageGenerator

        index = self.folder / "index.html"
        index.write_text(PageGenerator(mathjax=False).generate_index(), encoding="utf-8")

        async def start() -> None:
            self.kaleido = _reusing(kaleido)(n=TABS, timeout=None, page_generator=index,
                                             path=self.path, tmp_dir=str(self.folder))
            await self.kaleido.open()

        self._call(start(), _within(START_TIMEOUT))

    def alive(self) -> bool:
        process = getattr(self.kaleido, "subprocess", None)
        return self.thread.is_alive() and process is not None and process.poll() is None

    def render(self, jobs: list[tuple[dict[str, Any], dict[str, Any]]]) -> list[bytes]:
        """Each (spec, options) as an image, as many at once as the browser has tabs."""
        kaleido = self.kaleido
        assert kaleido is not None

        async def every() -> list[bytes]:
            return list(await asyncio.gather(*(kaleido.calc_fig(spec, opts=opts)
                                               for spec, opts in jobs)))

        rounds = -(-len(jobs) // TABS)
        return self._call(every(), _within(RENDER_TIMEOUT * max(rounds, 1)))

    def kill(self) -> None:
        _kill_group(getattr(self.kaleido, "subprocess", None))
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=KILL_WAIT)
        shutil.rmtree(self.folder, ignore_errors=True)


_render_lock = threading.Lock()
_browser: _Browser | None = None


def _lock() -> None:
    if not _render_lock.acquire(timeout=_within(RENDER_TIMEOUT + START_TIMEOUT)):
        raise ExportFailed("timeout", "the browser was busy with other exports for too long")


def render(figure: go.Figure, fmt: str, scale: float = 1) -> bytes:
    """One static image from the warm browser, which the first image export starts."""
    return render_all([figure], fmt, scale)[0]


def render_all(figures: list[go.Figure], fmt: str, scale: float = 1) -> list[bytes]:
    """Static images of `figures`, in order, rendered in the warm browser's tabs at once."""
    path = require_browser()
    jobs = [(figure.to_dict(), {"format": fmt, "width": figure.layout.width,
                                "height": figure.layout.height, "scale": scale})
            for figure in figures]
    _lock()  # the browser serves one caller at a time
    try:
        try:
            return _render(path, jobs)
        except ExportFailed as error:
            if error.reason != "crashed":
                raise  # a timeout: the deadline is spent or nearly
        # A render that broke off (a tab's script failed, the browser quit) is tried once more
        # in a fresh browser, within the export's deadline: the suite met one, a tab's script
        # error, in a render that passes in every other run.
        return _render(path, jobs)
    finally:
        _render_lock.release()


def _render(path: str, jobs: list[tuple[dict[str, Any], dict[str, Any]]]) -> list[bytes]:
    """The jobs rendered by the warm browser, started (or a dead one replaced) first; a browser
    whose render fails is killed, so the next starts afresh."""
    global _browser  # noqa: PLW0603 - the one browser of the process
    if _browser is not None and not _browser.alive():
        _browser.kill()
        _browser = None
    try:
        if _browser is None:
            _browser = _Browser(path)
            _browser.open()
        return _browser.render(jobs)
    except ExportFailed:
        if _browser is not None:
            _browser.kill()
            _browser = None
        raise


def stop_browser() -> None:
    """Ends the warm browser, if any (bounded); run at exit."""
    global _browser  # noqa: PLW0603
    if _browser is not None:
        _browser.kill()
        _browser = None


atexit.register(stop_browser)


def print_pdf(document: str) -> bytes:
    """Prints an HTML document to PDF with headless Chromium (A4, as its CSS says)."""
    browser = require_browser()
    tmp = _folder()
    try:
        source, target = Path(tmp, "document.html"), Path(tmp, "document.pdf")
        source.write_text(document, encoding="utf-8")
        command = [browser, *CHROMIUM_FLAGS, f"--user-data-dir={Path(tmp, 'profile')}",
                   f"--print-to-pdf={target}", source.as_uri()]
        # A session of its own, so that a timeout ends Chromium's helper processes too.
        seconds = _within(PRINT_TIMEOUT)
        with subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              start_new_session=True) as process:
            try:
                process.wait(timeout=seconds)
            except subprocess.TimeoutExpired:
                raise ExportFailed("timeout", f"the browser {browser} did not print within "
                                              f"{seconds:.0f} s and was stopped") from None
            finally:
                _kill_group(process)  # helpers it left running
        if not target.is_file() or target.stat().st_size == 0:
            raise ExportFailed("crashed", f"the browser {browser} exited with code "
                                          f"{process.returncode} without printing")
        return target.read_bytes()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def pdf_pages(document: bytes) -> int:
    """How many pages a PDF has."""
    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(document)).pages)
