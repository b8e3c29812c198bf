#!/usr/bin/env python3
"""Derives the Windows Server 2022 PAC vectors from MIT krb5's t_pac.c.

Input: the EncTicketPart plaintext of t_pac.c `ticket_data` (krb5/krb5 commit 473b51b6),
decrypted with `ticket_sig_server_key` (aes256-cts-hmac-sha1-96, key usage 2). Outputs:
  w2022_pac.hex              the AD-WIN2K-PAC bytes found inside its authorization-data
  w2022_ticket_cksum_input.hex  the EncTicketPart with that PAC replaced by the single
                             byte 00 (MS-PAC 2.8.2; MIT krb5_kdc_verify_ticket)
Test data generation only: the product code never re-encodes DER itself.

Usage: derive_w2022.py <enc_ticket_part.bin> <out_dir>
"""
import sys


def tlv(b, i):
    tag = b[i]
    n = b[i + 1]
    i += 2
    if n & 0x80:
        k = n & 0x7F
        n = int.from_bytes(b[i:i + k], "big")
        i += k
    return tag, i, n


def children(b, start, end):
    out, i = [], start
    while i < end:
        t, s, n = tlv(b, i)
        out.append((t, i, s, n))  # tag, header start, content start, length
        i = s + n
    return out


def enc(tag, content):
    n = len(content)
    if n < 0x80:
        head = bytes([n])
    else:
        lb = n.to_bytes((n.bit_length() + 7) // 8, "big")
        head = bytes([0x80 | len(lb)]) + lb
    return bytes([tag]) + head + content


def raw(b, node):
    _, h, s, n = node
    return b[h:s + n]


def main():
    etp = open(sys.argv[1], "rb").read()
    out = sys.argv[2]
    app_tag, s, n = tlv(etp, 0)
    assert app_tag == 0x63 and s + n == len(etp)
    _, seq_s, seq_n = tlv(etp, s)
    fields = children(etp, seq_s, seq_s + seq_n)
    new_fields = []
    pac = None
    for f in fields:
        if f[0] != 0xAA:
            new_fields.append(raw(etp, f))
            continue
        _, ad_s, ad_n = tlv(etp, f[2])                    # AuthorizationData
        elems = children(etp, ad_s, ad_s + ad_n)
        assert len(elems) == 1, "one AD-IF-RELEVANT element expected"
        typ, data = children(etp, elems[0][2], elems[0][2] + elems[0][3])
        assert raw(etp, typ) == bytes.fromhex("a003020101")  # AD-IF-RELEVANT (1)
        _, os_s, os_n = tlv(etp, data[2])                 # OCTET STRING
        inner = etp[os_s:os_s + os_n]
        _, in_s, in_n = tlv(inner, 0)
        in_elems = children(inner, in_s, in_s + in_n)
        assert len(in_elems) == 1, "one AD-WIN2K-PAC element expected"
        in_typ, in_data = children(inner, in_elems[0][2], in_elems[0][2] + in_elems[0][3])
        assert raw(inner, in_typ) == bytes.fromhex("a00402020080")  # AD-WIN2K-PAC (128)
        _, p_s, p_n = tlv(inner, in_data[2])
        pac = inner[p_s:p_s + p_n]
        dummy = enc(0x30, enc(0x30, raw(inner, in_typ) + enc(0xA1, enc(0x04, b"\x00"))))
        elem = enc(0x30, raw(etp, typ) + enc(0xA1, enc(0x04, dummy)))
        new_fields.append(enc(0xAA, enc(0x30, elem)))
    cksum_input = enc(0x63, enc(0x30, b"".join(new_fields)))

    def write(name, data, note):
        with open(f"{out}/{name}", "w") as fh:
            fh.write(note)
            for i in range(0, len(data), 16):
                fh.write(data[i:i + 16].hex(" ") + "\n")

    src = ("# Derived by tests/data/pac/derive_w2022.py from MIT krb5 src/lib/krb5/krb/t_pac.c\n"
           "# `ticket_data` (krb5/krb5 commit 473b51b6): a Windows Server 2022 service ticket for\n"
           "# cifs/w2022-118.w2022-l7.base@W2022-L7.BASE, client administrator, authtime\n"
           "# 2022-11-23T16:01:59Z, decrypted with ticket_sig_server_key (usage 2).\n"
           "# Server key aes256 114A84E3148FAAB1FA7B5351B28AC2F1FD196D61E0F3F23E1FDBD3C1797DC1EE\n"
           "# krbtgt key aes256 037381EC43967BC2AC3DF52AAE95A68EBE2458DBCE522820AF5EB704A222714F\n")
    write("w2022_pac.hex", pac, src + "# Content: the AD-WIN2K-PAC bytes.\n")
    write("w2022_ticket_cksum_input.hex", cksum_input,
          src + "# Content: EncTicketPart with the PAC replaced by the one-byte PAC 00.\n")


if __name__ == "__main__":
    main()
