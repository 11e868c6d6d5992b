#!/usr/bin/env python3
"""Independent known answers for package cse (see vectors_test.go).

Written from cse/FORMAT.md and AWS's published format descriptions only,
with pyca/cryptography, never from the Go code. Run once; its output was
frozen into vectors_test.go. Never regenerate the frozen values: a change
there means the format changed. The RSA vectors are randomized (OAEP), so a
rerun prints different RSA wrapped keys, all of them valid.

    python vectors.py > /tmp/vectors.txt
"""
import base64
import hashlib
import json
import os

from cryptography.hazmat.primitives import hashes, padding, serialization
from cryptography.hazmat.primitives.asymmetric import padding as apadding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDFExpand
from cryptography.hazmat.primitives import hmac

HERE = os.path.dirname(os.path.abspath(__file__))

DATA_KEY = bytes(range(0x00, 0x20))      # the object's data key
WRAP_KEY = bytes(range(0x40, 0x60))      # the AES keyring's key
WRAP_NONCE = bytes(range(0xC0, 0xCC))    # AES/GCM wrapping nonce
IV = bytes(range(0xA0, 0xAC))            # V2 content IV
MESSAGE_ID = bytes(range(0xB0, 0xCC))    # V3 message ID (28 bytes)
IV16 = bytes(range(0xD0, 0xE0))          # V1 AES/CBC IV
KMS_BLOB = b"fake-kms-blob:vectors:0001"  # what the fake KMS hands out


def plaintext(n):
    return bytes((i * 7 + 3) % 251 for i in range(n))


def b64(b):
    return base64.b64encode(b).decode()


def context_json(m):
    return json.dumps(m, sort_keys=True, separators=(",", ":"), ensure_ascii=True)


def v3_keys(data_key, message_id):
    prk = hmac.HMAC(message_id, hashes.SHA512())
    prk.update(data_key)
    prk = prk.finalize()
    dek = HKDFExpand(hashes.SHA512(), 32, b"\x00\x73DERIVEKEY").derive(prk)
    ck = HKDFExpand(hashes.SHA512(), 28, b"\x00\x73COMMITKEY").derive(prk)
    return dek, ck


def aes_wrap(cek_name):
    return WRAP_NONCE + AESGCM(WRAP_KEY).encrypt(WRAP_NONCE, DATA_KEY, cek_name.encode())


def rsa_key():
    path = os.path.join(HERE, "rsa2048-test-key.pem")
    with open(path, "rb") as f:
        return serialization.load_pem_private_key(f.read(), password=None)


def rsa_wrap(cek_name):
    pseudo = bytes([len(DATA_KEY)]) + DATA_KEY + cek_name.encode()
    oaep = apadding.OAEP(mgf=apadding.MGF1(hashes.SHA1()), algorithm=hashes.SHA1(), label=None)
    return rsa_key().public_key().encrypt(pseudo, oaep)


def show(name, meta, body, size):
    print(f"== {name} (plaintext {size} bytes)")
    for k in sorted(meta):
        print(f"  {k}: {meta[k]}")
    if len(body) <= 96:
        print(f"  body: {body.hex()}")
    print(f"  body sha256: {hashlib.sha256(body).hexdigest()} ({len(body)} bytes)")


def main():
    dek, ck = v3_keys(DATA_KEY, MESSAGE_ID)
    print(f"V3 DEK {dek.hex()}")
    print(f"V3 commitment {ck.hex()} = {b64(ck)}")
    for size in (0, 29, 100000):
        pt = plaintext(size)
        v2 = AESGCM(DATA_KEY).encrypt(IV, pt, None)
        v3 = AESGCM(dek).encrypt(b"\x01" * 12, pt, b"\x00\x73")

        ec = {"aws:x-amz-cek-alg": "AES/GCM/NoPadding", "purpose": "vectors"}
        show("V2 kms+context", {
            "x-amz-key-v2": b64(KMS_BLOB), "x-amz-iv": b64(IV), "x-amz-matdesc": context_json(ec),
            "x-amz-wrap-alg": "kms+context", "x-amz-cek-alg": "AES/GCM/NoPadding", "x-amz-tag-len": "128",
            "x-amz-unencrypted-content-length": str(size)}, v2, size)
        show("V2 AES/GCM", {
            "x-amz-key-v2": b64(aes_wrap("AES/GCM/NoPadding")), "x-amz-iv": b64(IV), "x-amz-matdesc": "{}",
            "x-amz-wrap-alg": "AES/GCM", "x-amz-cek-alg": "AES/GCM/NoPadding", "x-amz-tag-len": "128",
            "x-amz-unencrypted-content-length": str(size)}, v2, size)
        show("V2 RSA-OAEP-SHA1", {"x-amz-key-v2": b64(rsa_wrap("AES/GCM/NoPadding"))}, v2, size)

        ec3 = {"aws:x-amz-cek-alg": "115", "purpose": "vectors"}
        show("V3 kms+context", {
            "x-amz-c": "115", "x-amz-3": b64(KMS_BLOB), "x-amz-w": "12", "x-amz-t": context_json(ec3),
            "x-amz-d": b64(ck), "x-amz-i": b64(MESSAGE_ID), "x-amz-unencrypted-content-length": str(size)}, v3, size)
        show("V3 AES/GCM", {
            "x-amz-c": "115", "x-amz-3": b64(aes_wrap("115")), "x-amz-w": "02", "x-amz-m": "{}",
            "x-amz-d": b64(ck), "x-amz-i": b64(MESSAGE_ID), "x-amz-unencrypted-content-length": str(size)}, v3, size)
        show("V3 RSA-OAEP-SHA1", {"x-amz-3": b64(rsa_wrap("115"))}, v3, size)

        padder = padding.PKCS7(128).padder()
        padded = padder.update(pt) + padder.finalize()
        enc = Cipher(algorithms.AES(DATA_KEY), modes.CBC(IV16)).encryptor()
        cbc = enc.update(padded) + enc.finalize()
        ecb = Cipher(algorithms.AES(WRAP_KEY), modes.ECB()).encryptor()
        wrapped = ecb.update(DATA_KEY + b"\x10" * 16) + ecb.finalize()
        show("V1 AES/CBC, AES/ECB-wrapped", {
            "x-amz-key": b64(wrapped), "x-amz-iv": b64(IV16), "x-amz-matdesc": "{}",
            "x-amz-unencrypted-content-length": str(size)}, cbc, size)
        show("V2 legacy kms, AES/CBC", {
            "x-amz-key-v2": b64(KMS_BLOB), "x-amz-iv": b64(IV16),
            "x-amz-matdesc": context_json({"kms_cmk_id": "legacy-key"}),
            "x-amz-wrap-alg": "kms", "x-amz-cek-alg": "AES/CBC/PKCS5Padding",
            "x-amz-unencrypted-content-length": str(size)}, cbc, size)


if __name__ == "__main__":
    main()
