"""One-shot status messages after a redirect, carried as a message *key* in a short-lived cookie.

Only keys from ``MESSAGES`` travel, never user input, so the cookie cannot inject text into a page.
"""

from __future__ import annotations

from typing import Any

from litestar import Request, Response
from litestar.datastructures import Cookie

from jobfuerzwei.i18n import N_, gettext

COOKIE = "jfz_flash"
MESSAGES: dict[str, str] = {
    "registered": N_(
        "Vielen Dank! Wir haben Ihrer Partnerin bzw. Ihrem Partner eine E-Mail zur Bestätigung geschickt."
    ),
    "confirmed": N_("Vielen Dank, Ihre Einwilligung ist gespeichert. Das Netzwerk prüft Ihr Profil nun."),
    "profile_saved": N_("Profil gespeichert."),
    "profile_paused": N_("Ihr Profil ist pausiert und wird nicht weitergegeben."),
    "profile_resumed": N_("Ihr Profil ist wieder aktiv."),
    "profile_withdrawn": N_("Ihr Profil ist zurückgezogen."),
    "profile_kept": N_("Vielen Dank, Ihr Profil bleibt erhalten."),
    "mail_language_saved": N_("Die Sprache Ihrer E-Mails ist gespeichert."),
    "member_allowed": N_("Ihre Entscheidung zu dem neuen Mitglied ist gespeichert."),
    "contact_decided": N_("Ihre Entscheidung zur Weitergabe Ihrer Kontaktdaten ist gespeichert."),
    "logged_in": N_("Sie sind angemeldet."),
    "logged_out": N_("Sie sind abgemeldet."),
    "approved": N_("Profil freigegeben."),
    "rejected": N_("Profil abgelehnt; die Begründung wurde per E-Mail verschickt."),
    "merged": N_("Profile zusammengeführt."),
    "member_saved": N_("Mitglied gespeichert."),
    "application_received": N_("Vielen Dank, Ihr Antrag ist eingegangen."),
    "accessibility_feedback_sent": N_("Vielen Dank, Ihre Rückmeldung zur Barrierefreiheit ist bei uns eingegangen."),
    "application_approved": N_("Mitglied aufgenommen; die Ansprechperson hat eine Einladung zum Portal erhalten."),
    "application_declined": N_("Antrag abgelehnt; die Begründung wurde per E-Mail verschickt."),
    "membership_paused": N_("Die Mitgliedschaft ist pausiert; Sie erhalten keine Profile, bis Sie sie fortsetzen."),
    "membership_resumed": N_("Sie erhalten wieder Profile."),
    "member_left": N_("Ihre Organisation ist aus dem Netzwerk ausgetreten; ihre Daten sind gelöscht."),
    "mail_preferences_saved": N_("Ihre Einstellung für E-Mails ist gespeichert."),
    "colleague_invited": N_("Ansprechperson hinzugefügt; sie hat eine Einladung zum Portal erhalten."),
    "colleague_removed": N_("Ansprechperson entfernt."),
    "position_saved": N_("Stelle gespeichert."),
    "position_closed": N_("Stelle geschlossen; sie wird nicht mehr abgeglichen."),
    "position_reopened": N_("Stelle wieder geöffnet."),
    "offer_saved": N_("Angebot gespeichert."),
    "offer_submitted": N_("Angebot eingereicht; die Koordination prüft es vor der Veröffentlichung."),
    "offer_withdrawn": N_("Angebot zurückgezogen; es erscheint nicht mehr im Katalog."),
    "offer_published": N_("Angebot veröffentlicht."),
    "offer_rejected": N_("Angebot abgelehnt; die Begründung wurde per E-Mail verschickt."),
    "offer_archived": N_("Angebot archiviert."),
    "mail_retried": N_("Die E-Mail wird erneut versendet."),
    "circulated": N_("Versand gestartet."),
    "referral_moved": N_("Vermittlung aktualisiert."),
    "answer_recorded": N_("Ihre Antwort ist gespeichert. Vielen Dank!"),
    "link_revoked": N_("Link widerrufen."),
    "answer_unchanged": N_("Ihre Antwort zu diesem Profil war bereits gespeichert; sie lässt sich nicht mehr ändern."),
    "invite_sent": N_("Die Einladung zum Portal wurde verschickt."),
    "contact_language_saved": N_("Die Sprache der E-Mails an diesen Kontakt ist gespeichert."),
    "login_locked": N_(
        "Zu viele fehlgeschlagene Anmeldungen für dieses Konto. Bitte versuchen Sie es in 15 Minuten noch einmal."
    ),
    "reset_requested": N_("Falls es zu dieser Adresse einen Zugang gibt, haben wir eine E-Mail geschickt."),
    "password_set": N_("Ihr Passwort ist gespeichert. Bitte melden Sie sich jetzt an."),
    "password_changed": N_("Ihr Passwort ist geändert; andere Geräte wurden abgemeldet."),
    "totp_enabled": N_("Die Zwei-Faktor-Anmeldung ist eingeschaltet; andere Geräte wurden abgemeldet."),
    "totp_disabled": N_("Die Zwei-Faktor-Anmeldung ist ausgeschaltet."),
    "staff_invited": N_(
        "Konto angelegt; die Person hat eine E-Mail mit dem Link zum Festlegen des Passworts erhalten."
    ),
    "staff_saved": N_("Konto gespeichert; die Person muss sich neu anmelden."),
    "staff_totp_reset": N_(
        "Zwei-Faktor-Anmeldung zurückgesetzt; bei der nächsten Anmeldung wird sie neu eingerichtet."
    ),
    "staff_link_sent": N_("Ein neuer Link zum Festlegen des Passworts wurde verschickt."),
    "staff_inactive": N_("Das Konto ist deaktiviert; aktivieren Sie es zuerst."),
    "transfer_registered": N_(
        "Wechselprofil angelegt; die Person hat eine E-Mail mit der Bitte um Einwilligung erhalten."
    ),
    "transfers_imported": N_("Wechselprofile angelegt; jede Person hat eine E-Mail zur Einwilligung erhalten."),
    "event_saved": N_("Veranstaltung gespeichert."),
    "event_updated_mailed": N_(
        "Veranstaltung gespeichert; die Eingeladenen erhalten den geänderten Termin per E-Mail."
    ),
    "event_cancelled": N_("Veranstaltung abgesagt; die Eingeladenen erhalten eine Absage mit Kalender-Update."),
    "event_invited": N_("Einladungen verschickt."),
    "rsvp_attending": N_("Vielen Dank, Ihre Zusage ist gespeichert."),
    "rsvp_waiting": N_("Die Veranstaltung ist ausgebucht: Sie stehen auf der Warteliste."),
    "rsvp_declined": N_("Ihre Absage ist gespeichert. Vielen Dank für die Rückmeldung."),
}


def flash(response: Response[Any], key: str) -> Response[Any]:
    """Attach message ``key`` to a (redirect) response."""
    if key not in MESSAGES:
        raise KeyError(key)
    response.cookies.append(Cookie(key=COOKIE, value=key, max_age=60, httponly=True, samesite="lax", path="/"))
    return response


def pop_flash(request: Request[Any, Any, Any]) -> str | None:
    """The pending message text, if any; the cookie is cleared by ``clear_flash``."""
    text = MESSAGES.get(request.cookies.get(COOKIE, ""))
    return gettext(text) if text else None


def has_flash(request: Request[Any, Any, Any]) -> bool:
    """Whether a message waits to be shown (such a page is rendered afresh, see ``web.pagecache``)."""
    return request.cookies.get(COOKIE, "") in MESSAGES


def clear_flash(response: Response[Any]) -> None:
    """Delete the flash cookie after it was shown."""
    response.delete_cookie(COOKIE, path="/")
