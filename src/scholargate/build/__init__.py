"""The store, built from the RDF in git and opened the way the settings say.

- ``sources.py``: the project root, the source files (one named graph each) and their
  fingerprint;
- ``loading.py``: loading the sources into a store, with the metadata the build measures;
- ``disk.py``: the on-disk store, rebuilt only when a source changed (a store pulled
  from a SPARQL server is swapped in the same way);
- ``opening.py``: :func:`open_configured`, the one place that opens the store the
  settings name (in memory, on disk, read-only under ``serve``, or a SPARQL server);
- ``snapshots.py``: ``serve`` on disk: the snapshots its workers read, and the write
  that opens the store, changes it, and publishes the next snapshot.
"""

from .disk import (
    StoreBusyError,
    fingerprint_file,
    open_built,
    open_store,
    pulled_file,
    pulled_from,
    record_seq,
    recorded_seq,
    remove_stale,
    replace_store,
)
from .loading import CC_BY, BuildReport, Progress, build_store
from .opening import (
    Opened,
    Place,
    copies_to_memory,
    journal_beside,
    open_configured,
    open_remote,
    open_served,
    place_of,
    share_copy,
)
from .snapshots import DiskWrites, Snapshots
from .sources import BUILD_SCHEMA, Source, discover, find_root, fingerprint

__all__ = [
    "BUILD_SCHEMA",
    "CC_BY",
    "BuildReport",
    "DiskWrites",
    "Opened",
    "Place",
    "Progress",
    "Snapshots",
    "Source",
    "StoreBusyError",
    "build_store",
    "copies_to_memory",
    "discover",
    "find_root",
    "fingerprint",
    "fingerprint_file",
    "journal_beside",
    "open_built",
    "open_configured",
    "open_remote",
    "open_served",
    "open_store",
    "place_of",
    "pulled_file",
    "pulled_from",
    "record_seq",
    "recorded_seq",
    "remove_stale",
    "replace_store",
    "share_copy",
]
