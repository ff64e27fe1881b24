"""Pytest fixtures: one started fake per test, stopped afterwards.

Load them in a test module with::

    pytest_plugins = ["tests.fakes.fixtures"]
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.fakes.facebook import FacebookFake
from tests.fakes.linkedin import LinkedInFake
from tests.fakes.mastodon import MastodonFake
from tests.fakes.pinterest import PinterestFake
from tests.fakes.webhook import WebhookFake
from tests.fakes.x import XFake


@pytest.fixture
def mastodon_fake() -> Iterator[MastodonFake]:
    """A running fake Mastodon on 127.0.0.1 (token ``test-token``)."""
    with MastodonFake() as fake:
        yield fake


@pytest.fixture
def x_fake() -> Iterator[XFake]:
    """A running fake X API v2 (bearer ``test-token`` or any OAuth 1.0a header)."""
    with XFake() as fake:
        yield fake


@pytest.fixture
def linkedin_fake() -> Iterator[LinkedInFake]:
    """A running fake LinkedIn (token ``test-token``, versions 202601 and 202511)."""
    with LinkedInFake() as fake:
        yield fake


@pytest.fixture
def facebook_fake() -> Iterator[FacebookFake]:
    """A running fake Graph API for page ``101234567890`` (token ``page-token``)."""
    with FacebookFake() as fake:
        yield fake


@pytest.fixture
def pinterest_fake() -> Iterator[PinterestFake]:
    """A running fake Pinterest v5 (token ``test-token``, board ``549755885175``)."""
    with PinterestFake() as fake:
        yield fake


@pytest.fixture
def webhook_fake() -> Iterator[WebhookFake]:
    """A running fake for generic, Discord and Slack webhooks."""
    with WebhookFake() as fake:
        yield fake
