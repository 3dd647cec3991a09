"""Accounts of the politique de la ville team: login, role, argon2 password hash (argon2id,
memory-hard, via argon2-cffi), throttled sign-in, single sign-on identities. Managed with
`python -m data.cli user …` and by an administrateur in the app.

Roles: lecteur (reads, with internal comments), contributeur (records values), administrateur
(also imports and manages accounts). Every check is done here, on the server, at the moment of
the action, with the account re-read from the database: the page's buttons are a convenience,
not the protection.

OWASP ASVS level 2, what this module does:
- passwords: 12 to 256 characters, refused when blank, common, repetitive or close to the login
  (zxcvbn, a maintained estimator with its lists of common passwords and words), hashed by argon2id;
- failed sign-ins are counted atomically (one UPSERT, on SQLite and PostgreSQL) per account, per
  client address and per pair, and slow the next attempt with growing delays. The account-wide
  delay is capped (THROTTLE["compte"]) so that an attacker can never keep the owner out for more
  than about half a minute, while the pair and the address get up to 15 minutes: the attacker's
  address is slowed, the colleague's is not;
- the same words and the same argon2 cost whether the login exists or not, is throttled or not;
- single sign-on opens only an account created for it (`--sso`), from the configured issuer, with
  a verified e-mail (case-insensitive), and pins the provider's subject at the first sign-in;
- sessions end after SESSION_HOURS, after IDLE_MINUTES without action, and when the account signs
  out anywhere, is disabled or changes role (`not_before`)."""

from __future__ import annotations

import datetime as dt
import math
import re
import time
from dataclasses import dataclass

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2 import exceptions as argon2_exc
from sqlalchemy.dialects import postgresql, sqlite

from .db import StoreError, account, french_fault, login_known, login_throttle

ROLES = ("lecteur", "contributeur", "administrateur")
CAN = {
    "read_internal": {"lecteur", "contributeur", "administrateur"},
    "record": {"contributeur", "administrateur"},
    "import": {"administrateur"},
    "manage_accounts": {"administrateur"},
    "validate": {"administrateur"},  # publish, refuse or withdraw the team's values (data/validation.py)
}
SESSION_HOURS = 8  # a sign-in lasts a working day at most…
IDLE_MINUTES = 30  # …and ends after 30 minutes without any action
REAUTH_SECONDS = 300  # creating an account needs a sign-in to the provider younger than this
LOGIN_RE = re.compile(r"[a-z0-9][a-z0-9._@+-]{1,63}")  # a short login or an e-mail (single sign-on)
PASSWORD_MIN, PASSWORD_MAX = 12, 256
PASSWORD_MIN_SCORE = 3  # zxcvbn: 0 (trop deviné) … 4; 3 = « safely unguessable » for an online attack
# words of this town and this tool that an attacker tries first (zxcvbn's lists are mostly English)
CONTEXT_WORDS = [
    "compiegne",
    "quartiers",
    "quartier",
    "agglo",
    "arc",
    "oise",
    "victoire",
    "clos",
    "roses",
    "vivier",
    "corax",
    "motdepasse",
    "mot",
    "passe",
    "azerty",
    "soleil",
    "bonjour",
    "administrateur",
    "contributeur",
    "lecteur",
    "politique",
    "ville",
]

# failed sign-ins: (free failures, first delay in seconds, cap in seconds), per scope kind; the
# delay doubles at every failure past the free ones; a count restarts after THROTTLE_WINDOW_S
THROTTLE = {
    "paire": (5, 2, 900),  # this login from this address: up to 15 minutes
    "adresse": (20, 2, 900),  # this address, every login: up to 15 minutes
    "compte": (10, 2, 36),  # this login, every address: never more than 36 s (≤ 100 guesses an hour)
}
THROTTLE_WINDOW_S = 24 * 3600

_hasher = PasswordHasher()  # argon2id, argon2-cffi's defaults (RFC 9106 low-memory profile)
_DUMMY = _hasher.hash("compte inexistant : même durée de vérification")


def _equalise(password: str | None) -> None:
    """An unknown login, or a throttled attempt, costs the same argon2 verification as a real one."""
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
    sso: bool = False
    not_before: float | None = None  # sessions started before this instant are over

    def can(self, action: str) -> bool:
        return self.active and self.role in CAN[action]


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _account(row) -> Account:
    return Account(row.login, row.role, bool(row.active), bool(row.sso), row.not_before)


def check_login(login: str) -> str:
    login = (login or "").strip().lower()
    if not LOGIN_RE.fullmatch(login):
        raise AuthError("identifiant invalide : 2 à 64 caractères parmi a-z, 0-9, « . », « _ », « - », « @ », « + »")
    return login


def check_password(password: str, login: str = "") -> str:
    """The password policy (ASVS V2.1): length, not blank, not common, repetitive or close to the login."""
    password = password or ""
    if not password.strip():
        raise AuthError("le mot de passe ne peut pas être vide ni fait seulement d'espaces")
    if not PASSWORD_MIN <= len(password) <= PASSWORD_MAX:
        raise AuthError(f"le mot de passe doit compter de {PASSWORD_MIN} à {PASSWORD_MAX} caractères")
    from zxcvbn import zxcvbn

    inputs = [*CONTEXT_WORDS, login.lower(), *[p for p in re.split(r"[^a-z0-9]+", login.lower()) if len(p) > 2]]
    if zxcvbn(password[:100], user_inputs=inputs)["score"] < PASSWORD_MIN_SCORE:
        raise AuthError(
            "mot de passe trop facile à deviner (courant, répétitif, suite de clavier ou proche de l'identifiant) : "
            "choisissez par exemple une phrase de quatre mots sans rapport entre eux"
        )
    return password


def throttle_delay(kind: str, failures: int) -> float:
    free, first, cap = THROTTLE[kind]
    if failures < free:
        return 0.0
    return float(min(cap, first * 2 ** min(failures - free, 20)))


KNOWN_DAYS = 90  # an address stays « known » for an account this long after a successful sign-in


def _known_key(login: str, address: str | None) -> str:
    return f"{login[:80]}|{(address or '')[:60]}"


def throttle_scopes(login: str, address: str | None) -> list[tuple[str, str]]:
    """(kind, scope key) counted for an attempt: the login as typed (existing or not) and the address."""
    scopes = [("compte", f"compte:{login[:80]}")]
    if address:
        scopes += [("adresse", f"adresse:{address[:60]}"), ("paire", f"paire:{login[:80]}|{address[:60]}")]
    return scopes


def _upsert(con, scope: str, now: float, add: int = 1) -> None:
    """failures + 1 in ONE statement (atomic on both databases: no read-then-write). With add=0 the
    same statement changes nothing: a throttled attempt costs what a counted one costs."""
    dialect = postgresql if con.dialect.name == "postgresql" else sqlite
    ins = dialect.insert(login_throttle).values(scope=scope, failures=add, last_failure=now)
    c = login_throttle.c
    con.execute(
        ins.on_conflict_do_update(
            index_elements=[c.scope],
            set_={
                "failures": sa.case((c.last_failure < now - THROTTLE_WINDOW_S, add), else_=c.failures + add),
                "last_failure": now if add else c.last_failure,
            },
        )
    )


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

    # -- accounts ---------------------------------------------------------------------------
    def add(self, login: str, role: str, password: str | None) -> Account:
        """A password account, or (password None) a single sign-on account: never both."""
        login = check_login(login)
        if role not in ROLES:
            raise AuthError(f"rôle inconnu « {role} » (rôles : {', '.join(ROLES)})")
        sso = password is None
        if sso and "@" not in login:
            raise AuthError("un compte de connexion unique est l'adresse électronique vérifiée par le fournisseur")
        hashed = None if sso else _hasher.hash(check_password(password or "", login))
        self._run(
            lambda con: con.execute(
                account.insert().values(
                    login=login,
                    role=role,
                    password_hash=hashed,
                    active=True,
                    sso=sso,
                    created_at=_now().isoformat(timespec="seconds"),
                )
            )
        )
        return Account(login, role, True, sso)

    def list(self) -> list[Account]:
        rows = self._run(lambda con: con.execute(sa.select(account).order_by(account.c.login)).all())
        return [_account(r) for r in rows]

    def get(self, login: str) -> Account | None:
        """The account as it is now (re-read at every rerun and before every write)."""
        row = self._run(lambda con: con.execute(sa.select(account).where(account.c.login == (login or "").lower())).first())
        return _account(row) if row else None

    def set_active(self, login: str, active: bool) -> None:
        """Disable (or enable) an account; disabling ends its open sessions at their next action."""
        login = check_login(login)
        values: dict = {"active": active}
        if not active:
            values["not_before"] = time.time()
        n = self._run(lambda con: con.execute(account.update().where(account.c.login == login).values(**values)).rowcount)
        if not n:
            raise AuthError(f"aucun compte « {login} »")

    def end_sessions(self, login: str) -> None:
        """« Se déconnecter »: every session of this account, in every browser, ends at its next action
        (single sign-on identities issued before now are refused too)."""
        login = (login or "").lower()
        self._run(lambda con: con.execute(account.update().where(account.c.login == login).values(not_before=time.time())))

    def session_account(self, login: str, started: float) -> Account | None:
        """The account of a session started at `started`, as the database says now; None when the
        session must end (account gone, disabled, or signed out / revoked since)."""
        acc = self.get(login)
        if acc is None or not acc.active:
            return None
        if acc.not_before is not None and started < acc.not_before:
            return None
        return acc

    def internal_producer(self, login: str | None, started: float, build):
        """A callable for a deferred download: it produces the internal file when the click arrives,
        only if the session's account still may read internal data then (re-read from the database)."""

        def produce() -> bytes:
            acc = self.session_account(login, started) if login else None
            if acc is None or not acc.can("read_internal"):
                raise AuthError("ce compte n'a plus accès aux données internes")
            return build()

        return produce

    # -- throttling -------------------------------------------------------------------------
    def wait_seconds(self, login: str, address: str | None, now: float | None = None) -> float:
        """How long this login, from this address, must still wait before its next attempt."""
        now = time.time() if now is None else now
        scopes = throttle_scopes(login, address)
        keys = [s for _, s in scopes]
        known_key = _known_key(login, address)

        def read(con):
            rows = con.execute(sa.select(login_throttle).where(login_throttle.c.scope.in_(keys))).all()
            known = con.execute(sa.select(login_known.c.last_success).where(login_known.c.scope == known_key)).first()
            return rows, known

        rows, known = self._run(read)
        # from an address this account signed in from (within KNOWN_DAYS): only this pair's own count
        # applies, never the account-wide or address-wide ones an attacker elsewhere can feed
        trusted = known is not None and known[0] > now - KNOWN_DAYS * 86400
        by_scope = {r.scope: r for r in rows}
        wait = 0.0
        for kind, scope in scopes:
            if trusted and kind != "paire":
                continue
            r = by_scope.get(scope)
            if r is None or r.last_failure < now - THROTTLE_WINDOW_S:
                continue
            wait = max(wait, r.last_failure + throttle_delay(kind, r.failures) - now)
        return wait

    def record_failure(self, login: str, address: str | None, now: float | None = None, add: int = 1) -> None:
        now = time.time() if now is None else now

        def write(con):
            for _, scope in throttle_scopes(login, address):
                _upsert(con, scope, now, add)

        self._run(write)

    def failures(self, scope: str) -> int:
        row = self._run(
            lambda con: con.execute(sa.select(login_throttle.c.failures).where(login_throttle.c.scope == scope)).first()
        )
        return int(row[0]) if row else 0

    # -- sign-in ----------------------------------------------------------------------------
    def authenticate(self, login: str, password: str, address: str | None = None) -> Account:
        """The account if the password is right; AuthError otherwise. Same words and the same argon2
        cost whether the login exists or not; a throttled attempt is refused without looking at
        the password (and costs the same); a failure counts for the login, the address and both."""
        refused = AuthError("identifiant ou mot de passe incorrect")
        try:
            login = check_login(login)
        except AuthError:
            _equalise(password)
            raise refused from None
        if len(password or "") > PASSWORD_MAX:
            _equalise(password)
            raise refused
        wait = self.wait_seconds(login, address)
        row = self._run(lambda con: con.execute(sa.select(account).where(account.c.login == login)).first())
        if wait > 0:  # the same reads, argon2 and write as a counted failure: the answer's time says nothing
            _equalise(password)
            self.record_failure(login, address, add=0)
            raise AuthError(
                f"trop d'essais manqués pour cet identifiant ou depuis cette adresse : réessayez dans {int(wait) + 1} s "
                "(le délai grandit à chaque nouvel échec)"
            )
        if row is None or row.password_hash is None or row.sso:
            _equalise(password)  # unknown login, or a single sign-on account: never opened by a password
            ok = False
        else:
            try:
                ok = _hasher.verify(row.password_hash, password or "")
            except (argon2_exc.VerificationError, argon2_exc.InvalidHashError):
                ok = False
        if not ok or (row is not None and not row.active):
            # a disabled account answers like a wrong password (and counts like one): its password
            # cannot be confirmed by the words or by the throttling
            self.record_failure(login, address)
            raise refused
        assert row is not None

        def success(con):
            # the owner's success clears this pair's count only: not the address's (an attacker could
            # reset its address by signing in to an account of its own), not the account's (the
            # attacker elsewhere stays slowed; the owner's known address is exempt from it anyway)
            cleared = [s for kind, s in throttle_scopes(login, address) if kind == "paire"]
            con.execute(login_throttle.delete().where(login_throttle.c.scope.in_(cleared)))
            if address:  # this address is now known for this account (see wait_seconds)
                dialect = postgresql if con.dialect.name == "postgresql" else sqlite
                key, at = _known_key(login, address), time.time()
                ins = dialect.insert(login_known).values(scope=key, last_success=at)
                con.execute(ins.on_conflict_do_update(index_elements=[login_known.c.scope], set_={"last_success": at}))
            if _hasher.check_needs_rehash(row.password_hash):
                con.execute(account.update().where(account.c.id == row.id).values(password_hash=_hasher.hash(password)))

        self._run(success)
        return _account(row)

    def confirm_password(self, login: str, password: str, address: str | None = None) -> Account:
        """Re-authentication before a sensitive action (creating an account): the same checks, the
        same throttling, and the account must be the one asking."""
        acc = self.authenticate(login, password, address)
        if acc.login != (login or "").strip().lower():
            raise AuthError("mot de passe incorrect")
        return acc

    # -- single sign-on ---------------------------------------------------------------------
    def open_sso(self, claims: dict, issuer: str, now: float | None = None) -> Account:
        """The account that a provider's identity (ID token claims, already signature-checked by
        Authlib inside Streamlit) may open; AuthError otherwise. Rules:
        - the issuer is the configured one (`iss` == issuer);
        - the e-mail is verified (`email_verified` is true) and matches, case-insensitively, an
          account created for single sign-on, active; never a user name, never a password account;
        - the subject (`sub`) is pinned to the account at its first sign-in; another subject with
          the same e-mail is refused;
        - the identity is younger than SESSION_HOURS, and not older than the account's last
          « Se déconnecter » / disable (not_before); it has not been idle more than IDLE_MINUTES."""
        now = time.time() if now is None else now
        no_account = AuthError(
            "votre identité a été vérifiée par le fournisseur, mais elle n'ouvre aucun compte actif de connexion unique "
            "du tableau de bord : demandez à un administrateur de vous en créer un"
        )
        iss = str(claims.get("iss") or "")
        if not issuer or iss.rstrip("/") != issuer.rstrip("/"):
            raise AuthError("identité refusée : elle ne vient pas du fournisseur d'identité configuré")
        if claims.get("email_verified") is not True:
            raise AuthError("identité refusée : le fournisseur n'a pas vérifié cette adresse électronique")
        email = str(claims.get("email") or "").strip().lower()
        sub = str(claims.get("sub") or "")
        if not email or "@" not in email or not LOGIN_RE.fullmatch(email) or not sub or len(sub) > 255:
            raise no_account
        iat = claims.get("iat")
        if not isinstance(iat, int | float) or isinstance(iat, bool):
            raise AuthError("identité refusée : date d'émission absente")
        if now - iat > SESSION_HOURS * 3600:
            raise AuthError(f"votre connexion date de plus de {SESSION_HOURS} heures : reconnectez-vous")

        def open_(con):
            row = con.execute(sa.select(account).where(account.c.login == email)).first()
            if row is None or not row.sso or not row.active:
                return None, "none"
            if row.not_before is not None and iat < math.floor(row.not_before):  # iat has whole seconds
                return row, "revoked"
            last = max(float(iat), row.last_seen or 0.0)
            if now - last > IDLE_MINUTES * 60:
                return row, "idle"
            if row.sso_subject is None:
                n = con.execute(
                    account.update()
                    .where(account.c.id == row.id, account.c.sso_subject.is_(None))
                    .values(sso_subject=sub, sso_issuer=iss, last_seen=now)
                ).rowcount
                if n != 1:  # pinned meanwhile by another sign-in: compare with what won
                    row = con.execute(sa.select(account).where(account.c.id == row.id)).first()
                    return row, "ok" if (row.sso_subject, row.sso_issuer) == (sub, iss) else "other"
                return row, "ok"
            if (row.sso_subject, row.sso_issuer) != (sub, iss):
                return row, "other"
            con.execute(account.update().where(account.c.id == row.id).values(last_seen=now))
            return row, "ok"

        row, outcome = self._run(open_)
        if outcome == "none":
            raise no_account
        if outcome == "revoked":
            raise AuthError("cette connexion a été fermée (« Se déconnecter » ou compte modifié) : reconnectez-vous")
        if outcome == "idle":
            raise AuthError(f"plus de {IDLE_MINUTES} minutes sans action : reconnectez-vous auprès du fournisseur")
        if outcome == "other":
            raise AuthError(
                "identité refusée : ce compte est lié à une autre identité du fournisseur (même adresse, identifiant "
                "différent) ; un administrateur doit recréer le compte"
            )
        return _account(row)

    def touch(self, login: str, now: float | None = None) -> None:
        """The last action of a provider-backed session (the idle limit outlives a closed tab)."""
        now = time.time() if now is None else now
        self._run(lambda con: con.execute(account.update().where(account.c.login == login).values(last_seen=now)))


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


def issuer_from_metadata_url(url: str) -> str:
    """OpenID Connect Discovery: the metadata of issuer I is at I + /.well-known/openid-configuration."""
    suffix = "/.well-known/openid-configuration"
    url = (url or "").strip()
    return url[: -len(suffix)] if url.endswith(suffix) else ""
