"""Inline SVG drawn on the server: a method's neighbourhood and the timeline of methods.

No JavaScript and no drawing library: the layout is a few lines of arithmetic, so the
pictures are the same in every browser, readable without scripts, and testable as text.
Every node and bar is a link with a ``<title>``; labels carry their language, and Persian
labels run right to left inside a left-to-right drawing.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from html import escape

from ..i18n import RTL, number, t
from ..services.resources import Neighbourhood

# fmt: off
EDGE_STYLES = {
    # kind: (stroke colour, dash pattern, width)
    "related": ("#8a94a6", "5 4", 1.4),
    "buildsOn": ("#1f5fbf", "", 1.8),
}
# fmt: on
MAX_LABEL = 24  # characters of a node label before it is cut (the title keeps it whole)


def _attr(value: object) -> str:
    return escape(str(value), quote=True)


def _short(text: str, limit: int = MAX_LABEL) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _text_direction(lang: str) -> str:
    return "rtl" if lang in RTL else "ltr"


def neighbourhood_svg(
    hood: Neighbourhood,
    *,
    lang: str,
    href: Callable[[str], str],
    width: int = 720,
    height: int = 440,
) -> str:
    """The method in the middle, its neighbours on an ellipse around it, edges styled by
    kind (``related`` dashed, ``buildsOn`` an arrow towards the method built on).

    ``href(slug)`` gives each node's link. In right-to-left pages the ring runs
    counter-clockwise, so it reads in the page's direction from the top.
    """
    cx, cy = width / 2, (height - 40) / 2 + 6
    rx, ry = width / 2 - 95, (height - 40) / 2 - 34
    n = len(hood.nodes)
    mirror = -1 if lang in RTL else 1
    positions: dict[str, tuple[float, float]] = {hood.centre.iri: (cx, cy)}
    for i, node in enumerate(hood.nodes):
        angle = -math.pi / 2 + mirror * 2 * math.pi * i / max(n, 1)
        scale = 0.62 if n > 12 and i % 2 else 1.0  # a second, inner ring when crowded
        positions[node.iri] = (cx + rx * scale * math.cos(angle), cy + ry * scale * math.sin(angle))

    title_id = f"hood-{hood.centre.slug}-title"
    parts = [
        f'<svg class="neighbourhood" xmlns="http://www.w3.org/2000/svg" role="img" '
        f'viewBox="0 0 {width} {height}" width="100%" direction="ltr" '
        f'aria-labelledby="{_attr(title_id)}" data-nodes="{n + 1}">',
        f'<title id="{_attr(title_id)}">'
        f"{escape(t('resource.neighbourhood_caption', lang, name=hood.centre.label))}</title>",
        "<defs>",
        *(
            f'<marker id="arrow-{kind}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
            f'markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" '
            f'fill="{colour}"/></marker>'
            for kind, (colour, _, _) in EDGE_STYLES.items()
        ),
        "</defs>",
        '<g class="edges">',
    ]
    labels = {hood.centre.iri: hood.centre.label, **{x.iri: x.label for x in hood.nodes}}
    for edge in hood.edges:
        if edge.source not in positions or edge.target not in positions:
            continue
        (x1, y1), (x2, y2) = positions[edge.source], positions[edge.target]
        length = math.hypot(x2 - x1, y2 - y1) or 1
        r1 = 13 if edge.source == hood.centre.iri else 8
        r2 = 15 if edge.target == hood.centre.iri else 10
        x1, y1 = x1 + (x2 - x1) * r1 / length, y1 + (y2 - y1) * r1 / length
        x2, y2 = x2 - (x2 - x1) * r2 / length, y2 - (y2 - y1) * r2 / length
        colour, dash, stroke = EDGE_STYLES[edge.kind]
        spoke = hood.centre.iri in (edge.source, edge.target)
        key = "resource.edge_builds_on" if edge.kind == "buildsOn" else "resource.edge_related"
        caption = t(key, lang, a=labels[edge.source], b=labels[edge.target])
        marker = f' marker-end="url(#arrow-{edge.kind})"' if edge.kind == "buildsOn" else ""
        if edge.kind == "related":
            # a gentle curve, so a related link never hides a builds-on arrow between
            # the same two methods
            bend = min(0.15 * length, 28)
            mx = (x1 + x2) / 2 - (y2 - y1) / length * bend
            my = (y1 + y2) / 2 + (x2 - x1) / length * bend
            shape = f'path d="M{x1:.1f},{y1:.1f} Q{mx:.1f},{my:.1f} {x2:.1f},{y2:.1f}" fill="none"'
        else:
            shape = f'line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}"'
        element = shape.split(" ", 1)[0]
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        parts.append(
            f'<{shape} class="edge edge-{edge.kind}{"" if spoke else " edge-between"}" '
            f'data-kind="{edge.kind}" stroke="{colour}" '
            f'stroke-width="{stroke if spoke else stroke * 0.7:.1f}"{dash_attr} '
            f'opacity="{1 if spoke else 0.55}"{marker}><title>{escape(caption)}</title>'
            f"</{element}>"
        )
    parts.append("</g>")
    parts.append('<g class="nodes">')
    for node, role in [(hood.centre, "centre"), *((x, "neighbour") for x in hood.nodes)]:
        x, y = positions[node.iri]
        radius = 11 if role == "centre" else 7
        below = y >= cy - 1 or role == "centre"
        ty = y + radius + 15 if below else y - radius - 7
        lang_attr = f' lang="{_attr(node.lang)}"' if node.lang else ""
        parts.append(
            f'<a class="node node-{role}" href="{_attr(href(node.slug))}" '
            f'data-slug="{_attr(node.slug)}">'
            f"<title{lang_attr}>{escape(node.label)}</title>"
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{radius}"/>'
            f'<text x="{x:.1f}" y="{ty:.1f}" text-anchor="middle"{lang_attr} '
            f'direction="{_text_direction(node.lang)}">{escape(_short(node.label))}</text></a>'
        )
    parts.append("</g>")
    # legend, at the bottom, starting from the page's reading side
    legend = [
        ("related", t("resource.legend_related", lang)),
        ("buildsOn", t("resource.legend_builds_on", lang)),
    ]
    ly = height - 14
    lx = 16 if mirror == 1 else width - 16
    parts.append(f'<g class="legend" direction="{_text_direction(lang)}">')
    for kind, text in legend:
        colour, dash, stroke = EDGE_STYLES[kind]
        x1, x2 = (lx, lx + 34 * mirror)
        marker = f' marker-end="url(#arrow-{kind})"' if kind == "buildsOn" else ""
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        parts.append(
            f'<line x1="{min(x1, x2)}" y1="{ly - 4}" x2="{max(x1, x2)}" y2="{ly - 4}" '
            f'stroke="{colour}" stroke-width="{stroke}"{dash_attr}{marker}/>'
            f'<text x="{x2 + 6 * mirror}" y="{ly}" text-anchor="start" lang="{_attr(lang)}">'
            f"{escape(text)}</text>"
        )
        lx = x2 + mirror * (14 + 7.2 * len(text) + 24)
    parts.append("</g></svg>")
    return "".join(parts)


def _nice(value: int) -> int:
    """The smallest 1, 2 or 5 × 10^k at or above ``value`` (an axis maximum)."""
    if value <= 1:
        return 1
    power = 10 ** int(math.floor(math.log10(value)))
    for step in (1, 2, 5, 10):
        if step * power >= value:
            return step * power
    return 10 * power


def timeline_svg(
    years: list[tuple[int, int]],
    *,
    lang: str,
    href: Callable[[int], str],
    undated: int = 0,
    width: int = 760,
    height: int = 240,
) -> str:
    """Methods per year as bars, one per year from the first to the last, with axes.

    Every bar is a link (``href(year)``) with a ``<title>`` saying the year and count; the
    plot has a title and a description for screen readers. Time runs left to right in
    every language, as in Persian and Turkish print.
    """
    title = t("browse.timeline", lang)
    if not years:
        return (
            f'<svg class="timeline" xmlns="http://www.w3.org/2000/svg" role="img" '
            f'viewBox="0 0 {width} 40" width="100%"><title>{escape(title)}</title>'
            f'<text x="{width / 2}" y="24" text-anchor="middle" lang="{_attr(lang)}">'
            f"{escape(t('browse.none', lang))}</text></svg>"
        )
    left, right, top, bottom = 46, 12, 14, 40
    plot_w, plot_h = width - left - right, height - top - bottom
    first, last = years[0][0], years[-1][0]
    counts = dict(years)
    span = last - first + 1
    top_count = _nice(max(counts.values()))
    bar = plot_w / span
    total = sum(counts.values())
    desc = t("browse.timeline_desc", lang, first=first, last=last, n=total, undated=undated)
    parts = [
        f'<svg class="timeline" xmlns="http://www.w3.org/2000/svg" role="img" '
        f'viewBox="0 0 {width} {height}" width="100%" direction="ltr" '
        f'aria-labelledby="timeline-title timeline-desc" data-years="{len(counts)}">',
        f'<title id="timeline-title">{escape(title)}</title>',
        f'<desc id="timeline-desc">{escape(desc)}</desc>',
        '<g class="axis y">',
    ]
    for tick in (0, top_count // 2, top_count) if top_count > 1 else (0, 1):
        y = top + plot_h - plot_h * tick / top_count
        parts.append(
            f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" '
            f'stroke="#d9dee7" stroke-width="1"/>'
            f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">{number(tick, lang)}</text>'
        )
    parts.append(
        f'<text class="axis-title" transform="translate(12 {top + plot_h / 2:.0f}) rotate(-90)" '
        f'text-anchor="middle" lang="{_attr(lang)}">{escape(t("browse.axis_count", lang))}</text>'
    )
    parts.append("</g>")
    step = next(s for s in (1, 2, 5, 10, 20, 25, 50, 100) if span / s <= 16)
    parts.append('<g class="axis x">')
    for year in range(first, last + 1):
        if year % step == 0 or (year == first and span <= 16):
            x = left + (year - first + 0.5) * bar
            parts.append(
                f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{top + plot_h}" y2="{top + plot_h + 4}" '
                f'stroke="#5b6473"/><text x="{x:.1f}" y="{top + plot_h + 17}" '
                f'text-anchor="middle">{number(year, lang, grouped=False)}</text>'
            )
    parts.append(
        f'<text class="axis-title" x="{left + plot_w / 2:.0f}" y="{height - 4}" '
        f'text-anchor="middle" lang="{_attr(lang)}">{escape(t("browse.axis_year", lang))}</text>'
    )
    parts.append("</g>")
    parts.append('<g class="bars">')
    for year, count in sorted(counts.items()):
        h = plot_h * count / top_count
        x = left + (year - first) * bar + bar * 0.1
        caption = t("browse.timeline_bar", lang, year=year, n=count)
        parts.append(
            f'<a href="{_attr(href(year))}" data-year="{year}" data-count="{count}">'
            f'<rect x="{x:.2f}" y="{top + plot_h - h:.2f}" width="{max(bar * 0.8, 1):.2f}" '
            f'height="{max(h, 0.5):.2f}"><title>{escape(caption)}</title></rect></a>'
        )
    parts.append(
        f'</g><line x1="{left}" x2="{width - right}" y1="{top + plot_h}" y2="{top + plot_h}" '
        'stroke="#5b6473"/></svg>'
    )
    return "".join(parts)
