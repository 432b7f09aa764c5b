"""One-shot status messages after a redirect, carried as a message *key* in a short-lived cookie.

Only keys from ``MESSAGES`` travel, never user input, so the cookie cannot inject text into a page.
"""

from __future__ import annotations

from typing import Any

from litestar import Request, Response
from litestar.datastructures import Cookie

COOKIE = "jfz_flash"
MESSAGES: dict[str, str] = {
    "registered": "Vielen Dank! Wir haben Ihrer Partnerin bzw. Ihrem Partner eine E-Mail zur Bestätigung geschickt.",
    "confirmed": "Vielen Dank, Ihre Einwilligung ist gespeichert. Das Netzwerk prüft Ihr Profil nun.",
    "profile_saved": "Profil gespeichert.",
    "profile_paused": "Ihr Profil ist pausiert und wird nicht weitergegeben.",
    "profile_resumed": "Ihr Profil ist wieder aktiv.",
    "profile_withdrawn": "Ihr Profil ist zurückgezogen.",
    "profile_kept": "Vielen Dank, Ihr Profil bleibt erhalten.",
    "member_allowed": "Ihre Entscheidung zu dem neuen Mitglied ist gespeichert.",
    "contact_decided": "Ihre Entscheidung zur Weitergabe Ihrer Kontaktdaten ist gespeichert.",
    "logged_in": "Sie sind angemeldet.",
    "logged_out": "Sie sind abgemeldet.",
    "approved": "Profil freigegeben.",
    "rejected": "Profil abgelehnt; die Begründung wurde per E-Mail verschickt.",
    "merged": "Profile zusammengeführt.",
    "member_saved": "Mitglied gespeichert.",
    "application_received": "Vielen Dank, Ihr Antrag ist eingegangen.",
    "accessibility_feedback_sent": "Vielen Dank, Ihre Rückmeldung zur Barrierefreiheit ist bei uns eingegangen.",
    "application_approved": "Mitglied aufgenommen; die Ansprechperson hat eine Einladung zum Portal erhalten.",
    "application_declined": "Antrag abgelehnt; die Begründung wurde per E-Mail verschickt.",
    "membership_paused": "Die Mitgliedschaft ist pausiert; Sie erhalten keine Profile, bis Sie sie fortsetzen.",
    "membership_resumed": "Sie erhalten wieder Profile.",
    "member_left": "Ihre Organisation ist aus dem Netzwerk ausgetreten; ihre Daten sind gelöscht.",
    "mail_preferences_saved": "Ihre Einstellung für E-Mails ist gespeichert.",
    "colleague_invited": "Ansprechperson hinzugefügt; sie hat eine Einladung zum Portal erhalten.",
    "colleague_removed": "Ansprechperson entfernt.",
    "position_saved": "Stelle gespeichert.",
    "position_closed": "Stelle geschlossen; sie wird nicht mehr abgeglichen.",
    "position_reopened": "Stelle wieder geöffnet.",
    "offer_saved": "Angebot gespeichert.",
    "offer_submitted": "Angebot eingereicht; die Koordination prüft es vor der Veröffentlichung.",
    "offer_withdrawn": "Angebot zurückgezogen; es erscheint nicht mehr im Katalog.",
    "offer_published": "Angebot veröffentlicht.",
    "offer_rejected": "Angebot abgelehnt; die Begründung wurde per E-Mail verschickt.",
    "offer_archived": "Angebot archiviert.",
    "mail_retried": "Die E-Mail wird erneut versendet.",
    "circulated": "Versand gestartet.",
    "referral_moved": "Vermittlung aktualisiert.",
    "answer_recorded": "Ihre Antwort ist gespeichert. Vielen Dank!",
    "link_revoked": "Link widerrufen.",
    "answer_unchanged": "Ihre Antwort zu diesem Profil war bereits gespeichert; sie lässt sich nicht mehr ändern.",
    "invite_sent": "Die Einladung zum Portal wurde verschickt.",
    "login_locked": "Zu viele fehlgeschlagene Anmeldungen für dieses Konto. "
    "Bitte versuchen Sie es in 15 Minuten noch einmal.",
    "reset_requested": "Falls es zu dieser Adresse einen Zugang gibt, haben wir eine E-Mail geschickt.",
    "password_set": "Ihr Passwort ist gespeichert. Bitte melden Sie sich jetzt an.",
    "password_changed": "Ihr Passwort ist geändert; andere Geräte wurden abgemeldet.",
    "totp_enabled": "Die Zwei-Faktor-Anmeldung ist eingeschaltet; andere Geräte wurden abgemeldet.",
    "totp_disabled": "Die Zwei-Faktor-Anmeldung ist ausgeschaltet.",
    "staff_invited": "Konto angelegt; die Person hat eine E-Mail mit dem Link zum Festlegen des Passworts erhalten.",
    "staff_saved": "Konto gespeichert; die Person muss sich neu anmelden.",
    "staff_totp_reset": "Zwei-Faktor-Anmeldung zurückgesetzt; bei der nächsten Anmeldung wird sie neu eingerichtet.",
    "staff_link_sent": "Ein neuer Link zum Festlegen des Passworts wurde verschickt.",
    "staff_inactive": "Das Konto ist deaktiviert; aktivieren Sie es zuerst.",
    "transfer_registered": "Wechselprofil angelegt; die Person hat eine E-Mail mit der Bitte um Einwilligung erhalten.",
    "transfers_imported": "Wechselprofile angelegt; jede Person hat eine E-Mail zur Einwilligung erhalten.",
    "event_saved": "Veranstaltung gespeichert.",
    "event_updated_mailed": "Veranstaltung gespeichert; die Eingeladenen erhalten den geänderten Termin per E-Mail.",
    "event_cancelled": "Veranstaltung abgesagt; die Eingeladenen erhalten eine Absage mit Kalender-Update.",
    "event_invited": "Einladungen verschickt.",
    "rsvp_attending": "Vielen Dank, Ihre Zusage ist gespeichert.",
    "rsvp_waiting": "Die Veranstaltung ist ausgebucht: Sie stehen auf der Warteliste.",
    "rsvp_declined": "Ihre Absage ist gespeichert. Vielen Dank für die Rückmeldung.",
}


def flash(response: Response[Any], key: str) -> Response[Any]:
    """Attach message ``key`` to a (redirect) response."""
    if key not in MESSAGES:
        raise KeyError(key)
    response.cookies.append(Cookie(key=COOKIE, value=key, max_age=60, httponly=True, samesite="lax", path="/"))
    return response


def pop_flash(request: Request[Any, Any, Any]) -> str | None:
    """The pending message text, if any; the cookie is cleared by ``clear_flash``."""
    return MESSAGES.get(request.cookies.get(COOKIE, ""))


def clear_flash(response: Response[Any]) -> None:
    """Delete the flash cookie after it was shown."""
    response.delete_cookie(COOKIE, path="/")
