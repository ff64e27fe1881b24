"""Pure renderers: post content in, the exact request body each network expects out."""
