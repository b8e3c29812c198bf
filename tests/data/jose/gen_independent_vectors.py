# One-off generator (run once, output checked in) for JOSE objects made by an implementation
# independent of Keybridge: python3-cryptography (OpenSSL-backed primitives, but the JOSE
# assembly - headers, base64url, AAD, r||s conversion - is this script's own).
# Needs python3-cryptography; the tests only read the files it wrote.
import base64, json, os
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa, utils
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

def b64u(b): return base64.urlsafe_b64encode(b).rstrip(b"=").decode()
def write(name, data, mode="w"):
    with open(name, mode) as f: f.write(data)

rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
ec_key = ec.generate_private_key(ec.SECP256R1())
pk8 = lambda k: k.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
write("indep_rsa.pk8.der", pk8(rsa_key), "wb")
write("indep_ec.pk8.der", pk8(ec_key), "wb")

plaintext = b'{"msg":"Keybridge independent JWE vector"}'
for alg, h in (("RSA-OAEP", hashes.SHA1()), ("RSA-OAEP-256", hashes.SHA256())):
    header = b64u(json.dumps({"alg": alg, "enc": "A256GCM"}, separators=(",", ":")).encode())
    cek, iv = os.urandom(32), os.urandom(12)
    ek = rsa_key.public_key().encrypt(cek, padding.OAEP(mgf=padding.MGF1(h), algorithm=h, label=None))
    ct = AESGCM(cek).encrypt(iv, plaintext, header.encode())
    write("indep_%s.jwe" % alg.lower(), ".".join([header, b64u(ek), b64u(iv), b64u(ct[:-16]), b64u(ct[-16:])]) + "\n")
write("indep_jwe.plaintext", plaintext.decode())

payload = b64u(b'{"iss":"indep","aud":"keybridge","exp":4102444800}')
h = b64u(b'{"alg":"RS256","typ":"JWT"}')
sig = rsa_key.sign((h + "." + payload).encode(), padding.PKCS1v15(), hashes.SHA256())
write("indep_rs256.jws", h + "." + payload + "." + b64u(sig) + "\n")
h = b64u(b'{"alg":"ES256","typ":"JWT"}')
r, s = utils.decode_dss_signature(ec_key.sign((h + "." + payload).encode(), ec.ECDSA(hashes.SHA256())))
write("indep_es256.jws", h + "." + payload + "." + b64u(r.to_bytes(32, "big") + s.to_bytes(32, "big")) + "\n")
