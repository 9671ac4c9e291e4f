"""The curators' pages on the bundled graph, in-process (issue 15): ``/changes`` and a
History with N journal entries, the Atom feed, a method's form and its preview.

Beside them, the labels of a page's changes read per change (``show_delta`` once per
entry, the first version of the pages) against once for the page (``show_deltas``), in
the same process, with the ratio.

    .venv/bin/python bench/changes_pages.py --entries 50 --repeat 20
"""

from __future__ import annotations

import argparse
import atexit
import html
import re
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from rdflib import Literal
from rdflib.namespace import RDFS

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from scholargate.namespaces import CURATED_GRAPH, METHOD  # noqa: E402
from scholargate.services.editing.statements import show_delta, show_deltas  # noqa: E402
from scholargate.services.tokens import TokenBook  # noqa: E402
from scholargate.services.writes.delta import effective  # noqa: E402
from scholargate.web.app import create_app  # noqa: E402
from scholargate.web.context import get_store, get_writer  # noqa: E402


def timed(repeat: int, action) -> tuple[float, float]:  # noqa: ANN001
    action()  # warm
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), max(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entries", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench-changes-"))
    atexit.register(shutil.rmtree, folder, True)  # the token file, the journal, the key
    app = create_app(
        {
            "MEMORY": True,
            "ROOT": ROOT,
            "SAVED": folder / "c.nt",
            "JOURNAL": folder / "j.jsonl",
            "TOKENS": folder / "t.json",
        }
    )
    token = TokenBook(folder / "t.json").add("bench", "writer")
    with app.app_context():
        writer, store = get_writer(), get_store()
        for i in range(args.entries):
            quad = (METHOD["lora"], RDFS.comment, Literal(f"note {i}", lang="en"), CURATED_GRAPH)
            writer.write(
                [lambda s, q=quad: effective(s, [], [q])], by="bench", role="writer", what="note"
            )
        entries, _ = writer.journal.read(0)
        pairs = [(e.delta.removed, e.delta.added) for e in entries]
        per_entry = timed(args.repeat, lambda: [show_delta(store, r, a, "fa") for r, a in pairs])
        at_once = timed(args.repeat, lambda: show_deltas(store, pairs, "fa"))
    client = app.test_client()
    page = client.get("/-/sign-in")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    client.post("/-/sign-in", data={"token": token, "csrf_token": csrf})
    form_page = client.get("/method/lora/edit?lang=fa").text
    fresh = re.search(r'name="csrf_token" value="([^"]+)"', form_page).group(1)  # signed in anew
    fields: dict[str, list[str]] = {"csrf_token": [fresh], "action": ["preview"]}
    for name, value in re.findall(r'<input[^>]*name="(f-[^"]+)"[^>]*value="([^"]*)"', form_page):
        fields.setdefault(name, []).append(value)
    for name, body in re.findall(
        r'<select[^>]*name="(f-[^"]+)"[^>]*>(.*?)</select>', form_page, re.S
    ):
        fields.setdefault(name, []).append(re.search(r'value="([^"]*)" selected', body).group(1))
    for name, text in re.findall(
        r'<textarea[^>]*name="(f-[^"]+)"[^>]*>(.*?)</textarea>', form_page, re.S
    ):
        fields.setdefault(name, []).append(html.unescape(text))
    fields = {k: [html.unescape(v) for v in vs] for k, vs in fields.items()}
    answer = client.post("/method/lora/edit?lang=fa", data=fields)
    assert answer.status_code == 200 and "preview" in answer.text, answer.status_code

    def get(path: str):  # noqa: ANN202
        return lambda: client.get(path)

    rows = [
        (f"GET /changes ({args.entries} entries)", timed(args.repeat, get("/changes?lang=fa"))),
        ("GET /method/lora/history", timed(args.repeat, get("/method/lora/history?lang=fa"))),
        ("GET /changes.atom", timed(args.repeat, get("/changes.atom"))),
        ("GET /method/lora/edit", timed(args.repeat, get("/method/lora/edit?lang=fa"))),
        (
            "POST /method/lora/edit (preview)",
            timed(args.repeat, lambda: client.post("/method/lora/edit?lang=fa", data=fields)),
        ),
        ("labels per change (baseline)", per_entry),
        ("labels once per page", at_once),
    ]
    print(f"{'what':42} {'p50 ms':>9} {'max ms':>9}")
    for name, (p50, worst) in rows:
        print(f"{name:42} {p50:9.1f} {worst:9.1f}")
    print(f"labels: once per page is {per_entry[0] / at_once[0]:.1f}x faster than per change")


if __name__ == "__main__":
    main()
