"""Users, logins (sessions and bearer tokens), API keys, rate limiting and the audit log.

Passwords are hashed with Argon2id (argon2-cffi); session tokens, bearer tokens and API
keys are random 256-bit secrets of which only a SHA-256 is stored.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import threading
from collections.abc import Iterable
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from omnikpi.auth.password_rules import check_password
from omnikpi.errors import UsageError
from omnikpi.store.models import (
    ROLES,
    ApiKey,
    AuditEntry,
    AuthToken,
    LoginAttempt,
    ServerSecret,
    User,
)
from omnikpi.web.limits import NAME_CHARS, check_length

HASHER = PasswordHasher()
"""Argon2id with argon2-cffi's default parameters (RFC 9106's second recommendation: 3
passes over 64 MiB): about 0.2 s of a core per login, which is the point."""
FAST_HASHING_FOR_TESTS = "OMNIKPI_INSECURE_FAST_PASSWORD_HASHING"
"""Set to 1 by the test suite only: it creates users and logs in hundreds of times, and at
0.2–0.4 s a hash those logins were minutes of every run. Never set it for a deployment
(``omnikpi serve`` warns when it is set)."""
_CHEAPEST = PasswordHasher.from_parameters(profiles.CHEAPEST)


def hasher() -> PasswordHasher:
    """The password hasher: the strong default, or argon2-cffi's cheapest parameters (still
    Argon2id) when :data:`FAST_HASHING_FOR_TESTS` is set. A hash records its own
    parameters, so either verifies the other's hashes."""
    return _CHEAPEST if os.environ.get(FAST_HASHING_FOR_TESTS) == "1" else HASHER


HASHES_AT_ONCE = max(1, (os.cpu_count() or 2) // 2)
"""Password checks running at once, at most: 64 MiB and a core each. Forty logins at
once from unknown names (each locked out only after its own failures) took every core
and 2.5 GiB, and the health check answered in 3.5 s instead of 0.04; the rest wait
their turn, and the server keeps cores for everyone else."""
_HASHING = threading.BoundedSemaphore(HASHES_AT_ONCE)


SESSION_HOURS = 12
BEARER_HOURS = 8
MAX_FAILURES = 5
"""Failed logins allowed per user name *from one address* inside ``FAILURE_WINDOW`` (then
that name is locked for that address only: nobody can lock an account out from
elsewhere by typing wrong passwords for it)."""
MAX_FAILURES_PER_ADDRESS = 20
"""Failed logins allowed per client address (slows password spraying over many names)."""
FAILURE_WINDOW = timedelta(minutes=15)


def _now() -> datetime:
    return datetime.now(UTC)


def _aware(value: datetime) -> datetime:
    """SQLite returns naive datetimes; every stored time is UTC."""
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass(frozen=True)
class Principal:
    """Who is asking, and the data they may see."""

    name: str
    role: str
    tenant: str | None = None
    sites: tuple[str, ...] = ()
    agent_id: str | None = None
    user_id: int | None = None
    csrf_token: str | None = None
    via: str = "session"
    """session (cookie: forms need the CSRF token), bearer, api_key or none (--no-auth)."""

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


def check_account_name(what: str, name: str) -> None:
    """A name people read in lists and the audit log: not empty, no blanks around it, no
    control characters (a tab and a newline in a name printed a fake line in
    ``omnikpi users list``)."""
    if not name.strip():
        raise UsageError(f"the {what} is empty")
    if name != name.strip():
        raise UsageError(f"the {what} {name!r} begins or ends with a blank")
    if not name.isprintable():
        raise UsageError(f"the {what} {name!r} holds a control character (a tab, a new "
                         "line): use letters, digits, '.', '-', '_' or '@'")


def check_scope(role: str, tenant: str | None, sites: list[str] | None,
                agent_id: str | None, all_tenants: bool) -> None:
    """The rules of an explicit scope (``users add`` and ``users set``): a bounded role
    names what it is bound to, and nothing is stored that would apply to nothing."""
    check_length("tenant", tenant, NAME_CHARS)
    check_length("agent id", agent_id, NAME_CHARS)
    for site in sites or []:
        check_length("site", site, NAME_CHARS)
    # an empty value (a shell variable that was not set) bound nothing: --site '' made a
    # supervisor who saw every tenant, listed without the warning unscoped ones get
    check_not_blank("--tenant", tenant)
    check_not_blank("--agent-id", agent_id)
    for site in sites or []:
        check_not_blank("--site", site)
    if role not in ROLES:
        raise UsageError(f"role must be one of {', '.join(ROLES)}, not {role!r}")
    if role == "client" and not tenant:
        raise UsageError("a client viewer needs --tenant: they may only see their tenant")
    if role == "agent" and not agent_id:
        raise UsageError("an agent account needs --agent-id: it shows that agent's QA")
    if role == "agent" and not tenant:
        raise UsageError("an agent account needs --tenant: agent ids repeat across tenants")
    if role == "admin" and (tenant or sites or agent_id):
        # stored and never applied: an admin's schedules then named a tenant the admin's
        # unbounded scope never matched, and never ran
        raise UsageError("an administrator sees every tenant: --tenant, --site and "
                         "--agent-id do not apply (create a supervisor or a client for a "
                         "bounded account)")
    if agent_id and role != "agent":
        raise UsageError("--agent-id is for an agent account (it names the agent whose QA "
                         "the account shows)")
    if all_tenants and role != "supervisor":
        raise UsageError("--all-tenants is for a supervisor (an admin sees everything)")
    if all_tenants and (tenant or sites):
        raise UsageError("--all-tenants cannot go with --tenant or --site")
    if role == "supervisor" and not (tenant or sites or all_tenants):
        raise UsageError("a supervisor needs --tenant and/or --site, or --all-tenants to "
                         "see every tenant on purpose")


def check_not_blank(option: str, value: str | None) -> None:
    """A scope value given is a name: empty or blank binds to nothing."""
    if value is not None and not value.strip():
        raise UsageError(f"{option} is empty: name it (an unset shell variable?), or leave "
                         "the option out")


def taken_name(names: Iterable[str], name: str) -> str | None:
    """The stored name that is ``name`` whatever its case, if any. Compared in Python:
    SQLite's ``lower()`` folds only ASCII, so "ОКСАНА" was a second account beside
    "Оксана"."""
    wanted = name.casefold()
    return next((n for n in names if n.casefold() == wanted), None)


def set_scope(session: Session, username: str, role: str, tenant: str | None = None,
              sites: list[str] | None = None, agent_id: str | None = None,
              all_tenants: bool = False) -> User:
    """Give an account another role or scope (a supervisor made unscoped, a client moved to
    another tenant), checked as when it is created. Every login of the account ends, so
    no page or wallboard stream keeps the old scope; schedules it owns re-check their
    tenant at the next run and stop if it changed, and hold the account's own rows from
    then on if it became an agent (``auth/scope.viewer_scope``)."""
    user = existing_user(session, username)
    check_scope(role, tenant, sites, agent_id, all_tenants)
    user.role, user.tenant, user.agent_id = role, tenant or None, agent_id
    user.sites = ",".join(sites) if sites else None
    user.all_tenants = all_tenants
    session.execute(delete(AuthToken).where(AuthToken.user_id == user.id))
    return user


def create_user(session: Session, username: str, password: str, role: str,
                tenant: str | None = None, sites: list[str] | None = None,
                agent_id: str | None = None, all_tenants: bool = False) -> User:
    """A new account whose scope is explicit: a client and an agent are bound to a
    tenant; a supervisor to a tenant, to sites, or (``all_tenants``) to everything."""
    check_account_name("user name", username)
    check_length("user name", username, NAME_CHARS)
    check_scope(role, tenant, sites, agent_id, all_tenants)
    check_password(password, username)
    if session.scalar(select(User).where(User.username == username)):
        raise UsageError(f"user {username!r} exists already")
    twin = taken_name(session.scalars(select(User.username)), username)
    if twin is not None:
        raise UsageError(f"user {twin!r} exists already: names differing only in case are "
                         "one person to a reader of the audit log")
    user = User(username=username, password_hash=hasher().hash(password), role=role,
                tenant=tenant or None, sites=",".join(sites) if sites else None,
                agent_id=agent_id, all_tenants=all_tenants)
    session.add(user)
    session.flush()
    return user


def existing_user(session: Session, username: str) -> User:
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise UsageError(f"no user {username!r} (omnikpi users list shows every account)")
    return user


def set_password(session: Session, username: str, password: str) -> None:
    """A new password (a forgotten one, a leaked one); every login of the account ends, so
    whoever knew the old password is out at once."""
    user = existing_user(session, username)
    check_password(password, user.username)
    user.password_hash = hasher().hash(password)
    session.execute(delete(AuthToken).where(AuthToken.user_id == user.id))


def set_disabled(session: Session, username: str, disabled: bool) -> bool:
    """Disable an account (someone who left) or enable it again. An account is disabled,
    not deleted: its evaluations, saved reports and audit entries keep their author.
    Disabling ends every login of the account at once. False when it was so already."""
    user = existing_user(session, username)
    changed = bool(user.disabled) != disabled
    user.disabled = disabled
    if disabled:
        session.execute(delete(AuthToken).where(AuthToken.user_id == user.id))
    return changed


def revoke_api_key(session: Session, name: str) -> bool:
    """The key stops working (within the 5 s a server remembers a valid key); kept, marked
    revoked, so the audit log still names it. False when it was revoked already (nothing
    changes, nothing is audited twice)."""
    key = session.scalar(select(ApiKey).where(ApiKey.name == name))
    if key is None:
        raise UsageError(f"no API key {name!r} (omnikpi apikeys list shows every key)")
    if key.revoked_at is not None:
        return False
    key.revoked_at = _now()
    return True


def api_keys(session: Session) -> list[ApiKey]:
    return list(session.scalars(select(ApiKey).order_by(ApiKey.name)))


def unscoped_supervisors(session: Session) -> list[str]:
    """Supervisors who see every tenant by omission (created before scopes were explicit:
    no tenant, no sites, no ``--all-tenants``)."""
    # a blank tenant or site list stored before blanks were refused binds nothing either
    return list(session.scalars(select(User.username).where(
        User.role == "supervisor",
        or_(User.tenant.is_(None), func.trim(User.tenant) == ""),
        or_(User.sites.is_(None), func.trim(func.replace(User.sites, ",", "")) == ""),
        User.all_tenants.is_(False), User.disabled.is_(False)).order_by(User.username)))


def principal_of(user: User, csrf_token: str | None = None, via: str = "session") -> Principal:
    sites = tuple(s for s in (user.sites or "").split(",") if s)
    return Principal(user.username, user.role, user.tenant, sites, user.agent_id, user.id,
                     csrf_token, via)


class TooManyAttempts(Exception):
    def __init__(self, retry_after: int, whole_address: bool = False) -> None:
        super().__init__(f"too many failed logins; try again in {retry_after} s")
        self.retry_after = retry_after
        self.whole_address = whole_address
        """The address's limit refused it (any name), not the name's at the address."""


def _check_rate(session: Session, username: str, ip: str) -> None:
    since = _now() - FAILURE_WINDOW
    pair = (LoginAttempt.username == username) & (LoginAttempt.ip == ip)
    for condition, limit, whole in ((pair, MAX_FAILURES, False),
                                    (LoginAttempt.ip == ip, MAX_FAILURES_PER_ADDRESS, True)):
        failures = session.scalars(
            select(LoginAttempt.at).where(condition, LoginAttempt.at >= since,
                                          LoginAttempt.success.is_(False))
            .order_by(LoginAttempt.at)).all()
        if len(failures) >= limit:
            oldest = _aware(failures[-limit])
            wait = int((oldest + FAILURE_WINDOW - _now()).total_seconds()) + 1
            raise TooManyAttempts(max(wait, 1), whole)


ATTEMPTS_LOCK = threading.Lock()
"""Counting an address's failures and recording the new attempt is one step: forty
wrong passwords sent at once were all counted before any was recorded (the record came
after the hash), and about eighteen were checked against a limit of five. Several server
processes each hold their own lock; the window between them is a few milliseconds."""


def _name_digest(session: Session, username: str) -> str:
    """A name no account has, as a keyed digest: a plain SHA-256 gave a password typed
    into the name field back to whoever guessed it against the audit log (a weak one in
    milliseconds). The key is the database's, so each process counts one name as one."""
    key = server_secret(session, "login_names")
    return hmac.new(key.encode(), username.encode(), hashlib.sha256).hexdigest()[:12]


def server_secret(session: Session, name: str) -> str:
    """The database's secret ``name``, made at its first use (by whichever process asks
    first; another making it at the same moment reads the one stored)."""
    found = session.get(ServerSecret, name)
    if found is not None:
        return found.value
    try:
        with session.begin_nested():
            session.add(ServerSecret(name=name, value=secrets.token_urlsafe(32)))
    except IntegrityError:
        pass
    stored = session.get(ServerSecret, name)
    assert stored is not None
    return stored.value


def _audit_lock(session: Session, recorded: str, ip: str, locked: TooManyAttempts) -> None:
    """A login refused by the lock-out is audited, once per lock: of a name at an
    address, or of the whole address (then under the actor ``address``, whatever names
    it sprays). An attempt refused unheard costs nothing, and writing each would let
    anyone fill the log; nothing said the lock happened, nor that it was tried again."""
    since = _now() - FAILURE_WINDOW
    actor = "address" if locked.whole_address else recorded
    written = session.scalar(select(AuditEntry.id).where(
        AuditEntry.actor == actor, AuditEntry.action == "login_locked",
        AuditEntry.ip == ip, AuditEntry.at >= since).limit(1))
    if written is None:
        audit(session, actor, "login_locked",
              {"retry_after_s": locked.retry_after,
               "lock": "address" if locked.whole_address else "name"}, ip)
        session.commit()


def _claim_attempt(session: Session, username: str, ip: str) -> tuple[int, str]:
    """Record a login attempt as failed before its password is checked, and commit it at
    once (with whatever the session held: a login is the first thing its session does):
    (its id, the name it is recorded under). Raises :class:`TooManyAttempts` when the
    address has used up its attempts."""
    with ATTEMPTS_LOCK:
        known = session.scalar(select(User.id).where(User.username == username)) is not None
        # a name no account has is kept as a digest: a password typed into the name field
        # was stored in clear in the audit log and the attempts table (the per-name
        # lock-out still counts the same digest)
        recorded = username if known else f"unknown name {_name_digest(session, username)}"
        try:
            _check_rate(session, recorded, ip)
        except TooManyAttempts as locked:
            _audit_lock(session, recorded, ip, locked)
            raise
        attempt = LoginAttempt(username=recorded, ip=ip, success=False)
        session.add(attempt)
        session.commit()
        return attempt.id, recorded


def authenticate(session: Session, username: str, password: str, ip: str) -> User | None:
    """The user if the password matches; every attempt is recorded and audited. After
    ``MAX_FAILURES`` failures for a name from an address (or ``MAX_FAILURES_PER_ADDRESS``
    from an address for any names) inside ``FAILURE_WINDOW``, further attempts from that
    address are refused until the window has passed. An attempt counts as a failure from
    the moment it is claimed until its password is found right; the claim commits
    ``session`` (call it first in its transaction)."""
    attempt_id, recorded = _claim_attempt(session, username, ip)
    user = session.scalar(select(User).where(User.username == username))
    stored = user.password_hash if user is not None and not user.disabled else None
    # the read ends before the wait for a hashing turn: a login waiting held a pooled
    # connection, and during a flood a plain query waited a second for one
    session.commit()
    ok, rehashed = False, None
    with _HASHING:
        if stored is not None:
            try:
                ok = hasher().verify(stored, password)
            except (VerificationError, InvalidHashError):
                ok = False
            if ok and hasher().check_needs_rehash(stored):
                rehashed = hasher().hash(password)
        else:
            # spend the same time as a real check, so names cannot be probed by timing
            hasher().hash(password)
    if rehashed is not None and user is not None:
        user.password_hash = rehashed
    if ok:
        session.execute(update(LoginAttempt).where(LoginAttempt.id == attempt_id)
                        .values(success=True))
    # the attempts only serve the lock-out window (the audit log keeps every login): kept
    # for ever, each name sprayed from a botnet stayed a row
    session.execute(delete(LoginAttempt).where(LoginAttempt.at < _now() - FAILURE_WINDOW))
    audit(session, recorded, "login" if ok else "login_failed", {}, ip)
    return user if ok else None


def issue_token(session: Session, user: User, kind: str) -> tuple[str, str]:
    """A new session or bearer token for ``user``: (token, csrf token)."""
    token = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(24)
    hours = SESSION_HOURS if kind == "session" else BEARER_HOURS
    session.add(AuthToken(token_hash=digest(token), user_id=user.id, kind=kind,
                          csrf_token=csrf, expires_at=_now() + timedelta(hours=hours)))
    session.execute(delete(AuthToken).where(AuthToken.expires_at < _now()))
    return token, csrf


def resolve_token(session: Session, token: str, kind: str | None = None) -> Principal | None:
    row = session.scalar(select(AuthToken).where(AuthToken.token_hash == digest(token)))
    if row is None or _aware(row.expires_at) < _now() or (kind and row.kind != kind):
        return None
    user = session.get(User, row.user_id)
    if user is None or user.disabled:
        return None
    return principal_of(user, row.csrf_token, "session" if row.kind == "session" else "bearer")


def revoke_token(session: Session, token: str) -> None:
    session.execute(delete(AuthToken).where(AuthToken.token_hash == digest(token)))


def create_api_key(session: Session, name: str, tenant: str | None = None,
                   actor: str = "cli") -> str:
    """A new ingest key; the key itself is shown once and only its hash is stored."""
    check_account_name("API key name", name)
    check_length("API key name", name, NAME_CHARS)
    check_length("tenant", tenant, NAME_CHARS)
    # --tenant '' made a key that writes every tenant's rows, without a word
    check_not_blank("--tenant", tenant)
    twin = taken_name(session.scalars(select(ApiKey.name)), name)
    existing = session.scalar(select(ApiKey).where(ApiKey.name == twin)) if twin else None
    if existing is not None:
        revoked = " (revoked: a revoked key keeps its name for the audit log; give the new " \
            "one another name, such as " + repr(f"{name}-2") + ")" \
            if existing.revoked_at is not None else ""
        same = "" if existing.name == name else " (names differing only in case are one)"
        raise UsageError(f"API key {existing.name!r} exists already{same}{revoked}")
    key = "ok_" + secrets.token_urlsafe(32)
    session.add(ApiKey(name=name, prefix=key[:10], key_hash=digest(key), tenant=tenant or None))
    audit(session, actor, "apikey_created", {"name": name, "tenant": tenant})
    return key


def resolve_api_key(session: Session, key: str) -> Principal | None:
    row = session.scalar(select(ApiKey).where(ApiKey.key_hash == digest(key),
                                              ApiKey.revoked_at.is_(None)))
    if row is None:
        return None
    return Principal(f"apikey:{row.name}", "ingest", row.tenant, (), None, None, None,
                     "api_key")


CLIENT_ADDRESS: ContextVar[str | None] = ContextVar("omnikpi_client_address", default=None)
"""The address of the web request being served (set by ``web/client_address.py``): an
entry written without one takes it, so every change made in the web application says
where it came from (alert rules, boards, QA forms and coaching had an empty address)."""


def detail_text(detail: dict[str, Any] | None) -> str:
    """An entry's detail as it is stored: JSON with its keys sorted, letters as they are
    (escaped to ASCII, a Cyrillic schedule's name read ``\\u0423\\u0442…`` in the log)."""
    return json.dumps(detail or {}, sort_keys=True, default=str, ensure_ascii=False)


def readable_detail(text: str) -> str:
    """A stored detail as :func:`detail_text` writes it (entries written before kept
    their ``\\uXXXX`` escapes); text that is not JSON as it is."""
    try:
        return detail_text(json.loads(text)) if "\\u" in text else text
    except (ValueError, TypeError):
        return text


def audit(session: Session, actor: str, action: str, detail: dict[str, Any] | None = None,
          ip: str | None = None) -> None:
    session.add(AuditEntry(actor=actor, action=action, detail=detail_text(detail),
                           ip=ip if ip is not None else CLIENT_ADDRESS.get()))


def audit_entries(session: Session, limit: int = 200) -> list[AuditEntry]:
    return list(session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)))


def user_count(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(User)) or 0)
