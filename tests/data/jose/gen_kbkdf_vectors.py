# One-off generator for tests/data/jose/kbkdf_hmac_sha256.txt (Python standard library only:
# hmac + hashlib; independent of Keybridge's code and of OpenSSL's KBKDF).
import hashlib, hmac
LABEL = b"AzureAD-SecureConversation"
def kbkdf(key, label, context, n):
    out, i = b"", 1
    while len(out) < n:
        out += hmac.new(key, i.to_bytes(4, "big") + label + b"\x00" + context + (n * 8).to_bytes(4, "big"), hashlib.sha256).digest()
        i += 1
    return out[:n]
rows = []
def row(kind, key, ctx, payload, n):
    context = ctx if kind == "v1" else hashlib.sha256(ctx + payload).digest()
    out = kbkdf(key, LABEL, context, n)
    rows.append(" ".join([kind, key.hex(), ctx.hex(), payload.hex() or "-", str(n), out.hex()]))
k1 = bytes(range(32))
c1 = bytes(range(0xa0, 0xa0 + 24))
row("v1", k1, c1, b"", 32)
row("v1", k1, c1, b"", 64)     # two counter blocks
row("v1", k1, b"\x01", b"", 17)  # short context, truncated output
sk = bytes.fromhex("3987bc6d45c8d46e9969bf679b9f2a17922ed0d40055c313232f290ae9d87bf0")
import base64
row("v1", sk, base64.b64decode("UQoqkoRWX5Qh6zSnEvWOZYX2MwuAPxvD"), b"", 32)
row("v2", k1, c1, b'{"refresh_token":"x","is_primary":"true","request_nonce":"n"}', 32)
row("v2", sk, c1, b"", 32)
print("\n".join(rows))
