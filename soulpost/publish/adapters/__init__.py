"""Built-in adapters that need no account: ``outbox``, ``console`` and ``webhook``."""
