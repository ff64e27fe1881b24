"""Where tokens live: the OS keyring, else a 0600 file under the user's config directory.

Never in the workspace (a repository reviewed in pull requests), the ledger, logs or output.

Layout, all under ``platformdirs.user_config_path("soulpost")`` (``$XDG_CONFIG_HOME/soulpost``
on Linux):

* ``accounts.json`` (0600): the index. One entry per connected (platform, account): which
  backend holds its secret, when the access token expires, whether it can refresh, the
  token URL and client id. Nothing secret, so ``soulpost accounts`` can list without asking
  the keyring for anything.
* the secret half of each entry (access and refresh tokens, client secret, app password):
  in the keyring (service ``soulpost``, user ``PLATFORM:ACCOUNT``) when a real backend
  exists, else in ``tokens.json`` (0600).
* ``accounts.lock``: ``flock`` held while an entry is written or refreshed, so two processes
  never both spend one rotating refresh token and never lose each other's writes.

Every write is atomic (temporary file, fsync, rename); a crash leaves the old file whole.
``SOULPOST_TOKEN_STORE=file|keyring`` forces a backend (``auto`` is the default).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import tempfile
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from soulpost.errors import StateError

SERVICE = "soulpost"
INDEX = "accounts.json"
SECRETS = "tokens.json"
LOCK = "accounts.lock"
#: The secret fields of a record; everything else is safe to list.
SECRET_FIELDS = ("access_token", "refresh_token", "client_secret", "password")


class StoreError(StateError):
    """The token store cannot be read or written."""


@dataclass
class Record:
    """One connected account: what the platform gave at login (and at each refresh)."""

    platform: str
    account: str
    provider: str
    access_token: str = ""
    refresh_token: str | None = None
    expires_at: float | None = None  # epoch seconds; None: the token does not expire
    token_url: str | None = None
    client_id: str | None = None
    client_secret: str | None = None
    token_auth: str = "none"  # how the client authenticates at the token URL
    scope: str | None = None
    obtained_at: float | None = None
    #: Other credential roles the adapter reads (Bluesky: handle, password; pds).
    roles: dict[str, str] = field(default_factory=dict)
    password: str | None = None
    backend: str = ""
    #: Meta (Threads, Instagram): no refresh token; the long-lived access token itself is
    #: refreshed with ``GET token_url?grant_type=<this>&access_token=...``.
    refresh_grant: str | None = None

    @property
    def key(self) -> str:
        return f"{self.platform}:{self.account}"

    def public(self) -> dict[str, Any]:
        """The index entry: every field but the secrets."""
        data = asdict(self)
        for name in SECRET_FIELDS:
            data.pop(name, None)
        data["refreshable"] = self.refreshable
        return data

    @property
    def refreshable(self) -> bool:
        """Whether soulpost can renew the access token without a person."""
        return bool(self.token_url and (self.refresh_token or self.refresh_grant))

    def secret_part(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in SECRET_FIELDS}

    def secrets(self) -> list[str]:
        """Every secret value, for redaction."""
        return [v for v in (getattr(self, n) for n in SECRET_FIELDS) if isinstance(v, str) and v]

    def role(self, role: str) -> str | None:
        """The credential an adapter asks for by *role* (``token`` is the access token)."""
        if role in ("token", "access_token"):
            return self.access_token or None
        if role == "password":
            return self.password
        return self.roles.get(role)


def config_dir() -> Path:
    """The user's soulpost config directory (never inside a workspace)."""
    import platformdirs

    return Path(platformdirs.user_config_path("soulpost", appauthor=False))


def keyring_usable() -> bool:
    """True when keyring has a real backend (not the ``fail`` or ``null`` placeholders)."""
    try:
        import keyring
        from keyring.backends import chainer, fail

        ring = keyring.get_keyring()
    except Exception:
        return False
    if isinstance(ring, fail.Keyring) or type(ring).__module__.endswith(".null"):
        return False
    if isinstance(ring, chainer.ChainerBackend):
        return bool(ring.backends)
    return True


def chosen_backend() -> str:
    """``keyring`` or ``file``: ``$SOULPOST_TOKEN_STORE`` when set, else what works here."""
    wanted = os.environ.get("SOULPOST_TOKEN_STORE", "auto").strip().lower() or "auto"
    if wanted not in ("auto", "file", "keyring"):
        raise StoreError(f"SOULPOST_TOKEN_STORE={wanted!r}: expected auto, file or keyring")
    if wanted == "keyring" and not keyring_usable():
        raise StoreError(
            "SOULPOST_TOKEN_STORE=keyring but no keyring backend is available here; "
            "unset it to use the 0600 file store"
        )
    if wanted == "auto":
        return "keyring" if keyring_usable() else "file"
    return wanted


class Store:
    """The token store rooted at *root* (default: :func:`config_dir`)."""

    def __init__(self, root: Path | None = None) -> None:
        self.root = root or config_dir()

    # --- files ------------------------------------------------------------------------------

    def _read(self, name: str) -> dict[str, Any]:
        path = self.root / name
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return {}
        except OSError as exc:
            raise StoreError(f"{path}: cannot read the token store ({exc.strerror})") from None
        try:
            data = json.loads(text)
        except ValueError:
            raise StoreError(
                f"{path}: the token store is not valid JSON; remove it and run "
                "`soulpost login` again"
            ) from None
        return data if isinstance(data, dict) else {}

    def _write(self, name: str, data: dict[str, Any]) -> None:
        """Atomic replace with mode 0600 from the first byte (mkstemp creates it so)."""
        self.root.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=self.root)
        try:
            os.fchmod(fd, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(data, handle, indent=2, sort_keys=True)
                handle.flush()
                os.fsync(handle.fileno())
            Path(tmp).replace(self.root / name)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        """Hold the store's exclusive lock (blocking): writes and refreshes happen inside."""
        try:
            self.root.mkdir(parents=True, exist_ok=True, mode=0o700)
            fd = os.open(self.root / LOCK, os.O_RDWR | os.O_CREAT, 0o600)
        except OSError as exc:
            raise StoreError(
                f"{self.root / LOCK}: cannot lock the token store ({exc.strerror})"
            ) from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)  # closing drops the flock

    # --- records ----------------------------------------------------------------------------

    def index(self) -> dict[str, dict[str, Any]]:
        """Every connected account's public entry, by ``PLATFORM:ACCOUNT``."""
        return {k: v for k, v in self._read(INDEX).items() if isinstance(v, dict)}

    def load(self, platform: str, account: str) -> Record | None:
        """The whole record (with its secrets), or None when not connected."""
        entry = self.index().get(f"{platform}:{account}")
        if entry is None:
            return None
        secret = self._secret_of(entry.get("backend", "file"), f"{platform}:{account}")
        fields = {k: v for k, v in entry.items() if k in Record.__dataclass_fields__}
        fields.update({k: v for k, v in secret.items() if k in SECRET_FIELDS})
        return Record(**fields)

    def _secret_of(self, backend: str, key: str) -> dict[str, Any]:
        if backend == "keyring":
            import keyring

            try:
                raw = keyring.get_password(SERVICE, key)
            except Exception as exc:
                raise StoreError(
                    f"the keyring refused to give the secret of {key} ({type(exc).__name__}); "
                    "unlock it, or run `soulpost login` again"
                ) from None
            try:
                data = json.loads(raw) if raw else {}
            except ValueError:
                data = {}
            return data if isinstance(data, dict) else {}
        entry = self._read(SECRETS).get(key)
        return entry if isinstance(entry, dict) else {}

    def save(self, record: Record) -> None:
        """Write *record* (call inside :meth:`locked`): the secret first, then the index.
        A record that moves between backends leaves no copy behind in the old one."""
        record.backend = record.backend or chosen_backend()
        index = self._read(INDEX)
        before = index.get(record.key, {}).get("backend")
        secrets = self._read(SECRETS)
        if record.backend == "keyring":
            self._keyring("set_password", record.key, json.dumps(record.secret_part()))
            if secrets.pop(record.key, None) is not None:
                self._write(SECRETS, secrets)
        else:
            secrets[record.key] = record.secret_part()
            self._write(SECRETS, secrets)
            if before == "keyring":
                self._keyring("delete_password", record.key)
        index[record.key] = record.public()
        self._write(INDEX, index)

    @staticmethod
    def _keyring(call: str, key: str, *value: str) -> None:
        """One keyring write; StoreError (not a traceback) when the keyring refuses."""
        import keyring
        from keyring.errors import PasswordDeleteError

        try:
            getattr(keyring, call)(SERVICE, key, *value)
        except PasswordDeleteError:
            pass  # already gone
        except Exception as exc:
            raise StoreError(
                f"the keyring refused to store the secret of {key} ({type(exc).__name__}); "
                "unlock it, or set SOULPOST_TOKEN_STORE=file"
            ) from None

    def delete(self, platform: str, account: str) -> bool:
        """Forget one account (call inside :meth:`locked`); False when it was not there."""
        key = f"{platform}:{account}"
        index = self._read(INDEX)
        entry = index.pop(key, None)
        if entry is None:
            return False
        if entry.get("backend") == "keyring":
            self._keyring("delete_password", key)
        secrets = self._read(SECRETS)
        if secrets.pop(key, None) is not None:
            self._write(SECRETS, secrets)
        self._write(INDEX, index)
        return True
