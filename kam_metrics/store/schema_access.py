"""Schema migration 4 (roles and audit): users, the audit log, recorded account edits.

Statements are plain DDL applied once by ``store.ensure_schema`` in one transaction."""

from __future__ import annotations

STATEMENTS: list[str] = [
    # Local accounts. password_hash is an argon2id hash (argon2-cffi); NULL for a user who signs in only
    # through the identity provider (st.login), whose row then just gives the role.
    """
    create table if not exists users (
        user_name     varchar primary key check (length(trim(user_name)) > 0),
        role          varchar not null check (role in ('viewer', 'editor', 'admin')),
        password_hash varchar,
        disabled      boolean not null default false,
        created_at    timestamp not null default current_timestamp,
        updated_at    timestamp not null default current_timestamp
    )
    """,
    "create sequence if not exists audit_id_seq start 1",
    # Who did what and when: imports, undos, account edits, exports, sign-ins, settings and users.
    """
    create table if not exists audit_log (
        audit_id    bigint primary key,
        logged_at   timestamp not null,
        user_name   varchar,
        role        varchar,
        action      varchar not null,
        target      varchar,
        detail_json varchar
    )
    """,
    "create sequence if not exists account_change_id_seq start 1",
    # One row per changed cell of the account records editor; old and new values as JSON text.
    """
    create table if not exists account_changes (
        change_id   bigint primary key,
        changed_at  timestamp not null,
        user_name   varchar,
        account_id  varchar not null,
        column_name varchar not null,
        old_value   varchar,
        new_value   varchar,
        undone_at   timestamp,
        undone_by   varchar
    )
    """,
]
