"""`make serve`: N Streamlit processes behind nginx on one machine, all reading the same database.

    .venv/bin/python deploy/serve.py [--processes 2] [--port 8501] [--host 127.0.0.1] [--db FILE]
                                     [--run-dir DIR] [--state FILE]

Each process is `streamlit run oversight/app/asgi.py` (as `make run`: the pages plus the routes that give a
login its cookie) on 127.0.0.1 (ports --port+1 .. --port+N, or free ones with --backend-ports auto) with this
checkout's .streamlit/config.toml; nginx (Debian's, /usr/sbin/nginx) listens on --host:--port with sticky
sessions by cookie, the websocket upgraded, and the static bundle served from
disk gzip-compressed (deploy/nginx.conf.template). Every process reads the published read-only copies of
the database file and writes the file itself only for a moment (engine.publish), so uploads, rollbacks,
account changes and logins work whichever process a browser lands on, and the others see them at once.

After a process answers its health check, this script opens one page in it, which starts the process's
warm-up (app.warmup): the default views and each town's 总览 are computed before the first leader comes.
A process that exits is started again. Ctrl-C or SIGTERM stops nginx and every process (by pid).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gzip
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = Path(__file__).resolve().parent / "nginx.conf.template"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
COMPRESSIBLE = (".js", ".css", ".html", ".json", ".svg", ".txt", ".ttf")


def entry_script() -> Path:
    """What `make run` starts: the dashboard with the routes that give a login its HttpOnly cookie
    (oversight/app/asgi.py), or app.py in a checkout without them."""
    asgi = ROOT / "oversight" / "app" / "asgi.py"
    return asgi if asgi.exists() else ROOT / "app.py"


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


def prepared_static(cache_root: Path) -> Path:
    """Streamlit's static bundle copied once per Streamlit version, with a .gz beside every text file
    (nginx gzip_static sends those instead of compressing on every request)."""
    import streamlit

    source = Path(streamlit.__file__).parent / "static"
    target = cache_root / f"oversight-static-{streamlit.__version__}"
    done = target / ".prepared"
    if done.exists():
        return target
    tmp = cache_root / f".oversight-static-{streamlit.__version__}.{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    shutil.copytree(source, tmp)
    for path in tmp.rglob("*"):
        if path.is_file() and path.suffix in COMPRESSIBLE:
            with path.open("rb") as src, gzip.open(f"{path}.gz", "wb", compresslevel=9) as dst:
                shutil.copyfileobj(src, dst)
    (tmp / ".prepared").write_text("ok\n")
    os.chmod(tmp, 0o755)
    try:
        tmp.rename(target)
    except OSError:  # another serve.py prepared it meanwhile
        shutil.rmtree(tmp, ignore_errors=True)
    return target


def max_upload_mb() -> int:
    import tomllib

    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text("utf-8"))
    return int(config.get("server", {}).get("maxUploadSize", 200))


def fill(template: str, **values: str) -> str:
    """The template's ${name} fields filled in (nginx's own $variables are left alone)."""

    def value(match: re.Match[str]) -> str:
        return values[match.group(1)]

    return re.sub(r"\$\{(\w+)\}", value, template)


def nginx_conf(run_dir: Path, listen: str, backends: list[int], static: Path, *, access_log: bool) -> Path:
    servers = "\n".join(f"        server 127.0.0.1:{p} max_fails=1 fail_timeout=5s;" for p in backends)
    text = fill(
        TEMPLATE.read_text("utf-8"),
        workers=str(min(4, os.cpu_count() or 1)),
        run_dir=str(run_dir),
        # as root, nginx's workers run as `nobody` (Debian's default); name another user with OVERSIGHT_NGINX_USER
        user_line=f"user {os.environ['OVERSIGHT_NGINX_USER']};"
        if os.environ.get("OVERSIGHT_NGINX_USER")
        else "",
        access_log=str(run_dir / "nginx-access.log") if access_log else "off",
        max_body=str(max_upload_mb() + 5),
        servers=servers,
        listen=listen,
        static=str(static),
    )
    path = run_dir / "nginx.conf"
    path.write_text(text, "utf-8")
    return path


def healthy(port: int, timeout: float = 2.0) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=timeout) as r:
            return r.read().decode().strip() == "ok"
    except OSError:
        return False


async def _open_one_page(port: int) -> None:
    """One websocket session that runs the app once (its login page): this imports the app's modules
    in that process and so starts its warm-up (app.warmup)."""
    import websockets
    from streamlit.proto.BackMsg_pb2 import BackMsg
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    base = f"http://127.0.0.1:{port}"
    with urllib.request.urlopen(base + "/_stcore/health", timeout=10) as r:
        cookie = (r.headers.get("Set-Cookie") or "").split(";")[0]
    token = cookie.split("=", 1)[1] if "=" in cookie else ""
    async with websockets.connect(
        f"ws://127.0.0.1:{port}/_stcore/stream",
        subprotocols=["streamlit", token] if token else ["streamlit"],  # type: ignore[list-item]
        additional_headers={"Cookie": cookie, "Origin": base},
        max_size=None,
        open_timeout=30,
    ) as ws:
        msg = BackMsg()
        msg.rerun_script.SetInParent()
        await ws.send(msg.SerializeToString())
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            fwd = ForwardMsg()
            fwd.ParseFromString(await asyncio.wait_for(ws.recv(), timeout=120))  # type: ignore[arg-type]
            if fwd.WhichOneof("type") == "script_finished":
                return


def open_one_page(port: int) -> None:
    try:
        asyncio.run(_open_one_page(port))
    except Exception as exc:  # the process still serves; it warms itself on its first visitor
        print(f"serve: 未能预热 127.0.0.1:{port}（{exc}）", file=sys.stderr, flush=True)


class Supervisor:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.run_dir: Path = args.run_dir
        self.db = str(Path(args.db).resolve())
        if args.backend_ports == "auto":
            self.ports = [free_port() for _ in range(args.processes)]
        else:
            self.ports = [args.port + 1 + i for i in range(args.processes)]
        self.apps: dict[int, subprocess.Popen[bytes]] = {}
        self.nginx: subprocess.Popen[bytes] | None = None
        self.stopping = False

    def log(self, port: int) -> Path:
        return self.run_dir / f"streamlit-{port}.log"

    def start_app(self, port: int) -> subprocess.Popen[bytes]:
        env = dict(os.environ, OVERSIGHT_DB=self.db, PYTHONUNBUFFERED="1")
        command = [
            sys.executable, "-m", "streamlit", "run", str(entry_script()),
            "--server.headless", "true",
            "--server.port", str(port),
            "--server.address", "127.0.0.1",
        ]  # fmt: skip
        proc = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=self.log(port).open("ab"), stderr=subprocess.STDOUT
        )
        self.apps[port] = proc
        return proc

    def start(self) -> None:
        self.run_dir.mkdir(parents=True, exist_ok=True)
        for port in self.ports:
            self.start_app(port)
        static = prepared_static(Path(self.args.static_cache))
        conf = nginx_conf(
            self.run_dir,
            f"{self.args.host}:{self.args.port}",
            self.ports,
            static,
            access_log=self.args.access_log,
        )
        check = subprocess.run(
            [NGINX, "-t", "-q", "-p", str(self.run_dir), "-c", str(conf)], capture_output=True
        )
        if check.returncode != 0:
            raise SystemExit("nginx 配置有误：\n" + check.stderr.decode("utf-8", "replace"))
        self.nginx = subprocess.Popen(
            [NGINX, "-p", str(self.run_dir), "-c", str(conf), "-g", "daemon off;"],
            stdout=(self.run_dir / "nginx.out").open("ab"),
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 120
        waiting = set(self.ports)
        while waiting and time.monotonic() < deadline:
            for port in sorted(waiting):
                if self.apps[port].poll() is not None:
                    raise SystemExit(f"streamlit（端口 {port}）未能启动，见 {self.log(port)}")
                if healthy(port):
                    waiting.discard(port)
                    open_one_page(port)
            time.sleep(0.3)
        if waiting:
            raise SystemExit(f"streamlit 120 秒内未就绪：端口 {sorted(waiting)}")
        self.write_state()
        url = f"http://{self.args.host}:{self.args.port}"
        print(f"serve: {len(self.ports)} 个看板进程（端口 {self.ports}）在 nginx 之后：{url}", flush=True)

    def write_state(self) -> None:
        if not self.args.state:
            return
        state = {
            "url": f"http://{self.args.host}:{self.args.port}",
            "backends": [f"http://127.0.0.1:{p}" for p in self.ports],
            "pids": {
                "nginx": self.nginx.pid if self.nginx else None,
                **{str(p): a.pid for p, a in self.apps.items()},
            },
            "logs": [str(self.log(p)) for p in self.ports] + [str(self.run_dir / "nginx-error.log")],
        }
        tmp = Path(f"{self.args.state}.tmp")
        tmp.write_text(json.dumps(state, ensure_ascii=False, indent=1), "utf-8")
        os.replace(tmp, self.args.state)

    def watch(self) -> None:
        while not self.stopping:
            time.sleep(1.0)
            if self.nginx is not None and self.nginx.poll() is not None and not self.stopping:
                raise SystemExit(
                    f"nginx 已退出（{self.nginx.returncode}），见 {self.run_dir / 'nginx-error.log'}"
                )
            for port, proc in list(self.apps.items()):
                if proc.poll() is not None and not self.stopping:
                    print(f"serve: 端口 {port} 的看板进程已退出（{proc.returncode}），重新启动", flush=True)
                    time.sleep(1.0)
                    self.start_app(port)
                    self.write_state()

    def stop(self, *_: object) -> None:
        self.stopping = True
        if self.nginx is not None and self.nginx.poll() is None:
            self.nginx.send_signal(signal.SIGQUIT)  # graceful: lets open connections finish
        for proc in self.apps.values():
            if proc.poll() is None:
                proc.terminate()
        for proc in [*self.apps.values(), *([self.nginx] if self.nginx else [])]:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def parse(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="deploy/serve.py", description=__doc__.split("\n\n")[0])
    p.add_argument(
        "--processes", type=int, default=int(os.environ.get("PROCESSES", 2)), help="看板进程数（默认 2）"
    )
    p.add_argument("--port", type=int, default=8501, help="nginx 监听的端口（默认 8501）")
    p.add_argument("--host", default="127.0.0.1", help="nginx 监听的地址（默认只在本机；对外服务用 0.0.0.0）")
    p.add_argument(
        "--backend-ports", default="next", choices=("next", "auto"), help="看板进程端口：紧随 --port，或自动"
    )
    p.add_argument("--db", default=os.environ.get("OVERSIGHT_DB", "data/oversight.duckdb"), help="数据库文件")
    p.add_argument(
        "--run-dir", type=Path, help="nginx 配置、日志、各进程日志的目录（默认 /tmp/oversight-serve-端口）"
    )
    p.add_argument(
        "--static-cache", default=os.environ.get("TMPDIR", "/tmp"), help="压缩后的静态文件放在哪里"
    )
    p.add_argument("--state", help="就绪后把地址和进程号写入这个 JSON 文件（压测用）")
    p.add_argument("--access-log", action="store_true", help="记录 nginx 访问日志")
    args = p.parse_args(argv)
    if not 1 <= args.processes <= 32:
        p.error("--processes 应在 1 到 32 之间")
    if args.run_dir is None:
        args.run_dir = Path(os.environ.get("TMPDIR", "/tmp")) / f"oversight-serve-{args.port}"
    args.run_dir = args.run_dir.resolve()
    return args


def _interrupt(*_: object) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    if not Path(args.db).exists():
        print(f"数据库文件 {args.db} 不存在：先运行 make demo（或 make run 一次）。", file=sys.stderr)
        return 1
    if not Path(NGINX).exists():
        print("没有 nginx：apt-get install -y nginx（Debian 的软件包即可）。", file=sys.stderr)
        return 1
    supervisor = Supervisor(args)
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        supervisor.start()
        supervisor.watch()
    except KeyboardInterrupt:
        pass
    finally:
        with contextlib.suppress(Exception):
            supervisor.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
