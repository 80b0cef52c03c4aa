"""Local users: names, roles, argon2id password hashes, sign-in checks and the last-admin rule.

Every change takes an :class:`~kam_metrics.access.policy.Actor`, is checked by ``require`` and audited.
"""

from __future__ import annotations

from typing import Any

import duckdb
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from kam_metrics.access.audit import audit, has_table
from kam_metrics.access.policy import ROLE_RANK, Actor, require
from kam_metrics.domain.enums import ROLES

MIN_PASSWORD_LENGTH = 8


class UserError(ValueError):
    """A user name, role or password that cannot be used. ``key`` is a messages_access key."""

    def __init__(self, key: str, message: str, **fields: Any):
        self.key = key
        self.fields = fields
        super().__init__(message)


_HASHER = PasswordHasher()


_DUMMY_HASH = _HASHER.hash("kam-dashboard-no-such-user")



def _check_name(name: str) -> str:
    cleaned = (name or "").strip()
    if not cleaned or len(cleaned) > 200 or any(ord(ch) < 32 for ch in cleaned):
        raise UserError("access.err.bad_name", "A user name must be 1-200 printable characters.")
    return cleaned


def _check_role(role: str) -> str:
    if role not in ROLE_RANK:
        raise UserError("access.err.bad_role", f"The role must be one of {', '.join(ROLES)}.", roles=", ".join(ROLES))
    return role


def _check_password(password: str) -> str:
    if password is None or len(password) < MIN_PASSWORD_LENGTH:
        raise UserError("access.err.short_password",
                        f"The password must have at least {MIN_PASSWORD_LENGTH} characters.", n=MIN_PASSWORD_LENGTH)
    return password


def add_user(con: duckdb.DuckDBPyConnection, actor: Actor, name: str, role: str, password: str | None) -> None:
    """Create a user; ``password`` None makes a user who signs in only through the identity provider."""
    require(actor.role, "manage_users")
    name, role = _check_name(name), _check_role(role)
    hashed = None if password is None else _HASHER.hash(_check_password(password))
    if con.execute("select count(*) from users where lower(user_name) = lower(?)", [name]).fetchall()[0][0]:
        raise UserError("access.err.exists", f"There is already a user {name!r}.", name=name)
    con.execute("insert into users (user_name, role, password_hash) values (?, ?, ?)", [name, role, hashed])
    audit(con, actor, "user_add", target=name, detail={"role": role, "password": password is not None})


def _existing(con: duckdb.DuckDBPyConnection, name: str) -> str:
    row = con.execute("select user_name from users where lower(user_name) = lower(?)", [name]).fetchall()
    if not row:
        raise UserError("access.err.no_user", f"There is no user {name!r}.", name=name)
    return row[0][0]


def _keep_an_admin(con: duckdb.DuckDBPyConnection, name: str) -> None:
    """Refuse (UserError) when ``name`` is the last enabled admin: disabling or demoting them would leave
    nobody to manage users (the command line can still do it after adding another admin)."""
    others = con.execute(
        "select count(*) filter (where user_name <> $name), count(*) filter (where user_name = $name) "
        "from users where role = 'admin' and not disabled", {"name": name}).fetchall()[0]
    if others[1] and not others[0]:
        raise UserError("access.err.last_admin",
                        f"{name!r} is the last enabled admin; add or enable another admin first.", name=name)


def set_role(con: duckdb.DuckDBPyConnection, actor: Actor, name: str, role: str) -> None:
    require(actor.role, "manage_users")
    name, role = _existing(con, name), _check_role(role)
    if role != "admin":
        _keep_an_admin(con, name)
    con.execute("update users set role = ?, updated_at = current_timestamp where user_name = ?", [role, name])
    audit(con, actor, "user_role", target=name, detail={"role": role})


def set_password(con: duckdb.DuckDBPyConnection, actor: Actor, name: str, password: str) -> None:
    require(actor.role, "manage_users")
    name = _existing(con, name)
    con.execute("update users set password_hash = ?, updated_at = current_timestamp where user_name = ?",
                [_HASHER.hash(_check_password(password)), name])
    audit(con, actor, "user_password", target=name)


def set_disabled(con: duckdb.DuckDBPyConnection, actor: Actor, name: str, disabled: bool) -> None:
    require(actor.role, "manage_users")
    name = _existing(con, name)
    if disabled:
        _keep_an_admin(con, name)
    con.execute("update users set disabled = ?, updated_at = current_timestamp where user_name = ?", [bool(disabled), name])
    audit(con, actor, "user_disable" if disabled else "user_enable", target=name)


def list_users(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """Every user (never the hash): user_name, role, sso_only, disabled, created_at."""
    if not has_table(con, "users"):
        return []
    rows = con.execute(
        "select user_name, role, password_hash is null, disabled, created_at from users order by user_name").fetchall()
    return [{"user_name": n, "role": r, "sso_only": bool(s), "disabled": bool(d), "created_at": c} for n, r, s, d, c in rows]


def count_users(con: duckdb.DuckDBPyConnection) -> int:
    """Users who are not disabled (0 on a database older than migration 4)."""
    if not has_table(con, "users"):
        return 0
    return int(con.execute("select count(*) from users where not disabled").fetchall()[0][0])


def user_role(con: duckdb.DuckDBPyConnection, name: str | None) -> str | None:
    """The role of an enabled user (names compare case-insensitively); None otherwise."""
    if not name or not has_table(con, "users"):
        return None
    row = con.execute("select role from users where lower(user_name) = lower(?) and not disabled", [name]).fetchall()
    return row[0][0] if row else None


def verify_login(con: duckdb.DuckDBPyConnection, name: str, password: str) -> Actor | None:
    """The signed-in actor when ``password`` is right for the enabled user ``name``; None otherwise.
    Rehashes a hash made with weaker parameters (needs a writable connection; skipped otherwise)."""
    if not has_table(con, "users"):
        return None
    row = con.execute(
        "select user_name, role, password_hash from users where lower(user_name) = lower(?) and not disabled",
        [(name or "").strip()],
    ).fetchall()
    stored = row[0][2] if row and row[0][2] else None
    try:
        _HASHER.verify(stored or _DUMMY_HASH, password or "")
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return None
    if stored is None:
        return None
    if _HASHER.check_needs_rehash(stored):
        try:
            con.execute("update users set password_hash = ? where user_name = ?", [_HASHER.hash(password), row[0][0]])
        except duckdb.Error:
            pass
    return Actor(row[0][0], row[0][1])
