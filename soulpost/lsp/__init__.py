"""The language server for editors (``soulpost lsp``): analysis apart from the protocol."""
