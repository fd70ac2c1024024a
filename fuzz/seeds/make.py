#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz targets into fuzz/corpus/<target>/.

Two sources (see fuzz/README.md):
  1. The specification examples the codec's tests use, read byte for byte out of the test
     sources (MS-RDPBCGR 4.1.2 Confirm, 4.1.4 MCS Connect Response, MS-NLMP 4.2.4.3
     CHALLENGE...), the certificates under scanner/src/cert/testdata/, and a few answers laid
     out by hand (negotiation failures, alerts, a TSRequest with an errorCode).
  2. With --fleet BINARY: the simulated fleet's own answers, captured from
     `BINARY simulate` on loopback (127.97.0.0/27 and 127.97.1.0/27 only) by a client that
     speaks each stage as the probe does: X.224, a legacy TLS hello (a TLS 1.2 ClientHello from
     Python's ssl module), a full TLS handshake for the certificate, CredSSP with an NTLM
     NEGOTIATE, and an MCS Connect Initial for standard security.

Files are named by the SHA-1 of their bytes (as libFuzzer names them), so running this again
adds nothing twice. Python standard library only.
"""

import argparse
import hashlib
import os
import re
import socket
import ssl
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CORPUS = os.path.join(ROOT, "fuzz", "corpus")
CODEC_TESTS = os.path.join(ROOT, "scanner", "codec", "src")
CERT_TESTDATA = os.path.join(ROOT, "scanner", "src", "cert", "testdata")
PORT = 24390
RANGES = {"mixed": "127.97.0.0/27", "deep": "127.97.1.0/27"}


# (target, length) of every TLS, certificate and CredSSP capture kept: fleet hosts that answer
# alike differ there only in keys, serial numbers and clocks, so one of each length is enough.
CAPTURED = set()


def save(target, data, why, capture=False):
    if not data or (capture and (target, len(data)) in CAPTURED):
        return
    if capture:
        CAPTURED.add((target, len(data)))
    directory = os.path.join(CORPUS, target)
    os.makedirs(directory, exist_ok=True)
    path = os.path.join(directory, hashlib.sha1(data).hexdigest())
    if not os.path.exists(path):
        with open(path, "wb") as f:
            f.write(data)
        print(f"{target:22} {len(data):6} bytes  {why}")


# ---- 1. the codec tests' specification examples, read out of their sources ----

def rust_const(file, name):
    """The bytes of `const NAME: [u8; N] = [...]` or `const NAME: &[&str] = &[...]` (hex)."""
    with open(os.path.join(CODEC_TESTS, file)) as f:
        source = f.read()
    match = re.search(r"const " + name + r": ([^=]+)= &?\[(.*?)\n\];", source, re.S)
    if not match:
        sys.exit(f"make.py: no const {name} in {file}")
    kind, body = match.groups()
    body = "\n".join(line.split("//")[0] for line in body.splitlines())
    if "&str" in kind:
        text = " ".join(re.findall(r'"([0-9a-f ]*)"', body))
        data = bytes.fromhex(text)
    else:
        escapes = {"\\r": "\r", "\\n": "\n", "\\0": "\0"}
        data = bytearray()
        for token in re.findall(r"0x[0-9a-fA-F]{2}|b'(?:\\.|[^'])'", body):
            if token.startswith("0x"):
                data.append(int(token, 16))
            else:
                char = token[2:-1]
                data.append(ord(escapes.get(char, char)))
        data = bytes(data)
        declared = int(re.search(r"; *(\d+)\]", kind).group(1))
        assert len(data) == declared, f"{name}: {len(data)} bytes, declared {declared}"
    return data


def der(tag, content):
    """One DER TLV (lengths below 64 KiB)."""
    n = len(content)
    if n < 0x80:
        length = bytes([n])
    elif n <= 0xFF:
        length = bytes([0x81, n])
    else:
        length = bytes([0x82, n >> 8, n & 0xFF])
    return bytes([tag]) + length + content


def tsrequest(version, token=None, error_code=None):
    """A TSRequest (MS-CSSP 2.2.1) as the codec's encoder lays it out."""
    body = der(0xA0, der(0x02, bytes([version])))
    if token is not None:
        body += der(0xA1, der(0x30, der(0x30, der(0xA0, der(0x04, token)))))
    if error_code is not None:
        body += der(0xA4, der(0x02, error_code.to_bytes(4, "big")))
    return der(0x30, body)


def gcc_user_data(mcs_frame):
    """The GCC Conference Create Response of an MCS Connect Response: from the T.124 OID on."""
    at = mcs_frame.find(bytes.fromhex("00050014 7c0001"))
    return mcs_frame[at:] if at >= 0 else b""


def confirm(neg):
    """A Connection Confirm (SRC-REF 0x1234) carrying 8 bytes of negotiation data."""
    return bytes.fromhex("03000013 0ed0 0000 1234 00") + neg


def spec_seeds():
    save("x224", rust_const("tests.rs", "SPEC_CONFIRM"), "MS-RDPBCGR 4.1.2 Connection Confirm")
    save("x224", rust_const("tests.rs", "PRE_VISTA_CONFIRM"), "pre-Vista Confirm, no negotiation")
    save("x224", rust_const("tests.rs", "XRDP_DATA"), "xrdp's Data TPDU with an MCS disconnect")
    for code in (1, 2, 3, 4, 5, 6, 99):
        neg = bytes([0x03, 0x00, 0x08, 0x00]) + code.to_bytes(4, "little")
        save("x224", confirm(neg), f"RDP_NEG_FAILURE {code}")
    save("x224", bytes.fromhex("0300000b 06800000000000"), "X.224 Disconnect Request")

    response = rust_const("mcs_tests.rs", "SPEC_CONNECT_RESPONSE")
    save("mcs_connect_response", response, "MS-RDPBCGR 4.1.4 MCS Connect Response")
    save("mcs_connect_response", bytes.fromhex("0300000d 02f080 7f6603 0a010e"),
         "Connect Response refusing: rt-unspecified-failure")
    save("gcc_server_data", gcc_user_data(response), "MS-RDPBCGR 4.1.4 server data blocks")

    challenge = rust_const("ntlm_tests.rs", "SPEC_CHALLENGE")
    save("ntlm_challenge", challenge, "MS-NLMP 4.2.4.3 CHALLENGE_MESSAGE")
    save("credssp_tsrequest", tsrequest(6, challenge), "TSRequest v6 carrying 4.2.4.3")
    save("credssp_tsrequest", tsrequest(6, error_code=0xC000006D),
         "TSRequest v6 with errorCode STATUS_LOGON_FAILURE")

    save("legacy_tls_flight", bytes.fromhex("1503010002 0228"), "fatal alert handshake_failure")
    save("legacy_tls_flight", bytes.fromhex("1503030002 0146 1503030002 0228"),
         "warning alert, then a fatal one")
    for name in sorted(os.listdir(CERT_TESTDATA)):
        if name.endswith(".der"):
            with open(os.path.join(CERT_TESTDATA, name), "rb") as f:
                save("certificate", f.read(), f"scanner/src/cert/testdata/{name}")


# ---- 2. the simulated fleet's answers, captured on loopback ----

# The scanner's Connection Request: cookie "rdpsweep", RDP_NEG_REQ for SSL|HYBRID|HYBRID_EX.
def connection_request(protocols):
    cookie = b"Cookie: mstshash=rdpsweep\r\n"
    neg = bytes([0x01, 0x00, 0x08, 0x00]) + protocols.to_bytes(4, "little")
    li = 6 + len(cookie) + len(neg)
    return bytes([3, 0, 0, 5 + li, li, 0xE0, 0, 0, 0, 0, 0]) + cookie + neg


WINDOWS_CLIENT = 0x0B
# The scanner's NTLM NEGOTIATE (MS-NLMP 2.2.1.1): flags 0xe2888205, no domain or workstation,
# version 10.0.0 revision 15.
NTLM_NEGOTIATE = bytes.fromhex("4e544c4d53535000 01000000 058288e2 00000000 28000000"
                               "00000000 28000000 0a000000 0000000f")


def read_some(sock, limit=256 * 1024, idle=1.0):
    """What the peer sends until it closes, is idle for `idle` seconds, or `limit` bytes."""
    sock.settimeout(idle)
    data = b""
    while len(data) < limit:
        try:
            piece = sock.recv(65536)
        except (socket.timeout, ConnectionError):
            break
        if not piece:
            break
        data += piece
    return data


def read_tpkt(sock):
    """One TPKT frame (or what came of it) after the Connection Request."""
    sock.settimeout(2.0)
    data = b""
    try:
        while True:
            need = int.from_bytes(data[2:4], "big") if len(data) >= 4 else 4
            if data and data[0] != 3:
                return data + read_some(sock, limit=512)  # not TPKT: keep what it says
            if len(data) >= need:
                break
            piece = sock.recv(need - len(data))
            if not piece:
                break
            data += piece
    except (socket.timeout, ConnectionError):
        pass
    return data


def selected(confirm_frame):
    """selectedProtocol of an RDP_NEG_RSP, or None."""
    if len(confirm_frame) == 19 and confirm_frame[5] & 0xF0 == 0xD0 and confirm_frame[11] == 2:
        return int.from_bytes(confirm_frame[15:19], "little")
    return None


def negotiate(addr, protocols):
    sock = socket.create_connection((addr, PORT), timeout=3)
    sock.sendall(connection_request(protocols))
    return sock, read_tpkt(sock)


def legacy_hello():
    """A TLS 1.2-at-most ClientHello with legacy suites, from Python's ssl module."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    ctx.maximum_version = ssl.TLSVersion.TLSv1_2
    ctx.set_ciphers("ALL:@SECLEVEL=0")
    incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
    tls = ctx.wrap_bio(incoming, outgoing)
    try:
        tls.do_handshake()
    except ssl.SSLWantReadError:
        pass
    return outgoing.read()


def certificates(flight):
    """The DER certificates of the Certificate message in a clear-text flight."""
    handshake = b""
    while len(flight) >= 5:
        length = int.from_bytes(flight[3:5], "big")
        if flight[0] == 22:
            handshake += flight[5:5 + length]
        flight = flight[5 + length:]
    while len(handshake) >= 4:
        kind, length = handshake[0], int.from_bytes(handshake[1:4], "big")
        body, handshake = handshake[4:4 + length], handshake[4 + length:]
        if kind == 11:
            chain, body = [], body[3:]
            while len(body) >= 3:
                n = int.from_bytes(body[:3], "big")
                chain.append(body[3:3 + n])
                body = body[3 + n:]
            return chain
    return []


def der_content(data, path):
    """Follows DER tags `path` (each the tag of the next TLV to enter) into `data`."""
    for tag in path:
        while data:
            t, n = data[0], data[1]
            start = 2
            if n & 0x80:
                start = 2 + (n & 0x7F)
                n = int.from_bytes(data[2:start], "big")
            if t == tag:
                data = data[start:start + n]
                break
            data = data[start + n:]
        else:
            return b""
    return data


def capture(binary):
    hello = legacy_hello()
    for profile, network in RANGES.items():
        server = subprocess.Popen([binary, "simulate", "--range", network, "--port", str(PORT),
                                   "--profile", profile], stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL)
        try:
            time.sleep(2.0)
            base = network.split("/")[0].rsplit(".", 1)[0]
            for host in range(29 if profile == "mixed" else 19):
                capture_host(f"{base}.{host}", f"{profile} host {host}", hello)
        finally:
            server.terminate()
            server.wait()


def capture_host(addr, who, hello):
    try:
        sock, answer = negotiate(addr, WINDOWS_CLIENT)
    except OSError:
        return
    save("x224", answer, f"{who}: answer to the Connection Request")
    protocol = selected(answer)
    if protocol in (1, 2, 8):
        sock.sendall(hello)
        flight = read_some(sock)
        save("legacy_tls_flight", flight, f"{who}: answer to a TLS 1.2 ClientHello",
             capture=True)
        for cert in certificates(flight):
            save("certificate", cert, f"{who}: certificate of the clear-text flight",
                 capture=True)
    sock.close()
    if protocol in (1, 2, 8):
        capture_tls(addr, who, protocol)
    capture_standard_security(addr, who)


def capture_tls(addr, who, protocol):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    ctx.set_ciphers("ALL:@SECLEVEL=0")
    try:
        sock, _ = negotiate(addr, WINDOWS_CLIENT)
        with ctx.wrap_socket(sock) as tls:
            save("certificate", tls.getpeercert(binary_form=True), f"{who}: TLS certificate",
                 capture=True)
            if protocol in (2, 8):
                tls.sendall(tsrequest(6, NTLM_NEGOTIATE))
                answer = read_some(tls, idle=1.0)
                save("credssp_tsrequest", answer, f"{who}: answer to the NTLM NEGOTIATE",
                     capture=True)
                token = der_content(answer, [0x30, 0xA1, 0x30, 0x30, 0xA0, 0x04])
                save("ntlm_challenge", token, f"{who}: NTLM CHALLENGE", capture=True)
    except (OSError, ssl.SSLError):
        pass


def capture_standard_security(addr, who):
    """Standard RDP security: PROTOCOL_RDP alone, then the 4.1.3 MCS Connect Initial offering
    its encryption methods, 128-bit only, or 40-bit only (hosts refuse what they lack)."""
    initial = rust_const("mcs_tests.rs", "SPEC_CONNECT_INITIAL")
    security = initial.find(bytes.fromhex("02c00c00")) + 4  # CS_SECURITY encryptionMethods
    for methods in (None, 0x02, 0x01):
        if methods is not None:
            initial = initial[:security] + methods.to_bytes(4, "little") + initial[security + 4:]
        try:
            sock, answer = negotiate(addr, 0)
            if selected(answer) == 0:
                sock.sendall(initial)
                response = read_tpkt(sock)
                save("mcs_connect_response", response, f"{who}: MCS Connect Response")
                save("gcc_server_data", gcc_user_data(response), f"{who}: server data blocks")
            sock.close()
        except OSError:
            pass


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fleet", metavar="BINARY", help="capture the answers of BINARY simulate")
    args = parser.parse_args()
    spec_seeds()
    if args.fleet:
        capture(args.fleet)


if __name__ == "__main__":
    main()
