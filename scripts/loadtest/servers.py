"""The servers a load test runs against: a private copy of the sample district with one 领导 account, and
either one `streamlit run app.py` (as `make run` starts it) or `deploy/serve.py` (N processes behind nginx,
as `make serve` starts them). Everything listens on 127.0.0.1 only and is stopped by its own pid.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
USER, PASSWORD = "压测领导", "load-test-pass-1"
START_TIMEOUT = 120.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def build_database(path: Path, source: Path | None = None, app_root: Path = ROOT) -> None:
    """The sample district (or a copy of `source`) with the load test's leader account, written by the
    command line of the checkout under test (its schema is the one its app expects)."""
    env = dict(os.environ, PYTHONPATH=str(app_root))
    cli = [sys.executable, "-m", "oversight.cli"]
    if source is not None:
        shutil.copyfile(source, path)
    else:
        subprocess.run(
            [*cli, "demo", "--db", str(path)], cwd=app_root, env=env, check=True, capture_output=True
        )
    added = subprocess.run(
        [*cli, "users", "add", USER, "--role", "领导", "--password", PASSWORD, "--db", str(path)],
        cwd=app_root,
        env=env,
        capture_output=True,
        text=True,
    )
    if added.returncode != 0 and "已存在" not in added.stdout + added.stderr:
        raise SystemExit(f"无法创建压测账号：{added.stdout}{added.stderr}")


def entry_script(app_root: Path) -> str:
    """What `make run` starts in that checkout: the ASGI app with the lasting-login routes
    (oversight/app/asgi.py) where there is one, else app.py (older checkouts)."""
    asgi = Path("oversight") / "app" / "asgi.py"
    return str(asgi) if (app_root / asgi).exists() else "app.py"


def wait_healthy(url: str, proc: subprocess.Popen[bytes], log: Path, timeout: float = START_TIMEOUT) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit("服务未能启动：\n" + log.read_text("utf-8", errors="replace")[-3000:])
        try:
            with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as r:
                if r.read().decode().strip() == "ok":
                    return
        except OSError:
            pass
        time.sleep(0.3)
    raise SystemExit(f"服务 {timeout:.0f} 秒内未就绪：{url}")


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU of these processes and every descendant alive now (threads included)."""
    ticks = os.sysconf("SC_CLK_TCK")
    seen: set[int] = set()
    total = 0.0
    todo = list(pids)
    while todo:
        pid = todo.pop()
        if pid in seen:
            continue
        seen.add(pid)
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / ticks
            for task in Path(f"/proc/{pid}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
        except (OSError, IndexError, ValueError):
            continue
    return total


def _tree(pids: list[int]) -> list[int]:
    """These processes and every descendant alive now."""
    seen: list[int] = []
    todo = list(pids)
    while todo:
        pid = todo.pop()
        if pid in seen:
            continue
        seen.append(pid)
        with contextlib.suppress(OSError, ValueError):
            for task in Path(f"/proc/{pid}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
    return seen


def rss_mb(pids: list[int]) -> float:
    """Resident memory of these processes and their descendants (MiB): whether memory stays flat under
    load with Streamlit's collection after every run turned off (.streamlit/config.toml)."""
    total = 0
    for pid in _tree(pids):
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
    return total / 1024


@dataclass
class Servers:
    base: str
    backends: list[str]
    pids: list[int]
    logs: list[Path] = field(default_factory=list)
    #: whether the processes warm themselves (app.warmup): the load test then waits for it
    warmup: bool = False

    def tracebacks(self) -> int:
        return sum(p.read_text("utf-8", errors="replace").count("Traceback") for p in self.logs if p.exists())


def _stop(proc: subprocess.Popen[bytes], grace: float = 20.0) -> None:
    if proc.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


@contextlib.contextmanager
def started(
    db: Path,
    work: Path,
    processes: int,
    *,
    nginx: bool,
    env: dict[str, str] | None = None,
    app_root: Path = ROOT,
) -> Iterator[Servers]:
    """One streamlit process on its own (nginx=False), or `deploy/serve.py` with `processes` behind nginx.
    `app_root` is the checkout whose app.py runs (another commit's tree, to measure it)."""
    env = dict(os.environ, OVERSIGHT_DB=str(db), PYTHONUNBUFFERED="1", **(env or {}))
    warmup = (app_root / "oversight" / "app" / "warmup.py").exists() and env.get("OVERSIGHT_WARMUP") != "0"
    if not nginx:
        port = free_port()
        log = work / "streamlit.log"
        command = [
            sys.executable, "-m", "streamlit", "run", entry_script(app_root),
            "--server.headless", "true",
            "--server.port", str(port),
            "--server.address", "127.0.0.1",
        ]  # fmt: skip
        proc = subprocess.Popen(
            command,
            cwd=app_root,
            env=env,
            stdout=log.open("wb"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            wait_healthy(base, proc, log)
            yield Servers(base, [base], [proc.pid], [log], warmup)
        finally:
            _stop(proc)
        return
    state = work / "serve.json"
    log = work / "serve.log"
    port = free_port()
    command = [
        sys.executable, str(app_root / "deploy" / "serve.py"),
        "--processes", str(processes),
        "--port", str(port),
        "--db", str(db),
        "--run-dir", str(work / "serve"),
        "--state", str(state),
    ]  # fmt: skip
    proc = subprocess.Popen(
        command,
        cwd=app_root,
        env=env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + START_TIMEOUT
        while not state.exists():
            if proc.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(
                    "deploy/serve.py 未能启动：\n" + log.read_text("utf-8", errors="replace")[-3000:]
                )
            time.sleep(0.3)
        info = json.loads(state.read_text("utf-8"))
        wait_healthy(base, proc, log)
        logs = [log, *(Path(p) for p in info.get("logs", []))]
        yield Servers(base, list(info["backends"]), [proc.pid], logs, warmup)
    finally:
        _stop(proc)
