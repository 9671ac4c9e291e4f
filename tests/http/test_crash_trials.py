"""Crash trials of the write path (issue 14): a real ``scholargate serve`` (two workers,
the store on disk, the journal beside it) takes a stream of writes from a few client
threads and is killed with SIGKILL — the master, its workers and their query processes
at once — then started again on the same store and journal; once with the workers
sharing the master's copy of the store in memory, once reading snapshots of it from
disk (where a write opens the store itself, with its undo log). After every restart:

* every write answered 200 (or 201) is there, asked of the store by ``ASK``;
* no write is there in part: each writes several triples, all or none are found, and a
  write answered with a refusal or an error is not there at all;
* the journal reads clean: every line whole, ``Journal.entries()`` one per line,
  numbered 1..n without a gap, and the triples it adds are exactly those the store has;
* the store opens as it was (``serve`` finds it up to date: nothing rebuilt), every
  worker starts at the journal's last entry, and the next write is numbered n + 1.

The kill comes at a random moment of the stream, or while a large write (thousands of
triples in one request) is in flight, or the instant that large write's journal line
lands whole (between the journal's ``write`` and the answer: the ``fsync``). Every
other round the next start is killed too, at a random moment before it answers (its
build replaying the journal into the store on disk, or the master copying it). Once,
the crash is made to leave a torn last line, as a writer killed inside ``write`` would.
The counts are constants (``ROUNDS``…, ``SEED``); the test prints what it saw.
"""

from __future__ import annotations

import http.client
import os
import random
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import pytest
from rdflib import Graph, Literal, URIRef

from scholargate.services.tokens import TokenBook
from scholargate.services.writes.journal import Journal

from .conftest import LiveServer, _children, serve_process, start_server, stop_server

pytestmark = pytest.mark.slow

ROUNDS = 8  # crashes of a running server per way of holding the store: ~2.5 minutes in all
STORES = {  # how serve's workers hold the store: MEMORY_COPY
    "memory-copy": "500000",  # the master's copy in memory, shared, written in place by each
    "disk": "0",  # snapshots read from disk; a write opens the store itself (undo log)
}
CLIENTS = 3  # writing threads, a new connection per write (both workers take them)
KILL_AFTER = (0.3, 2.0)  # seconds of writing before a random kill
BIG = 3000  # triples in the large write killed in flight
SEED = 14  # random.Random(SEED): the same kill times, modes and write mixes every run

SG = "https://w3id.org/scholargate/"
CONTRIBUTED = SG + "graph/contributed"
COMMENT = URIRef("http://www.w3.org/2000/01/rdf-schema#comment")
METHODS = ("lora", "bert-fine-tuning", "multi-head-self-attention")
NODES = [URIRef(SG + "method/" + m) for m in METHODS]
MODES = ("random", "in-flight", "at-append")


@dataclass
class Write:
    """One write a client sent: its label, its triples, and the answer (None: none came)."""

    label: str
    triples: list[tuple[URIRef, Literal]]
    how: str  # "update" (POST /sparql) or "store" (POST /store)
    status: int | None = None
    seq: int | None = None
    present: bool | None = None  # found (whole) after the restart
    seconds: float = 0.0  # until the answer

    @property
    def acked(self) -> bool:
        return self.status in (200, 201)


def make_write(label: str, count: int, how: str) -> Write:
    triples = [(NODES[i % len(NODES)], Literal(f"{label}#{i}", lang="en")) for i in range(count)]
    return Write(label, triples, how)


def send(server: LiveServer, token: str, write: Write, timeout: float = 60.0) -> None:
    lines = " .\n".join(f"{s.n3()} {COMMENT.n3()} {o.n3()}" for s, o in write.triples)
    headers = {"Authorization": f"Bearer {token}"}
    if write.how == "update":
        headers["Content-Type"] = "application/sparql-update"
        body, path = f"INSERT DATA {{\n{lines} }}".encode(), "/sparql"
    else:
        headers["Content-Type"] = "text/turtle"
        body, path = f"{lines} .\n".encode(), "/store?graph=" + quote(CONTRIBUTED)
    try:
        reply = server.request("POST", path, body=body, headers=headers, timeout=timeout)
    except (OSError, http.client.HTTPException):
        return  # the server died with the write in flight: either outcome is allowed
    write.status, write.seconds = reply.status, reply.seconds
    if write.acked:
        write.seq = reply.json()["seq"]


def tree(pid: int) -> list[int]:
    """``pid``'s descendants (workers, query processes)."""
    found, todo = [], [pid]
    while todo:
        children = _children(todo.pop())
        found += children
        todo += children
    return found


def alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat[stat.rfind(")") + 2 :].split()[0] != "Z"


def kill(process: subprocess.Popen) -> None:
    """SIGKILL a server's process group (the master and its workers, at once, or the
    build it runs first), then the query processes (each in a session of its own);
    wait until none is left."""
    pids = tree(process.pid)
    os.killpg(process.pid, signal.SIGKILL)
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    process.wait(timeout=30)
    deadline = time.monotonic() + 20
    while (left := [p for p in pids if alive(p)]) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not left, f"processes outlived SIGKILL: {left}"
    if process.stdout is not None:
        process.stdout.close()


def kill_server(server: LiveServer) -> None:
    kill(server.process)
    if server.reader is not None:
        server.reader.join(timeout=5)


@dataclass
class Totals:
    rounds: int = 0
    sent: int = 0
    acked: int = 0
    refused: dict[int, int] = field(default_factory=dict)  # status -> writes
    unanswered: int = 0
    unanswered_present: int = 0
    big: dict[str, list[Write]] = field(default_factory=dict)  # mode -> the large writes
    torn_tails: int = 0
    modes: dict[str, int] = field(default_factory=dict)
    starts_killed: list[bool] = field(default_factory=list)  # did its build record the journal?


class Trials:
    """One server folder (store, journal, tokens) started and killed again and again."""

    def __init__(self, folder: Path, project_root: Path, memory_copy: str) -> None:
        self.folder = folder
        self.root = project_root
        tokens = folder / "tokens.json"
        self.settings = {
            "WORKERS": "2",
            "QUERY_WORKERS": "1",
            "TOKENS": str(tokens),
            "MAX_BODY": str(4 << 20),
            "MEMORY_COPY": memory_copy,
        }
        self.token = TokenBook(tokens).add("crash-trials", "writer")
        self.journal = Journal(folder / "store.journal.jsonl")
        self.writes: list[Write] = []
        self.totals = Totals()
        self.big_seconds = 0.0
        self.start_seconds = 0.0

    def start(self, *, first: bool = False) -> LiveServer:
        started = time.monotonic()
        server = start_server(self.folder, self.settings, self.root, session=True)
        self.start_seconds = time.monotonic() - started
        opened = [line for line in server.output if line.startswith("Store ")]
        assert opened, server.output
        if not first:
            # the journal replayed over the store as it was: nothing rebuilt, no repair
            assert ": up to date," in opened[0], opened[0]
        return server

    def stream(
        self, server: LiveServer, number: int, rng: random.Random, stop: threading.Event
    ) -> None:
        """Client ``number``'s writes until ``stop``: 1, 3 or 5 triples, by update or
        by the Graph Store."""
        k = 0
        mix = random.Random(rng.random())
        while not stop.is_set():
            count = mix.choice((1, 3, 5))
            how = mix.choice(("update", "update", "store"))
            write = make_write(f"trial-{self.totals.rounds}-{number}-{k}", count, how)
            self.writes.append(write)
            send(server, self.token, write)
            k += 1
            if write.status is None:
                return

    def round(self, server: LiveServer, mode: str, rng: random.Random) -> None:
        stop = threading.Event()
        clients = [
            threading.Thread(target=self.stream, args=(server, n, rng, stop), daemon=True)
            for n in range(CLIENTS)
        ]
        for client in clients:
            client.start()
        time.sleep(rng.uniform(*KILL_AFTER))
        if mode == "random":
            kill_server(server)
        else:
            self.kill_in_big_write(server, mode, rng)
        stop.set()
        for client in clients:
            client.join(timeout=90)
            assert not client.is_alive()

    def kill_in_big_write(self, server: LiveServer, mode: str, rng: random.Random) -> None:
        """Send a large write and kill the server while it is in flight: at a random
        moment of the time one takes (``in-flight``), or the moment its journal line
        appears (``at-append``: after the journal's write, before the answer)."""
        big = make_write(f"trial-{self.totals.rounds}-big", BIG, "update")
        self.writes.append(big)
        size = self.journal.size()
        sender = threading.Thread(target=send, args=(server, self.token, big), daemon=True)
        sender.start()
        if mode == "in-flight":
            time.sleep(rng.uniform(0.05, 1.0) * self.big_seconds)
        else:
            deadline = time.monotonic() + 10 * self.big_seconds + 10
            marker = f"{big.label}#".encode()
            while sender.is_alive() and time.monotonic() < deadline:
                if self.journal.size() != size:
                    with self.journal.path.open("rb") as f:
                        f.seek(size)
                        new = f.read()
                    if marker in new and new.endswith(b"\n"):  # its line whole
                        break
                time.sleep(0.0002)
        kill_server(server)
        sender.join(timeout=60)
        self.totals.big.setdefault(mode, []).append(big)

    def kill_a_start(self, rng: random.Random) -> None:
        """Start the server and SIGKILL it at a random moment before it answers: while
        its build replays the journal into the store on disk, or while the workers
        copy the store."""
        marker = self.folder / "store.journal-seq"
        before = marker.read_text() if marker.exists() else ""
        process = serve_process(self.folder, self.settings, self.root, session=True)
        time.sleep(rng.uniform(0.2, 1.0) * self.start_seconds)
        kill(process)
        recorded = (marker.read_text() if marker.exists() else "") != before
        self.totals.starts_killed.append(recorded)

    def tear_tail(self) -> None:
        """Leave what a writer killed inside ``write`` leaves: the first part of a line."""
        last = self.journal.path.read_bytes().splitlines(keepends=True)[-1]
        seq = self.journal.entries()[-1].seq
        torn = last.replace(f'"seq":{seq},'.encode(), f'"seq":{seq + 1},'.encode())
        with self.journal.path.open("ab") as f:
            f.write(torn[: len(torn) // 2])

    def check_journal_after_crash(self) -> list:
        """Whole lines, then at most one torn line at the end; numbered 1..n."""
        data = self.journal.path.read_bytes()
        lines = data.splitlines(keepends=True)
        torn = 1 if lines and not lines[-1].endswith(b"\n") else 0
        self.totals.torn_tails += torn
        entries = self.journal.entries()
        assert len(entries) == len(lines) - torn
        assert [e.seq for e in entries] == list(range(1, len(entries) + 1))
        return entries

    def check_journal_clean(self) -> list:
        data = self.journal.path.read_bytes()
        lines = data.splitlines(keepends=True)
        assert all(line.endswith(b"\n") for line in lines), "a torn line was left"
        entries = self.journal.entries()
        assert len(entries) == len(lines), "a line the journal does not read"
        assert [e.seq for e in entries] == list(range(1, len(entries) + 1))
        return entries

    def check_store(self, server: LiveServer, entries: list) -> None:
        """Acked writes whole (ASK, on the store the build replayed the journal into),
        refused ones absent, unanswered ones whole or absent; the contributed graph
        holds exactly what the journal adds."""
        for write in (w for w in self.writes if w.acked and w.label.startswith(self.prefix)):
            asked = write.triples if len(write.triples) <= 5 else write.triples[:: BIG // 4]
            pattern = " . ".join(f"{s.n3()} {COMMENT.n3()} {o.n3()}" for s, o in asked)
            reply = server.query(f"ASK {{ {pattern} }}", method="POST")
            assert reply.status == 200, reply.text
            assert reply.json()["boolean"] is True, f"acknowledged write {write.label} is lost"
        found = self.trial_triples(server)
        journaled = {
            (q[0], q[2]) for e in entries for q in e.delta.added if str(q[2]).startswith("trial-")
        }
        assert found == journaled, "the store and the journal disagree"
        by_label: dict[str, set[tuple]] = {}
        for s, o in found:
            by_label.setdefault(str(o).rsplit("#", 1)[0], set()).add((s, o))
        for write in self.writes:
            present = by_label.get(write.label, set())
            assert present in (set(), set(write.triples)), (
                f"{write.label}: {len(present)} of {len(write.triples)} triples: a partial write"
            )
            if write.acked:
                assert present, f"acknowledged write {write.label} is lost"
            elif write.status is not None:
                assert not present, f"{write.label} was answered {write.status} but is there"

    def trial_triples(self, server: LiveServer) -> set[tuple]:
        reply = server.request(
            "GET",
            "/store?graph=" + quote(CONTRIBUTED),
            headers={"Accept": "application/n-triples"},
        )
        if reply.status == 404:
            return set()
        assert reply.status == 200, reply.text
        graph = Graph().parse(data=reply.body, format="nt")
        return {(s, o) for s, p, o in graph if p == COMMENT and str(o).startswith("trial-")}

    def check_workers(self, server: LiveServer, seq: int) -> None:
        """Both workers answer (the second may still be copying the store to memory),
        each at the journal's last entry."""
        seen: dict[int, int] = {}
        deadline = time.monotonic() + 60
        while len(seen) < 2 and time.monotonic() < deadline:
            health = server.request("GET", "/-/health").json()
            seen[health["worker"]] = health["journal"]
            time.sleep(0.02)
        assert len(seen) == 2 and set(seen.values()) == {seq}, seen

    @property
    def prefix(self) -> str:
        return f"trial-{self.totals.rounds}-"

    def tally(self, round_writes: list[Write], present: set[str]) -> None:
        for write in round_writes:
            self.totals.sent += 1
            if write.acked:
                self.totals.acked += 1
            elif write.status is not None:
                self.totals.refused[write.status] = self.totals.refused.get(write.status, 0) + 1
            else:
                self.totals.unanswered += 1
                self.totals.unanswered_present += write.label in present
            write.present = write.label in present


@pytest.fixture(params=list(STORES))
def trials(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    project_root: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[Trials]:
    # what a killed server cannot clean up (its client-slot folder, query processes'
    # stderr files) stays in the test's folder
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setenv("TMPDIR", str(scratch))
    yield Trials(tmp_path, project_root, STORES[request.param])


def test_writes_survive_sigkill_whole_or_not_at_all(trials: Trials) -> None:
    rng = random.Random(SEED)
    server = trials.start(first=True)
    try:
        # one large write undisturbed: how long one takes (the in-flight kills aim inside)
        big = make_write("trial-calibration-big", BIG, "update")
        started = time.monotonic()
        send(server, trials.token, big)
        trials.big_seconds = time.monotonic() - started
        assert big.acked, big.status
        trials.writes.append(big)
        for number in range(ROUNDS):
            trials.totals.rounds = number
            mode = MODES[number % len(MODES)]
            trials.totals.modes[mode] = trials.totals.modes.get(mode, 0) + 1
            before = len(trials.writes)
            trials.round(server, mode, rng)
            entries = trials.check_journal_after_crash()
            if number == 1:
                trials.tear_tail()
            if number % 2:
                trials.kill_a_start(rng)
            server = trials.start()
            trials.check_workers(server, len(entries))
            trials.check_store(server, entries)
            # the server writes again, numbered on from the last whole entry
            probe = make_write(f"trial-{number}-probe", 2, "update")
            send(server, trials.token, probe)
            trials.writes.append(probe)
            assert probe.acked and probe.seq == len(entries) + 1, (probe.status, probe.seq)
            entries = trials.check_journal_clean()
            trials.check_store(server, entries)
            present = {str(o).rsplit("#", 1)[0] for _, o in trials.trial_triples(server)}
            trials.tally(trials.writes[before:], present)
            answered = sorted(w.seconds for w in trials.writes[before:] if w.acked)
            print(
                f"round {number + 1}/{ROUNDS} ({mode}): {len(trials.writes) - before} writes, "
                f"p50 {answered[len(answered) // 2] * 1000:.0f} ms; journal at {len(entries)}"
            )
    finally:
        leftovers = stop_server(server)
    assert not leftovers
    totals = trials.totals
    totals.rounds = ROUNDS
    big = {
        mode: f"{sum(bool(w.present) for w in writes)} whole, "
        f"{sum(not w.present for w in writes)} absent"
        for mode, writes in totals.big.items()
    }
    print(
        f"crash trials (MEMORY_COPY={trials.settings['MEMORY_COPY']}): {totals.rounds} "
        f"SIGKILLs of a serving server {totals.modes}; "
        f"{totals.sent} writes sent, {totals.acked} acknowledged (all found whole), "
        f"refused {totals.refused or 'none'} (none found), {totals.unanswered} unanswered "
        f"({totals.unanswered_present} found whole, the rest absent); large writes "
        f"({BIG} triples) killed in flight: {big}; torn journal tails after a crash: "
        f"{totals.torn_tails} (+1 made); {len(totals.starts_killed)} starts killed "
        f"({sum(totals.starts_killed)} after the build had replayed the journal); one "
        f"large write took {trials.big_seconds:.2f} s, a start {trials.start_seconds:.1f} s"
    )
    assert totals.acked > ROUNDS * 5
    assert totals.unanswered >= ROUNDS  # every kill caught writes in flight
    # the kill at the append lands after the large write's line is written
    assert all(w.present for w in totals.big.get("at-append", []))
