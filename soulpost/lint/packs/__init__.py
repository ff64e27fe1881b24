"""Rule packs shipped inside soulpost.

Each ``*.toml`` here is a link to the repository's top-level ``rules/`` folder, where the
packs are written and reviewed; building the wheel copies the files in, so a plain
``pip install soulpost`` has them.
"""
