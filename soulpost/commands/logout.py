"""``soulpost logout PLATFORM [--account NAME]``: forget a connected account's tokens.

The tokens are removed from the token store (keyring entry and file entry). Revoking the
app's access on the platform itself is done in the platform's settings; the message says so.

Exit codes: 0 removed; 1 nothing was stored for that account.
"""

from __future__ import annotations

import argparse


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("platform", metavar="PLATFORM", help="platform name, as in config.toml")
    parser.add_argument("--account", metavar="NAME", help="which account (default: 'default')")


def run(args: argparse.Namespace) -> int:
    from soulpost.accounts import account_name
    from soulpost.accounts.store import Store

    account = account_name(args.account)
    store = Store()
    with store.locked():
        removed = store.delete(args.platform, account)
    if not removed:
        print(f"{args.platform}: no stored account {account} (see `soulpost accounts`)")
        return 1
    print(
        f"{args.platform}: forgot account {account}; to revoke soulpost's access on the "
        "platform too, remove the app in the platform's account settings"
    )
    return 0
