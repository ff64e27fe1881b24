"""``soulpost resolve ID --platform P --published URL [--remote-id ID] | --not-published``: a
person settles a publication that is in doubt (or failed) after checking the platform.

``--published URL`` records it as live (a thread then continues with its next part);
``--not-published`` records it as failed, and ``soulpost retry`` sends it again.

A thread's next part replies to the platform's id of the part before (Mastodon's status id,
X's post id, Bluesky's AT-URI), not to its URL. So the id is ``--remote-id`` when given, else
read from the URL by the platform's adapter class (no network, no credentials), else the URL
itself, but only when no later part replies to it: otherwise the answer is refused (exit 2)
and nothing changes, rather than a thread going on as a reply to a URL.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from soulpost.commands import open_workspace
from soulpost.errors import UsageError

if TYPE_CHECKING:
    from soulpost.ledger import Ledger, Publication
    from soulpost.publish.base import Adapter
    from soulpost.workspace import Workspace


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("id", help="the post id")
    parser.add_argument("-p", "--platform", required=True, help="the platform to settle")
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument(
        "--published",
        metavar="URL",
        help="it is live at URL (the post's web address as the platform shows it)",
    )
    group.add_argument("--not-published", action="store_true", help="it did not go out")
    parser.add_argument(
        "--remote-id",
        metavar="ID",
        help="with --published: the platform's id for the post (Mastodon status id, X post "
        "id, Bluesky at:// URI, the id a webhook receiver answered). Needed when the URL "
        "does not tell it and a later part of the thread replies to this one",
    )


def run(args: argparse.Namespace) -> int:
    from soulpost.commands.publish import clock_for
    from soulpost.ledger import open_ledger

    if args.remote_id is not None and args.published is None:
        raise UsageError("--remote-id goes with --published")
    if args.remote_id is not None and not args.remote_id.strip():
        raise UsageError("--remote-id is empty: give the platform's id for the post")
    ws = open_workspace(args)
    now = clock_for().now()
    ledger = open_ledger(ws.state_dir, settings=ws.settings.publish)
    try:  # a LedgerError says why the answer does not fit (exit 2)
        if args.published is not None:
            remote_id = args.remote_id.strip() if args.remote_id is not None else None
            if remote_id is None:
                remote_id = _id_from_url(ws, args.platform, args.published)
            if remote_id is None:
                _refuse_if_replied_to(ledger, ws, args.id, args.platform)
            pub = ledger.mark_published(
                args.id, args.platform, args.published, now, remote_id=remote_id
            )
        else:
            pub = ledger.mark_not_published(args.id, args.platform, now)
    finally:
        ledger.close()
    state = pub.state.replace("_", " ")
    print(f"{args.id} on {args.platform}: {state}" + (f" ({pub.reason})" if pub.reason else ""))
    if pub.state == "pending" and args.published is not None:
        settled = [p for p in pub.parts if p.url == args.published]
        if settled and settled[-1].remote_id:  # so the person can check what it replies to
            print(f"the next part replies to {settled[-1].remote_id}")
    return 0


def _adapter_class(ws: Workspace, platform: str) -> type[Adapter] | None:
    """The class of the adapter configured for *platform* (not an instance: no options or
    credentials are needed), or None when it cannot be loaded (then nothing is derived)."""
    from soulpost.errors import ConfigError
    from soulpost.publish.registry import load

    try:
        return load(ws.settings.adapter_for(platform))
    except ConfigError:
        return None


def _id_from_url(ws: Workspace, platform: str, url: str) -> str | None:
    """The platform's id as its adapter reads it from *url*; None when it cannot."""
    cls = _adapter_class(ws, platform)
    if cls is None:
        return None
    try:
        found = cls.remote_id_from_url(url)
    except Exception:  # a plugin's parser must not turn a person's answer into a traceback
        return None
    return found if isinstance(found, str) and found.strip() else None


def _newest(ledger: Ledger, post_id: str, platform: str) -> Publication | None:
    rows = [r for r in ledger.publications(post_id) if r.platform == platform]
    if not rows:
        return None
    return max(enumerate(rows), key=lambda pair: (pair[1].updated_at, pair[0]))[1]


def _refuse_if_replied_to(ledger: Ledger, ws: Workspace, post_id: str, platform: str) -> None:
    """Refuse (exit 2, nothing written) when the part being settled is one a later part of
    the thread replies to: its id is needed and neither the person nor the URL gave it."""
    row = _newest(ledger, post_id, platform)
    if row is None or row.state in ("published", "claimed") or row.parts_total is None:
        return  # the ledger itself says why the answer does not fit
    sending = [p.index for p in row.parts if p.state == "sending"]
    index = min(sending) if sending else sum(1 for p in row.parts if p.state == "sent")
    if index + 1 >= row.parts_total:
        return
    cls = _adapter_class(ws, platform)
    form = f" ({cls.remote_id_form})" if cls is not None and cls.remote_id_form else ""
    raise UsageError(
        f"{post_id} on {platform}: part {index + 1} of {row.parts_total} is what part "
        f"{index + 2} replies to, and its URL does not tell its id on {platform}; run it again "
        f"with --remote-id ID, the platform's id for that part{form}"
    )
