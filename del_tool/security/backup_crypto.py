"""Backups encrypted at rest (issue #20 item 5): AES-256-GCM in chunks, for files of any size.

A file is `MAGIC`, a random 16-byte salt and a 16-byte key check, then chunks of at most 1 MiB
of plaintext, each stored as its length (4 bytes) and its ciphertext with GCM's tag. The file's
key is HKDF-SHA256 of BACKUP_ENCRYPTION_KEY with the salt, so no two files share a key and a
chunk's nonce can be its number; the last chunk's nonce is marked (the STREAM construction of
Hoang, Reyhanitabar, Rogaway and Vizár, "Online Authenticated-Encryption and its Nonce-Reuse
Misuse-Resistance", CRYPTO 2015), so a file cut at a chunk boundary, chunks reordered, or a
chunk altered all fail to decrypt. The header is every chunk's associated data. The key check
(a second HKDF output, independent of the file's key) tells a wrong key from a damaged file.
"""

from __future__ import annotations

import hmac
import os
import secrets
import shutil
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

MAGIC = b"DELBAK\x00\x01"
SALT_BYTES = 16
CHECK_BYTES = 16
HEADER_BYTES = len(MAGIC) + SALT_BYTES + CHECK_BYTES
CHUNK = 1024 * 1024
TAG_BYTES = 16
#: Characters a key must have (like SECRET_KEY and AUDIT_KEY: random, so no slow KDF is needed).
MIN_KEY_LENGTH = 32


class EncryptionError(ValueError):
    """An encrypted backup cannot be opened; the message (one line) says why."""


def is_encrypted(path: Path) -> bool:
    """Whether `path` is an encrypted DEL backup (by its first bytes)."""
    with path.open("rb") as handle:
        return handle.read(len(MAGIC)) == MAGIC


def check_key(key: str) -> None:
    """EncryptionError unless `key` is long enough."""
    if len(key) < MIN_KEY_LENGTH:
        raise EncryptionError(
            f"BACKUP_ENCRYPTION_KEY is too short: at least {MIN_KEY_LENGTH} random characters"
        )


def _derive(key: str, salt: bytes, purpose: bytes, length: int) -> bytes:
    return HKDF(hashes.SHA256(), length, salt, b"DEL backup v1 " + purpose).derive(key.encode())


def _nonce(number: int, last: bool) -> bytes:
    return number.to_bytes(11, "big") + (b"\x01" if last else b"\x00")


def encrypt_stream(source: IO[bytes], target: IO[bytes], key: str) -> int:
    """Encrypt everything `source` gives into `target`; the plaintext's size in bytes."""
    check_key(key)
    salt = secrets.token_bytes(SALT_BYTES)
    header = MAGIC + salt + _derive(key, salt, b"key check", CHECK_BYTES)
    cipher = AESGCM(_derive(key, salt, b"aes-256-gcm", 32))
    target.write(header)
    size, number = 0, 0
    chunk = source.read(CHUNK)
    while True:
        following = source.read(CHUNK) if chunk else b""
        last = not following
        sealed = cipher.encrypt(_nonce(number, last), chunk, header)
        target.write(len(sealed).to_bytes(4, "big") + sealed)
        size += len(chunk)
        if last:
            return size
        chunk, number = following, number + 1


def _opening_key(header: bytes, keys: Sequence[str], name: str) -> str:
    if header[: len(MAGIC)] != MAGIC or len(header) < HEADER_BYTES:
        raise EncryptionError(f"{name} is not an encrypted DEL backup")
    if not keys:
        raise EncryptionError(
            f"{name} is encrypted: set BACKUP_ENCRYPTION_KEY (or BACKUP_RETIRED_KEYS) to the "
            "key it was made with"
        )
    salt, check = header[len(MAGIC) : -CHECK_BYTES], header[-CHECK_BYTES:]
    for key in keys:
        if hmac.compare_digest(_derive(key, salt, b"key check", CHECK_BYTES), check):
            return key
    raise EncryptionError(
        f"{name} was encrypted with another key: neither BACKUP_ENCRYPTION_KEY nor "
        "BACKUP_RETIRED_KEYS opens it"
    )


def decrypt_stream(source: IO[bytes], target: IO[bytes], keys: Sequence[str], name: str) -> int:
    """Decrypt an encrypted backup from `source` into `target` with the first of `keys` that
    opens it; the plaintext's size. EncryptionError for a wrong key or an altered file."""
    header = source.read(HEADER_BYTES)
    key = _opening_key(header, keys, name)
    cipher = AESGCM(_derive(key, header[len(MAGIC) : -CHECK_BYTES], b"aes-256-gcm", 32))
    size, number = 0, 0
    sealed = _sealed_chunk(source, name)
    while sealed is not None:
        following = _sealed_chunk(source, name)
        try:
            chunk = cipher.decrypt(_nonce(number, following is None), sealed, header)
        except InvalidTag:
            raise EncryptionError(f"{name} is damaged, cut short or altered") from None
        target.write(chunk)
        size += len(chunk)
        sealed, number = following, number + 1
    if number == 0:
        raise EncryptionError(f"{name} is damaged, cut short or altered")
    return size


def _sealed_chunk(source: IO[bytes], name: str) -> bytes | None:
    prefix = source.read(4)
    if not prefix:
        return None
    length = int.from_bytes(prefix, "big")
    sealed = source.read(length) if len(prefix) == 4 and length <= CHUNK + TAG_BYTES else b""
    if len(sealed) != length or length < TAG_BYTES:
        raise EncryptionError(f"{name} is damaged, cut short or altered")
    return sealed


def private_folder(near: Path) -> Path:
    """A new folder only this user may enter, beside `near` (on the same disk)."""
    near.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=".del-backup-", dir=near))


def private_file(path: Path) -> IO[bytes]:
    """`path` opened for writing, readable by its owner only from the first byte."""
    return os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb")


@contextmanager
def readable(backup: Path, keys: Sequence[str]) -> Iterator[Path]:
    """`backup` itself when it is not encrypted, else a decrypted copy in a private temporary
    folder, removed afterwards. EncryptionError when it cannot be opened."""
    if not backup.is_file() or not is_encrypted(backup):
        yield backup
        return
    folder = Path(tempfile.mkdtemp(prefix="del-restore-"))
    try:
        plain = folder / "backup"
        with backup.open("rb") as source, private_file(plain) as target:
            decrypt_stream(source, target, keys, str(backup))
        yield plain
    finally:
        shutil.rmtree(folder, ignore_errors=True)
