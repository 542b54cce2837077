"""Plotly figures as PNG bytes, rendered by kaleido in the system chromium (no browser download).

Used by the Word report and by the pages' "下载图片 PNG" buttons. Chinese text renders only when the
figure asks for a CJK font installed on the server (fonts-noto-cjk), so every figure is given
"Noto Sans CJK SC" first in its font family before it is drawn.

Starting chromium is the cost (two seconds on an idle machine, far more on a busy one), so the process
keeps one browser: it starts on the first picture (or earlier, `prestart`, which the report calls before
it reads the data, so both overlap), serves every later picture, and closes after IDLE_SECONDS without
use and when the process exits. Its event loop runs on a thread of its own, so it works the same from a
Streamlit script thread, a test or the command line. Several figures are drawn in one tab one after the
other, without kaleido's page reload between them (that reload was half of each figure's time); should
kaleido's internals change, its public per-figure call is used instead.
"""

from __future__ import annotations

import asyncio
import atexit
import logging
import os
import shutil
import threading
import time
from collections.abc import Sequence
from concurrent.futures import Future
from pathlib import Path
from typing import Any

import plotly.graph_objects as go

log = logging.getLogger(__name__)

#: first choice for Chinese glyphs; the others keep Latin digits readable if it is missing
CJK_FONT_FAMILY = "Noto Sans CJK SC, Noto Sans SC, Source Han Sans SC, Microsoft YaHei, SimHei, sans-serif"
#: where Debian installs chromium; $BROWSER_PATH wins when set (kaleido reads it too)
SYSTEM_CHROMIUM = "/usr/bin/chromium"
DEFAULT_WIDTH, DEFAULT_HEIGHT, DEFAULT_SCALE = 900, 450, 2
#: seconds for one figure; a hung chromium must not hang a page or the report for ever
RENDER_TIMEOUT = 60.0
#: seconds chromium may take to start
START_TIMEOUT = 60.0
#: the browser closes after this long without a picture (it holds a few hundred MB)
IDLE_SECONDS = 600.0
#: a figure taller than this (CSS px) is drawn at this height: a 30,000-row chart is no picture
MAX_HEIGHT = 2400

#: one figure to draw: its plotly JSON and kaleido's options (format, width, height, scale)
Job = tuple[dict[str, Any], dict[str, Any]]


class ChartRenderError(RuntimeError):
    """Chromium or kaleido could not draw the figure; callers carry on without the picture."""


class _Closed(Exception):
    """The browser closed (idle) between being handed out and being used: take a fresh one."""


def chromium_path() -> str | None:
    """The chromium kaleido will use, or None when the server has none installed."""
    for candidate in (os.environ.get("BROWSER_PATH"), SYSTEM_CHROMIUM, shutil.which("chromium")):
        if candidate and Path(candidate).exists():
            return candidate
    return None


def with_cjk_font(fig: go.Figure) -> go.Figure:
    """A copy of `fig` whose text is drawn with a CJK font, so 中文 does not come out as boxes."""
    out = go.Figure(fig)
    out.update_layout(font_family=CJK_FONT_FAMILY)
    if out.layout.title.font.family:
        out.update_layout(title_font_family=CJK_FONT_FAMILY)
    return out


def _job(fig: go.Figure, width: int, height: int, scale: float, own_size: bool) -> Job:
    """with_cjk_font on the figure's JSON (no second validated copy of the figure) and its options."""
    spec = fig.to_dict()
    layout = spec.setdefault("layout", {})
    layout.setdefault("font", {})["family"] = CJK_FONT_FAMILY
    title = layout.get("title")
    if isinstance(title, dict) and title.get("font", {}).get("family"):
        title["font"]["family"] = CJK_FONT_FAMILY
    if own_size:
        width = int(layout.get("width") or width)
        height = min(int(layout.get("height") or height), MAX_HEIGHT)
    return spec, {"format": "png", "width": width, "height": height, "scale": scale}


async def _render_in_one_tab(k: Any, jobs: Sequence[Job]) -> list[bytes]:
    """Every job in one tab, one after the other, with no page reload in between (kaleido's internals)."""
    from kaleido import _profiler
    from kaleido._utils import fig_tools

    tab = await k._get_kaleido_tab()
    try:
        out = []
        for fig, opts in jobs:
            spec = fig_tools.coerce_for_js(fig, None, dict(opts))
            profile = _profiler.RenderTaskProfile(spec, None, tab.tab.target_id)
            calc = tab._calc_fig(spec, topojson=None, render_prof=profile, stepper=False)
            out.append(await asyncio.wait_for(calc, RENDER_TIMEOUT))
        return out
    finally:
        # reloaded for the next batch in the background, once this batch has its pictures
        asyncio.get_running_loop().create_task(k._return_kaleido_tab(tab))


async def _render(k: Any, jobs: Sequence[Job]) -> list[bytes]:
    try:
        return await _render_in_one_tab(k, jobs)
    except (AttributeError, ImportError, TypeError) as exc:  # kaleido changed: its public call per figure
        log.info("kaleido 内部接口不可用（%s），逐张渲染", exc)
        return [await k.calc_fig(fig, opts=dict(opts)) for fig, opts in jobs]


class _Browser:
    """One kaleido browser on its own thread and event loop, shared by every picture of the process."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.lock = threading.Lock()
        self.closed = False
        #: set once the browser is closed and the loop told to stop (close() waits on it, not on a
        #: future of the stopping loop, whose result callback would never run)
        self.finished = threading.Event()
        self.used = time.monotonic()
        threading.Thread(target=self._run, name="kaleido-browser", daemon=True).start()
        self.kaleido: Future[Any] = asyncio.run_coroutine_threadsafe(self._open(), self.loop)

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        self.loop.call_later(IDLE_SECONDS / 10, self._idle)
        self.loop.run_forever()

    async def _open(self) -> Any:
        import kaleido

        k = kaleido.Kaleido(n=1, timeout=RENDER_TIMEOUT, mathjax=False)
        await k.open()
        return k

    def render(self, jobs: Sequence[Job]) -> list[bytes]:
        with self.lock:
            if self.closed:
                raise _Closed
            try:
                k = self.kaleido.result(timeout=START_TIMEOUT)
                done = asyncio.run_coroutine_threadsafe(_render(k, jobs), self.loop)
                return done.result(timeout=RENDER_TIMEOUT * len(jobs) + 30)
            finally:
                self.used = time.monotonic()

    def _idle(self) -> None:
        """On the loop: close when unused for IDLE_SECONDS (never while a render holds the lock)."""
        if time.monotonic() - self.used > IDLE_SECONDS and self.lock.acquire(blocking=False):
            try:
                self.closed = True
            finally:
                self.lock.release()
            self.loop.create_task(self._shutdown())
            return
        self.loop.call_later(IDLE_SECONDS / 10, self._idle)

    async def _shutdown(self) -> None:
        try:
            k = await asyncio.wrap_future(self.kaleido)
            await asyncio.wait_for(k.close(), 10)
        except Exception:  # a browser that never started or already died: nothing left to close
            log.debug("kaleido 关闭时出错", exc_info=True)
        finally:
            self.finished.set()
            self.loop.stop()

    def close(self, timeout: float = 15.0) -> None:
        """From any thread but the loop's: close the browser and stop the loop."""
        with self.lock:
            if self.closed:
                return
            self.closed = True
        asyncio.run_coroutine_threadsafe(self._shutdown(), self.loop)
        if not self.finished.wait(timeout):
            log.debug("kaleido 未能按时关闭")


_shared: _Browser | None = None
_shared_lock = threading.Lock()


def _browser() -> _Browser:
    global _shared
    with _shared_lock:
        if _shared is None or _shared.closed:
            _shared = _Browser()
        return _shared


def _discard(browser: _Browser) -> None:
    """Drop a browser that failed (died, hung): the next picture starts a fresh one."""
    global _shared
    with _shared_lock:
        if _shared is browser:
            _shared = None
    threading.Thread(target=browser.close, name="kaleido-close", daemon=True).start()


@atexit.register
def close() -> None:
    """Close the process's browser (at exit; tests may call it)."""
    global _shared
    with _shared_lock:
        browser, _shared = _shared, None
    if browser is not None:
        browser.close()


def prestart() -> None:
    """Start the browser in the background now (a no-op without chromium or when it already runs)."""
    path = chromium_path()
    if path is not None:
        os.environ.setdefault("BROWSER_PATH", path)
        _browser()


def wait_started(timeout: float = START_TIMEOUT) -> bool:
    """Block until the process's browser is up (starting it if need be): False without chromium. The
    benchmark times chromium's start with it."""
    path = chromium_path()
    if path is None:
        return False
    os.environ.setdefault("BROWSER_PATH", path)
    _browser().kaleido.result(timeout=timeout)
    return True


def _render_jobs(jobs: list[Job]) -> list[bytes]:
    """The jobs on the shared browser; one retry on a fresh browser (the old one may have died)."""
    for attempt in range(3):
        browser = _browser()
        try:
            return browser.render(jobs)
        except _Closed:
            continue
        except Exception as exc:
            _discard(browser)
            if attempt:
                raise ChartRenderError(f"图表渲染失败：{exc or type(exc).__name__}") from exc
            log.warning("图表渲染失败，重启 chromium 再试一次：%s", exc)
    raise ChartRenderError("图表渲染失败：chromium 反复关闭。")


def figures_to_png(
    figs: Sequence[go.Figure],
    *,
    width: int = DEFAULT_WIDTH,
    height: int = DEFAULT_HEIGHT,
    scale: float = DEFAULT_SCALE,
    own_size: bool = False,
) -> list[bytes]:
    """Several figures in one go on the process's browser. Raises ChartRenderError when they cannot be
    drawn. `own_size`: a figure whose layout sets a width or height is drawn at that size (at most
    MAX_HEIGHT tall) rather than at `width` × `height`."""
    if not figs:
        return []
    path = chromium_path()
    if path is None:
        raise ChartRenderError("服务器未安装 chromium，无法生成图片。")
    os.environ.setdefault("BROWSER_PATH", path)
    return _render_jobs([_job(f, width, height, scale, own_size) for f in figs])


def figure_to_png(
    fig: go.Figure,
    *,
    width: int = DEFAULT_WIDTH,
    height: int = DEFAULT_HEIGHT,
    scale: float = DEFAULT_SCALE,
) -> bytes:
    """One figure as PNG bytes with Chinese text rendered."""
    return figures_to_png([fig], width=width, height=height, scale=scale)[0]
