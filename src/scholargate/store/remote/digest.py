"""HTTP Digest credentials (RFC 7616; MD5 and SHA-256, with or without ``-sess``)."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping

from ...errors import BadGatewayError
from ...terms import shown


def digest(
    challenge: Mapping[str, str],
    user: str,
    password: str,
    method: str,
    uri: str,
    count: str,
    cnonce: str | None = None,
) -> str:
    """The ``Authorization`` header answering an HTTP Digest challenge (RFC 7616)."""
    algorithm = challenge.get("algorithm", "MD5")
    base = algorithm.upper().removesuffix("-SESS")
    hashes = {"MD5": hashlib.md5, "SHA-256": hashlib.sha256, "SHA-512-256": None}
    make = hashes.get(base)
    if make is None:
        raise BadGatewayError(f"the SPARQL server asks for digest algorithm {shown(algorithm)}")

    def h(text: str) -> str:
        return make(text.encode("utf-8")).hexdigest()

    realm, nonce = challenge.get("realm", ""), challenge.get("nonce", "")
    cnonce = cnonce or os.urandom(8).hex()
    secret = h(f"{user}:{realm}:{password}")
    if algorithm.upper().endswith("-SESS"):
        secret = h(f"{secret}:{nonce}:{cnonce}")
    qops = [q.strip() for q in challenge.get("qop", "").split(",") if q.strip()]
    method_uri = h(f"{method}:{uri}")
    fields = {
        "username": user,
        "realm": realm,
        "nonce": nonce,
        "uri": uri,
        "algorithm": algorithm,
    }
    if "auth" in qops:
        fields["response"] = h(f"{secret}:{nonce}:{count}:{cnonce}:auth:{method_uri}")
        fields.update(qop="auth", nc=count, cnonce=cnonce)
    else:
        fields["response"] = h(f"{secret}:{nonce}:{method_uri}")
    if "opaque" in challenge:
        fields["opaque"] = challenge["opaque"]
    unquoted = {"algorithm", "qop", "nc"}
    return "Digest " + ", ".join(
        f"{k}={v}" if k in unquoted else f'{k}="{v}"' for k, v in fields.items()
    )
