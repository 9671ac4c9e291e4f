"""``/method/new`` and ``/{kind}/<slug>/edit``: a method, person or work in a form made
from the shapes.

GET shows the form (the method's values, or an empty one) to a signed-in curator, and
sends anyone else to sign in. POST reads what was typed (``services/editing``); with
``action=preview`` it shows the change as statements removed and added, with labels;
with ``action=save`` it writes the change through the store's one write path
(``Writer.write``, the same guard as ``/sparql`` and ``/store``) as the signed-in
curator, then goes to the method's page. A value that does not read, or a write the
guard refuses, shows the form again as typed, each message next to its field in the
page's language (422); a graph the curator's role may not change is a 403 on the form.
Every POST carries the form's CSRF token (``web/curators.py``).
"""

from __future__ import annotations

from collections.abc import Sequence

from flask import Blueprint, Response, redirect, request, url_for
from rdflib import URIRef

from ..errors import ForbiddenError, NotFoundError, WriteRefusedError
from ..formats import by_name
from ..i18n import t
from ..namespaces import BASE, LANGUAGES
from ..render.curating import ResourceForm
from ..services.editing.changes import revert_delta
from ..services.editing.fields import MAX_FORM_FIELDS, SHAPES_OF, FieldSpec, form_fields
from ..services.editing.statements import labels_of, show_delta
from ..services.editing.values import (
    Entry,
    current_entries,
    exists,
    form_delta,
    new_method_iri,
    read_form,
    typed_entries,
)
from ..terms import check_slug
from .changes import change_log
from .context import get_store, get_writer, request_lang
from .curators import current_curator, redirect_to_sign_in, safe_next
from .errors import error_response
from .respond import respond

bp = Blueprint("editing", __name__)


_KIND_RULE = "any(" + ", ".join(SHAPES_OF) + ")"


@bp.route("/method/new", methods=["GET", "POST"])
def new_method() -> Response:
    return _form("method", None)


@bp.route(f"/<{_KIND_RULE}:kind>/<slug>/edit", methods=["GET", "POST"])
def edit(kind: str, slug: str) -> Response:
    check_slug(kind, slug)
    return _form(kind, slug)


# a method's form posts one field per value (two for a name), well past MAX_PARAMS for a
# method such as convolution; each field's values are capped (MAX_VALUES) when read
new_method.max_form_fields = edit.max_form_fields = MAX_FORM_FIELDS  # type: ignore[attr-defined]


def _form(kind: str, slug: str | None) -> Response:
    lang = request_lang()
    holder = current_curator()
    if holder is None:
        return redirect_to_sign_in()
    store = get_store()
    fields = form_fields(store, kind)
    node = None if slug is None else URIRef(f"{BASE}{kind}/{slug}")
    if node is not None and not exists(store, node):
        raise NotFoundError(f"there is no {kind} {slug!r} to edit", kind=kind, slug=slug)
    page = _Page(fields, kind, slug, lang)
    if request.method == "GET":
        return page.render(current_entries(store, node, fields) if node else {})

    tr = _Texts(lang)
    entries = typed_entries(request.form.to_dict(flat=False), fields)
    had = None
    if node is not None:
        had = {key for key, rows in current_entries(store, node, fields).items() if rows}
    values, errors = read_form(store, fields, entries, tr, had=had)
    new = node is None
    if new and not errors:
        node = new_method_iri(store, values)
        if node is None:
            errors["prefLabel"] = [tr("curate.name_en_needed")]
        elif exists(store, node):
            errors["prefLabel"] = [tr("curate.exists", iri=str(node))]
    if errors:
        general = [t("curate.refused", lang)]
        return page.render(entries, errors=errors, general=general, status=422)
    assert node is not None
    target = node
    if request.form.get("action") != "save":
        delta = form_delta(store, target, fields, values, new=new)
        return page.render(entries, preview=show_delta(store, delta.removed, delta.added, lang))

    def step(written):  # noqa: ANN001, ANN202 - a Step: the store the write changes
        return form_delta(written, target, fields, values, new=new)

    local = str(target).rsplit("/", 1)[-1]
    what = f"{'add' if new else 'edit'} {kind} {local} (form)"
    try:
        get_writer().write([step], by=holder.name, role=holder.role, what=what, lang=lang)
    except WriteRefusedError as refused:
        errors, general = _refusal_messages(refused, target, fields, lang)
        return page.render(entries, errors=errors, general=general, status=422)
    except ForbiddenError as forbidden:
        graphs = ", ".join(forbidden.details.get("graphs") or []) or "?"
        message = t("curate.forbidden_graph", lang, role=t(f"curate.role.{holder.role}", lang))
        return page.render(entries, general=[message, graphs], status=403)
    return redirect(url_for("resources.page", kind=kind, slug=local, lang=lang), 303)


@bp.post("/-/changes/<int:seq>/revert")
def revert(seq: int) -> Response:
    """Take change ``seq`` back as a new write by the signed-in curator, then go back
    to ``next`` (the history it was asked from) or ``/changes``."""
    lang = request_lang()
    holder = current_curator()
    if holder is None:
        return redirect_to_sign_in()
    entry = change_log().entry(seq)

    def step(written):  # noqa: ANN001, ANN202 - a Step
        return revert_delta(written, entry)

    try:
        receipt = get_writer().write(
            [step], by=holder.name, role=holder.role, what=f"revert {seq}", lang=lang
        )
    except WriteRefusedError as refused:
        message = t("changes.revert_refused", lang) + " " + refused.message
        return error_response(422, refused.kind, message)
    if receipt.entry is None:
        return error_response(409, "conflict", t("changes.nothing_to_revert", lang, seq=seq))
    back = safe_next(request.form.get("next")) or url_for("changes.changes", lang=lang)
    return redirect(back, 303)


class _Texts:
    """The interface strings in one language, as ``services/editing`` asks for them."""

    def __init__(self, lang: str) -> None:
        self.lang = lang

    def __call__(self, key: str, **values: object) -> str:
        return t(key, self.lang, **values)


def _refusal_messages(
    refused: WriteRefusedError, method: URIRef, fields: Sequence[FieldSpec], lang: str
) -> tuple[dict[str, list[str]], list[str]]:
    """Each blocking result's message, by the field of its path (when it is about the
    method itself), else in the list above the form."""
    by_path = {f.path: f.key for f in fields}
    errors: dict[str, list[str]] = {}
    general: list[str] = []
    report = refused.report
    results = [r for r in report.ordered() if r.blocking] if report is not None else []
    for result in results:
        text = result.message_in(lang)
        key = by_path.get(result.path) if result.focus_node == method else None
        bucket = errors.setdefault(key, []) if key else general
        if text not in bucket:
            bucket.append(text)
    if not results:
        general.append(refused.message)
    if not general:
        general.append(t("curate.refused", lang))
    else:
        general.insert(0, t("curate.refused", lang))
    return errors, general


class _Page:
    """The form of one resource (or of a new method) in one language."""

    def __init__(self, fields: Sequence[FieldSpec], kind: str, slug: str | None, lang: str) -> None:
        self.fields, self.kind, self.slug, self.lang = fields, kind, slug, lang

    def render(
        self,
        entries: dict[str, list[Entry]],
        *,
        errors: dict[str, list[str]] | None = None,
        general: Sequence[str] = (),
        preview=None,  # noqa: ANN001 - a ShownDelta
        status: int = 200,
    ) -> Response:
        store, lang, slug = get_store(), self.lang, self.slug
        picks = [
            URIRef(f"{BASE}{f.kind}/{e.text}")
            for f in self.fields
            if f.widget == "pick" and f.kind
            for e in entries.get(f.key, [])
        ]
        labels = {str(k): v for k, v in labels_of(store, picks, lang).items()}
        name = None
        if slug is not None:
            iri = URIRef(f"{BASE}{self.kind}/{slug}")
            found = labels_of(store, [iri], lang).get(iri)
            name = str(found) if found is not None else slug
        action = (
            url_for("editing.edit", kind=self.kind, slug=slug, lang=lang)
            if slug
            else url_for("editing.new_method", lang=lang)
        )
        form = ResourceForm(
            fields=self.fields,
            entries=entries,
            action=action,
            slug=slug,
            name=name,
            pick_labels=labels,
            base=BASE,
            languages=LANGUAGES,
            errors=errors or {},
            general=list(general),
            preview=preview,
        )
        return respond(form, by_name("html"), status=status, lang=lang)
