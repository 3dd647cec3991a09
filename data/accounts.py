"""Local accounts of the politique de la ville team: login, role, argon2 password hash (argon2id,
memory-hard, via argon2-cffi), lock-out after repeated failures. Managed with
`python -m data.cli user …` and by an administrateur in the app.

Roles: lecteur (reads, with internal comments), contributeur (records values), administrateur
(also imports and manages accounts). Every check is done here, on the server, at the moment of
the action: the page's buttons are a convenience, not the protection."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2 import exceptions as argon2_exc

from .db import StoreError, account, french_fault

ROLES = ("lecteur", "contributeur", "administrateur")
ROLE_LABELS = {"lecteur": "lecteur", "contributeur": "contributeur", "administrateur": "administrateur"}
CAN = {
    "read_internal": {"lecteur", "contributeur", "administrateur"},
    "record": {"contributeur", "administrateur"},
    "import": {"administrateur"},
    "manage_accounts": {"administrateur"},
}
MAX_FAILURES = 5  # failed passwords in a row before the account is locked…
LOCK_MINUTES = 15  # …for this long
SESSION_HOURS = 8  # a sign-in lasts a working day at most…
IDLE_MINUTES = 30  # …and ends after 30 minutes without any action
LOGIN_RE = re.compile(r"[a-z0-9][a-z0-9._@+-]{1,63}")  # a short login or an e-mail (single sign-on)
PASSWORD_MIN, PASSWORD_MAX = 10, 256

_hasher = PasswordHasher()  # argon2id, argon2-cffi's defaults (RFC 9106 low-memory profile)
_DUMMY = _hasher.hash("compte inexistant : même durée de vérification")


def _equalise(password: str | None) -> None:
    """An unknown login costs the same argon2 verification as a known one (no login probing)."""
    try:
        _hasher.verify(_DUMMY, (password or "")[:PASSWORD_MAX])
    except argon2_exc.VerificationError:
        pass


class AuthError(ValueError):
    """Refused sign-in or action, in French; never says whether a login exists."""


@dataclass(frozen=True)
class Account:
    login: str
    role: str
    active: bool
    locked_until: str | None = None

    def can(self, action: str) -> bool:
        return self.active and self.role in CAN[action]


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def check_login(login: str) -> str:
    login = (login or "").strip().lower()
    if not LOGIN_RE.fullmatch(login):
        raise AuthError("identifiant invalide : 2 à 64 caractères parmi a-z, 0-9, « . », « _ », « - », « @ », « + »")
    return login


def check_password(password: str) -> str:
    if not PASSWORD_MIN <= len(password or "") <= PASSWORD_MAX:
        raise AuthError(f"le mot de passe doit compter de {PASSWORD_MIN} à {PASSWORD_MAX} caractères")
    return password


class Accounts:
    def __init__(self, engine: sa.Engine):
        self.engine = engine

    def _run(self, fn):
        try:
            with self.engine.begin() as con:
                return fn(con)
        except (AuthError, StoreError):
            raise
        except sa.exc.IntegrityError as exc:
            raise AuthError("cet identifiant existe déjà") from exc
        except sa.exc.SQLAlchemyError as exc:
            raise french_fault(exc) from exc

    def add(self, login: str, role: str, password: str | None) -> Account:
        login = check_login(login)
        if role not in ROLES:
            raise AuthError(f"rôle inconnu « {role} » (rôles : {', '.join(ROLES)})")
        hashed = _hasher.hash(check_password(password)) if password is not None else None
        self._run(
            lambda con: con.execute(
                account.insert().values(
                    login=login, role=role, password_hash=hashed, active=True, created_at=_now().isoformat(timespec="seconds")
                )
            )
        )
        return Account(login, role, True)

    def list(self) -> list[Account]:
        rows = self._run(lambda con: con.execute(sa.select(account).order_by(account.c.login)).all())
        return [Account(r.login, r.role, bool(r.active), r.locked_until) for r in rows]

    def get(self, login: str) -> Account | None:
        """The account as it is now (checked before every write: a disabled account stops at once)."""
        row = self._run(lambda con: con.execute(sa.select(account).where(account.c.login == (login or "").lower())).first())
        return Account(row.login, row.role, bool(row.active), row.locked_until) if row else None

    def set_active(self, login: str, active: bool) -> None:
        login = check_login(login)
        n = self._run(lambda con: con.execute(account.update().where(account.c.login == login).values(active=active)).rowcount)
        if not n:
            raise AuthError(f"aucun compte « {login} »")

    def set_role(self, login: str, role: str) -> None:
        if role not in ROLES:
            raise AuthError(f"rôle inconnu « {role} »")
        n = self._run(lambda con: con.execute(account.update().where(account.c.login == login).values(role=role)).rowcount)
        if not n:
            raise AuthError(f"aucun compte « {login} »")

    def authenticate(self, login: str, password: str) -> Account:
        """The account if the password is right; AuthError otherwise (same message whether the login
        exists or not, same argon2 cost). MAX_FAILURES wrong passwords lock it for LOCK_MINUTES."""
        refused = AuthError("identifiant ou mot de passe incorrect")
        try:
            login = check_login(login)
        except AuthError:
            _equalise(password)
            raise refused from None
        if len(password or "") > PASSWORD_MAX:
            raise refused

        def attempt(con):
            row = con.execute(sa.select(account).where(account.c.login == login).with_for_update()).first()
            if row is None or row.password_hash is None:
                _equalise(password)
                return None, "refused"
            now = _now()
            if row.locked_until and dt.datetime.fromisoformat(row.locked_until) > now:
                return row, "locked"
            try:
                _hasher.verify(row.password_hash, password or "")
            except (argon2_exc.VerificationError, argon2_exc.InvalidHashError):
                failures = row.failed_attempts + 1
                values = {"failed_attempts": failures}
                if failures >= MAX_FAILURES:
                    values = {"failed_attempts": 0, "locked_until": (now + dt.timedelta(minutes=LOCK_MINUTES)).isoformat()}
                con.execute(account.update().where(account.c.id == row.id).values(**values))
                return row, "locked" if failures >= MAX_FAILURES else "refused"
            if not row.active:
                return row, "disabled"
            values = {"failed_attempts": 0, "locked_until": None}
            if _hasher.check_needs_rehash(row.password_hash):
                values["password_hash"] = _hasher.hash(password)
            con.execute(account.update().where(account.c.id == row.id).values(**values))
            return row, "ok"

        row, outcome = self._run(attempt)
        if outcome == "locked":
            raise AuthError(
                f"compte verrouillé après {MAX_FAILURES} essais manqués : réessayez dans {LOCK_MINUTES} minutes "
                "ou demandez à un administrateur"
            )
        if outcome == "disabled":
            raise AuthError("ce compte est désactivé ; adressez-vous à un administrateur")
        if outcome != "ok":
            raise refused
        return Account(row.login, row.role, True)


def require(acc: Account | None, action: str, accounts: Accounts | None = None) -> Account:
    """The signed-in account, re-read from the database, if it may do `action`; AuthError otherwise."""
    if acc is None:
        raise AuthError("connectez-vous pour effectuer cette action")
    current = accounts.get(acc.login) if accounts is not None else acc
    if current is None or not current.active:
        raise AuthError("ce compte est désactivé ; adressez-vous à un administrateur")
    if not current.can(action):
        raise AuthError(f"le rôle « {current.role} » ne permet pas cette action")
    return current


def session_expired(signed_in_at: float, last_seen: float, now: float) -> bool:
    return now - signed_in_at > SESSION_HOURS * 3600 or now - last_seen > IDLE_MINUTES * 60
