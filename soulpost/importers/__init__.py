"""Importers: outside content in, draft files out (never publishing).

``fetch`` reads a file or a bounded http(s) URL; ``feed`` parses RSS/Atom and keeps the
record of items already imported; ``csvfile`` reads and writes CSV layouts; ``drafts``
validates and writes posts into ``queue/`` and lints them; ``pipeline`` runs one import.
An import-linter contract keeps this package away from publishing.
"""
