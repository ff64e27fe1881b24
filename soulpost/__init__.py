"""soulpost: a social post scheduler that lints drafts for soul before it publishes them."""

__version__ = "0.1.0"
