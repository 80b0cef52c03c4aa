"""Sign-in and the current user's role, on the Streamlit side. The policy itself is
kam_metrics.access.policy; this module only finds out who is using the session.

Three set-ups, chosen by the configuration:

* ``[auth]`` in ``.streamlit/secrets.toml``: sign-in with ``st.login`` (OpenID Connect). The role comes
  from the users table (a row named by the e-mail), else from ``[kam.roles]`` in the secrets (keys: an
  e-mail, ``"@domain"`` or a group of the ``groups`` claim; values: viewer, editor or admin), else from
  ``[kam] default_role``; a user without a role is signed in but may do nothing.
* users in the database (``python -m kam_metrics user add NAME --role ...``): a sign-in form; the password
  is checked with argon2.
* neither: single-user mode, everything allowed, with a notice in the sidebar. The app listens on
  127.0.0.1 only (.streamlit/config.toml, Makefile); if it is nevertheless reached from another machine
  in this mode, that visitor may only view, and so may every request that came through a reverse proxy
  (forwarded headers present): behind nginx or Caddy on the same host every visitor arrives from
  127.0.0.1, so the address alone cannot tell this computer's user from the internet.

Pages never trust the hidden button alone: every handler that writes calls :func:`require_action` (and
the kam_metrics function it calls checks the actor's role again).
"""

from __future__ import annotations

import getpass
import logging
import time
from pathlib import Path
from typing import Any

import streamlit as st

from kam_app.state import render_language_switch, t
from kam_metrics.access import audit as audit_log
from kam_metrics.access import masking
from kam_metrics.access import policy as access
from kam_metrics.access import users as access_users
from kam_metrics.access.policy import Actor, PermissionDenied
from kam_metrics.store.connection import DatabaseLocked, newer_schema, open_db

SESSION_KEY = "kam_auth"  # {"name": ..., "source": "local"} after a local sign-in
_FAILURES_KEY = "kam_auth_failures"
_OIDC_RECORDED_KEY = "kam_auth_oidc_recorded"
MAX_FAILURES = 5  # failed sign-ins per user name (audit log) or per session within FAILURE_WINDOW seconds before a pause
FAILURE_WINDOW = 300.0
AUDIT_WAIT_SECONDS = 8.0

_LOG = logging.getLogger(__name__)


def _db_path() -> Path:
    from kam_app.data import cache as loaders

    return loaders.db_path()


# --- configuration --------------------------------------------------------------------------------

def _secret(section: str) -> dict[str, Any]:
    """A section of st.secrets as a plain dict ({} when there is no secrets file or no such section)."""
    try:
        if section not in st.secrets:
            return {}
        value = st.secrets[section]
    except Exception:  # no secrets.toml at all: Streamlit raises on access
        return {}
    return dict(value) if hasattr(value, "keys") else {}


def oidc_configured() -> bool:
    """Whether ``[auth]`` is configured in the secrets (sign-in with st.login)."""
    return bool(_secret("auth"))


def _oidc_providers() -> list[str | None]:
    """Named providers ([auth.google], [auth.microsoft] ...) or [None] for the default one."""
    named = [name for name, value in _secret("auth").items() if hasattr(value, "keys")]
    return named or [None]


@st.cache_data(show_spinner=False, max_entries=8)
def _users_state(path_text: str, version: tuple) -> dict[str, Any]:
    with open_db(path_text, wait_seconds=AUDIT_WAIT_SECONDS, allow_newer=True) as con:  # reads only
        users = access_users.list_users(con)
    enabled = [u for u in users if not u["disabled"]]
    return {
        "count": len(users),  # every row, disabled ones included: they keep sign-in on
        "passwords": sum(not u["sso_only"] for u in enabled),
        "roles": {u["user_name"].lower(): u["role"] for u in enabled},
        "names": {u["user_name"].lower(): u["user_name"] for u in enabled},
        "disabled": sorted(u["user_name"].lower() for u in users if u["disabled"]),
    }


def users_state() -> dict[str, Any]:
    """{'count' (every user row), 'passwords', 'roles' (lower-case name -> role), 'names'} of the enabled
    users, and 'disabled' (lower-case names of the disabled users)."""
    from kam_app.data import cache as loaders

    path = _db_path()
    if not path.exists():
        return {"count": 0, "passwords": 0, "roles": {}, "names": {}, "disabled": []}
    return loaders.guarded(_users_state, str(path), loaders.db_version(path))


def is_multi_user() -> bool:
    """Sign-in is on: [auth] is configured or the database has users. Disabled users count: disabling the
    last one must lock the app, not turn sign-in off and make every visitor an admin."""
    return oidc_configured() or users_state()["count"] > 0


def _ip_address() -> str | None:
    """The visitor's address (st.context.ip_address is None for localhost)."""
    try:
        ip = st.context.ip_address
    except Exception:
        return None
    return ip if isinstance(ip, str) else None


#: request headers a reverse proxy adds (lower case): their presence means the visitor is not local
FORWARDED_HEADERS = ("forwarded", "x-forwarded-for", "x-forwarded-host", "x-forwarded-proto", "x-real-ip", "via")


def _forwarded_for() -> str | None:
    """Who a reverse proxy says the visitor is ("proxy" when it names nobody), None without proxy headers."""
    try:
        headers = {str(k).lower(): str(v) for k, v in dict(st.context.headers).items()}
    except Exception:
        return None
    found = [headers[h] for h in FORWARDED_HEADERS if h in headers]
    if not found:
        return None
    return headers.get("x-forwarded-for", headers.get("x-real-ip", "proxy")).split(",")[0].strip() or "proxy"


def single_user_actor(ip: str | None, os_user: str, forwarded_for: str | None = None) -> Actor:
    """Who uses a single-user app: this computer's user as admin; a visitor from another machine (``ip``
    not a loopback address) or through a reverse proxy (``forwarded_for``, from its headers) as a viewer,
    whose downloads are therefore masked."""
    if forwarded_for is not None:
        return Actor(f"remote:{forwarded_for} (proxy)", "viewer")
    if ip is not None and ip not in ("127.0.0.1", "::1", "localhost"):
        return Actor(f"remote:{ip}", "viewer")
    return Actor(f"local:{os_user}", "admin")


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


# --- who is this ----------------------------------------------------------------------------------

def _oidc_user() -> dict[str, Any] | None:
    try:
        info = dict(st.user.to_dict()) if hasattr(st.user, "to_dict") else dict(st.user)
    except Exception:
        return None
    return info if info.get("is_logged_in") else None


def current_actor() -> Actor:
    """Who uses this session and with which role (role None: signed out or without a role)."""
    if not is_multi_user():
        return single_user_actor(_ip_address(), _os_user(), _forwarded_for())
    state = users_state()
    session = st.session_state.get(SESSION_KEY)
    if isinstance(session, dict) and session.get("source") == "local":
        key = str(session.get("name", "")).lower()
        if key in state["roles"]:
            return Actor(state["names"][key], state["roles"][key])
        st.session_state.pop(SESSION_KEY, None)  # removed or disabled since: signed out
    if oidc_configured():
        info = _oidc_user()
        if info:
            email = str(info.get("email") or info.get("preferred_username") or info.get("sub") or "")
            if email.lower() in state["disabled"]:  # a disabled users row locks them out, no fall-back role
                return Actor(email, None)
            groups = info.get("groups") or []
            if isinstance(groups, str):
                groups = [groups]
            kam = _secret("kam")
            roles = kam.get("roles") or {}
            role = access.resolve_role(email, groups, dict(roles) if hasattr(roles, "keys") else {},
                                       kam.get("default_role"), state["roles"].get(email.lower()))
            return Actor(email or None, role)
    return Actor(None, None)


def current_user() -> str | None:
    return current_actor().name


def current_role() -> str | None:
    return current_actor().role


def can(action: str) -> bool:
    """Whether the session's role may do ``action`` (kam_metrics.access.policy.ACTIONS)."""
    return access.allowed(current_role(), action)


def downloads_masked() -> bool:
    """Whether this session's table downloads have customer names masked: whenever its role may not export
    unmasked, sign-in on or off (a remote visitor of a single-user app is a viewer)."""
    return masking.export_masked(current_role())


def require_action(action: str) -> Actor:
    """The actor, or :class:`PermissionDenied` when the session's role may not do ``action``."""
    actor = current_actor()
    access.require(actor.role, action)
    return actor


def show_denied(exc: PermissionDenied | None = None, action: str | None = None) -> None:
    """The refusal, in the session's language."""
    action = action or (exc.action if exc else "view")
    st.error(t("access.denied", action=t(f"access.action.{action}"), role=t(f"access.role.{access.ACTIONS[action]}")),
             icon=":material/lock:")


# --- audit ----------------------------------------------------------------------------------------

def record(action: str, *, target: str | None = None, detail: dict[str, Any] | None = None, actor: Actor | None = None) -> None:
    """One audit entry for this session's user; a locked database only costs the entry (logged)."""
    path = _db_path()
    if not path.exists():
        return
    try:
        audit_log.record(path, actor or current_actor(), action, target=target, detail=detail, wait_seconds=AUDIT_WAIT_SECONDS)
    except DatabaseLocked:
        _LOG.warning("audit entry %s %s not written: database locked", action, target)


def record_export(file_name: str, rows: int, masked: bool) -> None:
    """on_click of a table download: who downloaded what."""
    record("export", target=file_name, detail={"rows": rows, "masked": masked})


# --- sign-in --------------------------------------------------------------------------------------

def _recent_failures() -> list[float]:
    now = time.monotonic()
    failures = [f for f in st.session_state.get(_FAILURES_KEY, []) if now - f < FAILURE_WINDOW]
    st.session_state[_FAILURES_KEY] = failures
    return failures


def throttled(name: str) -> bool:
    """Sign-in is paused for ``name``: MAX_FAILURES failures for that user name within FAILURE_WINDOW in the
    audit log (any browser session: a new session does not reset it), or as many in this session."""
    if len(_recent_failures()) >= MAX_FAILURES:
        return True
    with open_db(_db_path(), wait_seconds=AUDIT_WAIT_SECONDS, allow_newer=True) as con:  # reads only
        return audit_log.recent_failures(con, name, FAILURE_WINDOW) >= MAX_FAILURES


def sign_in_local(name: str, password: str) -> Actor | None:
    """Check a local user's password; record the attempt; remember the user in the session."""
    # a database of a newer version is read, never written: the sign-in is then checked but not audited
    with open_db(_db_path(), wait_seconds=AUDIT_WAIT_SECONDS, allow_newer=True) as con:
        if len(_recent_failures()) >= MAX_FAILURES or audit_log.recent_failures(con, name, FAILURE_WINDOW) >= MAX_FAILURES:
            return None
        actor = access_users.verify_login(con, name, password)
        writable = newer_schema(con) is None
        if writable and actor is None:
            audit_log.audit(con, Actor((name or "").strip()[:200] or None, None), "sign_in_failed")
        elif writable:
            audit_log.audit(con, actor, "sign_in", detail={"source": "local"})
    if actor is None:
        st.session_state.setdefault(_FAILURES_KEY, []).append(time.monotonic())
        return None
    st.session_state[SESSION_KEY] = {"name": actor.name, "source": "local"}
    st.session_state.pop(_FAILURES_KEY, None)
    return actor


def sign_out() -> None:
    actor = current_actor()
    was_oidc = st.session_state.get(SESSION_KEY) is None and oidc_configured()
    record("sign_out", actor=actor)
    st.session_state.pop(SESSION_KEY, None)
    st.session_state.pop(_OIDC_RECORDED_KEY, None)
    if was_oidc:
        st.logout()


def _render_sign_in(actor: Actor) -> None:
    st.title(t("auth.heading"))
    if actor.name and actor.role is None:  # signed in through the identity provider, but no role
        key = "auth.disabled" if actor.name.lower() in users_state()["disabled"] else "auth.no_role"
        st.warning(t(key, name=access.escape_markdown(actor.name)), icon=":material/lock:")
        st.button(t("auth.sign_out"), on_click=sign_out, key="kam_sign_out_norole")
        return
    st.caption(t("auth.intro"))
    if oidc_configured():
        for provider in _oidc_providers():
            label = t("auth.sso") if provider is None else t("auth.sso_named", provider=provider)
            if st.button(label, key=f"kam_sso_{provider or 'default'}", type="primary", icon=":material/login:"):
                st.login(provider) if provider else st.login()
    if users_state()["passwords"] or not oidc_configured():  # every user disabled: the form still shows
        with st.form("kam_sign_in"):
            name = st.text_input(t("auth.user"))
            password = st.text_input(t("auth.password"), type="password")
            submitted = st.form_submit_button(t("auth.sign_in"), type="primary")
        if submitted:
            if throttled(name):
                st.error(t("auth.throttled", minutes=int(FAILURE_WINDOW // 60)), icon="⏳")
            elif sign_in_local(name, password):
                st.rerun()
            else:
                st.error(t("auth.failed"), icon="⛔")


def _render_user_box(actor: Actor) -> None:
    box = st.sidebar.container(border=True)
    box.caption(t("auth.signed_in_as", name=access.escape_markdown(actor.name or "—"), role=t(f"access.role.{actor.role}")))
    box.button(t("auth.sign_out"), on_click=sign_out, key="kam_sign_out", icon=":material/logout:")


def gate() -> bool:
    """Run before the navigation: True when the session may see the app (the sidebar then shows who is
    signed in, or the single-user notice); False after drawing the sign-in screen."""
    if not is_multi_user():
        actor = current_actor()
        if actor.role == "viewer":
            st.sidebar.warning(t("auth.single_user_remote"), icon=":material/lock:")
        else:
            st.sidebar.info(t("auth.single_user"), icon=":material/lock_open:")
        return True
    actor = current_actor()
    if actor.role is None:
        # until signed in, every page's address shows the sign-in form (hidden navigation: no list of pages,
        # no legacy pages/ menu, no "page not found" for a shared link); once signed in, the same address
        # opens the page itself
        names = [p.stem.split("_", 1)[1] if "_" in p.stem else p.stem
                 for p in sorted((Path(__file__).resolve().parents[1] / "pages").glob("[!_]*.py"))]
        pages = [st.Page(lambda: _render_sign_in(actor), title=t("auth.heading"), url_path=name, default=index == 0)
                 for index, name in enumerate(names or ["signin"])]
        navigation = st.navigation(pages, position="hidden")
        render_language_switch()  # in the main script, as app.py does, so the choice carries over
        navigation.run()
        return False
    if st.session_state.get(SESSION_KEY) is None and not st.session_state.get(_OIDC_RECORDED_KEY):
        st.session_state[_OIDC_RECORDED_KEY] = True
        record("sign_in", actor=actor, detail={"source": "oidc"})
    _render_user_box(actor)
    return True
