"""SPARQL results written again in another format, for a server whose answer in the
wanted format is not the standard's (Virtuoso's TSV quotes IRIs as strings): the store
asks for the profile's ``results_as`` format and :func:`converted` hands back an answer
in the wanted one, written by pyoxigraph as the embedded store writes it.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from types import TracebackType

import pyoxigraph as ox

from .answers import malformed
from .transport import Response

_FORMATS = {
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "text/csv": ox.QueryResultsFormat.CSV,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
}
CHUNK = 1 << 16


def results_type(accept: str) -> str | None:
    """The results media type ``accept`` asks for first, if it is one."""
    first = accept.split(",", 1)[0].split(";", 1)[0].strip().lower()
    return first if first in _FORMATS else None


class Converted(io.BytesIO):
    """An answer read in full and written again: read like a :class:`Response`."""

    status = 200

    def __init__(self, data: bytes, media_type: str, server: str) -> None:
        super().__init__(data)
        self.media_type = media_type
        self.server = server

    def chunks(self) -> Iterator[bytes]:
        while data := self.read(CHUNK):
            yield data

    def __enter__(self) -> Converted:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()


def converted(response: Response, wanted: str) -> Converted:
    """``response`` (results in a format of ``_FORMATS``) written again as ``wanted``;
    an answer in another media type is returned as a Converted of its bytes, for the
    caller's check of the media type to refuse."""
    with response:
        given = _FORMATS.get(response.media_type)
        data = response.read()
        if given is None:
            return Converted(data, response.media_type, response.server)
        if given == ox.QueryResultsFormat.XML:
            data = data.replace(b"<bnode>nodeID://", b"<bnode>")  # Virtuoso's blank nodes
        try:
            results = ox.parse_query_results(data, given)
            if isinstance(results, ox.QueryBoolean) and wanted in ("text/csv", _TSV):
                raise ValueError  # no CSV or TSV for a boolean: left as it came
            out = results.serialize(format=_FORMATS[wanted])
        except SyntaxError:
            raise malformed(response.server, "SPARQL results that do not read") from None
        except ValueError:
            return Converted(data, response.media_type, response.server)
    return Converted(out or b"", wanted, response.server)


_TSV = "text/tab-separated-values"
