"""A real IMAP server for the inbox tests: Debian's dovecot on 127.0.0.1, TLS only, a Maildir.

Everything lives in one temporary folder: a throwaway config, a self-signed certificate made
with openssl for this run, one user with a password, and the mailbox. Started with ``dovecot -F``
(foreground, so the test owns the process) and ready when it accepts a TLS login.
"""

import getpass
import imaplib
import os
import pwd
import shutil
import ssl
import subprocess
import tempfile
import time
from pathlib import Path

from newsletter_helpers import free_port

USER, PASSWORD = "list@blog.example", "imap-test-password"

CONFIG = """\
base_dir = {root}/run
state_dir = {root}/state
instance_name = happening-test-{port}
listen = 127.0.0.1
protocols = imap
log_path = {root}/dovecot.log
ssl = required
ssl_cert = <{root}/cert.pem
ssl_key = <{root}/key.pem
disable_plaintext_auth = yes
auth_mechanisms = plain
default_login_user = {login_user}
default_internal_user = {internal_user}
first_valid_uid = {uid}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={root}/home/%u
}}
mail_location = maildir:~/Maildir
service imap-login {{
  inet_listener imap {{
    port = 0
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {port}
    ssl = yes
  }}
}}
service stats {{
  unix_listener stats-writer {{
    mode = 0666
  }}
}}
"""


class Dovecot:
    """``with Dovecot() as server:`` a running server; everything it made is removed after."""

    def __init__(self):
        self.port = free_port()
        self.process = None
        # Its own folder under /tmp, not pytest's tmp_path: dovecot's auth and login processes
        # run as unprivileged users, who cannot enter pytest's owner-only folders.
        self._folder = tempfile.TemporaryDirectory(prefix="happening-dovecot-")
        self.root = Path(self._folder.name)

    def __enter__(self):
        dovecot = shutil.which("dovecot") or "/usr/sbin/dovecot"
        assert os.path.exists(dovecot), "dovecot is missing; `./inv test` installs dovecot-imapd"
        root = self.root
        for folder in ("run", "state", "home"):
            (root / folder).mkdir(parents=True)
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
             "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
             "-keyout", str(root / "key.pem"), "-out", str(root / "cert.pem")],
            check=True, capture_output=True,
        )  # fmt: skip
        (root / "passwd").write_text(f"{USER}:{{PLAIN}}{PASSWORD}\n")
        if os.geteuid() == 0:
            # Dovecot never gives root's uid to a mailbox, and drops privileges for logins.
            mail = pwd.getpwnam("nobody")
            login = internal = "dovecot" if _user_exists("dovecot") else "nobody"
            login = "dovenull" if _user_exists("dovenull") else login
            subprocess.run(["chown", "-R", f"{mail.pw_uid}:{mail.pw_gid}", str(root / "home")])
            root.chmod(0o755)
        else:
            mail = pwd.getpwuid(os.getuid())
            login = internal = getpass.getuser()
        config = root / "dovecot.conf"
        config.write_text(
            CONFIG.format(
                root=root,
                port=self.port,
                uid=mail.pw_uid,
                gid=mail.pw_gid,
                login_user=login,
                internal_user=internal,
            )
        )
        self.process = subprocess.Popen(
            [dovecot, "-F", "-c", str(config)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT
        )
        try:
            self._wait_for_login()
        except BaseException:
            self.__exit__()  # A server that never came up must not outlive the test.
            raise
        return self

    def __exit__(self, *exc):
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self._folder.cleanup()

    def context(self) -> ssl.SSLContext:
        """A TLS context that trusts this run's certificate and nothing else."""
        return ssl.create_default_context(cafile=str(self.root / "cert.pem"))

    def connect(self) -> imaplib.IMAP4_SSL:
        imap = imaplib.IMAP4_SSL("127.0.0.1", self.port, ssl_context=self.context(), timeout=10)
        imap.login(USER, PASSWORD)
        return imap

    def append(self, raw: bytes):
        """Deliver a message the way an MTA's local delivery would leave it: new, unread."""
        imap = self.connect()
        try:
            imap.append("INBOX", "", imaplib.Time2Internaldate(time.time()), raw)
        finally:
            imap.logout()

    def _wait_for_login(self, seconds=30):
        deadline = time.monotonic() + seconds
        while True:
            if self.process.poll() is not None:
                log = (
                    (self.root / "dovecot.log").read_text()
                    if (self.root / "dovecot.log").exists()
                    else ""
                )
                raise RuntimeError(f"dovecot exited: {self.process.stdout.read()!r} {log}")
            try:
                self.connect().logout()
                return
            except (OSError, imaplib.IMAP4.error):
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)  # Polling a condition with a deadline, not waiting blind.


def _user_exists(name):
    try:
        pwd.getpwnam(name)
        return True
    except KeyError:
        return False
