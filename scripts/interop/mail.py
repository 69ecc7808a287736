#!/usr/bin/env python3
"""Helpers for scripts/interop.sh: test messages, Python smtplib as a client, Maildir and
queue checks. Each subcommand exits 0 when its check holds and prints why when it does not.

    mail.py message FILE --from A --to B --token T [--utf8-sender]
    mail.py smtplib --port P --from A --to B --file F [--starttls --user U --password W] [--smtputf8]
    mail.py refused --port P --from A --to B
    mail.py wait-maildir DIR TOKEN [--timeout S]        prints the file's path
    mail.py compare SENT GOT [--lf]                     byte-exact apart from leading trace headers
    mail.py queue-state TERN CONFIG ADDRESS STATE [--code C] [--enhanced E] [--timeout S]
    mail.py free-ports N
"""

import argparse
import json
import os
import random
import smtplib
import socket
import ssl
import subprocess
import sys
import time

# Headers an MTA prepends on the way (RFC 5321 §4.4 trace fields and delivery agents' own).
TRACE = (b"return-path:", b"delivered-to:", b"received:", b"x-original-to:")


def build_message(sender, to, token, utf8_sender=False):
    """A message that exercises the data path: a leading dot, two dots, 8-bit UTF-8 text, a
    998-octet line (the RFC 5322 maximum), an empty line in the body, CRLF throughout."""
    display = "Jörg Müller" if utf8_sender else "Interop Test"
    long_line = ("0123456789" * 100)[:998]
    lines = [
        f"From: {display} <{sender}>",
        f"To: <{to}>",
        f"Subject: Tern interop {token} — Grüße",
        "Date: Sat, 28 Nov 2026 12:00:00 +0000",
        f"Message-ID: <{token}@interop.test>",
        "MIME-Version: 1.0",
        "Content-Type: text/plain; charset=utf-8",
        "Content-Transfer-Encoding: 8bit",
        "X-Folded: first part,",
        "\tsecond part",
        "",
        f"token {token}",
        ".leading dot",
        "..two leading dots",
        ".",
        "Grüße aus Köln, 日本語のテキスト, emoji 🐦",
        "",
        long_line,
        "last line",
    ]
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


def cmd_message(a):
    with open(a.file, "wb") as f:
        f.write(build_message(a.sender, a.to, a.token, a.utf8_sender))


def connect(a):
    client = smtplib.SMTP("127.0.0.1", a.port, local_hostname="client.interop.test", timeout=20)
    client.ehlo()
    if a.starttls:
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE  # Tern's certificate is self-signed here
        client.starttls(context=context)
        client.ehlo()
        client.login(a.user, a.password)
    return client


def cmd_smtplib(a):
    with open(a.file, "rb") as f:
        data = f.read()
    client = connect(a)
    options = []
    if client.has_extn("8bitmime"):
        options.append("BODY=8BITMIME")
    if a.smtputf8:
        if not client.has_extn("smtputf8"):
            sys.exit("server does not offer SMTPUTF8")
        options.append("SMTPUTF8")
    refused = client.sendmail(a.sender, [a.to], data, mail_options=options)
    if refused:
        sys.exit(f"refused: {refused}")
    code, text = client.noop()
    client.quit()
    print(f"sent with {' '.join(options) or 'no options'}; NOOP {code}")


def cmd_refused(a):
    client = smtplib.SMTP("127.0.0.1", a.port, local_hostname="client.interop.test", timeout=20)
    try:
        client.sendmail(a.sender, [a.to], b"Subject: x\r\n\r\nx\r\n")
    except smtplib.SMTPRecipientsRefused as e:
        code, text = e.recipients[a.to]
        text = text.decode("utf-8", "replace")
        print(f"refused: {code} {text}")
        if code != 550 or not text.startswith("5.1.1"):
            sys.exit(f"expected 550 5.1.1, got {code} {text}")
        return
    finally:
        try:
            client.quit()
        except smtplib.SMTPException:
            pass
    sys.exit("the recipient was accepted")


def cmd_wait_maildir(a):
    deadline = time.monotonic() + a.timeout
    needle = a.token.encode()
    new = os.path.join(a.dir, "new")
    while True:
        try:
            names = sorted(os.listdir(new))
        except FileNotFoundError:
            names = []
        for name in names:
            path = os.path.join(new, name)
            with open(path, "rb") as f:
                if needle in f.read():
                    print(path)
                    return
        if time.monotonic() > deadline:
            sys.exit(f"nothing with {a.token} in {new} after {a.timeout}s")
        time.sleep(0.1)


def without_trace(data):
    """The message without the trace header fields at its top (with their continuations)."""
    lines = data.splitlines(keepends=True)
    i = 0
    while i < len(lines) and lines[i].lower().startswith(TRACE):
        i += 1
        while i < len(lines) and lines[i][:1] in (b" ", b"\t"):
            i += 1
    return b"".join(lines[i:]), b"".join(lines[:i])


def cmd_compare(a):
    with open(a.sent, "rb") as f:
        sent = f.read()
    with open(a.got, "rb") as f:
        got = f.read()
    if a.lf:  # delivery agents that store with LF line ends (Postfix's Maildir)
        sent = sent.replace(b"\r\n", b"\n")
    body, trace = without_trace(got)
    if body == sent:
        names = [l.split(b":")[0].decode() for l in trace.splitlines() if l[:1] not in (b" ", b"\t")]
        print(f"identical after {len(names)} trace fields ({', '.join(names)})")
        return
    sent_lines, got_lines = sent.splitlines(keepends=True), body.splitlines(keepends=True)
    for n, (s, g) in enumerate(zip(sent_lines, got_lines), 1):
        if s != g:
            print(f"first difference at line {n}:\n  sent {s[:200]!r}\n  got  {g[:200]!r}")
            break
    else:
        print(f"sent {len(sent_lines)} lines, got {len(got_lines)} after the trace fields")
    print(f"sent {len(sent)} octets, got {len(body)}; trace fields:\n{trace.decode('utf-8', 'replace')}")
    sys.exit(1)


def cmd_queue_state(a):
    deadline = time.monotonic() + a.timeout
    seen = None
    while True:
        out = subprocess.run(
            [a.tern, "queue", "list", "--all", "--json", "--config", a.config],
            capture_output=True, timeout=30,
        )
        if out.returncode == 0:
            listing = json.loads(out.stdout)
            for message in listing.get("messages", []):
                for r in message.get("recipients", []):
                    if r.get("address", "").lower() != a.address.lower():
                        continue
                    reply = r.get("last_reply") or {}
                    seen = (r.get("state"), reply.get("code"), reply.get("enhanced"), reply.get("text"))
                    if (r.get("state") == a.state
                            and (a.code is None or str(reply.get("code")) == a.code)
                            and (a.enhanced is None or reply.get("enhanced") == a.enhanced)):
                        print(f"{a.address}: {seen[0]} {seen[1]} {seen[2]} {seen[3]}")
                        return
        else:
            seen = ("queue list failed", out.stderr.decode(errors="replace").strip())
        if time.monotonic() > deadline:
            sys.exit(f"{a.address}: wanted {a.state} {a.code or ''} {a.enhanced or ''}, last seen {seen}")
        time.sleep(0.2)


def cmd_free_ports(a):
    """N free TCP ports on 127.0.0.1, below Linux's ephemeral range (32768-60999) so that
    neither a port-0 listener nor an outgoing connection takes one before its server starts."""
    rng = random.Random()
    ports = []
    while len(ports) < a.n:
        port = rng.randrange(20000, 32000)
        if port in ports:
            continue
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
        ports.append(port)
    print(" ".join(map(str, ports)))


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)

    s = sub.add_parser("message")
    s.add_argument("file")
    s.add_argument("--from", dest="sender", required=True)
    s.add_argument("--to", required=True)
    s.add_argument("--token", required=True)
    s.add_argument("--utf8-sender", action="store_true")
    s.set_defaults(fn=cmd_message)

    for name, fn in (("smtplib", cmd_smtplib), ("refused", cmd_refused)):
        s = sub.add_parser(name)
        s.add_argument("--port", type=int, required=True)
        s.add_argument("--from", dest="sender", required=True)
        s.add_argument("--to", required=True)
        s.add_argument("--file")
        s.add_argument("--starttls", action="store_true")
        s.add_argument("--user")
        s.add_argument("--password")
        s.add_argument("--smtputf8", action="store_true")
        s.set_defaults(fn=fn)

    s = sub.add_parser("wait-maildir")
    s.add_argument("dir")
    s.add_argument("token")
    s.add_argument("--timeout", type=float, default=15)
    s.set_defaults(fn=cmd_wait_maildir)

    s = sub.add_parser("compare")
    s.add_argument("sent")
    s.add_argument("got")
    s.add_argument("--lf", action="store_true")
    s.set_defaults(fn=cmd_compare)

    s = sub.add_parser("queue-state")
    s.add_argument("tern")
    s.add_argument("config")
    s.add_argument("address")
    s.add_argument("state")
    s.add_argument("--code")
    s.add_argument("--enhanced")
    s.add_argument("--timeout", type=float, default=15)
    s.set_defaults(fn=cmd_queue_state)

    s = sub.add_parser("free-ports")
    s.add_argument("n", type=int)
    s.set_defaults(fn=cmd_free_ports)

    a = p.parse_args()
    try:
        a.fn(a)
    except (smtplib.SMTPException, OSError, ssl.SSLError) as e:
        sys.exit(f"{type(e).__name__}: {e}")


if __name__ == "__main__":
    main()
