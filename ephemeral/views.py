"""HTML pages: landing with the create form, join form, chat page, gone page."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, Response, redirect, render_template, request, url_for

from . import admission, bindings, csrf, fields, protocol, room_rules
from .errors import AliasTaken, EphemeralError, Invalid, NotFound, ProofRequired, WrongPassword
from .events import announce
from .i18n import gettext, say
from .proof_of_work import Challenge
from .qr import qr_svg
from .rooms import E2E, STANDARD, Binding, Door, looks_like_room_id
from .services import services
from .words import N_

blueprint = Blueprint("views", __name__)

GONE_REASONS = {
    "purged": N_("Every message is gone from every screen, and everyone in it was signed out."),
    "expired": N_("The room reached the end of its time and was destroyed with everything in it."),
    "logout": N_("You left the room. Your view was wiped; the room goes on without you."),
    "removed": N_("A host removed you from the room. Your view was wiped."),
    "closed": N_("The server's operator closed this room. Every message is gone from every screen."),
    "shutdown": N_("The server shut down and destroyed every room."),
    "gone": N_("This room does not exist, has expired, or was purged."),
}


def _page(template: str, status: int = 200, headers: dict[str, str] | None = None, **context: Any) -> Response:
    settings = services().settings
    body = render_template(
        template,
        csrf_token=csrf.token(),
        ttl_minutes=max(1, settings.room_ttl // 60),
        max_seats=settings.max_participants,
        max_message_chars=settings.max_message_chars,
        frame_bytes=settings.frame_bytes,
        max_file_bytes=settings.max_file_bytes,
        **context,
    )
    return Response(body, status=status, headers=headers or {}, mimetype="text/html")


# A refused form says what was wrong beside the field it is about, so the page can mark that input and put the
# cursor in it; a refusal that is about no one field (an expired form, a rate limit, a full room) stays above.
_FIELD_CHECKS: dict[str, Callable[[object], str]] = {
    "alias": fields.alias,
    "name": fields.room_name,
    "password": fields.password,
}
_FIELD_OF: dict[type[EphemeralError], str] = {WrongPassword: "password", AliasTaken: "alias"}


def _field_errors(error: EphemeralError, names: tuple[str, ...]) -> dict[str, str]:
    """The words for each of the form's fields `error` is about, in form order; empty when it is about none."""
    if not isinstance(error, Invalid):
        field = _FIELD_OF.get(type(error))
        return {field: say(error)} if field in names else {}
    # The store stops at the first wrong field; checking each again names every one that is wrong.
    found = {}
    for name in names:
        try:
            _FIELD_CHECKS[name](request.form.get(name, ""))
        except Invalid as wrong:
            found[name] = say(wrong)
    return found


def _refused(template: str, error: EphemeralError, names: tuple[str, ...], **context: Any) -> Response:
    """The form again, with the refusal's status: its words at their fields, or above the form."""
    errors = _field_errors(error, names)
    return _page(
        template,
        status=error.status,
        headers=error.headers(),
        errors=errors,
        error=None if errors else say(error),
        **context,
    )


# The page's script solves a challenge and sends again without a word; these are for a browser without it.
PROOF_WORDS = N_(
    "Many wrong passwords were tried in this room just now, so for a while joining needs a moment's work by "
    "this page's script. Turn on JavaScript, or try again in a minute."
)


def _challenge(room_id: str, error: EphemeralError | None = None) -> Challenge | None:
    """The challenge a join page carries in a guessing storm: the refusal's own, or a fresh one."""
    if isinstance(error, ProofRequired):
        return Challenge(error.challenge, error.difficulty)
    return services().proofs.challenge(room_id)


# A server-blind room is made and entered by the page's script, which keeps the password and the link's key
# in the browser; a form posted without it would have to send them, so the server takes none.
NEEDS_SCRIPT = N_(
    "This room is server-blind: the password and the link's key never leave your browser, so creating or "
    "joining one needs this page's script. Turn on JavaScript and try again."
)


def _door(room_id: str) -> Door | None:
    """The live room's mode and key parameters, or None for anything that is not a live room."""
    return services().registry.door(room_id) if looks_like_room_id(room_id) else None


def _join_page(room_id: str, door: Door, status: int = 200, **context: Any) -> Response:
    """The join form, with what the page's script needs to join a server-blind room: its mode and key parameters."""
    kdf = protocol.kdf(door.kdf) if door.kdf else None
    context.setdefault("form", {})
    if "challenge" not in context:
        context["challenge"] = _challenge(room_id)
    return _page("join.html", status=status, room_id=room_id, mode=door.mode, kdf=kdf, **context)


def gone_page(status: int = 404) -> Response:
    # The switcher goes back to the start, not to the address asked for, as on any error page.
    return _page("gone.html", status=status, reason="gone", explanation=gettext(GONE_REASONS["gone"]), here="/")


@blueprint.get("/")
def index() -> Response:
    return _page("index.html", form={})


# The create form's choices for the room (`room_rules.rules_from`), kept when the form comes back refused.
RULE_FIELDS = ("kind", "purge", "lifetime", "seats", "disappear", "vanish", "history")


@blueprint.post("/")
def create() -> Response:
    form = {name: request.form.get(name, "") for name in ("alias", "name", *RULE_FIELDS)}
    if request.form.get("mode", STANDARD) != STANDARD:  # without the script the form makes standard rooms only
        return _refused("index.html", Invalid(NEEDS_SCRIPT), (), form=form)
    try:
        csrf.check(request)
        rules = room_rules.rules_from(request.form, services().settings, minutes=True)
        bindings.make_room_for(None, services().registry)
        binding = admission.create_room(
            services(), request.remote_addr, form["name"], form["alias"], request.form.get("password", ""), None, rules
        )
    except EphemeralError as error:
        return _refused("index.html", error, ("alias", "name", "password"), form=form)
    bindings.remember(binding, services().registry)
    return redirect(url_for("views.share", room_id=binding.room_id), 303)  # type: ignore[return-value]


def _bound(room_id: str) -> Binding | None:
    """This browser's live binding to the room, if any."""
    token = bindings.token_for(room_id)
    return services().registry.authenticate(room_id, token) if token else None


def _room_context(binding: Binding) -> dict[str, Any]:
    """What the share card and the chat page show: the room (its rules: `binding.state`), its end, link and QR code.

    A server-blind room has no name here (its page opens `name_ct`), and no QR code: the
    link that counts carries the key in its fragment, which only the browser knows, so
    the page draws the code itself.
    """
    room_url = url_for("views.room", room_id=binding.room_id, _external=True)
    sealed = binding.sealed
    return {
        "binding": binding,
        "room_name": binding.name or "",
        "mode": binding.mode,
        "kdf": protocol.kdf(sealed.kdf) if sealed else None,
        "name_ct": sealed.name_ct if sealed else None,
        "expires_at_ms": int(binding.expires_at * 1000),
        "room_url": room_url,
        "qr": None if sealed else qr_svg(room_url),
    }


@blueprint.get("/r/<room_id>")
def room(room_id: str) -> Response:
    door = _door(room_id)
    if door is None:
        return gone_page()
    binding = _bound(room_id)
    if binding is None:
        return _join_page(room_id, door)
    return _page("chat.html", purged_explanation=gettext(GONE_REASONS["purged"]), **_room_context(binding))


@blueprint.get("/r/<room_id>/share")
def share(room_id: str) -> Response:
    """The share card: link, copy button, QR code, expiry; participants only."""
    if not looks_like_room_id(room_id) or not services().registry.exists(room_id):
        return gone_page()
    binding = _bound(room_id)
    if binding is None:
        return redirect(url_for("views.room", room_id=room_id), 303)  # type: ignore[return-value]
    return _page("share.html", **_room_context(binding))


@blueprint.post("/r/<room_id>")
def join(room_id: str) -> Response:
    door = _door(room_id)
    if door is None:
        return gone_page()
    if door.mode == E2E:  # the script joins through the API; nothing of the form is read
        return _join_page(room_id, door, Invalid.status, error=gettext(NEEDS_SCRIPT), errors={})
    form = {"alias": request.form.get("alias", "")}
    try:
        csrf.check(request)
        bindings.make_room_for(room_id, services().registry)
        binding = admission.join_room(
            services(),
            request.remote_addr,
            room_id,
            form["alias"],
            request.form.get("password", ""),
            request.form.get("proof"),
        )
    except NotFound:
        return gone_page()
    except EphemeralError as error:
        if isinstance(error, ProofRequired):
            error.words = error.message = PROOF_WORDS
        challenge = _challenge(room_id, error)
        context = {"room_id": room_id, "form": form, "challenge": challenge, "mode": STANDARD, "kdf": None}
        return _refused("join.html", error, ("alias", "password"), **context)
    announce.joined(binding)
    bindings.remember(binding, services().registry)
    return redirect(url_for("views.room", room_id=room_id), 303)  # type: ignore[return-value]


@blueprint.get("/gone")
def gone() -> Response:
    reason = request.args.get("reason", "gone")
    if reason not in GONE_REASONS:
        reason = "gone"
    return _page("gone.html", reason=reason, explanation=gettext(GONE_REASONS[reason]))
