"""Fake platform servers on 127.0.0.1 for adapter tests; see README.md beside this file."""
