"""The SHACL features the compiler knows: the parameters a shape may use, the targets,
the node kinds and the value-type constraint components it turns into SPARQL.

A shape that uses anything else makes the compiler refuse it
(:class:`~scholargate.services.validation.compiler.UnsupportedShapeError`).
"""

from __future__ import annotations

from rdflib.namespace import RDF, RDFS, SH

MAX_NESTING = 32  # sh:node / sh:or nesting the compiler follows before refusing

TARGETS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)

# Parameters the compiler understands; anything else in a shape makes it refuse.
KNOWN = {
    RDF.type,
    RDFS.label,
    RDFS.comment,
    RDFS.seeAlso,
    SH.path,
    SH.property,
    SH.sparql,
    SH.message,
    SH.severity,
    SH.deactivated,
    SH.name,
    SH.description,
    SH.order,
    SH.group,
    SH.defaultValue,
    SH["class"],
    SH.datatype,
    SH.nodeKind,
    SH.minCount,
    SH.maxCount,
    SH.minLength,
    SH.maxLength,
    SH.pattern,
    SH.flags,
    SH["in"],
    SH.languageIn,
    SH.hasValue,
    SH.uniqueLang,
    SH.disjoint,
    SH.node,
    SH["or"],
    SH["and"],
    SH["not"],
    SH.qualifiedValueShape,
    SH.qualifiedMinCount,
    SH.qualifiedMaxCount,
    *TARGETS,
}
ANNOTATION_NAMESPACES = ("https://w3id.org/scholargate/ontology#",)

NODE_KIND = {
    SH.IRI: "isIRI({v})",
    SH.Literal: "isLiteral({v})",
    SH.BlankNode: "isBlank({v})",
    SH.BlankNodeOrIRI: "!isLiteral({v})",
    SH.BlankNodeOrLiteral: "!isIRI({v})",
    SH.IRIOrLiteral: "!isBlank({v})",
}

VALUE_COMPONENTS = {
    SH["class"]: SH.ClassConstraintComponent,
    SH.datatype: SH.DatatypeConstraintComponent,
    SH.nodeKind: SH.NodeKindConstraintComponent,
    SH.minLength: SH.MinLengthConstraintComponent,
    SH.maxLength: SH.MaxLengthConstraintComponent,
    SH.pattern: SH.PatternConstraintComponent,
    SH["in"]: SH.InConstraintComponent,
    SH.languageIn: SH.LanguageInConstraintComponent,
    SH.node: SH.NodeConstraintComponent,
    SH["or"]: SH.OrConstraintComponent,
    SH["and"]: SH.AndConstraintComponent,
    SH["not"]: SH.NotConstraintComponent,
}
