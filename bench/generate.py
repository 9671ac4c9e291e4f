"""Generate a synthetic scholarly graph shaped like ScholarGate's data, as N-Quads.

    python bench/generate.py --methods 10000 --out bench/data/synth-10k.nq

Every method is written the way docs/modelling.md writes one: a ``sg:Method`` in
``sgs:methods`` with ``skos:prefLabel`` in en (always), fa and tr (mostly); aliases as
plain ``skos:altLabel`` literals *and* SKOS-XL ``sg:Alias`` resources (kind, source); a
``sg:summary`` in en and fa; ``sg:yearIntroduced`` (``xsd:gYear``); originators
(``foaf:Person`` with name, given and family name); one or two foundational works (title,
year, venue, ``bibo:authorList`` in order, ``dcterms:creator``, an arXiv id or a DOI or a
URL); field, family and type concepts in their schemes, labelled in en/fa/tr;
``skos:related`` stated in both directions (as the build closes it) and ``sg:buildsOn``
only onto methods of an earlier year, so the graph is acyclic.

The names are made up from small word lists and numbered; identifiers are visibly
synthetic (DOIs under the ``10.5555`` test prefix, arXiv numbers from 90000 up), so
nothing here can be mistaken for a real record. The output depends only on
``--methods`` and ``--seed``. A JSON sidecar (``<out>.json``) names the methods, alias
and path the benchmark queries use.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

BASE = "https://w3id.org/scholargate/"
GRAPH_IRI = BASE + "graph/synthetic"

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
XSD = "http://www.w3.org/2001/XMLSchema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
SKOSXL = "http://www.w3.org/2008/05/skos-xl#"
SG = BASE + "ontology#"
DCT = "http://purl.org/dc/terms/"
FOAF = "http://xmlns.com/foaf/0.1/"
FABIO = "http://purl.org/spar/fabio/"
BIBO = "http://purl.org/ontology/bibo/"
SCHEMA = "https://schema.org/"

# ---- vocabulary for names: (en, fa, tr) -------------------------------------------------

ADJECTIVES = [
    ("Sparse", "تنک", "Seyrek"),
    ("Deep", "عمیق", "Derin"),
    ("Residual", "باقی‌مانده", "Artık"),
    ("Recurrent", "بازگشتی", "Yinelemeli"),
    ("Convolutional", "پیچشی", "Evrişimli"),
    ("Gated", "دروازه‌دار", "Kapılı"),
    ("Stochastic", "تصادفی", "Stokastik"),
    ("Variational", "وردشی", "Varyasyonel"),
    ("Contrastive", "تقابلی", "Karşıtsal"),
    ("Adaptive", "تطبیقی", "Uyarlanabilir"),
    ("Hierarchical", "سلسله‌مراتبی", "Hiyerarşik"),
    ("Bayesian", "بیزی", "Bayesçi"),
    ("Multi-head", "چندسری", "Çok başlı"),
    ("Self-supervised", "خودنظارتی", "Öz denetimli"),
    ("Low-rank", "کم‌رتبه", "Düşük kerteli"),
    ("Graph", "گرافی", "Çizge"),
    ("Dilated", "متسع", "Genişletilmiş"),
    ("Normalized", "نرمال‌شده", "Normalleştirilmiş"),
    ("Quantized", "کوانتیده", "Nicemlenmiş"),
    ("Distilled", "تقطیرشده", "Damıtılmış"),
    ("Masked", "نقاب‌دار", "Maskeli"),
    ("Causal", "علّی", "Nedensel"),
    ("Dense", "چگال", "Yoğun"),
    ("Linear", "خطی", "Doğrusal"),
]

NOUNS = [
    ("Attention", "توجه", "Dikkat"),
    ("Network", "شبکه", "Ağ"),
    ("Autoencoder", "خودرمزگذار", "Otokodlayıcı"),
    ("Transformer", "ترنسفورمر", "Dönüştürücü"),
    ("Embedding", "جاسازی", "Gömme"),
    ("Pooling", "ادغام", "Havuzlama"),
    ("Regularization", "تنظیم‌گری", "Düzenlileştirme"),
    ("Optimizer", "بهینه‌ساز", "Eniyileyici"),
    ("Normalization", "نرمال‌سازی", "Normalleştirme"),
    ("Sampling", "نمونه‌برداری", "Örnekleme"),
    ("Decoder", "رمزگشا", "Kod çözücü"),
    ("Encoder", "رمزگذار", "Kodlayıcı"),
    ("Clustering", "خوشه‌بندی", "Kümeleme"),
    ("Fine-tuning", "تنظیم دقیق", "İnce ayar"),
    ("Policy Gradient", "گرادیان سیاست", "Politika gradyanı"),
    ("Dropout", "دورریزی", "Seyreltme"),
    ("Activation", "فعال‌سازی", "Etkinleştirme"),
    ("Tokenizer", "توکن‌ساز", "Belirteçleyici"),
    ("Diffusion", "انتشار", "Difüzyon"),
    ("Memory", "حافظه", "Bellek"),
]

FIELDS = [
    ("Deep learning", "یادگیری عمیق", "Derin öğrenme"),
    ("Machine learning", "یادگیری ماشین", "Makine öğrenmesi"),
    ("Natural language processing", "پردازش زبان طبیعی", "Doğal dil işleme"),
    ("Computer vision", "بینایی ماشین", "Bilgisayarla görme"),
    ("Reinforcement learning", "یادگیری تقویتی", "Pekiştirmeli öğrenme"),
    ("Speech processing", "پردازش گفتار", "Konuşma işleme"),
    ("Graph learning", "یادگیری گراف", "Çizge öğrenmesi"),
    ("Robotics", "رباتیک", "Robotik"),
    ("Information retrieval", "بازیابی اطلاعات", "Bilgi erişimi"),
    ("Optimization", "بهینه‌سازی", "Eniyileme"),
    ("Statistics", "آمار", "İstatistik"),
    ("Bioinformatics", "بیوانفورماتیک", "Biyoenformatik"),
]

GIVEN = [
    "Ashish",
    "Jacob",
    "Edward",
    "Brian",
    "Yann",
    "Geoffrey",
    "Yoshua",
    "Ilya",
    "Alex",
    "Diederik",
    "Sepp",
    "Jürgen",
    "Kaiming",
    "Xiangyu",
    "Shaoqing",
    "Jian",
    "Oriol",
    "Quoc",
    "Tomas",
    "Kyunghyun",
    "Ian",
    "Sergey",
    "Christian",
    "Andrew",
    "Fei-Fei",
    "Ali",
    "Zahra",
    "Mohammad",
    "Fatemeh",
    "Reza",
    "Maryam",
    "Hossein",
    "Leila",
    "Amir",
    "Neda",
    "Ayşe",
    "Mehmet",
    "Zeynep",
    "Emre",
    "Elif",
    "Burak",
    "Selin",
    "Murat",
    "Deniz",
    "Cem",
    "Wei",
    "Li",
    "Ming",
    "Yuki",
    "Hiroshi",
    "Priya",
    "Arjun",
    "Ana",
    "Lucas",
    "Sofia",
    "Mateo",
    "Ingrid",
    "Lars",
    "Olga",
    "Dmitri",
]
FAMILY_NAMES = [
    "Vaswani",
    "Devlin",
    "Hu",
    "Lester",
    "LeCun",
    "Hinton",
    "Bengio",
    "Sutskever",
    "Krizhevsky",
    "Kingma",
    "Hochreiter",
    "Schmidhuber",
    "He",
    "Zhang",
    "Ren",
    "Sun",
    "Vinyals",
    "Le",
    "Mikolov",
    "Cho",
    "Goodfellow",
    "Ioffe",
    "Szegedy",
    "Ng",
    "Li",
    "Ahmadi",
    "Hosseini",
    "Karimi",
    "Moradi",
    "Rezaei",
    "Jafari",
    "Mohammadi",
    "Rahimi",
    "Kazemi",
    "Yılmaz",
    "Kaya",
    "Demir",
    "Şahin",
    "Çelik",
    "Yıldız",
    "Öztürk",
    "Aydın",
    "Arslan",
    "Doğan",
    "Wang",
    "Chen",
    "Liu",
    "Tanaka",
    "Suzuki",
    "Sato",
    "Sharma",
    "Patel",
    "Silva",
    "Santos",
    "García",
    "Müller",
    "Schmidt",
    "Johansson",
    "Ivanova",
    "Petrov",
    "Dubois",
    "Rossi",
    "Novak",
    "Kowalski",
    "Nielsen",
    "O'Brien",
    "Murphy",
    "Kim",
    "Park",
    "Nguyen",
]

VENUES = [
    "NeurIPS",
    "ICML",
    "ICLR",
    "ACL",
    "NAACL",
    "EMNLP",
    "CVPR",
    "ICCV",
    "ECCV",
    "AAAI",
    "IJCAI",
    "JMLR",
    "TPAMI",
    "Nature",
    "Neural Computation",
    "KDD",
    "SIGIR",
    "Interspeech",
]

ALIAS_KINDS = ["Abbreviation", "Translation", "Synonym", "FormerName", "FullName"]

PERSIAN_DIGITS = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")


def slugify(text: str) -> str:
    """The project's slug rule (scholargate.namespaces.slugify), without importing it."""
    import re
    import unicodedata

    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", folded.lower()).strip("-")


def lit(text: str, lang: str | None = None) -> str:
    """An N-Quads literal (escaping quotes, backslashes and line breaks)."""
    body = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    return f'"{body}"@{lang}' if lang else f'"{body}"'


def year_lit(year: int) -> str:
    return f'"{year}"^^<{XSD}gYear>'


@dataclass
class Plan:
    """What the benchmark queries need to know about the generated graph."""

    methods: int
    seed: int
    quads: int = 0
    seconds: float = 0.0
    compare: list[str] = field(default_factory=list)
    alias: dict[str, str] = field(default_factory=dict)
    path_root: str = ""
    path_length: int = 0
    construct: str = ""
    # VARIANTS choices of each (the first is the one above), for runs that vary the queries
    variants: dict[str, list] = field(default_factory=dict)


VARIANTS = 64


def _years(rng: random.Random, n: int) -> list[int]:
    """Years 1950–2024, most of them recent (as in the literature)."""
    years = []
    for _ in range(n):
        if rng.random() < 0.15:
            years.append(rng.randint(1950, 2004))
        else:
            years.append(min(2024, 2005 + int(rng.expovariate(1 / 8)) % 20 + rng.randint(0, 2)))
    return sorted(years)


def generate(n_methods: int, out: Callable[[str], object], seed: int = 42) -> Plan:
    """Write the graph line by line through ``out``; return the benchmark plan."""
    rng = random.Random(seed)
    g = f"<{GRAPH_IRI}> .\n"
    quads = 0

    def q(s: str, p: str, o: str) -> None:
        nonlocal quads
        out(f"{s} {p} {o} {g}")
        quads += 1

    a = f"<{RDF}type>"
    in_scheme = f"<{SKOS}inScheme>"
    pref = f"<{SKOS}prefLabel>"
    alt = f"<{SKOS}altLabel>"
    concept = f"<{SKOS}Concept>"

    def scheme(name: str) -> str:
        return f"<{BASE}scheme/{name}>"

    # ---- concept schemes, fields, families, types --------------------------------------
    for name, labels in (
        ("methods", ("Research methods", "روش‌های پژوهشی", "Araştırma yöntemleri")),
        ("fields", ("Fields", "حوزه‌ها", "Alanlar")),
        ("families", ("Method families", "خانواده‌های روش", "Yöntem aileleri")),
        ("types", ("Method types", "انواع روش", "Yöntem türleri")),
    ):
        q(scheme(name), a, f"<{SKOS}ConceptScheme>")
        for text, lang in zip(labels, ("en", "fa", "tr"), strict=True):
            q(scheme(name), pref, lit(text, lang))

    def concepts(kind: str, cls: str, sch: str, labels: list[tuple[str, str, str]]) -> list[str]:
        iris = []
        for en, fa, tr in labels:
            iri = f"<{BASE}{kind}/{slugify(en)}>"
            iris.append(iri)
            q(iri, a, concept)
            q(iri, a, f"<{SG}{cls}>")
            q(iri, in_scheme, scheme(sch))
            q(iri, pref, lit(en, "en"))
            if rng.random() < 0.9:
                q(iri, pref, lit(fa, "fa"))
            if rng.random() < 0.7:
                q(iri, pref, lit(tr, "tr"))
        return iris

    fields = concepts("field", "Field", "fields", FIELDS)
    n_families = max(8, n_methods // 50)
    family_labels = []
    for i in range(n_families):
        adj, noun = ADJECTIVES[i % len(ADJECTIVES)], NOUNS[(i // len(ADJECTIVES)) % len(NOUNS)]
        k = i // (len(ADJECTIVES) * len(NOUNS))
        suffix = f" {k + 1}" if k else ""
        family_labels.append(
            (
                f"{adj[0]} {noun[0]} Models{suffix}",
                f"مدل‌های {noun[1]} {adj[1]}{suffix.translate(PERSIAN_DIGITS)}",
                f"{adj[2]} {noun[2].lower()} modelleri{suffix}",
            )
        )
    families = concepts("family", "Family", "families", family_labels)
    n_types = max(5, min(200, n_methods // 100))
    type_labels = [
        (
            f"{NOUNS[i % len(NOUNS)][0]} method {i + 1}",
            f"روش {NOUNS[i % len(NOUNS)][1]} {str(i + 1).translate(PERSIAN_DIGITS)}",
            f"{NOUNS[i % len(NOUNS)][2]} yöntemi {i + 1}",
        )
        for i in range(n_types)
    ]
    types = concepts("type", "MethodType", "types", type_labels)

    # ---- persons ---------------------------------------------------------------------------
    n_persons = max(50, int(n_methods * 0.8))
    persons: list[str] = []
    person_names: list[tuple[str, str]] = []
    for i in range(n_persons):
        given = GIVEN[i % len(GIVEN)]
        family = FAMILY_NAMES[(i // len(GIVEN)) % len(FAMILY_NAMES)]
        k = i // (len(GIVEN) * len(FAMILY_NAMES))
        if k:
            given = f"{given} {chr(ord('A') + (k - 1) % 26)}."
            if k > 26:
                family = f"{family}-{(k - 1) // 26}"
        iri = f"<{BASE}person/{slugify(given + ' ' + family)}>"
        persons.append(iri)
        person_names.append((given, family))
        q(iri, a, f"<{FOAF}Person>")
        q(iri, f"<{FOAF}name>", lit(f"{given} {family}"))
        q(iri, f"<{FOAF}givenName>", lit(given))
        q(iri, f"<{FOAF}familyName>", lit(family))

    def pick_person() -> int:
        # A few prolific authors, a long tail: a skewed index.
        return min(n_persons - 1, int(rng.paretovariate(1.2)) - 1 + rng.randrange(n_persons) // 3)

    # ---- methods ---------------------------------------------------------------------------
    years = _years(rng, n_methods)
    slugs: list[str] = []
    method_family: list[int] = []
    by_family: dict[int, list[int]] = {}
    first_of_year: dict[int, int] = {}
    plan = Plan(methods=n_methods, seed=seed)
    aliases_en: list[tuple[int, str]] = []
    n_works = 0
    builds_on: list[list[int]] = []

    for i in range(n_methods):
        year = years[i]
        first_of_year.setdefault(year, i)
        adj = ADJECTIVES[rng.randrange(len(ADJECTIVES))]
        noun = NOUNS[rng.randrange(len(NOUNS))]
        number = i + 1
        en = f"{adj[0]} {noun[0]} {number}"
        slug = slugify(en)
        slugs.append(slug)
        m = f"<{BASE}method/{slug}>"
        fam = rng.randrange(n_families)
        method_family.append(fam)
        by_family.setdefault(fam, []).append(i)

        q(m, a, f"<{SG}Method>")
        q(m, in_scheme, scheme("methods"))
        q(m, pref, lit(en, "en"))
        if rng.random() < 0.85:
            q(m, pref, lit(f"{noun[1]} {adj[1]} {str(number).translate(PERSIAN_DIGITS)}", "fa"))
        if rng.random() < 0.7:
            q(m, pref, lit(f"{adj[2]} {noun[2].lower()} {number}", "tr"))

        # aliases: the plain literal and the SKOS-XL resource
        initials = "".join(w[0] for w in f"{adj[0]} {noun[0]}".replace("-", " ").split()).upper()
        candidates = [
            ("en", f"{initials}-{number}", "Abbreviation"),
            ("en", f"{adj[0].lower()} {noun[0].lower()} model {number}", "Synonym"),
            ("tr", f"{adj[2]} {noun[2]} ({en})", "Translation"),
            ("fa", f"{noun[1]} {adj[1]} ({en})", "Translation"),
            ("en", f"{noun[0]} v{number}", "FormerName"),
        ]
        n_alias = min(len(candidates), int(rng.expovariate(1 / 2.2)))
        if i == n_methods // 3:
            n_alias = len(candidates)  # so that even a tiny graph has an English alias
        counters = {"en": 0, "fa": 0, "tr": 0}
        for lang, text, kind in rng.sample(candidates, n_alias):
            counters[lang] += 1
            alias = f"<{BASE}alias/{slug}-{lang}-{counters[lang]}>"
            q(m, alt, lit(text, lang))
            q(m, f"<{SKOSXL}altLabel>", alias)
            q(alias, a, f"<{SG}Alias>")
            q(alias, f"<{SKOSXL}literalForm>", lit(text, lang))
            q(alias, f"<{SG}aliasKind>", f"<{SG}{kind}>")
            q(alias, f"<{DCT}source>", f"<{GRAPH_IRI}>")
            if lang == "en":
                aliases_en.append((i, text))

        field_ids = rng.sample(range(len(fields)), 1 if rng.random() < 0.7 else 2)
        type_id = rng.randrange(n_types)
        q(
            m,
            f"<{SG}summary>",
            lit(
                f"{en} is a {type_labels[type_id][0].lower()} in "
                f"{FIELDS[field_ids[0]][0].lower()}, introduced in {year}. It belongs to the "
                f"{family_labels[fam][0]} family and is made up for the ScholarGate benchmark.",
                "en",
            ),
        )
        if rng.random() < 0.6:
            q(
                m,
                f"<{SG}summary>",
                lit(
                    f"{noun[1]} {adj[1]} روشی در {FIELDS[field_ids[0]][1]} است که در سال "
                    f"{str(year).translate(PERSIAN_DIGITS)} معرفی شد.",
                    "fa",
                ),
            )
        q(m, f"<{SG}yearIntroduced>", year_lit(year))
        for f in field_ids:
            q(m, f"<{SG}field>", fields[f])
        q(m, f"<{SG}family>", families[fam])
        q(m, f"<{SG}methodType>", types[type_id])

        # foundational works and their authors; the originators are the first authors
        originators: list[int] = []
        for w in range(1 if rng.random() < 0.9 else 2):
            n_works += 1
            authors = []
            while len(authors) < rng.choice((1, 2, 2, 3, 3, 4, 5, 6, 8)):
                p = pick_person()
                if p not in authors:
                    authors.append(p)
            title = f"{en}: {noun[0].lower()} for {FIELDS[field_ids[0]][0].lower()}"
            if w:
                title = f"Towards {title}"
            wiri = f"<{BASE}work/{slugify(' '.join(title.split()[:6]))}>"
            q(m, f"<{SG}foundationalWork>", wiri)
            q(wiri, a, f"<{FABIO}ScholarlyWork>")
            q(wiri, a, f"<{SCHEMA}ScholarlyArticle>")
            q(wiri, f"<{DCT}title>", lit(title, "en"))
            q(wiri, f"<{DCT}issued>", year_lit(year))
            q(wiri, f"<{SG}venue>", lit(VENUES[rng.randrange(len(VENUES))]))
            head = f"_:l{n_works}x0"
            q(wiri, f"<{BIBO}authorList>", head)
            for k, p in enumerate(authors):
                node = f"_:l{n_works}x{k}"
                q(node, f"<{RDF}first>", persons[p])
                rest = f"_:l{n_works}x{k + 1}" if k + 1 < len(authors) else f"<{RDF}nil>"
                q(node, f"<{RDF}rest>", rest)
                q(wiri, f"<{DCT}creator>", persons[p])
            ident = rng.random()
            if year >= 2007 and ident < 0.6:
                arxiv = f"{year % 100:02d}{rng.randint(1, 12):02d}.{90000 + n_works % 10000:05d}"
                q(wiri, f"<{SG}arxivId>", lit(arxiv))
                q(wiri, f"<{SCHEMA}url>", f"<https://arxiv.org/abs/{arxiv}>")
            elif ident < 0.9:
                q(wiri, f"<{BIBO}doi>", lit(f"10.5555/scholargate-bench.{n_works}"))
            else:
                q(wiri, f"<{SCHEMA}url>", f"<https://example.org/scholargate-bench/{n_works}>")
            for p in authors[: rng.choice((1, 1, 2, 3))]:
                if p not in originators:
                    originators.append(p)
        for p in originators:
            q(m, f"<{SG}introducedBy>", persons[p])

        # builds on: methods of an earlier year, mostly of the same family
        targets: list[int] = []
        earlier = first_of_year[year]  # methods 0..earlier-1 have an earlier year
        if earlier:
            for _ in range(rng.choice((0, 1, 1, 1, 2))):
                same = [j for j in by_family[fam][-12:] if j < earlier]
                j = rng.choice(same) if same and rng.random() < 0.9 else rng.randrange(earlier)
                if j not in targets:
                    targets.append(j)
                    q(m, f"<{SG}buildsOn>", f"<{BASE}method/{slugs[j]}>")
        builds_on.append(targets)

        # related: symmetric, written on both sides as the build does
        for _ in range(rng.choice((0, 1, 1, 2, 2, 3))):
            pool = by_family[fam] if rng.random() < 0.7 and len(by_family[fam]) > 1 else None
            j = rng.choice(pool[:-1]) if pool else rng.randrange(i) if i else None
            if j is None or j == i:
                continue
            other = f"<{BASE}method/{slugs[j]}>"
            q(m, f"<{SKOS}related>", other)
            q(other, f"<{SKOS}related>", m)

    # ---- what the benchmark asks for ----------------------------------------------------
    def iri(j: int) -> str:
        return f"{BASE}method/{slugs[j]}"

    def depth(j: int) -> int:
        seen, frontier = {j}, [j]
        while frontier:
            frontier = [t for k in frontier for t in builds_on[k] if t not in seen]
            seen.update(frontier)
        return len(seen) - 1

    late = n_methods * 9 // 10
    compare = [[iri((late + 3 * k + d) % n_methods) for d in range(3)] for k in range(VARIANTS)]
    step = max(1, len(aliases_en) // VARIANTS)
    aliases = [
        aliases_en[(len(aliases_en) // 2 + k * step) % len(aliases_en)] for k in range(VARIANTS)
    ]
    # the latest methods whose builds-on closure is moderate (a realistic lineage); in a
    # tiny graph, the one with the longest lineage
    roots: list[tuple[int, int]] = []
    best = (-1, n_methods - 1)
    for j in range(n_methods - 1, -1, -1):
        reach = depth(j)
        if 5 <= reach <= 200:
            roots.append((reach, j))
            if len(roots) == VARIANTS:
                break
        elif best[0] < reach <= 200:
            best = (reach, j)
    roots = roots or [best]
    plan.compare = compare[0]
    plan.alias = {"method": iri(aliases[0][0]), "text": aliases[0][1], "lang": "en"}
    plan.path_root, plan.path_length = iri(roots[0][1]), max(0, roots[0][0])
    plan.construct = iri(n_methods // 2)
    plan.variants = {
        "compare": compare,
        "alias": [{"method": iri(j), "text": text, "lang": "en"} for j, text in aliases],
        "path_root": [iri(j) for _, j in roots],
        "construct": [iri((n_methods // 2 + 97 * k) % n_methods) for k in range(VARIANTS)],
    }
    plan.quads = quads
    return plan


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--methods", type=int, default=10000, help="number of methods")
    parser.add_argument("--seed", type=int, default=42, help="random seed (same seed, same graph)")
    parser.add_argument("--out", type=Path, required=True, help="N-Quads file to write")
    args = parser.parse_args(argv)
    if args.methods < 10:
        parser.error("--methods must be at least 10")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    tmp = args.out.with_name(args.out.name + ".part")
    with tmp.open("w", encoding="utf-8", buffering=1 << 20) as handle:
        plan = generate(args.methods, handle.write, seed=args.seed)
    tmp.replace(args.out)
    plan.seconds = round(time.perf_counter() - started, 2)
    sidecar = args.out.with_name(args.out.name + ".json")
    sidecar.write_text(json.dumps(plan.__dict__, indent=2, ensure_ascii=False) + "\n")
    print(
        f"{args.out}: {plan.methods} methods, {plan.quads} quads in {plan.seconds:.1f} s",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
