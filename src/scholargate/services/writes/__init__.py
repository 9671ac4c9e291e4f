"""Writes: every change to the graph over HTTP, through one path (issue 14).

A request becomes a :class:`~.delta.Delta`; the guard checks it against the shapes for
the nodes it touches; the journal records it; the store applies it.
"""
