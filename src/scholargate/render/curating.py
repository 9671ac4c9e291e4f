"""The curators' pages (sign in, the form of a resource, its changes) as HTML, and the
change journal as an Atom feed (RFC 4287, ``/changes.atom``).

Context a view gives: ``lang`` (the page language).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from xml.etree import ElementTree as ET

from flask import render_template

from ..formats import Format
from ..i18n import t
from ..services.editing.fields import FieldSpec
from ..services.editing.statements import ShownDelta
from ..services.editing.values import Entry as FormEntry
from ..services.tokens import Holder
from ..services.writes.journal import Entry
from .registry import Rendered, renderer

ATOM = "http://www.w3.org/2005/Atom"


@dataclass(frozen=True)
class SignInPage:
    error: str | None
    back: str | None  # where to go once signed in
    signed_in: Holder | None


@dataclass(frozen=True)
class ResourceForm:
    """A method's, person's or work's form, as typed or as the store has it."""

    fields: Sequence[FieldSpec]
    entries: Mapping[str, list[FormEntry]]
    action: str  # the URL the form posts to
    slug: str | None  # None: a new method
    name: str | None  # what the resource is called, in the page's language
    pick_labels: Mapping[str, Any]  # a pick's IRI → its label
    base: str
    languages: Sequence[str]
    errors: Mapping[str, list[str]] = field(default_factory=dict)  # by field key
    general: Sequence[str] = ()  # above the form
    preview: ShownDelta | None = None


@dataclass(frozen=True)
class ChangesPage:
    """Changes, newest first, each with its statements: ``/changes`` or a History."""

    title: str
    changes: Sequence[tuple[Entry, ShownDelta]]
    older: int | None  # the number to ask ``before=`` for the next page
    resource: tuple[str, str] | None  # (kind, slug) of a History
    curator: Holder | None  # who may revert
    here: str  # this page's path, to come back to after a revert


@dataclass(frozen=True)
class ChangesFeed:
    entries: Sequence[Entry]
    title: str
    self_url: str
    page_url: str


@renderer(SignInPage, "html")
def sign_in_page(result: SignInPage, fmt: Format, context: Mapping[str, Any]) -> Rendered:
    html = render_template(
        "sign_in.html",
        lang=context["lang"],
        error=result.error,
        back=result.back,
        signed_in=result.signed_in,
    )
    return Rendered(html, vary=())


@renderer(ResourceForm, "html")
def resource_form(result: ResourceForm, fmt: Format, context: Mapping[str, Any]) -> Rendered:
    html = render_template(
        "resource_form.html",
        lang=context["lang"],
        fields=result.fields,
        entries=result.entries,
        errors=result.errors,
        general=list(result.general),
        preview=result.preview,
        action=result.action,
        slug=result.slug,
        name=result.name,
        base=result.base,
        pick_labels=result.pick_labels,
        languages=result.languages,
    )
    return Rendered(html, vary=())


@renderer(ChangesPage, "html")
def changes_page(result: ChangesPage, fmt: Format, context: Mapping[str, Any]) -> Rendered:
    html = render_template(
        "changes.html",
        lang=context["lang"],
        title=result.title,
        changes=result.changes,
        older=result.older,
        resource=result.resource,
        curator=result.curator,
        here=result.here,
    )
    return Rendered(html, vary=("Accept-Language",))


@renderer(ChangesFeed, "atom")
def atom_feed(result: ChangesFeed, fmt: Format, context: Mapping[str, Any]) -> Rendered:
    """One ``<entry>`` per journal entry, newest first: its number and summary, author
    (the token's name), time, and the count of statements removed and added per graph."""
    lang = context["lang"]
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed", {"{http://www.w3.org/XML/1998/namespace}lang": lang})
    _text(feed, "title", result.title)
    _text(feed, "id", result.self_url)
    ET.SubElement(feed, f"{{{ATOM}}}link", rel="self", href=result.self_url)
    ET.SubElement(feed, f"{{{ATOM}}}link", rel="alternate", type="text/html", href=result.page_url)
    entries = result.entries
    _text(feed, "updated", entries[0].at if entries else "1970-01-01T00:00:00Z")
    author = ET.SubElement(feed, f"{{{ATOM}}}author")
    _text(author, "name", "ScholarGate")
    for entry in entries:
        item = ET.SubElement(feed, f"{{{ATOM}}}entry")
        _text(item, "id", f"{result.page_url}#change-{entry.seq}")
        _text(item, "title", f"{entry.seq}: {entry.what}")
        _text(item, "updated", entry.at)
        who = ET.SubElement(item, f"{{{ATOM}}}author")
        _text(who, "name", entry.by)
        ET.SubElement(
            item,
            f"{{{ATOM}}}link",
            rel="alternate",
            type="text/html",
            href=f"{result.page_url}#change-{entry.seq}",
        )
        counts = t(
            "changes.counts", lang, removed=len(entry.delta.removed), added=len(entry.delta.added)
        )
        _text(item, "summary", counts + " " + ", ".join(entry.graphs))
    return Rendered(ET.tostring(feed, encoding="utf-8", xml_declaration=True), vary=())


def _text(parent: ET.Element, name: str, text: str) -> ET.Element:
    element = ET.SubElement(parent, f"{{{ATOM}}}{name}")
    element.text = text
    return element
