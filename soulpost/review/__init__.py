"""The review room: see the schedule before it goes out.

``review`` reads the workspace, the linter's findings and the ledger, and shows them: a
terminal or JSON/Markdown preview of each post as each platform will receive it, a calendar
(terminal grid and ICS), and a static HTML site. It never publishes and never writes the
ledger. Previews come from the adapters' own pure ``render`` through :mod:`.payloads`, the
one module here that touches publishing code, so a preview cannot drift from what is sent.
"""
