"""Personal data sealed at rest: the data key ring, SM4 encryption, blind indexes, the backup key.

The ring. TONGBAN_DATA_KEY, or the file TONGBAN_DATA_KEY_FILE names, holds one key per line (or
comma-separated) as `id:base64`, 32 random bytes each (`openssl rand -base64 32`). The first
key is current: it seals everything new. The others only open what they sealed, so a key is
rotated without downtime: add the new key last everywhere, then move it first, re-encrypt
(`reencrypt`), and drop the old key once nothing uses it. Without the variable, development
and the demo generate a ring once into the data dir (`data_key`, mode 0600); the production
profile refuses to start (`keyring_load`).

Every key of the ring is split by HKDF-SM3 into three keys that never meet: the SM4 key of the
fields, the HMAC-SM3 key of the blind indexes, and the backup key. Deriving the backup key,
rather than keeping a fourth secret, means one secret to guard and to rotate; an archive names
the key id it was sealed with, so keep a retired key (offline) for as long as its backups.

Sealing is SM4-GCM (GB/T 32907 in the mode of RFC 8998), which the OpenSSL inside
`cryptography` provides; `keyring_load` checks it with a known answer and refuses to start
where it is missing. A sealed value is text, `sm4gcm1$<key id>$<base64url(nonce | ciphertext |
tag)>`, bound to its purpose (the column it belongs to) so that it opens nowhere else. Nonces
are random (96 bits): keep one key for fewer than 2^32 seals, i.e. rotate well before.

A blind index is HMAC-SM3 of the normalised value under the index key, keyed by purpose too,
for exact lookup and uniqueness without decrypting. While a rotation runs, rows carry indexes
of either key: look up with `blind_indexes` (one per key) until `reencrypt` has gone through.
"""

import base64
import binascii
import os
import re
import secrets
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import BinaryIO

from cryptography.exceptions import InvalidTag, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import hmac as crypto_hmac
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.core.exceptions import ImproperlyConfigured

SCHEME = "sm4gcm1"
KEY_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,31}")
NONCE_BYTES = 12
TAG_BYTES = 16


class CryptoError(Exception):
    """A sealed value or archive that does not open: altered, damaged or under another key."""


class UnknownKey(CryptoError):
    """Sealed with a key id that the ring does not hold."""


def _hkdf(secret: bytes, *, info: bytes, length: int, salt: bytes | None = None) -> bytes:
    return HKDF(algorithm=hashes.SM3(), length=length, salt=salt, info=info).derive(secret)


@dataclass(frozen=True, repr=False)
class DataKey:
    """One key of the ring, split into its three uses (never printed: repr shows the id)."""

    id: str
    data: bytes  # SM4 key of the sealed fields
    index: bytes  # HMAC-SM3 key of the blind indexes
    backup: bytes  # the companion key of `tongban backup`

    @classmethod
    def from_secret(cls, key_id: str, secret: bytes) -> "DataKey":
        return cls(
            id=key_id,
            data=_hkdf(secret, info=b"tongban/v1/sm4-gcm/fields", length=16),
            index=_hkdf(secret, info=b"tongban/v1/hmac-sm3/blind-index", length=32),
            backup=_hkdf(secret, info=b"tongban/v1/backup", length=32),
        )

    def __repr__(self) -> str:
        return f"<DataKey {self.id}>"


class KeyRing:
    """The data keys, current first; the others only open what they sealed."""

    def __init__(self, keys: list[DataKey]):
        if not keys:
            raise ImproperlyConfigured("the data key ring is empty")
        self.keys = {k.id: k for k in keys}
        if len(self.keys) != len(keys):
            raise ImproperlyConfigured("the data key ring names one key id twice")
        self.current = keys[0]

    @classmethod
    def parse(cls, text: str, *, source: str = "TONGBAN_DATA_KEY") -> "KeyRing":
        """A ring from `id:base64` entries, one a line or comma-separated; `#` starts a comment.
        Raises ImproperlyConfigured naming `source` and the entry at fault (never the key)."""
        keys = []
        entries = [e.strip() for line in text.splitlines() for e in line.split("#")[0].split(",")]
        for n, entry in enumerate((e for e in entries if e), 1):
            key_id, sep, encoded = entry.partition(":")
            key_id = key_id.strip()
            if not sep or not KEY_ID.fullmatch(key_id):
                raise ImproperlyConfigured(
                    f"{source}: entry {n} must be id:base64 with an id of letters, digits, "
                    "'.', '_' or '-' (at most 32)"
                )
            encoded = encoded.strip().replace("-", "+").replace("_", "/")  # either alphabet
            try:
                secret = base64.b64decode(encoded + "=" * (-len(encoded) % 4), validate=True)
            except binascii.Error:
                raise ImproperlyConfigured(f"{source}: key {key_id!r} is not base64") from None
            if not 16 <= len(secret) <= 64:
                raise ImproperlyConfigured(
                    f"{source}: key {key_id!r} has {len(secret)} bytes; give 32 random bytes "
                    "(openssl rand -base64 32)"
                )
            keys.append(DataKey.from_secret(key_id, secret))
        if not keys:
            raise ImproperlyConfigured(f"{source} holds no key")
        return cls(keys)

    def get(self, key_id: str) -> DataKey:
        try:
            return self.keys[key_id]
        except KeyError:
            raise UnknownKey(
                f"sealed with key {key_id!r}, which the data key ring does not hold "
                f"(it holds {', '.join(self.keys)})"
            ) from None

    def __repr__(self) -> str:
        return f"<KeyRing current={self.current.id} keys={','.join(self.keys)}>"


def key_line_new(key_id: str) -> str:
    """A new ring entry `id:base64` of 32 random bytes."""
    if not KEY_ID.fullmatch(key_id):
        raise ValueError(f"key id {key_id!r}: letters, digits, '.', '_' or '-', at most 32")
    return f"{key_id}:{base64.b64encode(secrets.token_bytes(32)).decode()}"


# RFC 8998 A.1, SM4-GCM: key, nonce, associated data, plaintext -> ciphertext | tag.
RFC8998_GCM = tuple(bytes.fromhex(h) for h in (
    "0123456789abcdeffedcba9876543210",
    "00001234567800000000abcd",
    "feedfacedeadbeeffeedfacedeadbeefabaddad2",
    "aaaaaaaaaaaaaaaabbbbbbbbbbbbbbbbccccccccccccccccdddddddddddddddd"
    "eeeeeeeeeeeeeeeeffffffffffffffffeeeeeeeeeeeeeeeeaaaaaaaaaaaaaaaa",
    "17f399f08c67d5ee19d0dc9969c4bb7d5fd46fd3756489069157b282bb200735"
    "d82710ca5c22f0ccfa7cbf93d496ac15a56834cbcf98c397b4024a2691233b8d"
    "83de3541e4c2b58177e065a9bf7b62ec",
))  # fmt: skip


def _check_sm4_gcm() -> None:
    """The installed OpenSSL seals SM4-GCM, and seals RFC 8998's example right."""
    key, nonce, aad, plain, sealed = RFC8998_GCM
    try:
        enc = Cipher(algorithms.SM4(key), modes.GCM(nonce)).encryptor()
    except UnsupportedAlgorithm:
        raise ImproperlyConfigured(
            "this OpenSSL has no SM4-GCM: install cryptography's own wheel (pip), whose "
            "OpenSSL has it, rather than a build against a system OpenSSL without SM4"
        ) from None
    enc.authenticate_additional_data(aad)
    if enc.update(plain) + enc.finalize() + enc.tag != sealed:
        raise ImproperlyConfigured("this OpenSSL's SM4-GCM does not give RFC 8998's answer")


def keyring_load(*, data_dir: Path, generate: bool) -> KeyRing:
    """The ring from TONGBAN_DATA_KEY (or TONGBAN_DATA_KEY_FILE); for settings.py.

    Without either, a ring is generated once into `data_dir/data_key` (mode 0600) when
    `generate` (development, the demo), and otherwise ImproperlyConfigured is raised: the
    production profile does not start without a key kept outside the database and the code."""
    _check_sm4_gcm()
    if path := os.environ.get("TONGBAN_DATA_KEY_FILE"):
        try:
            return KeyRing.parse(Path(path).read_text(), source=f"TONGBAN_DATA_KEY_FILE ({path})")
        except OSError as e:
            raise ImproperlyConfigured(f"TONGBAN_DATA_KEY_FILE: {path}: {e.strerror}") from None
    if text := os.environ.get("TONGBAN_DATA_KEY"):
        return KeyRing.parse(text)
    if not generate:
        raise ImproperlyConfigured(
            "TONGBAN_DATA_KEY or TONGBAN_DATA_KEY_FILE must hold the data key in production "
            "(README: Keys and backups); a key in the data dir would sit beside the data it guards"
        )
    path = data_dir / "data_key"
    if not path.exists():
        # Written whole under a private name, then linked into place: of two processes
        # starting at once, one key wins and neither reads a half-written file.
        tmp = data_dir / f".data_key.{os.getpid()}.{secrets.token_hex(4)}"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(key_line_new(f"dev-{secrets.token_hex(3)}") + "\n")
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    return KeyRing.parse(path.read_text(), source=str(path))


def keyring() -> KeyRing:
    """The ring in force (settings.TONGBAN_DATA_KEYS)."""
    from django.conf import settings

    return settings.TONGBAN_DATA_KEYS


# --- Sealed values ------------------------------------------------------------------------


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _aad(key_id: str, purpose: str) -> bytes:
    if not purpose:
        raise ValueError("a sealed value needs its purpose, e.g. 'people.applicant.id_number'")
    return f"{SCHEME}${key_id}${purpose}".encode()


def encrypt_bytes(data: bytes, *, purpose: str) -> str:
    """`data` sealed with the current key for `purpose` (the column it goes in)."""
    key = keyring().current
    nonce = os.urandom(NONCE_BYTES)
    enc = Cipher(algorithms.SM4(key.data), modes.GCM(nonce)).encryptor()
    enc.authenticate_additional_data(_aad(key.id, purpose))
    sealed = enc.update(data) + enc.finalize()
    return f"{SCHEME}${key.id}${_b64(nonce + sealed + enc.tag)}"


def encrypt_str(text: str, *, purpose: str) -> str:
    return encrypt_bytes(text.encode(), purpose=purpose)


def _parts(token: str) -> tuple[str, bytes]:
    scheme, _, rest = token.partition("$")
    key_id, _, body = rest.partition("$")
    if scheme != SCHEME or not KEY_ID.fullmatch(key_id):
        raise CryptoError(f"not a value sealed by tongban ({SCHEME}$<key id>$…)")
    try:
        raw = _unb64(body)
    except (binascii.Error, ValueError):
        raw = None
    if raw is None or _b64(raw) != body:  # one spelling per value: equal values, equal text
        raise CryptoError(f"the value sealed with key {key_id!r} is not base64url")
    if len(raw) < NONCE_BYTES + TAG_BYTES:
        raise CryptoError(f"the value sealed with key {key_id!r} is cut short")
    return key_id, raw


def token_key_id(token: str) -> str:
    """The id of the key that sealed `token`."""
    return _parts(token)[0]


def decrypt_bytes(token: str, *, purpose: str) -> bytes:
    """What `encrypt_bytes` sealed for `purpose`. Raises UnknownKey for a key the ring lacks,
    CryptoError for a value altered, sealed for another purpose or by another key."""
    key_id, raw = _parts(token)
    key = keyring().get(key_id)
    nonce, sealed, tag = raw[:NONCE_BYTES], raw[NONCE_BYTES:-TAG_BYTES], raw[-TAG_BYTES:]
    dec = Cipher(algorithms.SM4(key.data), modes.GCM(nonce, tag)).decryptor()
    dec.authenticate_additional_data(_aad(key_id, purpose))
    try:
        return dec.update(sealed) + dec.finalize()
    except InvalidTag:
        raise CryptoError(
            f"a value sealed with key {key_id!r} does not open for {purpose!r}: altered, sealed "
            "for another purpose, or the ring's key of that id is a different key"
        ) from None


def decrypt_str(token: str, *, purpose: str) -> str:
    """What `encrypt_str` sealed. The same sealed value is opened once per process while it is
    among the OPENED_KEPT last ones (a case's applicant and form are read again by every
    action on it): keyed by the value, its purpose and the key itself, so a ring whose key of
    that id differs opens nothing from the cache."""
    scheme, _, rest = token.partition("$")
    key_id = rest.partition("$")[0]
    if scheme != SCHEME or not KEY_ID.fullmatch(key_id):
        return decrypt_bytes(token, purpose=purpose).decode()  # raises, naming what is wrong
    return _opened(token, purpose, keyring().get(key_id))


OPENED_KEPT = 4096


@lru_cache(maxsize=OPENED_KEPT)
def _opened(token: str, purpose: str, key: DataKey) -> str:
    return decrypt_bytes(token, purpose=purpose).decode()


def is_current(token: str) -> bool:
    """Whether `token` is sealed with the current key (rotation skips it then)."""
    return token_key_id(token) == keyring().current.id


def reencrypt(token: str, *, purpose: str) -> str:
    """`token` sealed again with the current key; the same string when it already is."""
    if is_current(token):
        return token
    return encrypt_bytes(decrypt_bytes(token, purpose=purpose), purpose=purpose)


def sealed_length(plain_bytes: int) -> int:
    """The longest sealed value of `plain_bytes` bytes, for sizing a column."""
    body = NONCE_BYTES + plain_bytes + TAG_BYTES
    return len(SCHEME) + 2 + 32 + (body * 4 + 2) // 3


# --- Blind indexes ------------------------------------------------------------------------


def blind_normalise(value: str) -> str:
    """The form a blind index is taken of: NFKC (full-width letters and digits become ASCII),
    invisible format characters removed, runs of spaces one space, trimmed, case folded (an
    ID number's x is X)."""
    value = unicodedata.normalize("NFKC", value)
    value = "".join(c for c in value if unicodedata.category(c) != "Cf")
    return " ".join(value.split()).casefold()


def _index(key: DataKey, value: str, purpose: str) -> str:
    if not purpose:
        raise ValueError("a blind index needs its purpose, e.g. 'people.applicant.id_number'")
    mac = crypto_hmac.HMAC(key.index, hashes.SM3())
    mac.update(purpose.encode() + b"\x00" + blind_normalise(value).encode())
    return mac.finalize().hex()


def blind_index(value: str, *, purpose: str) -> str:
    """The current key's blind index of `value` for `purpose`: 64 hex digits."""
    return _index(keyring().current, value, purpose)


def blind_indexes(value: str, *, purpose: str) -> list[str]:
    """The blind index under every key of the ring, current first: look up with `__in` while a
    rotation has rows of both keys."""
    return [_index(key, value, purpose) for key in keyring().keys.values()]


# --- Sealed streams (backups) -------------------------------------------------------------
#
# header = MAGIC | len(key id) | key id | salt (32) | chunk size (4, big-endian)
# then chunks of exactly `chunk size` plaintext bytes, the last one shorter (possibly empty),
# each SM4-GCM under HKDF-SM3(backup key, salt) with nonce = chunk number (11 bytes) | last
# (1 byte) and the header as associated data. A chunk is checked before a byte of it is
# returned; a reordered, dropped or appended chunk and a cut-short stream do not open.

MAGIC = b"tongban backup\n\x01"
CHUNK = 1024 * 1024
_MAX_CHUNK = 64 * 1024 * 1024


def _stream_key(key: DataKey, salt: bytes) -> bytes:
    return _hkdf(key.backup, salt=salt, info=b"tongban/v1/sm4-gcm/backup-stream", length=16)


def _nonce(n: int, last: bool) -> bytes:
    return n.to_bytes(11, "big") + (b"\x01" if last else b"\x00")


class SealedWriter:
    """A write-only file sealing everything written to `out` with the current backup key.

    `finish()` seals the last chunk; a stream left unfinished (an error half-way) does not
    open, so a failed backup cannot pass for a complete one. Memory: one chunk."""

    def __init__(self, out: BinaryIO, *, ring: KeyRing | None = None, chunk: int = CHUNK):
        key = (ring or keyring()).current
        salt = os.urandom(32)
        kid = key.id.encode()
        self.key_id = key.id
        self._header = MAGIC + bytes([len(kid)]) + kid + salt + chunk.to_bytes(4, "big")
        self._key = _stream_key(key, salt)
        self._out, self._chunk, self._buf, self._n = out, chunk, bytearray(), 0
        self.written = len(self._header)  # bytes written to `out`
        self.finished = False
        out.write(self._header)

    def _seal(self, data: bytes, last: bool) -> None:
        enc = Cipher(algorithms.SM4(self._key), modes.GCM(_nonce(self._n, last))).encryptor()
        enc.authenticate_additional_data(self._header)
        sealed = enc.update(data) + enc.finalize() + enc.tag
        self._out.write(sealed)
        self.written += len(sealed)
        self._n += 1

    def write(self, data) -> int:
        if self.finished:
            raise ValueError("write to a finished sealed stream")
        self._buf += data
        while len(self._buf) >= self._chunk:
            self._seal(bytes(self._buf[: self._chunk]), last=False)
            del self._buf[: self._chunk]
        return len(data)

    def finish(self) -> None:
        self._seal(bytes(self._buf), last=True)
        self._buf.clear()
        self.finished = True


class SealedReader:
    """A read-only file opening what SealedWriter wrote, chunk by chunk.

    The header is read at once: UnknownKey then names the key the ring lacks, before anything
    else is read. Raises CryptoError at the first chunk that does not open and when the stream
    ends early or goes on after its last chunk; `finished` is true once the last chunk opened."""

    def __init__(self, src: BinaryIO, *, ring: KeyRing | None = None):
        self._src = src
        head = self._exactly(len(MAGIC) + 1)
        if head[: len(MAGIC)] != MAGIC:
            raise CryptoError("not a tongban backup (its first bytes are not a backup header)")
        kid = self._exactly(head[-1])
        rest = self._exactly(32 + 4)
        self.key_id = kid.decode("ascii", "replace")
        self._chunk = int.from_bytes(rest[32:], "big")
        if not KEY_ID.fullmatch(self.key_id) or not 0 < self._chunk <= _MAX_CHUNK:
            raise CryptoError("the backup header is damaged")
        self._header = head + kid + rest
        self._key = _stream_key((ring or keyring()).get(self.key_id), rest[:32])
        self._buf, self._pos, self._n, self.finished = b"", 0, 0, False

    def _exactly(self, size: int) -> bytes:
        data = self._src.read(size)
        while len(data) < size and (more := self._src.read(size - len(data))):
            data += more
        if len(data) < size:
            raise CryptoError("the backup is cut short (it ends inside its header)")
        return data

    def _next(self) -> None:
        size = self._chunk + TAG_BYTES
        data = self._src.read(size)
        while len(data) < size and (more := self._src.read(size - len(data))):
            data += more
        last = len(data) < size
        if len(data) < TAG_BYTES:
            raise CryptoError(f"the backup is cut short (after {self._n} chunks)")
        nonce = _nonce(self._n, last)
        dec = Cipher(algorithms.SM4(self._key), modes.GCM(nonce, data[-TAG_BYTES:])).decryptor()
        dec.authenticate_additional_data(self._header)
        try:
            plain = dec.update(data[:-TAG_BYTES]) + dec.finalize()
        except InvalidTag:
            raise CryptoError(
                f"the backup does not open at chunk {self._n + 1} (byte "
                f"{len(self._header) + self._n * size}): it was altered, cut short, or key "
                f"{self.key_id!r} of this ring is not the key that sealed it"
            ) from None
        if last and self._src.read(1):
            raise CryptoError("the backup goes on after its last chunk")
        self._buf, self._pos = plain, 0
        self._n += 1
        self.finished = last

    def read(self, size: int = -1) -> bytes:
        parts = []
        while size:
            if self._pos == len(self._buf):
                if self.finished:
                    break
                self._next()
                continue
            take = len(self._buf) - self._pos if size < 0 else min(size, len(self._buf) - self._pos)
            parts.append(self._buf[self._pos : self._pos + take])
            self._pos += take
            size = size - take if size > 0 else size
        return b"".join(parts)

    def drain(self) -> None:
        """Read to the end, so that every chunk, the last one included, is checked."""
        while not self.finished:
            self._next()
        self._buf, self._pos = b"", 0
