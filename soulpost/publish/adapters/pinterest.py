"""``pinterest``: creates a Pin on a board through API v5 (``POST /v5/pins``).

A Pin needs exactly one image; it is sent as ``image_base64`` (a URL source would make
Pinterest fetch it from its own servers). The post's text is the description, its first URL
the Pin's link, the image's alt text the Pin's ``alt_text``. Facts: ``shared/platforms.md``
§6. Pinterest has no idempotency and no way to find a Pin by content, so an in-doubt Pin is
held for a person.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from pydantic import Field

from soulpost.publish.adapters import _urls
from soulpost.publish.adapters._common import (
    ErrorAnswer,
    HttpAdapter,
    json_body,
)
from soulpost.publish.adapters._media import media_list, mime_type, read_media
from soulpost.publish.base import (
    AdapterConfig,
    Composed,
    Payload,
    Receipt,
    Rejected,
    Setting,
    UnknownOutcome,
)
from soulpost.publish.options import NEEDED, ApiOptions, MediaOptions, TokenOptions
from soulpost.publish.wire import pinterest as pin

if TYPE_CHECKING:
    from soulpost.posts import Post

_URL = re.compile(r"https?://[^\s<>\"']+")


class PinterestOptions(ApiOptions, MediaOptions, TokenOptions):
    """``[platforms.NAME].options`` of the pinterest adapter."""

    board_id: str | int | None = Field(
        None, description="the board Pins go to (or set `account`)", json_schema_extra=NEEDED
    )
    board_section_id: str | int | None = Field(None, description="a section of that board")
    link: str | None = Field(None, description="the Pin's link; default: the first URL in the text")
    base_url: str | None = Field("https://api.pinterest.com", description="API root")


class PinterestAdapter(HttpAdapter):
    """Pinterest API v5 Pins."""

    name = "pinterest"
    summary = "Pinterest Pins (API v5): one image with alt text, description, link"
    remote_id_form = "the Pin id, the number after /pin/ in its URL"

    default_base_url = "https://api.pinterest.com"
    env_roles: ClassVar[dict[str, Setting]] = {
        "token": Setting("OAuth access token (boards:read, pins:write)", required=True)
    }
    Options = PinterestOptions
    opts: PinterestOptions

    @classmethod
    def remote_id_from_url(cls, url: str) -> str | None:
        return _urls.pinterest(url)

    def __init__(self, config: AdapterConfig) -> None:
        super().__init__(config)
        board = self.opts.board_id or config.account
        if not board:
            from soulpost.errors import ConfigError

            raise ConfigError(
                "the pinterest adapter needs the board to pin to",
                key=f"platforms.{self.platform}.options.board_id",
            )
        self.board_id = str(board)
        section = self.opts.board_section_id
        self.section = str(section) if section else None
        self.link = self.opts.link

    # --- pure ------------------------------------------------------------------------------

    def validate(self, post: Post) -> list[str]:
        problems = super().validate(post)
        media = post.media_for(self.platform)
        if not media:
            problems.append("a Pin needs an image: add [[media]] with path and alt")
        problems += self.media_problems(media)
        for item in media:
            if (item.alt or "") and len(item.alt or "") > pin.LIMITS["alt_text"]:
                problems.append(
                    f"alt text of {item.path} has {len(item.alt or '')} characters; "
                    f"Pinterest allows {pin.LIMITS['alt_text']}"
                )
            kind = mime_type(Path(item.path))
            if kind not in pin.CONTENT_TYPES:
                problems.append(f"image {item.path}: Pinterest takes JPEG or PNG")
        return problems

    def compose(self, post: Post) -> Composed:
        """The Pin body without the image bytes (read at publish time) and the image."""
        text = post.text_for(self.platform).strip()
        media = media_list(post.media_for(self.platform))
        found = _URL.search(text)
        link = self.link or (found.group(0).rstrip(".,;:!?)") if found else None)
        body: dict[str, Any] = {"board_id": self.board_id, "description": text}
        if link:
            body["link"] = str(link)
        if self.section:
            body["board_section_id"] = self.section
        if media and media[0]["alt"]:
            body["alt_text"] = media[0]["alt"]
        return Composed(self.platform, ({"pin": body, "media": media[:1]},))

    # --- side effects ------------------------------------------------------------------------

    def _call(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {self.token()}"}
        return json_body(self.request(method, f"{self.base}{path}", headers=headers, **kwargs))

    def error_text(self, answer: ErrorAnswer) -> str:
        error = pin.parse_error(answer.status, answer.body())
        code = f" (code {error.code})" if error.code is not None else ""
        return f"HTTP {answer.status}{code}: {error.message}"

    def publish(self, payload: Payload, key: str) -> Receipt:
        spec = dict(payload["pin"])
        media = [dict(m) for m in payload.get("media") or ()]
        if not media:
            raise Rejected("a Pin needs an image", platform=self.platform)
        image = read_media(self, media[0])
        try:
            body = pin.pin_body(
                str(spec["board_id"]),
                description=str(spec.get("description") or ""),
                link=spec.get("link"),
                alt_text=spec.get("alt_text"),
                image=image.data,
                content_type=image.mime,
                board_section_id=spec.get("board_section_id"),
            )
        except ValueError as exc:
            raise Rejected(str(exc), platform=self.platform) from None
        reply = self._call("POST", "/v5/pins", json=body)
        try:
            created = pin.parse_pin(reply)
        except ValueError as exc:
            raise UnknownOutcome(str(exc), platform=self.platform) from None
        return Receipt(created.id, created.web_url, self.config.clock.now())

    def check(self) -> str:
        body = self._call("GET", "/v5/user_account")
        return f"token works for {body.get('username') or '?'}"
