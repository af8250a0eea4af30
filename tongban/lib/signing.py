"""The platform's signing key for messages to partner platforms (跨区通办, tongban.exchange).

Ed25519 (RFC 8032) from the `cryptography` package. The national choice would be SM2
(GB/T 32918), but `cryptography` has no SM2 and no other dependency of tongban does; Ed25519
gives the same property the agreements need — a message only the holder of the private key
could have written, checked with a public key exchanged when the agreement is made — and is
swapped for SM2 in this one module when a vetted SM2 library is admitted.

The private key comes from TONGBAN_PLATFORM_KEY (or TONGBAN_PLATFORM_KEY_FILE): base64 of the
32-byte seed. Without it development and the demo generate one into the data dir
(`platform_key`, mode 0600); the production profile refuses, as for the data key.
"""

import base64
import binascii
import os
import secrets
from functools import cache
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat


class SigningKeyError(ValueError):
    """A key that is not base64 of 32 bytes."""


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def _raw(text: str, what: str) -> bytes:
    try:
        raw = base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError, AttributeError):
        raise SigningKeyError(f"{what} is not base64") from None
    if len(raw) != 32:
        raise SigningKeyError(f"{what} should be 32 bytes, not {len(raw)}")
    return raw


def private_key_parse(text: str) -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(_raw(text, "the platform key"))


def private_key_new() -> str:
    """A new private key as base64 of its seed."""
    return _b64(secrets.token_bytes(32))


def public_key_text(key: Ed25519PrivateKey) -> str:
    """The public half of `key`, as it is given to a partner (base64 of 32 bytes)."""
    return _b64(key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw))


def public_key_check(text: str) -> str:
    """`text` if it is an Ed25519 public key in base64; raises SigningKeyError otherwise."""
    Ed25519PublicKey.from_public_bytes(_raw(text, "the public key"))
    return text.strip()


def sign(key: Ed25519PrivateKey, data: bytes) -> str:
    return _b64(key.sign(data))


def verify(public_key: str, data: bytes, signature: str) -> bool:
    """Whether `signature` (base64) is `public_key`'s signature of `data`. Never raises on bad
    input from outside: a signature or key that does not parse is simply not valid."""
    try:
        key = Ed25519PublicKey.from_public_bytes(_raw(public_key, "the public key"))
        key.verify(base64.b64decode(signature, validate=True), data)
    except (InvalidSignature, SigningKeyError, binascii.Error, ValueError, TypeError):
        return False
    return True


def platform_key_load(*, data_dir: Path, generate: bool) -> Ed25519PrivateKey:
    """The platform's private key: TONGBAN_PLATFORM_KEY(_FILE), or `data_dir/platform_key`,
    generated there once when `generate`. Raises SigningKeyError when there is none to use."""
    if path := os.environ.get("TONGBAN_PLATFORM_KEY_FILE"):
        return private_key_parse(Path(path).read_text())
    if text := os.environ.get("TONGBAN_PLATFORM_KEY"):
        return private_key_parse(text)
    path = data_dir / "platform_key"
    if not path.exists():
        if not generate:
            raise SigningKeyError(
                "TONGBAN_PLATFORM_KEY or TONGBAN_PLATFORM_KEY_FILE must hold the platform's "
                "signing key in production (README: 跨区通办)"
            )
        # Written whole under a private name, then linked into place (as lib.crypto's data key).
        tmp = data_dir / f".platform_key.{os.getpid()}.{secrets.token_hex(4)}"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(private_key_new() + "\n")
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    return private_key_parse(path.read_text())


@cache
def platform_key() -> Ed25519PrivateKey:
    """The key in force (read once per process)."""
    from django.conf import settings

    return platform_key_load(
        data_dir=settings.DATA_DIR, generate=settings.TONGBAN_PROFILE != "production"
    )


def platform_public_key() -> str:
    return public_key_text(platform_key())
