"""``bluesky``: posts, threads and images with alt text on a Bluesky PDS (AT Protocol).

Configuration::

    [platforms.bluesky]
    options = { base_url = "https://bsky.social" }     # the default; your PDS if self-hosted
    env = { handle = "SOULPOST_BSKY_HANDLE", password = "SOULPOST_BSKY_APP_PASSWORD" }

Optional options: ``langs`` (up to 3 language tags), ``connect_timeout``/``read_timeout``.

How it publishes (facts: ``shared/platforms.md`` §2): ``createSession`` with the handle and an
app password gives an access token; when the PDS answers ``ExpiredToken`` the adapter calls
``refreshSession`` and, if that fails too, ``createSession`` again, then repeats the request
once. Links, hashtags and cashtags become facets when composing (pure, what ``--dry-run``
shows); ``@handle`` mentions are resolved to DIDs with ``com.atproto.identity.resolveHandle``
when publishing (a handle that does not resolve stays plain text, as in the official app).
Images go to ``uploadBlob`` and into an ``app.bsky.embed.images`` embed with alt text and
aspect ratio. Thread parts carry ``reply.root``/``reply.parent`` strongRefs.

No double posts: before the first request for a ledger key the adapter mints the record key
(a TID from the key and the moment) and notes it in the state directory; every retry reuses
it, so the PDS can only ever hold one record for the key. A repeated record key is refused
(PDS 0.5.35 answers 500), so after any unclear answer the adapter asks ``getRecord`` whether
the record exists, and :meth:`lookup` does the same for the engine. Errors: 401 and bad
tokens → :class:`AuthError` naming the variables, 429 → :class:`RateLimited` after
``Retry-After``, other 4xx → :class:`Rejected` with the PDS's message, 5xx and timeouts →
:class:`UnknownOutcome` unless ``getRecord`` settles it.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

import requests
from pydantic import Field

from soulpost.publish.adapters import _urls
from soulpost.publish.adapters._cards import cached_card, card_link, picture
from soulpost.publish.adapters._common import (
    ErrorAnswer,
    HttpAdapter,
    KeyNotes,
    check_post,
    secret,
)
from soulpost.publish.adapters._media import MediaFile, media_list, read_all_media
from soulpost.publish.base import (
    AuthError,
    Composed,
    NotSent,
    Payload,
    PublishError,
    RateLimited,
    Receipt,
    Rejected,
    Setting,
    UnknownOutcome,
)
from soulpost.publish.options import ApiOptions, CardOptions
from soulpost.publish.wire import bluesky as bsky

if TYPE_CHECKING:
    from collections.abc import Callable

    from soulpost.posts import Post
    from soulpost.publish.base import AdapterConfig

DEFAULT_BASE_URL = "https://bsky.social"
_T = TypeVar("_T")


@dataclass
class _Session:
    did: str
    handle: str
    access: str
    refresh: str


class BlueskyOptions(ApiOptions, CardOptions):
    """``[platforms.NAME].options`` of the bluesky adapter."""

    base_url: str | None = Field(DEFAULT_BASE_URL, description="the account's PDS")
    langs: list[str] | str = Field(
        default_factory=list, description="up to 3 language tags for every post, e.g. ['en']"
    )


class BlueskyAdapter(HttpAdapter):
    """One Bluesky account (handle + app password)."""

    name = "bluesky"
    default_base_url = DEFAULT_BASE_URL
    supports_lookup = True
    summary = "Bluesky: posts with facets, threads, images with alt text; fixed record keys"
    remote_id_form = "the post's AT-URI, at://<handle or DID>/app.bsky.feed.post/<record key>"

    env_roles: ClassVar[Mapping[str, Setting]] = {
        "handle": Setting("the account's handle (or DID or email)", True),
        "password": Setting("an app password for the account", True),
    }
    Options = BlueskyOptions
    opts: BlueskyOptions

    @classmethod
    def remote_id_from_url(cls, url: str) -> str | None:
        return _urls.bluesky(url)

    def __init__(self, config: AdapterConfig) -> None:
        super().__init__(config)
        langs = self.opts.langs
        self.langs = [langs] if isinstance(langs, str) else [str(lang) for lang in langs]
        self.notes = KeyNotes(config.state_dir, self.platform)
        self._login: _Session | None = None
        self._refs: dict[str, tuple[str, bsky.StrongRef]] = {}  # uri -> (cid, root)

    # --- pure -----------------------------------------------------------------------------

    def validate(self, post: Post) -> list[str]:
        problems = check_post(self, post)
        if len(self.langs) > bsky.MAX_LANGS:
            problems.append(f"options.langs has {len(self.langs)} entries; Bluesky allows 3")
        return problems

    def compose(self, post: Post) -> Composed:
        """Per part: text, link/tag facets (UTF-8 byte offsets), mentions still to resolve,
        images with alt text, langs, and the link to show as a card. Pure: handles become DIDs
        and the card a fetched page only when publishing."""
        texts = [(post.text_for(self.platform), post.media_for(self.platform))]
        texts += [(part.text, part.media) for part in post.thread_for(self.platform)]
        parts: list[Payload] = []
        for raw, media in texts:
            text = raw.strip()
            found = bsky.detect(text)
            part: dict[str, Any] = {"text": text, "facets": [dict(f) for f in found.facets]}
            if found.mentions:
                part["mentions"] = [
                    {"handle": m.handle, "byteStart": m.byte_start, "byteEnd": m.byte_end}
                    for m in found.mentions
                ]
            if media:
                part["media"] = media_list(media)
            if self.langs:
                part["langs"] = list(self.langs)
            links = [
                str(f["features"][0].get("uri"))
                for f in found.facets
                if f["features"][0].get("$type") == bsky.LINK
            ]
            if not parts and (card := card_link(self, post, links, bool(media))):
                part["card"] = card
            parts.append(part)
        return Composed(self.platform, tuple(parts))

    # --- HTTP and the session -------------------------------------------------------------

    def session_secrets(self) -> tuple[str, ...]:
        login = self._login
        return (login.access, login.refresh) if login else ()

    def _raw(self, method: str, nsid: str, **kwargs: Any) -> requests.Response:
        return self.call(method, f"{self.base}/xrpc/{nsid}", **kwargs)

    def _variables(self) -> str:
        names = [self.config.credentials.get(r, r) for r in ("handle", "password")]
        return " and ".join(f"${n}" for n in names)

    error_messages: ClassVar[Mapping[str, str]] = {
        RateLimited.outcome: "Bluesky rate limit reached while {what} ({message})",
        AuthError.outcome: (
            "Bluesky at {base} refused the credentials in {variables} while {what} (HTTP "
            "{status} {message}); use the account's handle and an app password"
        ),
        Rejected.outcome: "Bluesky refused it while {what} (HTTP {status} {message})",
        UnknownOutcome.outcome: "Bluesky answered HTTP {status} while {what} ({message})",
    }

    def error_fields(self, answer: ErrorAnswer) -> dict[str, str]:
        return {"variables": self._variables()}

    def error_text(self, answer: ErrorAnswer) -> str:
        error = bsky.parse_error(answer.status, answer.body())
        return f"{error.name}: {error.message}" if error.message else error.name

    def error_outcome(self, answer: ErrorAnswer) -> str | None:
        """XRPC names a rate limit or bad credentials in the body, whatever the status."""
        error = bsky.parse_error(answer.status, answer.body())
        if error.rate_limited:
            return RateLimited.outcome
        if error.auth:
            return AuthError.outcome
        return None

    def _create_session(self) -> _Session:
        body = {
            "identifier": secret(self.config, "Bluesky", "handle"),
            "password": secret(self.config, "Bluesky", "password"),
        }
        try:
            answer = self._raw("POST", "com.atproto.server.createSession", json=body).json()
        except ErrorAnswer as failed:
            raise self.error(failed, "logging in") from None
        except UnknownOutcome as exc:
            raise NotSent(
                f"logging in got no answer: {exc.message}", platform=self.platform
            ) from None
        self._login = _Session(
            answer["did"], answer["handle"], answer["accessJwt"], answer["refreshJwt"]
        )
        return self._login

    def _refresh(self) -> _Session:
        """``refreshSession``; when the refresh token is refused too, log in afresh."""
        assert self._login is not None
        try:
            answer = self._raw(
                "POST",
                "com.atproto.server.refreshSession",
                headers={"Authorization": f"Bearer {self._login.refresh}"},
            ).json()
        except (ErrorAnswer, UnknownOutcome):
            return self._create_session()
        self._login = _Session(
            answer.get("did", self._login.did),
            answer.get("handle", self._login.handle),
            answer["accessJwt"],
            answer["refreshJwt"],
        )
        return self._login

    def _authed(self, method: str, nsid: str, what: str, **kwargs: Any) -> requests.Response:
        """An authenticated XRPC call; an expired token is refreshed and the call repeated
        once (the PDS refused it before doing anything, so repeating is safe)."""
        login = self._login or self._create_session()
        extra = kwargs.pop("headers", {})
        for attempt in (1, 2):
            headers = {**extra, "Authorization": f"Bearer {login.access}"}
            try:
                return self._raw(method, nsid, headers=headers, **kwargs)
            except ErrorAnswer as answer:
                error = bsky.parse_error(answer.response.status_code, answer.body())
                if attempt == 1 and error.expired_token:
                    login = self._refresh()
                    continue
                raise self.error(answer, what) from None
        raise AssertionError("unreachable")

    # --- publishing -----------------------------------------------------------------------

    def _before_post(self, step: Callable[..., _T], *args: Any, **kwargs: Any) -> _T:
        """Run a step that comes before createRecord: if its answer is lost, the post
        itself certainly was not sent."""
        try:
            return step(*args, **kwargs)
        except UnknownOutcome as exc:
            raise NotSent(f"{exc.message} (before posting)", platform=self.platform) from None

    def _resolve(self, handle: str) -> str | None:
        try:
            answer = self._raw(
                "GET", "com.atproto.identity.resolveHandle", params={"handle": handle}
            )
        except ErrorAnswer as failed:
            if failed.response.status_code == 400:
                return None  # unknown handle: the mention stays plain text
            raise self.error(failed, f"resolving @{handle}") from None
        did = answer.json().get("did")
        return did if isinstance(did, str) else None

    def _facets(self, payload: Payload) -> list[dict[str, Any]]:
        found = [dict(f) for f in payload.get("facets") or ()]
        dids: dict[str, str | None] = {}
        for mention in payload.get("mentions") or ():
            handle = str(mention["handle"])
            if handle not in dids:
                dids[handle] = self._before_post(self._resolve, handle)
            did = dids[handle]
            if did:
                found.append(
                    {
                        "index": {
                            "byteStart": int(mention["byteStart"]),
                            "byteEnd": int(mention["byteEnd"]),
                        },
                        "features": [{"$type": bsky.MENTION, "did": did}],
                    }
                )
        found.sort(key=lambda f: int(f["index"]["byteStart"]))
        return found

    def _images(self, files: list[MediaFile]) -> list[bsky.Image]:
        images = []
        for media in files:
            answer = self._before_post(
                self._authed,
                "POST",
                "com.atproto.repo.uploadBlob",
                f"uploading {media.name}",
                data=media.data,
                headers={"Content-Type": media.mime},
            )
            blob = bsky.blob_from_upload(answer.json())
            images.append(bsky.Image(blob, media.alt, media.width, media.height))
        return images

    def _external(self, key: str, payload: Payload) -> dict[str, Any] | None:
        """The link card (``app.bsky.embed.external``) of the part, its picture uploaded as
        a blob; None when the part wants none or the page has none."""
        link = payload.get("card")
        if not isinstance(link, Mapping) or not link.get("url"):
            return None

        def build(card: Any, session: Any) -> dict[str, Any]:
            thumb = None
            found = picture(self, session, card, bsky.MAX_THUMB_BYTES)
            if found is not None:
                data, mime = found
                answer = self._before_post(
                    self._authed,
                    "POST",
                    "com.atproto.repo.uploadBlob",
                    "uploading the link card's picture",
                    data=data,
                    headers={"Content-Type": mime},
                )
                thumb = bsky.blob_from_upload(answer.json())
            return bsky.external_embed(card.url, card.title, card.description, thumb)

        return cached_card(self, key, str(link["url"]), build)

    def _parent_refs(self, parent: Receipt) -> tuple[bsky.StrongRef, bsky.StrongRef]:
        """(root, parent) strongRefs for a reply to *parent* (its AT-URI is the remote id)."""
        uri = parent.remote_id
        known = self._refs.get(uri)
        if known is not None:
            cid, root = known
            return root, bsky.StrongRef(uri, cid)
        repo, _, rkey = uri.removeprefix("at://").partition(f"/{bsky.POST_COLLECTION}/")
        if not repo.startswith("did:"):
            # A person's answer names the account by handle (the web URL does); a reply's
            # strongRef must carry the DID form, the only one the network indexes.
            did = self._resolve(repo)
            if did is None:
                raise Rejected(
                    f"the post to reply to, {uri}: its handle does not resolve to an account",
                    platform=self.platform,
                )
            repo, uri = did, f"at://{did}/{bsky.POST_COLLECTION}/{rkey}"
        record = self._get_record(repo, rkey)
        if record is None:
            raise Rejected(f"the post to reply to, {uri}, does not exist", platform=self.platform)
        ref = bsky.StrongRef(uri, str(record["cid"]))
        reply = (record.get("value") or {}).get("reply") or {}
        root_ref = reply.get("root")
        root = bsky.StrongRef(root_ref["uri"], root_ref["cid"]) if root_ref else ref
        return root, ref

    def _get_record(self, repo: str, rkey: str) -> dict[str, Any] | None:
        """``getRecord``: the record, or None when the PDS says it does not exist."""
        try:
            answer = self._raw(
                "GET",
                "com.atproto.repo.getRecord",
                params={"repo": repo, "collection": bsky.POST_COLLECTION, "rkey": rkey},
            )
        except ErrorAnswer as failed:
            error = bsky.parse_error(failed.response.status_code, failed.body())
            if failed.response.status_code in (400, 404) and "NotFound" in error.name:
                return None
            raise self.error(failed, "checking whether the post exists") from None
        found = answer.json()
        return found if isinstance(found, dict) else None

    def _note(self, key: str, login: _Session) -> dict[str, Any]:
        note = self.notes.get(key)
        if note is None or note.get("did") != login.did:
            note = {
                "did": login.did,
                "rkey": bsky.stable_tid(key, self.config.clock.now()),
                "minted_at": self.config.clock.now().isoformat(),
            }
            self.notes.put(key, note)
        return note

    def _receipt(self, uri: str, cid: str, root: bsky.StrongRef | None) -> Receipt:
        created = bsky.CreatedRecord(uri, cid)
        self._refs[uri] = (cid, root or created.ref)
        handle = self._login.handle if self._login else None
        return Receipt(uri, created.web_url(handle), self.config.clock.now())

    def _send(self, payload: Payload, key: str, parent: Receipt | None) -> Receipt:
        files = read_all_media(self, payload.get("media"), max_bytes=bsky.MAX_IMAGE_BYTES)
        login = self._login or self._before_post(self._create_session)
        root = reply_to = None
        if parent is not None:
            root, reply_to = self._before_post(self._parent_refs, parent)
        facets = self._facets(payload)
        videos = [f for f in files if f.mime.startswith("video/")]
        images = self._images([f for f in files if not f.mime.startswith("video/")])
        video = self._images(videos)[0] if videos else None
        external = self._external(key, payload) if not files else None
        login = self._login or login
        note = self._note(key, login)
        try:
            record = bsky.post_record(
                str(payload.get("text", "")),
                # the record key alone prevents a duplicate; a retry hours later should
                # not appear backdated in feeds, so createdAt is the moment of this attempt
                created_at=self.config.clock.now(),
                facets=facets,
                langs=list(payload.get("langs") or ()),
                root=root,
                parent=reply_to,
                images=images,
                external=external,
                video=video,
            )
        except ValueError as exc:
            raise Rejected(f"Bluesky would refuse it: {exc}", platform=self.platform) from None
        body = bsky.create_record_body(login.did, record, rkey=note["rkey"])
        try:
            answer = self._authed("POST", "com.atproto.repo.createRecord", "posting", json=body)
        except (UnknownOutcome, Rejected) as failed:
            # A timeout, PDS 0.5.35's 500 for a record key that already exists, or another
            # PDS's 4xx for the same: the record key is fixed, so getRecord can tell.
            if isinstance(failed, AuthError):
                raise
            found = self._lookup_note(note)
            if found is not None:
                return found
            raise failed from None
        created = bsky.parse_created(answer.json())
        return self._receipt(created.uri, created.cid, root)

    def publish(self, payload: Payload, key: str) -> Receipt:
        return self._send(payload, key, None)

    def reply(self, parent: Receipt, payload: Payload, key: str) -> Receipt:
        return self._send(payload, key, parent)

    def _record_receipt(self, record: dict[str, Any]) -> Receipt:
        reply = (record.get("value") or {}).get("reply") or {}
        root = reply.get("root")
        ref = bsky.StrongRef(root["uri"], root["cid"]) if root else None
        return self._receipt(str(record["uri"]), str(record["cid"]), ref)

    def _lookup_note(self, note: dict[str, Any]) -> Receipt | None:
        """After an unclear createRecord: the receipt if the record exists; None when it
        does not or the PDS cannot say right now (the caller keeps the doubt)."""
        try:
            record = self._get_record(str(note["did"]), str(note["rkey"]))
        except PublishError:
            return None
        return self._record_receipt(record) if record is not None else None

    def lookup(self, key: str, payload: Payload) -> Receipt | None:
        """``getRecord`` of the record key minted for *key*: its receipt, or None when no
        record exists (then a retry reuses the same record key, so it cannot duplicate)."""
        note = self.notes.get(key)
        if note is None:
            return None  # the note is written before createRecord: nothing was posted
        record = self._get_record(str(note["did"]), str(note["rkey"]))
        if record is None:
            return None
        if self._login is None:
            with contextlib.suppress(PublishError):
                self._create_session()  # only for the handle in the URL
        return self._record_receipt(record)

    def check(self) -> str:
        """Log in: proves the handle and app password work."""
        login = self._create_session()
        return f"@{login.handle} ({login.did}) on {self.base}"
