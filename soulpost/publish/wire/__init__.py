"""Wire formats, one module per network: the exact request bodies each API expects, and
the reading of its answers (errors, receipts). Pure: no sockets, no clock, no files.

Named apart from the adapters' ``compose`` (a post's payloads for one platform) and from
lint's output formats, which were all called "render" once.
"""
