"""RFC 3161 time-stamps: the request guwah writes beside a bag, and the check of a response.

guwah never contacts an authority itself (nothing leaves the machine): the user sends the
``.tsq`` file to any time-stamp authority (``curl -H 'Content-Type: application/timestamp-query'
--data-binary @OUT.tsq https://tsa.example/ > OUT.tsr``) and checks the response here.

The check re-hashes the file the request was for, and proves that the response (1) was
granted, (2) stamps exactly that digest, (3) answers this request (the nonce) and (4) is
signed by the certificate it carries: the signed attributes hold the digest of the token's
content, and the signature over them verifies with that certificate's public key. Whether
that certificate belongs to a trusted authority is for the reader to decide: its subject
and SHA-256 fingerprint are shown, to compare with what the authority publishes (or run
``openssl ts -verify`` with the authority's CA certificate).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from asn1crypto import cms, core, tsp
from asn1crypto import x509 as asn1_x509


class TimestampError(ValueError):
    """A response that does not prove what it should; the message says what failed."""


def _sha256(path: Path) -> bytes:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.digest()


def write_request(stamped: Path, out: Path) -> Path:
    """Write an RFC 3161 request for the SHA-256 of ``stamped`` to ``out``."""
    req = tsp.TimeStampReq(
        {
            "version": "v1",
            "message_imprint": {
                "hash_algorithm": {"algorithm": "sha256"},
                "hashed_message": _sha256(stamped),
            },
            "nonce": secrets.randbits(63),
            "cert_req": True,
        }
    )
    out.write_bytes(req.dump())
    return out


@dataclass
class StampCheck:
    """What a valid response says."""

    time: datetime
    serial: int
    policy: str
    authority: str
    signer: str
    signer_sha256: str


def _signer_cert(signed: cms.SignedData, info: cms.SignerInfo) -> asn1_x509.Certificate:
    sid = info["sid"]
    for choice in signed["certificates"] or []:
        cert = choice.chosen
        if not isinstance(cert, asn1_x509.Certificate):
            continue
        if sid.name == "issuer_and_serial_number":
            ias = sid.chosen
            if cert.issuer == ias["issuer"] and cert.serial_number == ias["serial_number"].native:
                return cert
        elif cert.key_identifier == sid.chosen.native:
            return cert
    raise TimestampError(
        "the response carries no certificate of its signer: ask the authority for one "
        "with the certificate included (the request asks for it)"
    )


def _verify_signature(cert: asn1_x509.Certificate, info: cms.SignerInfo) -> None:
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
    from cryptography.x509 import load_der_x509_certificate

    algo = info["digest_algorithm"]["algorithm"].native
    known: dict[str, hashes.HashAlgorithm] = {
        "sha256": hashes.SHA256(),
        "sha384": hashes.SHA384(),
        "sha512": hashes.SHA512(),
    }
    hash_alg = known.get(algo)
    if hash_alg is None:
        raise TimestampError(f"the response is signed with {algo}, which guwah does not check")
    attrs = info["signed_attrs"]
    signed_bytes = attrs.untag().dump() if hasattr(attrs, "untag") else attrs.dump()
    signed_bytes = b"\x31" + signed_bytes[1:]  # signed over as a SET OF, not [0] IMPLICIT
    key = load_der_x509_certificate(cert.dump()).public_key()
    signature = info["signature"].native
    try:
        if isinstance(key, rsa.RSAPublicKey):
            sig_algo = info["signature_algorithm"]["algorithm"].native
            pad = (
                padding.PSS(mgf=padding.MGF1(hash_alg), salt_length=padding.PSS.AUTO)
                if sig_algo == "rsassa_pss"
                else padding.PKCS1v15()
            )
            key.verify(signature, signed_bytes, pad, hash_alg)
        elif isinstance(key, ec.EllipticCurvePublicKey):
            key.verify(signature, signed_bytes, ec.ECDSA(hash_alg))
        else:
            raise TimestampError("the signer's key is neither RSA nor EC: not checked")
    except InvalidSignature as exc:
        raise TimestampError(
            "the signature does not verify with the signer's certificate: the response was "
            "altered or is not the authority's"
        ) from exc


def check_response(stamped: Path, request: Path, response: Path) -> StampCheck:
    """Check that ``response`` time-stamps ``stamped`` in answer to ``request``."""
    try:
        req = tsp.TimeStampReq.load(request.read_bytes())
        resp = tsp.TimeStampResp.load(response.read_bytes())
        status = resp["status"]["status"].native
    except (OSError, ValueError, TypeError) as exc:
        raise TimestampError(f"cannot read the request or the response: {exc}") from exc
    if status not in ("granted", "granted_with_mods"):
        text = resp["status"]["status_string"].native or []
        raise TimestampError(f"the authority refused the request ({status}): {'; '.join(text)}")
    token = resp["time_stamp_token"]
    if token["content_type"].native != "signed_data":
        raise TimestampError("the time-stamp token is not CMS signed data")
    signed: cms.SignedData = token["content"]
    encap = signed["encap_content_info"]
    if encap["content_type"].native != "tst_info":
        raise TimestampError("the token does not hold time-stamp information (TSTInfo)")
    raw = encap["content"]
    content_bytes = raw.contents if isinstance(raw, core.ParsableOctetString) else raw.dump()
    info: tsp.TSTInfo = tsp.TSTInfo.load(content_bytes)
    imprint = info["message_imprint"]
    digest = _sha256(stamped)
    if imprint["hash_algorithm"]["algorithm"].native != "sha256" or (
        imprint["hashed_message"].native != digest
    ):
        raise TimestampError(
            f"the response stamps another digest than that of {stamped.name} as it is now "
            f"(SHA-256 {digest.hex()}): the file changed, or the response is for another one"
        )
    if req["nonce"].native is not None and info["nonce"].native != req["nonce"].native:
        raise TimestampError("the response answers another request (its nonce differs)")
    if len(signed["signer_infos"]) != 1:
        raise TimestampError("the token must have exactly one signer")
    signer = signed["signer_infos"][0]
    attrs = {a["type"].native: a["values"][0] for a in signer["signed_attrs"]}
    algo = signer["digest_algorithm"]["algorithm"].native
    if attrs.get("message_digest") is None or (
        attrs["message_digest"].native != hashlib.new(algo, content_bytes).digest()
    ):
        raise TimestampError("the signed attributes do not match the token's content")
    cert = _signer_cert(signed, signer)
    _verify_signature(cert, signer)
    tsa = info["tsa"]
    return StampCheck(
        time=info["gen_time"].native,
        serial=info["serial_number"].native,
        policy=info["policy"].dotted,
        authority=tsa.chosen.human_friendly if tsa.native is not None else "",
        signer=cert.subject.human_friendly,
        signer_sha256=hashlib.sha256(cert.dump()).hexdigest(),
    )
