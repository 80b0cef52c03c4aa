"""Who may do what: the three roles and the action policy.

Three roles, each with the rights of the one before it:

* ``viewer`` (查看): every page, search the account records, download tables with masked customer names;
* ``editor`` (编辑): also import, undo imports, edit and undo account records, targets, survey items and
  report texts, and download unmasked tables;
* ``admin`` (管理员): also business settings, users and the audit log.

The policy is :data:`ACTIONS` (action -> the least role allowed). Every write takes an :class:`Actor` and
calls :func:`require` first (:mod:`kam_metrics.commands`, :mod:`.users`, :mod:`kam_metrics.records`), so a
page that forgot to hide a button still cannot act; pages also check :func:`require` in their handlers.
The command line acts with full rights (whoever can run it can read the file anyway): :func:`cli_actor`.
"""

from __future__ import annotations

import getpass
import os
from dataclasses import dataclass
from typing import Any

from kam_metrics.domain.enums import ROLES

ROLE_RANK = {role: rank for rank, role in enumerate(ROLES)}

#: action -> the least role that may do it
ACTIONS: dict[str, str] = {
    "view": "viewer",  # every page, the account records, the import history
    "export": "viewer",  # table downloads; a viewer's have customer names masked
    "export_unmasked": "editor",
    "import": "editor",
    "undo_import": "editor",
    "edit_accounts": "editor",  # the account records editor and undoing its changes
    "edit_targets": "editor",  # targets are data an editor can import anyway
    "edit_survey_items": "editor",  # likewise importable
    "edit_report": "editor",  # the review report's texts and actions
    "edit_settings": "admin",  # business settings (thresholds, weights, blank rules)
    "manage_users": "admin",
    "view_audit": "admin",
}


class PermissionDenied(PermissionError):
    """The role may not do this action; nothing was done."""

    def __init__(self, role: str | None, action: str):
        self.role = role
        self.action = action
        super().__init__(f"A {role or 'signed-out'} user may not {action.replace('_', ' ')} "
                         f"(needs {ACTIONS.get(action, '?')}).")


@dataclass(frozen=True)
class Actor:
    """Who acts: the user name recorded in the audit log and the role that decides what is allowed."""

    name: str | None
    role: str | None


def cli_actor() -> Actor:
    """The command line acts with full rights, recorded under the operating-system user."""
    try:
        who = getpass.getuser()
    except (KeyError, OSError):
        who = str(os.getuid()) if hasattr(os, "getuid") else "unknown"
    return Actor(f"cli:{who}", "admin")


def allowed(role: str | None, action: str) -> bool:
    """Whether ``role`` may do ``action`` (an unknown action is a programming error)."""
    if action not in ACTIONS:
        raise KeyError(f"unknown action {action!r}; known actions: {', '.join(ACTIONS)}")
    if role not in ROLE_RANK:
        return False
    return ROLE_RANK[role] >= ROLE_RANK[ACTIONS[action]]


def require(role: str | None, action: str) -> None:
    """Raise :class:`PermissionDenied` unless ``role`` may do ``action``."""
    if not allowed(role, action):
        raise PermissionDenied(role, action)


def actions_of(role: str | None) -> list[str]:
    """Every action ``role`` may do, in the order of :data:`ACTIONS`."""
    return [action for action in ACTIONS if allowed(role, action)]


def resolve_role(
    email: str | None,
    groups: list[str] | tuple[str, ...] | None,
    role_map: dict[str, str] | None,
    default_role: str | None = None,
    db_role: str | None = None,
) -> str | None:
    """The role of a user signed in through the identity provider.

    A row in the users table named by the e-mail wins (admins manage it on the Settings page); otherwise
    the highest role that ``role_map`` gives the e-mail (case-insensitive), its domain (``"@example.com"``)
    or one of its groups; otherwise ``default_role``; otherwise None (signed in, but no rights)."""
    if db_role in ROLE_RANK:
        return db_role
    mapping = {str(k).strip().lower(): str(v).strip().lower() for k, v in (role_map or {}).items()}
    candidates = []
    address = (email or "").strip().lower()
    if address:
        candidates.append(mapping.get(address))
        if "@" in address:
            candidates.append(mapping.get("@" + address.split("@", 1)[1]))
    for group in groups or ():
        candidates.append(mapping.get(str(group).strip().lower()))
    found = [c for c in candidates if c in ROLE_RANK]
    if found:
        return max(found, key=ROLE_RANK.__getitem__)
    return default_role if default_role in ROLE_RANK else None


# --- local users ----------------------------------------------------------------------------------

# verified against when the user does not exist, so a wrong name takes as long as a wrong password


# --- audit log ------------------------------------------------------------------------------------


# --- masked exports -------------------------------------------------------------------------------


# --- imports and undos with the actor's rights ----------------------------------------------------


def safe_file_name(name: str | None) -> str:
    """An uploaded file's name as a label only: its last path component (either slash), without control
    characters, at most 200 characters. It is recorded and shown, never used to build a path."""
    text = str(name or "").replace("\\", "/").rsplit("/", 1)[-1]
    text = "".join(ch for ch in text if ord(ch) >= 32 and ch != "\x7f").strip()
    return text[:200] or "upload"


_MARKDOWN_SPECIAL = set("\\`*_{}[]()#+-.!|<>~$:&")


def escape_markdown(text: Any) -> str:
    """Data (a customer name, a file header, a note) made safe to put into a Streamlit markdown string:
    every markdown and HTML character is backslash-escaped, so ``<script>`` or ``![](http://x)`` shows as
    the text it is; line breaks become spaces so data cannot start a new block."""
    out = []
    for ch in str(text if text is not None else ""):
        if ch in "\r\n":
            out.append(" ")
        elif ch in _MARKDOWN_SPECIAL:
            out.append("\\" + ch)
        else:
            out.append(ch)
    return "".join(out)
