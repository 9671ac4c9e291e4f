"""``scholargate serve``: the Flask app under gunicorn.

* The HTTP front is gunicorn's gevent worker, bounded and timed (front.py): each
  connection is a greenlet, so slow clients, non-reading clients and requests waiting
  on a query process cost no thread; headers (``HEADER_TIMEOUT``), bodies
  (``BODY_TIMEOUT``, buffered before the app sees them, 413 beyond ``MAX_BODY``) and
  sends (``SEND_TIMEOUT``) have deadlines, and a worker holds at most ``CONNECTIONS``
  connections. ``WORKERS`` processes, keep-alive.
* Each worker listens on a socket of its own (``SO_REUSEPORT``, gunicorn's
  ``reuse_port``), so the kernel spreads new connections across the workers by a hash
  of their addresses; with one shared socket the worker that last waited took nearly
  all of them (7–8 of 8 keep-alive clients), filled its query queue and answered 503
  while the other idled. The master only *reserves* the address (bound, not listening,
  so it takes no connection itself), which also settles ``--port 0`` before the workers
  bind; the URL is printed once the first worker has loaded the app and listens.
* No control socket (``--no-control-socket``): gunicorn 27 would otherwise create one
  under the home directory.
* The on-disk store is built (or found up to date, the journal replayed) *before* the
  workers fork, in a short-lived process of its own: RocksDB must never be opened in
  the master, since a process forked after RocksDB ran crashes or hangs at exit (its
  background threads do not survive the fork). A store of at most ``MEMORY_COPY``
  quads is copied to memory once, in the master: the build step writes it out as
  N-Quads, the master loads that into a bare in-memory Oxigraph store (no RocksDB, no
  thread) and forks the workers, which share its pages copy-on-write until each reads
  or changes them (Oxigraph counts references inside the quads it reads, so a page read
  becomes the worker's own; a write, which each worker applies from the journal, too);
  a worker gunicorn starts again forks from the master's copy and replays the journal
  past it. A larger one is
  read from disk: the build step publishes its first snapshot, which each worker opens
  read-only, as do its query processes; a write opens the store itself, changes it
  and publishes the next snapshot, which every worker reads from its next request
  (``build/snapshots.py``). With ``MEMORY`` each worker builds its own copy instead.
  On a SPARQL server (``STORE`` a URL) nothing is built: each worker queries the
  server (``scholargate build`` loads it). ``build.open_configured`` decides.
* The per-client query cap is counted across workers through lock files in a folder
  the master creates (see ``services.sparql.ClientSlots``).
* Request lines up to ``MAX_URL`` reach the app, which answers 414 beyond it.
* The URL is printed when the server listens; Ctrl-C stops the master, the workers
  and their query processes.
"""

from __future__ import annotations

import ipaddress
import json
import math
import os
import shutil
import socket
import subprocess
import sys
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from gunicorn.app.base import BaseApplication

from . import __version__
from .build import (
    Snapshots,
    copies_to_memory,
    journal_beside,
    open_configured,
    open_remote,
    place_of,
    remove_stale,
    share_copy,
)
from .config import load_config
from .errors import InputError, ScholarGateError
from .front import FrontWorker
from .services.writes.journal import Journal

# gunicorn reads at most this many bytes of request line unless told "0" (then 1 MiB).
_GUNICORN_MAX_LINE = 8190
_REQUEST_LINE_EXTRA = len("OPTIONS  HTTP/1.1")
_BUILD_LOCK_SECONDS = 600.0  # a write of another server on the same store, at most


class Server(BaseApplication):
    """A gunicorn application that builds ScholarGate's Flask app in each worker."""

    def __init__(self, app_config: Mapping[str, Any], options: Mapping[str, Any]) -> None:
        self.app_config = dict(app_config)
        self.options = dict(options)
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        from .web.app import create_app

        return create_app(self.app_config)


class Reservation:
    """The server's address, bound with ``SO_REUSEPORT`` but not listening: it holds the
    port (a ``--port 0`` is chosen here, once) while every worker binds a listening
    socket of its own to it. A socket that does not listen is given no connection."""

    def __init__(self, host: str, port: int) -> None:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
        self.sock = socket.socket(family, kind, proto)
        try:
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
            self.sock.bind(address)
        except OSError as error:
            self.sock.close()
            raise InputError(f"cannot listen on {host}:{port}: {error.strerror}") from None
        self.host, self.port = self.sock.getsockname()[:2]

    @property
    def bind(self) -> str:
        return f"[{self.host}]:{self.port}" if ":" in self.host else f"{self.host}:{self.port}"

    def close(self) -> None:
        self.sock.close()


def gunicorn_options(
    settings: Mapping[str, Any],
    *,
    echo: Callable[[str], None],
    reservation: Reservation | None = None,
    announced: Path | None = None,
) -> dict:
    """The gunicorn settings for ScholarGate's ``settings`` (host, port, workers, …):
    with a ``reservation``, each worker listens on its own socket at its address, and
    the first worker ready prints the URL (``announced``: the file that says it did)."""
    line = int(settings["MAX_URL"]) + _REQUEST_LINE_EXTRA
    workers, connections = int(settings["WORKERS"]), int(settings["CONNECTIONS"])

    def ready(host: str, port: int) -> None:
        shown = f"[{host}]" if ":" in host else host
        url = f"http://{shown}:{port}"
        echo(
            f"ScholarGate {__version__} is serving {url}/  (SPARQL endpoint: {url}/sparql; "
            f"{workers} workers × {connections} connections, "
            f"{settings['QUERY_WORKERS']} query processes each). Press Ctrl-C to stop."
        )
        if not settings.get("PUBLIC_URL") and not _loopback(host):
            echo(
                "Note: SCHOLARGATE_PUBLIC_URL is not set, so absolute URLs (service "
                "description, VoID, dump links) follow each request's Host header; set it "
                "to this server's public address."
            )

    def when_ready(server: Any) -> None:
        if reservation is None:
            ready(*server.LISTENERS[0].sock.getsockname()[:2])

    def post_fork(server: Any, worker: Any) -> None:
        if reservation is not None:
            reservation.close()  # the master's; the worker listens on its own

    def post_worker_init(worker: Any) -> None:
        from .web import sparql

        sparql.warm(worker.wsgi)
        if reservation is not None and announced is not None and _first(announced):
            ready(reservation.host, reservation.port)

    def worker_int(worker: Any) -> None:
        from .web import sparql

        sparql.close(worker.wsgi)

    return {
        "bind": [reservation.bind if reservation else f"{settings['HOST']}:{settings['PORT']}"],
        "reuse_port": reservation is not None,
        "workers": workers,
        "worker_class": FrontWorker,
        "worker_connections": connections,
        # the async worker reads each request's headers under a deadline of this many
        # seconds only when keep-alive is on; FrontWorker uses HEADER_TIMEOUT itself
        "keepalive": max(1, math.ceil(float(settings["HEADER_TIMEOUT"]))),
        "sendfile": False,  # every send goes through the front's SEND_TIMEOUT
        "control_socket_disable": True,
        "limit_request_line": line if line <= _GUNICORN_MAX_LINE else 0,
        "timeout": max(30, int(float(settings["QUERY_TIMEOUT"])) + 30),
        "graceful_timeout": 10,
        "proc_name": "scholargate",
        "when_ready": when_ready,
        "post_fork": post_fork,
        "post_worker_init": post_worker_init,
        "worker_int": worker_int,
    }


def _first(flag: Path) -> bool:
    """Whether this process is the first to create ``flag``."""
    try:
        os.close(os.open(flag, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    except FileExistsError:
        return False
    return True


def _loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


def serve(overrides: Mapping[str, Any] | None = None, *, echo: Callable[[str], None]) -> None:
    """Build the store if needed, then serve until interrupted."""
    settings = load_config(overrides)
    place = place_of(settings)
    settings["ROOT"] = place.root
    app_config = dict(settings)
    quads, copied = 0, False
    if place.url is not None:
        # the settings checked before the workers fork (a URL holding credentials, an
        # unknown profile or authentication); nothing is sent to the server yet
        open_remote(place.url, settings).close()
        echo(f"Store {place.url}: a SPARQL server, which each worker queries (nothing built)")
        app_config.update(STORE=place.url, SAVED=place.saved, STORE_READ_ONLY=True)
    elif place.path is not None:
        with tempfile.TemporaryDirectory(prefix="scholargate-copy-") as folder:
            dump = Path(folder) / "store.nq"
            rebuilt, quads, seq = build_before_fork(
                place.root,
                place.path,
                place.saved,
                journal=place.journal,
                memory_copy=int(settings["MEMORY_COPY"]),
                dump=dump,
            )
            copied = copies_to_memory(quads, int(settings["MEMORY_COPY"]))
            if copied:
                share_copy(place.path, dump, seq)
        where = "the workers share one copy in memory" if copied else "read from disk"
        echo(f"Store {place.path}: {'built' if rebuilt else 'up to date'}, {quads} quads; {where}")
        app_config.update(
            STORE=place.path, SAVED=place.saved, STORE_READ_ONLY=True, STORE_QUADS=quads
        )
    reservation = Reservation(str(settings["HOST"]), int(settings["PORT"]))
    slots = tempfile.mkdtemp(prefix="scholargate-clients-")
    app_config["SPARQL_CLIENT_SLOTS"] = slots
    if place.url is None and place.path is None and not settings.get("JOURNAL"):
        # each worker builds its own graph in memory: they share a journal for as long as
        # the server runs, so a write reaches all of them
        app_config["JOURNAL"] = Path(slots) / "journal.jsonl"
    options = gunicorn_options(
        settings,
        echo=echo,
        reservation=reservation,
        announced=Path(slots) / "announced",
    )
    options["on_exit"] = lambda server: shutil.rmtree(slots, ignore_errors=True)
    try:
        Server(app_config, options).run()
    finally:
        reservation.close()
        shutil.rmtree(slots, ignore_errors=True)


def build_before_fork(
    root: Path,
    path: Path,
    saved: Path,
    *,
    journal: Path | None = None,
    memory_copy: int = 0,
    dump: Path | None = None,
) -> tuple[bool, int, int]:
    """Bring the on-disk store up to date in a child process: when it holds more than
    ``memory_copy`` quads, publish the snapshot the workers open, otherwise write it as
    N-Quads to ``dump`` (when given) for the master to copy to memory; return (rebuilt,
    quads, the last journal entry it holds)."""
    argv = [sys.executable, "-m", "scholargate.serve", "--build", str(root), str(path), str(saved)]
    argv += [str(journal or journal_beside(path)), str(memory_copy), str(dump or "")]
    result = subprocess.run(argv, capture_output=True, text=True, check=False)
    if result.returncode == 0 and result.stderr:
        # what the build warned about (a legacy saved-comparisons line skipped) goes to
        # the server's log
        sys.stderr.write(result.stderr)
        sys.stderr.flush()
    if result.returncode != 0:
        lines = result.stderr.strip().splitlines() or ["the build stopped with no message"]
        raise InputError(lines[-1])
    answer = json.loads(result.stdout.strip().splitlines()[-1])
    return bool(answer["rebuilt"]), int(answer["quads"]), int(answer["seq"])


def _build(argv: list[str]) -> int:
    root, path, saved, journal = (Path(a) for a in argv[:4])
    memory_copy = int(argv[4])
    dump = Path(argv[5]) if len(argv) > 5 and argv[5] else None
    settings = {"ROOT": root, "STORE": path, "SAVED": saved, "JOURNAL": journal}
    try:
        # under the journal's lock: no write of another server on this store meanwhile
        with Journal(journal).locked(_BUILD_LOCK_SECONDS):
            remove_stale(path)
            opened = open_configured(settings)
            try:
                quads = opened.store.count()
                snapshots = Snapshots(path)
                if copies_to_memory(quads, memory_copy):
                    snapshots.prune(keep=0)  # the workers read copies: none is needed
                    if dump is not None:
                        with dump.open("wb") as out:
                            opened.store.dump_nq(out)
                else:
                    snapshots.publish(opened.store, opened.seq, replace=True)
                    snapshots.prune(keep=1)  # no worker of this server reads any yet
            finally:
                opened.store.close()
    except ScholarGateError as error:
        print(error.message, file=sys.stderr)
        return 2
    rebuilt = opened.report is not None and opened.report.rebuilt
    print(json.dumps({"rebuilt": rebuilt, "quads": quads, "seq": opened.seq}))
    return 0


if __name__ == "__main__":  # pragma: no cover - the build step of `serve`
    if sys.argv[1:2] == ["--build"]:
        sys.exit(_build(sys.argv[2:]))
    serve(echo=lambda text: print(text, flush=True))
