"""The peer of ``bench/run.py --peer oxigraph``: the Oxigraph server (PyPI ``oxigraph``,
``oxigraph serve-read-only``) on the very store the benchmark built, with the default
graph the union of all graphs as ScholarGate's ``/sparql`` has it. Each line is run
against ScholarGate and then the peer, one after the other, and the table gives
ScholarGate's req/s ÷ the peer's (``0.87×``: ScholarGate answers 87 % as many), its p99
÷ the peer's, the CPU per request of each (all of a server's processes), and the memory
(PSS summed over each server's processes, the peak while the benchmark ran).
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import load

PEERS = ("oxigraph",)
READY_PATH = "/query?" + urlencode({"query": "ASK {}"})


def peer_command(kind: str, store: Path, port: int) -> tuple[str, list[str]]:
    """The command that serves ``store`` read-only on ``port`` with the ``kind`` server."""
    if kind != "oxigraph":
        raise SystemExit(f"unknown peer {kind!r}; known: {', '.join(PEERS)}")
    beside = Path(sys.executable).parent / "oxigraph"
    program = str(beside) if beside.exists() else shutil.which("oxigraph")
    if program is None:
        raise SystemExit("--peer oxigraph needs the Oxigraph server: pip install oxigraph")
    command = [program, "serve-read-only", "--location", str(store)]
    command += ["--bind", f"127.0.0.1:{port}", "--union-default-graph"]
    return "oxigraph serve-read-only", command


def sparql_request(query: str, accept: str, *, method: str = "POST") -> load.Request:
    """The request ``load.sparql_request`` makes, to the peer's endpoint (``/query``)."""
    if method == "GET":
        return load.Request("GET", "/query?" + urlencode({"query": query}), (("Accept", accept),))
    return load.Request(
        "POST",
        "/query",
        (("Accept", accept), ("Content-Type", "application/sparql-query; charset=utf-8")),
        query.encode("utf-8"),
    )


def ratio(ours: float, theirs: float) -> str:
    return f"{ours / theirs:.2f}×" if theirs else "-"


def side_by_side(rows: list[Any], ours_mb: float, peer_mb: float, peer_kind: str) -> str:
    """The table of ScholarGate against the peer, one line per query line."""
    from run import fmt_ms, table

    body = []
    for row in rows:
        peer = getattr(row, "peer", None)
        if peer is None:
            continue
        a, b = row.result, peer.result
        ok = bool(a.latencies) and bool(b.latencies)
        body.append(
            [
                row.name,
                f"{a.rate:,.0f}",
                f"{b.rate:,.0f}",
                ratio(a.rate, b.rate) if ok else "-",
                fmt_ms(a.percentile(99)) if a.latencies else "-",
                fmt_ms(b.percentile(99)) if b.latencies else "-",
                ratio(a.percentile(99), b.percentile(99)) if ok else "-",
                "-" if row.server_cpu is None else f"{row.server_cpu * 1000:.2f}",
                "-" if peer.server_cpu is None else f"{peer.server_cpu * 1000:.2f}",
                f"{a.errors}/{b.errors}",
            ]
        )
    if not body:
        return ""
    headers = ["side by side", "req/s", "peer req/s", "ratio", "p99 ms", "peer p99 ms"]
    headers += ["p99 ratio", "CPU ms", "peer CPU ms", "errors"]
    text = (
        f"\nScholarGate against {peer_kind} on the same store, each line run on one and "
        "then the other (ratio: ScholarGate's req/s ÷ the peer's, above 1× is ScholarGate "
        "ahead; p99 ratio: ScholarGate's p99 ÷ the peer's, below 1× is ScholarGate ahead; "
        "CPU: per request, all of a server's processes)\n"
    )
    text += table(headers, body) + "\n"
    text += (
        f"memory (peak PSS summed over each server's processes): ScholarGate {ours_mb:.0f} MB, "
        f"{peer_kind} {peer_mb:.0f} MB ({ours_mb / peer_mb:.1f}× the peer's)\n"
        if peer_mb
        else ""
    )
    return text
