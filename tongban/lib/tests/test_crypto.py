"""tongban.lib.crypto: the standards' known answers, the key ring, sealed values, blind indexes
and sealed streams. No database: these run in the settings alone."""

import base64
import io
import os
import stat

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from django.core.exceptions import ImproperlyConfigured

from tongban.lib import crypto
from tongban.lib.crypto import CryptoError, KeyRing, SealedReader, SealedWriter, UnknownKey

# A fixed ring, so that the pinned values below stay what stored data holds.
GOLDEN_RING = "g1:" + base64.b64encode(bytes(range(32))).decode()
OLD = "old:" + base64.b64encode(b"\x01" * 32).decode()
NEW = "new:" + base64.b64encode(b"\x02" * 32).decode()
ID_NUMBER = "37158119700301001X"


@pytest.fixture
def ring(settings):
    settings.TONGBAN_DATA_KEYS = KeyRing.parse(OLD)
    return settings


def _rotate(settings, text):
    settings.TONGBAN_DATA_KEYS = KeyRing.parse(text)


# --- The standards' known answers -----------------------------------------------------------


def test_sm4_gives_gb_t_32907_example_1():
    key = bytes.fromhex("0123456789abcdeffedcba9876543210")
    enc = Cipher(algorithms.SM4(key), modes.ECB()).encryptor()
    assert (enc.update(key) + enc.finalize()).hex() == "681edf34d206965e86b3e94f536e4246"


def test_sm3_gives_the_standard_answer_for_abc():
    digest = hashes.Hash(hashes.SM3())
    digest.update(b"abc")
    assert digest.finalize().hex() == (
        "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
    )


def test_sm4_gcm_gives_rfc_8998_a1():
    key, nonce, aad, plain, sealed = crypto.RFC8998_GCM
    enc = Cipher(algorithms.SM4(key), modes.GCM(nonce)).encryptor()
    enc.authenticate_additional_data(aad)
    assert enc.update(plain) + enc.finalize() + enc.tag == sealed
    assert sealed[-16:].hex() == "83de3541e4c2b58177e065a9bf7b62ec"
    crypto._check_sm4_gcm()  # what keyring_load runs at start-up


def _hmac_sm3_by_hand(key: bytes, message: bytes) -> str:
    """RFC 2104 over SM3 (64-byte blocks), independent of OpenSSL's HMAC."""

    def sm3(data):
        h = hashes.Hash(hashes.SM3())
        h.update(data)
        return h.finalize()

    key = key.ljust(64, b"\x00")
    inner = sm3(bytes(b ^ 0x36 for b in key) + message)
    return sm3(bytes(b ^ 0x5C for b in key) + inner).hex()


def test_the_blind_index_is_hmac_sm3_of_the_normalised_value(ring):
    key = ring.TONGBAN_DATA_KEYS.current.index
    expected = _hmac_sm3_by_hand(
        key, b"people.applicant.id_number\x00" + ID_NUMBER.lower().encode()
    )
    assert crypto.blind_index(ID_NUMBER, purpose="people.applicant.id_number") == expected


def test_stored_values_keep_opening_and_indexes_keep_matching(settings):
    # Pinned: a change to the derivation or the format would strand every stored value.
    _rotate(settings, GOLDEN_RING)
    token = "sm4gcm1$g1$6AbST-YN7sOP8iWL4O3J1XPCL4kg2i38QDWRwPCGvNoO9AeywQ9lvfOob3_Mqg"
    assert crypto.decrypt_str(token, purpose="people.applicant.id_number") == ID_NUMBER
    assert crypto.blind_index(ID_NUMBER, purpose="people.applicant.id_number") == (
        "5a26e8e2284cf2f33e05667f0935dc32e399e6d11cee8624c7fdc3bb74da789a"
    )


# --- The ring -------------------------------------------------------------------------------


def test_the_first_key_is_current_and_comments_and_commas_are_allowed():
    ring = KeyRing.parse(f"# rotated 2026-11\n{NEW}\n\n{OLD}  # retire after 2027-05\n")
    assert ring.current.id == "new" and list(ring.keys) == ["new", "old"]
    assert list(KeyRing.parse(f"{OLD}, {NEW}").keys) == ["old", "new"]


def test_urlsafe_and_unpadded_base64_are_read_alike():
    plain = KeyRing.parse(OLD).current
    urlsafe = base64.urlsafe_b64encode(b"\x01" * 32).decode().rstrip("=")
    assert KeyRing.parse("old:" + urlsafe).current.data == plain.data


@pytest.mark.parametrize(
    "text, fault",
    [
        ("", "holds no key"),
        ("just-a-key", "entry 1 must be id:base64"),
        ("bad id:" + "A" * 44, "entry 1 must be id:base64"),
        ("k1:not base64!", "key 'k1' is not base64"),
        ("k1:" + base64.b64encode(b"short").decode(), "has 5 bytes"),
        (f"{OLD}\n{OLD}", "one key id twice"),
    ],
)
def test_a_bad_ring_names_its_fault_and_never_the_key(text, fault):
    with pytest.raises(ImproperlyConfigured, match=fault) as e:
        KeyRing.parse(text)
    assert "AQEBAQEB" not in str(e.value)


def test_neither_the_ring_nor_a_key_prints_its_secret():
    ring = KeyRing.parse(f"{NEW}\n{OLD}")
    assert repr(ring) == "<KeyRing current=new keys=new,old>"
    assert repr(ring.current) == "<DataKey new>"


def test_the_ring_comes_from_the_environment_or_a_file(monkeypatch, tmp_path):
    monkeypatch.delenv("TONGBAN_DATA_KEY_FILE", raising=False)
    monkeypatch.setenv("TONGBAN_DATA_KEY", OLD)
    assert crypto.keyring_load(data_dir=tmp_path, generate=False).current.id == "old"
    (tmp_path / "ring").write_text(f"{NEW}\n{OLD}\n")
    monkeypatch.setenv("TONGBAN_DATA_KEY_FILE", str(tmp_path / "ring"))
    assert crypto.keyring_load(data_dir=tmp_path, generate=False).current.id == "new"
    monkeypatch.setenv("TONGBAN_DATA_KEY_FILE", str(tmp_path / "missing"))
    with pytest.raises(ImproperlyConfigured, match="missing: No such file"):
        crypto.keyring_load(data_dir=tmp_path, generate=True)
    assert not (tmp_path / "data_key").exists()


def test_development_generates_a_private_ring_once(monkeypatch, tmp_path):
    monkeypatch.delenv("TONGBAN_DATA_KEY", raising=False)
    monkeypatch.delenv("TONGBAN_DATA_KEY_FILE", raising=False)
    first = crypto.keyring_load(data_dir=tmp_path, generate=True)
    path = tmp_path / "data_key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    again = crypto.keyring_load(data_dir=tmp_path, generate=True)
    assert again.current.id == first.current.id and again.current.data == first.current.data
    assert [p.name for p in tmp_path.iterdir()] == ["data_key"]


def test_processes_starting_at_once_share_one_generated_key(tmp_path):
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if not k.startswith("TONGBAN_DATA_KEY")}
    code = ("from pathlib import Path; from tongban.lib.crypto import keyring_load; "
            f"print(keyring_load(data_dir=Path({str(tmp_path)!r}), generate=True).current.id)")  # fmt: skip
    procs = [subprocess.Popen([sys.executable, "-c", code], env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for _ in range(8)]  # fmt: skip
    results = [p.communicate(timeout=60) for p in procs]
    assert all(p.returncode == 0 for p in procs), [err for _, err in results]
    assert len({out for out, _ in results}) == 1


def test_production_refuses_to_start_without_a_key(monkeypatch, tmp_path):
    monkeypatch.delenv("TONGBAN_DATA_KEY", raising=False)
    monkeypatch.delenv("TONGBAN_DATA_KEY_FILE", raising=False)
    (tmp_path / "data_key").write_text(OLD)  # left from development: beside the data, refused
    with pytest.raises(ImproperlyConfigured, match="TONGBAN_DATA_KEY or TONGBAN_DATA_KEY_FILE"):
        crypto.keyring_load(data_dir=tmp_path, generate=False)


def test_settings_refuse_production_without_a_key(tmp_path):
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if not k.startswith("TONGBAN_")}
    env.update(TONGBAN_PROFILE="production", TONGBAN_DATA_DIR=str(tmp_path),
               TONGBAN_IDENTITY_BACKEND="tongban.people.identity.IdentityService",
               TONGBAN_SECRET_KEY="s" * 50, TONGBAN_ALLOWED_HOSTS="tongban.example")  # fmt: skip
    done = subprocess.run([sys.executable, "-c", "import tongban.settings"], env=env,
                          capture_output=True, text=True)  # fmt: skip
    assert done.returncode == 1
    assert "TONGBAN_DATA_KEY or TONGBAN_DATA_KEY_FILE must hold the data key" in done.stderr
    assert not (tmp_path / "data_key").exists()


# --- Sealed values --------------------------------------------------------------------------


def test_a_value_opens_for_its_purpose_only(ring):
    token = crypto.encrypt_str(ID_NUMBER, purpose="people.applicant.id_number")
    assert token.startswith("sm4gcm1$old$") and ID_NUMBER not in token
    assert crypto.decrypt_str(token, purpose="people.applicant.id_number") == ID_NUMBER
    with pytest.raises(CryptoError, match="does not open for 'people.applicant.phone'"):
        crypto.decrypt_str(token, purpose="people.applicant.phone")


def test_sealing_twice_gives_two_values(ring):
    one, two = (crypto.encrypt_str("13500000001", purpose="p") for _ in range(2))
    assert one != two
    assert crypto.decrypt_str(one, purpose="p") == crypto.decrypt_str(two, purpose="p")


@pytest.mark.parametrize("value", [b"", b"x", bytes(range(256)) * 3, "王小明".encode()])
def test_any_bytes_round_trip_within_the_stated_length(ring, value):
    token = crypto.encrypt_bytes(value, purpose="p")
    assert crypto.decrypt_bytes(token, purpose="p") == value
    assert len(token) <= crypto.sealed_length(len(value)) - (32 - len("old"))


def test_an_altered_value_does_not_open(ring):
    token = crypto.encrypt_str(ID_NUMBER, purpose="p")
    head, body = token.rsplit("$", 1)
    for i in (0, 12, len(body) // 2, len(body) - 1):  # nonce, ciphertext, tag
        flipped = body[:i] + ("A" if body[i] != "A" else "B") + body[i + 1 :]
        with pytest.raises(CryptoError):
            crypto.decrypt_str(f"{head}${flipped}", purpose="p")
    with pytest.raises(CryptoError, match="cut short"):
        crypto.decrypt_str(f"{head}${body[:20]}", purpose="p")
    with pytest.raises(CryptoError, match="not a value sealed by tongban"):
        crypto.decrypt_str(ID_NUMBER, purpose="p")


def test_a_key_swapped_under_the_same_id_does_not_open(ring):
    token = crypto.encrypt_str(ID_NUMBER, purpose="p")
    _rotate(ring, "old:" + base64.b64encode(b"\x03" * 32).decode())
    with pytest.raises(CryptoError, match="different key"):
        crypto.decrypt_str(token, purpose="p")


def test_rotation_keeps_old_values_open_and_reencrypt_moves_them(ring):
    old = crypto.encrypt_str(ID_NUMBER, purpose="p")
    _rotate(ring, f"{OLD}\n{NEW}")  # step 1: the new key known everywhere, not yet current
    assert crypto.is_current(old)
    _rotate(ring, f"{NEW}\n{OLD}")  # step 2: the new key current
    assert crypto.decrypt_str(old, purpose="p") == ID_NUMBER
    assert not crypto.is_current(old)
    new = crypto.reencrypt(old, purpose="p")  # step 3: the rotation command
    assert crypto.token_key_id(new) == "new" and crypto.reencrypt(new, purpose="p") is new
    _rotate(ring, NEW)  # step 4: the old key dropped
    assert crypto.decrypt_str(new, purpose="p") == ID_NUMBER
    with pytest.raises(UnknownKey, match="key 'old', which the data key ring does not hold"):
        crypto.decrypt_str(old, purpose="p")


# --- Blind indexes --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed",
    ["37158119700301001x", " 37158119700301001X ", "３７１５８１１９７００３０１００１Ｘ",
     "37158119700301001\u200bX"],
)  # fmt: skip
def test_the_index_finds_the_value_however_it_was_typed(ring, typed):
    purpose = "people.applicant.id_number"
    assert crypto.blind_index(typed, purpose=purpose) == crypto.blind_index(
        ID_NUMBER, purpose=purpose
    )


def test_names_keep_their_inner_space_but_not_its_width(ring):
    index = crypto.blind_index("Carol 王", purpose="name")
    assert crypto.blind_index("carol\u3000\u3000王 ", purpose="name") == index
    assert crypto.blind_index("Carol王", purpose="name") != index


def test_the_index_differs_by_purpose_and_by_key(ring):
    phone = crypto.blind_index("13500000001", purpose="people.applicant.phone")
    assert crypto.blind_index("13500000001", purpose="people.bank_account") != phone
    assert len(phone) == 64 and "13500000001" not in phone
    _rotate(ring, f"{NEW}\n{OLD}")
    assert crypto.blind_index("13500000001", purpose="people.applicant.phone") != phone
    # While a rotation runs, a lookup asks for either key's index.
    assert crypto.blind_indexes("13500000001", purpose="people.applicant.phone")[1] == phone


# --- Sealed streams -------------------------------------------------------------------------


def _seal(data: bytes, chunk: int = 64, ring: KeyRing | None = None) -> bytes:
    out = io.BytesIO()
    writer = SealedWriter(out, ring=ring or KeyRing.parse(OLD), chunk=chunk)
    for i in range(0, len(data), 7):  # writes of odd sizes across chunk borders
        writer.write(data[i : i + 7])
    writer.finish()
    assert writer.written == len(out.getvalue())
    return out.getvalue()


def _open(sealed: bytes, ring: KeyRing | None = None, size: int = 5) -> bytes:
    reader = SealedReader(io.BytesIO(sealed), ring=ring or KeyRing.parse(OLD))
    parts = []
    while part := reader.read(size):
        parts.append(part)
    assert reader.finished
    return b"".join(parts)


@pytest.mark.parametrize("length", [0, 1, 63, 64, 65, 128, 1000])
def test_a_stream_round_trips_at_every_length(length):
    data = os.urandom(length)
    sealed = _seal(data)
    assert _open(sealed) == data
    header = len(crypto.MAGIC) + 1 + 3 + 32 + 4
    assert len(sealed) == header + length + 16 * (length // 64 + 1)


HEADER = len(crypto.MAGIC) + 1 + 3 + 32 + 4  # key id "old"


@pytest.mark.parametrize("where", [0, 20, HEADER - 1, HEADER, HEADER + 80, -17, -1])
def test_a_stream_altered_anywhere_does_not_open(where):
    sealed = bytearray(_seal(os.urandom(300)))
    sealed[where] ^= 0x01
    with pytest.raises(CryptoError):
        _open(bytes(sealed))


def test_a_stream_cut_short_dropped_reordered_or_extended_does_not_open():
    sealed = _seal(os.urandom(200))  # chunks of 64+16: three full, one of 8+16
    chunk = 64 + 16
    body = sealed[HEADER:]
    chunks = [body[i : i + chunk] for i in range(0, len(body), chunk)]
    cases = {
        "cut at a chunk border": sealed[: HEADER + 3 * chunk],
        "cut inside a chunk": sealed[:-5],
        "a chunk dropped": sealed[:HEADER] + b"".join(chunks[:1] + chunks[2:]),
        "two chunks swapped": sealed[:HEADER] + b"".join([chunks[1], chunks[0], *chunks[2:]]),
        "bytes appended": sealed + b"\x00",
        "a header alone": sealed[:HEADER],
    }
    for name, damaged in cases.items():
        with pytest.raises(CryptoError):
            _open(damaged)
            pytest.fail(name)


def test_an_unfinished_stream_does_not_open():
    out = io.BytesIO()
    writer = SealedWriter(out, ring=KeyRing.parse(OLD), chunk=64)
    writer.write(os.urandom(500))  # a backup that failed half-way: finish() never ran
    with pytest.raises(CryptoError, match="cut short"):
        _open(out.getvalue())


def test_a_stream_names_a_key_the_ring_lacks_before_reading_on():
    sealed = _seal(b"data", ring=KeyRing.parse(NEW))
    with pytest.raises(UnknownKey, match="key 'new'"):
        SealedReader(io.BytesIO(sealed[:HEADER]), ring=KeyRing.parse(OLD))
    with pytest.raises(CryptoError, match="key 'new' of this ring is not the key"):
        _open(sealed, ring=KeyRing.parse("new:" + base64.b64encode(b"\x09" * 32).decode()))
    with pytest.raises(CryptoError, match="not a tongban backup"):
        SealedReader(io.BytesIO(b"PK\x03\x04" + b"\x00" * 100), ring=KeyRing.parse(OLD))


def test_two_streams_of_the_same_data_share_no_bytes():
    data = b"\x00" * 200
    one, two = _seal(data), _seal(data)
    assert one[HEADER:] != two[HEADER:] and one[HEADER : HEADER + 16] != two[HEADER : HEADER + 16]
