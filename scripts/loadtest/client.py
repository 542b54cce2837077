"""One leader as the server sees them: a Streamlit websocket session that logs in through the form and
turns pages, speaking the browser's protocol (streamlit.proto BackMsg / ForwardMsg) without a browser.

What the browser does and this client does too: fetch a page first (which sets the XSRF cookie and, behind
nginx, the sticky-session cookie), open `/_stcore/stream` with the XSRF token in the subprotocol list,
offer permessage-deflate, send `rerun_script` with the page's script hash and the hashes of the large
elements it already holds (Streamlit then sends a reference instead of the element again). What it does
not do: draw anything, run JavaScript, download the static bundle (`fetch_static` does that once, to
measure what a first visit costs).
"""

from __future__ import annotations

import asyncio
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path

import websockets
from streamlit.proto.Alert_pb2 import Alert
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from websockets.asyncio.client import ClientConnection

#: the pages a leader may open (app.py is 总览); their script hashes come from the server's page list
VIEW_PAGES = ("总览", "组织建设", "最强党支部", "交流轮岗", "议事决策", "学校画像", "趋势", "活动台账")
HOME = "总览"
FINISHED_OK = ForwardMsg.FINISHED_SUCCESSFULLY
FINISHED_FOR_RERUN = ForwardMsg.FINISHED_EARLY_FOR_RERUN


class CountingConnection(ClientConnection):
    """A websocket connection that counts the bytes that arrive on the wire (compressed, with framing)."""

    wire_bytes = 0

    def data_received(self, data: bytes) -> None:
        self.wire_bytes += len(data)
        super().data_received(data)


class ProtocolError(Exception):
    """The server answered in a way a browser would show as broken (an exception, an error box, no page)."""


@dataclass
class Run:
    """One script run as the client saw it."""

    seconds: float
    elements: list = field(default_factory=list)  # type: ignore[type-arg]
    payload_bytes: int = 0
    wire_bytes: int = 0
    #: where the script sent the browser (auth_redirect: a lasting login's hand-over to its cookie route)
    redirect: str | None = None

    def kinds(self) -> list[str]:
        return [e.WhichOneof("type") for e in self.elements]

    def problems(self) -> list[str]:
        """Exceptions and error boxes on the page (a leader on a view page should never see either)."""
        found = []
        for e in self.elements:
            kind = e.WhichOneof("type")
            if kind == "exception":
                found.append(f"异常 {e.exception.type}: {e.exception.message[:120]}")
            elif kind == "alert" and e.alert.format == Alert.ERROR:
                found.append(f"错误提示：{e.alert.body[:120]}")
        return found

    def widget_ids(self) -> dict[str, str]:
        """label -> widget id of the text inputs and buttons drawn (the login form's three widgets)."""
        ids = {}
        for e in self.elements:
            kind = e.WhichOneof("type")
            if kind in ("text_input", "button"):
                sub = getattr(e, kind)
                ids[sub.label] = sub.id
        return ids


def _cookies_of(url: str, headers: dict[str, str], timeout: float) -> dict[str, str]:
    request = urllib.request.Request(url, headers=headers)
    with urllib.request.urlopen(request, timeout=timeout) as response:
        response.read()
        jar: dict[str, str] = {}
        for value in response.headers.get_all("Set-Cookie") or []:
            parsed = SimpleCookie()
            parsed.load(value)
            jar.update({k: m.value for k, m in parsed.items()})
        return jar


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


def _follow_once(url: str, headers: dict[str, str], timeout: float) -> dict[str, str]:
    """GET `url` as the browser's navigation does, without following its redirect: the cookies it sets
    (the lasting login's session cookie, oversight/app/asgi.py)."""
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        response = opener.open(urllib.request.Request(url, headers=headers), timeout=timeout)
    except urllib.error.HTTPError as exc:  # the 303 back to the page
        response = exc
    jar: dict[str, str] = {}
    for value in response.headers.get_all("Set-Cookie") or []:
        parsed = SimpleCookie()
        parsed.load(value)
        jar.update({k: m.value for k, m in parsed.items()})
    response.read()
    return jar


def fetch_static(base: str, timeout: float = 30.0) -> dict[str, int]:
    """What a first visit downloads besides the websocket: index.html and every script and stylesheet it
    names, as sent (gzip offered, as a browser does) and as JavaScript."""
    import gzip
    import re

    def get(path: str) -> tuple[int, int, str]:
        req = urllib.request.Request(base + path, headers={"Accept-Encoding": "gzip"})
        with urllib.request.urlopen(req, timeout=timeout) as r:
            raw = r.read()
            body = gzip.decompress(raw) if r.headers.get("Content-Encoding") == "gzip" else raw
            return len(raw), len(body), body.decode("utf-8", errors="replace")

    sent, size, index = get("/")
    totals = {"files": 1, "sent": sent, "size": size}
    for path in sorted(set(re.findall(r'(?:src|href)="(\./|/)?(static/[^"]+\.(?:js|css))"', index))):
        s, n, _ = get("/" + path[1])
        totals["files"] += 1
        totals["sent"] += s
        totals["size"] += n
    return totals


class Session:
    """One websocket session: `open()`, `login()`, then `turn(page)` as often as wanted; `close()`."""

    def __init__(self, base: str, *, timeout: float = 60.0) -> None:
        self.base = base.rstrip("/")
        self.timeout = timeout
        self.ws: CountingConnection | None = None
        self.pages: dict[str, str] = {}
        self.cached: set[str] = set()
        self.current = ""
        self.form: dict[str, str] = {}
        self.jar: dict[str, str] = {}

    async def open(self) -> Run:
        """Fetch a page for the cookies, connect, and run the app once (the login form)."""
        headers = {"Accept": "text/html"}
        jar = await asyncio.to_thread(_cookies_of, self.base + "/_stcore/health", headers, self.timeout)
        self.jar.update(jar)
        await self._connect()
        run = await self._run("")
        self.form = run.widget_ids()
        return run

    def _cookie(self) -> str:
        return "; ".join(f"{k}={v}" for k, v in self.jar.items())

    async def _connect(self) -> None:
        xsrf = self.jar.get("_streamlit_xsrf", "")
        cookie = self._cookie()
        self.ws = await asyncio.wait_for(
            websockets.connect(
                self.base.replace("http", "ws", 1) + "/_stcore/stream",
                subprotocols=["streamlit", xsrf] if xsrf else ["streamlit"],  # type: ignore[list-item]
                additional_headers={"Cookie": cookie, "Origin": self.base},
                max_size=None,
                open_timeout=self.timeout,
                ping_interval=None,
                create_connection=CountingConnection,
            ),
            timeout=self.timeout,
        )

    async def login(self, username: str, password: str) -> Run:
        """Fill the form and press 登录; returns the run that drew 总览 (after the script's st.rerun)."""
        ids = self.form
        if not {"用户名", "密码", "登录"} <= ids.keys():
            raise ProtocolError("打开后没有登录表单")

        def fill(state: BackMsg) -> None:
            for label, value in (("用户名", username), ("密码", password)):
                w = state.rerun_script.widget_states.widgets.add()
                w.id, w.string_value = ids[label], value
            w = state.rerun_script.widget_states.widgets.add()
            w.id, w.trigger_value = ids["登录"], True

        started = time.perf_counter()
        run = await self._run(self.current, fill)
        if run.redirect:
            # a lasting login (oversight/app/asgi.py): the browser goes through the cookie route and opens
            # the page again in a new session, which finds the user by the cookie
            jar = await asyncio.to_thread(
                _follow_once, self.base + run.redirect, {"Cookie": self._cookie()}, self.timeout
            )
            self.jar.update(jar)
            self.cached.clear()  # a new page load: the browser's message cache starts empty
            await self.close()
            await self._connect()
            run = await self._run("")
            run.seconds = time.perf_counter() - started
        if "metric" not in run.kinds():
            raise ProtocolError("登录后没有出现总览（用户名或密码错误，或登录表单仍在）")
        return run

    async def turn(self, page: str) -> Run:
        """Open a page as a click on its sidebar link does."""
        if page not in self.pages:
            raise ProtocolError(f"服务器的页面列表里没有“{page}”")
        return await self._run(self.pages[page])

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()

    async def _run(self, page_hash: str, fill=None) -> Run:  # type: ignore[no-untyped-def]
        assert self.ws is not None
        msg = BackMsg()
        msg.rerun_script.SetInParent()
        msg.rerun_script.page_script_hash = page_hash
        msg.rerun_script.cached_message_hashes.extend(sorted(self.cached))
        if fill is not None:
            fill(msg)
        wire_before = self.ws.wire_bytes
        started = time.perf_counter()
        await self.ws.send(msg.SerializeToString())
        run = Run(0.0)
        deadline = time.monotonic() + self.timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"{self.timeout:.0f} s 内页面没有运行完")
            raw = await asyncio.wait_for(self.ws.recv(), timeout=left)
            run.payload_bytes += len(raw)
            fwd = ForwardMsg()
            fwd.ParseFromString(raw)  # type: ignore[arg-type]
            kind = fwd.WhichOneof("type")
            if fwd.metadata.cacheable and fwd.hash:
                self.cached.add(fwd.hash)
            if kind == "delta" and fwd.delta.WhichOneof("type") == "new_element":
                element = fwd.delta.new_element
                run.elements.append(element)
                if element.WhichOneof("type") == "page_link" and element.page_link.page_script_hash:
                    # the sidebar's links (app.page NAV): a session opened by a lasting login's cookie
                    # lists only the main page in its first new_session message
                    self.pages.setdefault(element.page_link.label, element.page_link.page_script_hash)
            elif kind == "new_session":
                # the main script (app.py) is 总览; its page is named after the file
                main = Path(fwd.new_session.main_script_path).stem
                self.pages = {
                    (HOME if p.page_name in (main, "") else p.page_name): p.page_script_hash
                    for p in fwd.new_session.app_pages
                }
                self.current = fwd.new_session.page_script_hash
            elif kind == "auth_redirect":
                run.redirect = fwd.auth_redirect.url
            elif kind == "script_finished":
                if fwd.script_finished == FINISHED_FOR_RERUN:
                    run.elements.clear()  # the script reran itself (login): the page is the next run's
                    continue
                if fwd.script_finished != FINISHED_OK:
                    raise ProtocolError(f"脚本运行失败（状态 {fwd.script_finished}）")
                run.seconds = time.perf_counter() - started
                run.wire_bytes = self.ws.wire_bytes - wire_before
                return run
