"""Start and stop the real helpdesks on loopback: RT 5 (``rt-server``) and django-helpdesk.

``.ci/setup-real-helpdesks.sh`` installs them (and records why, when it
could not); this module only starts a private instance per test session, on
a free loopback port, with its own copy of the database, and stops it. When
something is missing, ``Unavailable`` carries the reason the tests skip with.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from dataclasses import dataclass, field
from http.cookiejar import CookieJar, DefaultCookiePolicy
from pathlib import Path
from typing import Any

import httpx

HERE = Path(__file__).resolve().parent
CACHE = Path(os.environ.get("TRIAGE_REAL_CACHE", Path.home() / ".cache" / "triage-tui"))
SETUP = "bash .ci/setup-real-helpdesks.sh"

RT_SERVER = Path("/usr/share/request-tracker5/libexec/rt-server")
RT_SETUP_DB = Path("/usr/sbin/rt-setup-database-5")
RT_SNIPPET = Path("/etc/request-tracker5/RT_SiteConfig.d/90-triage-tui.pm")
RT_PRISTINE = CACHE / "rt" / "pristine.db"
DH_HOME = CACHE / "django-helpdesk"
DH_PROJECT = HERE / "dh_project"

RT_AGENT_PASSWORD = "triage-sam-pw"
RT_ADMIN = ("triage-admin", "triage-admin-pw")
DH_ADMIN = ("admin", "triage-admin-pw")
DH_AGENT_PASSWORD = "triage-sam-pw"
#: Display name -> user name of the agents both servers are given.
AGENTS = {"Sam Rivera": "sam", "Priya Nair": "priya", "Mei Chen": "mei"}


def _no_cookies() -> CookieJar:
    return CookieJar(DefaultCookiePolicy(allowed_domains=[]))


def client(**kwargs: Any) -> httpx.Client:
    """An httpx client for a loopback server (see ``async_client``)."""
    return httpx.Client(verify=False, cookies=_no_cookies(), **kwargs)


def async_client(**kwargs: Any) -> httpx.AsyncClient:
    """An httpx client for a loopback server: plain HTTP, so no TLS to verify.

    ``verify=False`` only spares loading certifi's CA bundle, which httpx does
    for every client (~45 ms each; the seeders used to make up to eight per
    test). Cookies are never kept: one client speaks for several users through
    per-request ``auth``, so no server session may carry one user's identity
    over to the next request.
    """
    return httpx.AsyncClient(verify=False, cookies=_no_cookies(), **kwargs)


class Unavailable(Exception):
    """The server cannot run here; the message is the skip reason."""


def _failure_note(name: str) -> str:
    marker = CACHE / f"{name}.failed"
    return f" ({marker.read_text().strip()})" if marker.exists() else ""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _tail(path: Path, lines: int = 15) -> str:
    try:
        return " | ".join(path.read_text(errors="replace").strip().splitlines()[-lines:])
    except OSError:
        return "(no log)"


@dataclass
class Process:
    """A server process in its own process group, so stopping it stops its workers too."""

    popen: subprocess.Popen[bytes]
    log: Path

    def running(self) -> bool:
        return self.popen.poll() is None

    def stop(self) -> None:
        if not self.running():
            return
        try:
            os.killpg(self.popen.pid, signal.SIGTERM)
        except ProcessLookupError:
            return
        try:
            self.popen.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.popen.pid, signal.SIGKILL)
            self.popen.wait(timeout=5)


def _spawn(argv: list[str], env: dict[str, str], log: Path, cwd: Path | None = None) -> Process:
    handle = log.open("wb")
    popen = subprocess.Popen(
        argv,
        env={**os.environ, **env},
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        stdout=handle,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    handle.close()
    return Process(popen, log)


def _wait_ready(url: str, auth: tuple[str, str], proc: Process, what: str, limit: float) -> None:
    deadline = time.monotonic() + limit
    last = ""
    while time.monotonic() < deadline:
        if not proc.running():
            raise Unavailable(f"{what} exited at start: {_tail(proc.log)}")
        try:
            response = httpx.get(url, auth=auth, timeout=5)
            if response.status_code == 200:
                return
            last = f"HTTP {response.status_code}"
        except httpx.HTTPError as exc:
            last = type(exc).__name__
        time.sleep(0.25)
    proc.stop()
    raise Unavailable(f"{what} did not answer within {limit:.0f} s ({last}): {_tail(proc.log)}")


@dataclass
class RtServer:
    """A private RT 5: a copy of the pristine database, the test initialdata, ``rt-server``."""

    workdir: Path
    port: int = 0
    token: str = ""
    proc: Process | None = None
    started_in: float = 0.0
    #: Requesters created so far (the seeder adds each once per session).
    users: set[str] = field(default_factory=set)
    #: Seeded articles by spec key: RT's KB is shared by every queue, so once per session.
    articles: dict[str, str] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def api(self) -> str:
        return self.url + "/REST/2.0"

    def check(self) -> None:
        missing = [p for p in (RT_SERVER, RT_SETUP_DB, RT_SNIPPET, RT_PRISTINE) if not p.exists()]
        if missing:
            raise Unavailable(
                f"RT 5 is not installed ({', '.join(map(str, missing))} missing); "
                f"run `{SETUP}` as root{_failure_note('rt')}"
            )

    def start(self) -> RtServer:
        self.check()
        started = time.monotonic()
        self.workdir.mkdir(parents=True, exist_ok=True)
        db = self.workdir / "rt.db"
        shutil.copyfile(RT_PRISTINE, db)
        self.port = free_port()
        token_file = self.workdir / "token"
        env = {
            "TRIAGE_RT_BASEURL": self.url,
            "TRIAGE_RT_DB": str(db),
            "TRIAGE_RT_LOGDIR": str(self.workdir),
            "TRIAGE_RT_TOKEN_FILE": str(token_file),
        }
        insert = subprocess.run(
            [
                str(RT_SETUP_DB),
                "--action",
                "insert",
                "--skip-create",
                "--datafile",
                str(HERE / "rt_initialdata.pl"),
            ],
            env={**os.environ, **env},
            stdin=subprocess.DEVNULL,
            check=False,
            capture_output=True,
            text=True,
            timeout=120,
        )
        if insert.returncode != 0 or not token_file.exists():
            output = " | ".join((insert.stdout + insert.stderr).strip().splitlines()[-8:])
            raise Unavailable(f"loading the RT test data failed: {output}")
        self.token = token_file.read_text().strip()
        self.proc = _spawn(
            [str(RT_SERVER), "--port", str(self.port)], env, self.workdir / "rt-server.log"
        )
        _wait_ready(self.api + "/rt", RT_ADMIN, self.proc, "rt-server", 90)
        self.started_in = time.monotonic() - started
        return self

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.stop()


@dataclass
class DhServer:
    """A private django-helpdesk: a copy of the migrated template, ``runserver`` on loopback."""

    workdir: Path
    port: int = 0
    proc: Process | None = None
    started_in: float = 0.0
    #: Agent display name -> Django user id.
    agents: dict[str, int] = field(default_factory=dict)
    _http: httpx.Client | None = field(default=None, init=False, repr=False)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def python(self) -> Path:
        return DH_HOME / "venv" / "bin" / "python"

    def check(self) -> None:
        template = DH_HOME / "template.sqlite3"
        if not self.python.exists() or not template.exists():
            raise Unavailable(
                f"django-helpdesk is not installed under {DH_HOME}; run `{SETUP}`"
                f"{_failure_note('dh')}"
            )

    def start(self) -> DhServer:
        self.check()
        started = time.monotonic()
        self.workdir.mkdir(parents=True, exist_ok=True)
        db = self.workdir / "helpdesk.sqlite3"
        shutil.copyfile(DH_HOME / "template.sqlite3", db)
        self.port = free_port()
        env = {
            "DH_DB": str(db),
            "DH_MAIL_DIR": str(self.workdir / "mail"),
            "DH_MEDIA": str(self.workdir / "media"),
            "PYTHONDONTWRITEBYTECODE": "1",
        }
        self.proc = _spawn(
            [str(self.python), "manage.py", "runserver", f"127.0.0.1:{self.port}", "--noreload"],
            env,
            self.workdir / "runserver.log",
            cwd=DH_PROJECT,
        )
        _wait_ready(f"{self.url}/api/tickets/", DH_ADMIN, self.proc, "django-helpdesk", 60)
        self._prepare()
        self.started_in = time.monotonic() - started
        return self

    def seed(self, action: str, **data: object) -> dict[str, object]:
        """One call of the test site's ``/triage-seed/`` endpoint (see dh_project/triage_seed)."""
        if self._http is None:
            self._http = client(base_url=self.url, auth=DH_ADMIN, timeout=30)
        return self._answer(self._http.post("/triage-seed/", json={"action": action, **data}))

    def _answer(self, response: httpx.Response) -> dict[str, object]:
        if response.status_code != 200:
            # pytest rotates its temporary directories: say what the server said, here.
            log = _tail(self.proc.log, 25) if self.proc else "(not started)"
            raise AssertionError(
                f"/triage-seed/ answered {response.status_code}; server log: {log}"
            )
        return dict(response.json())

    async def aseed(
        self, http: httpx.AsyncClient, action: str, **data: object
    ) -> dict[str, object]:
        """``seed`` for async code, on the caller's client (any base URL and auth)."""
        response = await http.post(
            f"{self.url}/triage-seed/", json={"action": action, **data}, auth=DH_ADMIN
        )
        return self._answer(response)

    def _prepare(self) -> None:
        for display, username in AGENTS.items():
            first, last = display.split(" ", 1)
            user = self.seed(
                "staff",
                username=username,
                first_name=first,
                last_name=last,
                email=f"{username}@support.example",
                password=DH_AGENT_PASSWORD,
            )
            self.agents[display] = int(str(user["id"]))
        self.seed("custom_field", name="requester_name", label="Your name")
        self.seed("custom_field", name="organization", label="Company")

    def stop(self) -> None:
        if self._http is not None:
            self._http.close()
        if self.proc is not None:
            self.proc.stop()
