"""A real SMTP server for the tests: aiosmtpd on loopback with STARTTLS required and
AUTH (PLAIN/LOGIN) required after it. Each delivered mail is parsed with Python's own
email package and the `icalendar` parser (independent of what the relay writes with) and
written as one JSON file to the output directory; the raw message goes beside it.

    smtp_server.py OUT_DIR CERT_PEM KEY_PEM USER PASSWORD [--fail-first N]

Prints "ready PORT" once it listens; stops when stdin closes.
"""

import asyncio
import email
import email.policy
import json
import os
import socket
import ssl
import sys
import threading
import warnings

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
import icalendar


# aiosmtpd's own code still touches its deprecated Session.login_data.
warnings.filterwarnings("ignore", message="Session.login_data")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def calendar_of(data):
    cal = icalendar.Calendar.from_ical(data)
    events = []
    for ev in cal.walk("VEVENT"):
        alarms = []
        for alarm in ev.walk("VALARM"):
            trigger = alarm.decoded("TRIGGER")
            alarms.append({
                "action": str(alarm.get("ACTION")),
                "trigger_seconds": int(trigger.total_seconds()),
                "description": str(alarm.get("DESCRIPTION", "")),
            })
        events.append({
            "uid": str(ev.get("UID")),
            "start": ev.decoded("DTSTART").isoformat(),
            "end": ev.decoded("DTEND").isoformat(),
            "summary": str(ev.get("SUMMARY", "")),
            "description": str(ev.get("DESCRIPTION", "")),
            "location": str(ev.get("LOCATION", "")),
            "url": str(ev.get("URL", "")),
            "status": str(ev.get("STATUS", "")),
            "alarms": alarms,
        })
    return {
        "method": str(cal.get("METHOD", "")),
        "version": str(cal.get("VERSION", "")),
        "events": events,
    }


class Handler:
    def __init__(self, out_dir, fail_first):
        self.out_dir = out_dir
        self.fail_first = fail_first
        self.count = 0
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        if self.fail_first > 0:
            self.fail_first -= 1
            return "451 4.3.0 Try again later"
        msg = email.message_from_bytes(envelope.content, policy=email.policy.default)
        text = msg.get_body(preferencelist=("plain",))
        html = msg.get_body(preferencelist=("html",))
        attachments = []
        for part in msg.iter_attachments():
            content = part.get_content()
            item = {
                "filename": part.get_filename(),
                "content_type": part.get_content_type(),
                "method": part.get_param("method"),
            }
            if part.get_content_type() == "text/calendar":
                item["calendar"] = calendar_of(
                    content if isinstance(content, bytes) else content.encode())
            attachments.append(item)
        with self.lock:
            self.count += 1
            n = self.count
        record = {
            "tls": session.ssl is not None,
            "authenticated": bool(session.authenticated),
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "from": str(msg["From"]),
            "to": str(msg["To"]),
            "subject": str(msg["Subject"]),
            "auto_submitted": str(msg.get("Auto-Submitted", "")),
            "content_type": msg.get_content_type(),
            "text": text.get_content() if text is not None else None,
            "html": html.get_content() if html is not None else None,
            "attachments": attachments,
        }
        base = os.path.join(self.out_dir, "%03d" % n)
        with open(base + ".eml", "wb") as f:
            f.write(envelope.content)
        with open(base + ".json.tmp", "w", encoding="utf-8") as f:
            json.dump(record, f, ensure_ascii=False)
        os.rename(base + ".json.tmp", base + ".json")
        return "250 OK"


def main():
    out_dir, cert, key, user, password = sys.argv[1:6]
    fail_first = 0
    if "--fail-first" in sys.argv:
        fail_first = int(sys.argv[sys.argv.index("--fail-first") + 1])
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)

    def authenticator(server, session, envelope, mechanism, auth_data):
        ok = (isinstance(auth_data, LoginPassword)
              and auth_data.login == user.encode()
              and auth_data.password == password.encode())
        return AuthResult(success=ok)

    port = free_port()
    controller = Controller(
        Handler(out_dir, fail_first),
        hostname="127.0.0.1",
        port=port,
        server_hostname="localhost",
        tls_context=context,
        require_starttls=True,
        auth_required=True,
        auth_require_tls=True,
        authenticator=authenticator,
    )
    controller.start()
    print("ready %d" % port, flush=True)
    try:
        sys.stdin.read()
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
