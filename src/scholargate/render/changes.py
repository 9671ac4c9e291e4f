"""The change journal as an Atom feed (RFC 4287): ``/changes.atom``.

One ``<entry>`` per journal entry, newest first: its number, summary, author (the token's
name), time, and a text summary of the statements removed and added per graph.
"""

from __future__ import annotations

from collections.abc import Sequence
from xml.etree import ElementTree as ET

from ..i18n import t
from ..services.writes.journal import Entry

ATOM = "http://www.w3.org/2005/Atom"


def atom_feed(
    entries: Sequence[Entry], *, title: str, self_url: str, page_url: str, lang: str
) -> bytes:
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed", {"{http://www.w3.org/XML/1998/namespace}lang": lang})
    _text(feed, "title", title)
    _text(feed, "id", self_url)
    ET.SubElement(feed, f"{{{ATOM}}}link", rel="self", href=self_url)
    ET.SubElement(feed, f"{{{ATOM}}}link", rel="alternate", type="text/html", href=page_url)
    _text(feed, "updated", entries[0].at if entries else "1970-01-01T00:00:00Z")
    author = ET.SubElement(feed, f"{{{ATOM}}}author")
    _text(author, "name", "ScholarGate")
    for entry in entries:
        item = ET.SubElement(feed, f"{{{ATOM}}}entry")
        _text(item, "id", f"{page_url}#change-{entry.seq}")
        _text(item, "title", f"{entry.seq}: {entry.what}")
        _text(item, "updated", entry.at)
        who = ET.SubElement(item, f"{{{ATOM}}}author")
        _text(who, "name", entry.by)
        ET.SubElement(
            item,
            f"{{{ATOM}}}link",
            rel="alternate",
            type="text/html",
            href=f"{page_url}#change-{entry.seq}",
        )
        summary = (
            t(
                "changes.counts",
                lang,
                removed=len(entry.delta.removed),
                added=len(entry.delta.added),
            )
            + " "
            + ", ".join(entry.graphs)
        )
        _text(item, "summary", summary)
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)


def _text(parent: ET.Element, name: str, text: str) -> ET.Element:
    element = ET.SubElement(parent, f"{{{ATOM}}}{name}")
    element.text = text
    return element
