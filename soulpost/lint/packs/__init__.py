"""Rule packs shipped inside soulpost.

Each ``*.toml`` here is a link to the repository's top-level ``rules/`` folder, where the
packs are written and reviewed; building the wheel copies the files in, so a plain
``pip install soulpost`` has them. ``shipped.json`` is their parsed snapshot, which the
registry reads instead when it is current (see :mod:`soulpost.lint.packsnap`).
"""
