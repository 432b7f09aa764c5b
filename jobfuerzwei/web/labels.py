"""Labels for enum values shown on pages and in mails: German, translated when they are looked up."""

from __future__ import annotations

from typing import Any

from jobfuerzwei.i18n import N_, gettext

LABELS: dict[str, dict[str, str]] = {
    "profile_status": {
        "unconfirmed": N_("Unbestätigt"),
        "confirmed": N_("Zur Prüfung"),
        "approved": N_("Freigegeben"),
        "rejected": N_("Abgelehnt"),
        "paused": N_("Pausiert"),
        "withdrawn": N_("Zurückgezogen"),
        "placed": N_("Vermittelt"),
        "merged": N_("Zusammengeführt"),
    },
    "profile_kind": {"partner": N_("Partnerprofil"), "job_to_job": N_("Wechselprofil")},
    "qualification": {
        "none": N_("Ohne Berufsabschluss"),
        "apprenticeship": N_("Berufsausbildung"),
        "master_craftsman": N_("Meister/in"),
        "technician": N_("Techniker/in, Fachwirt/in"),
        "bachelor": N_("Bachelor / Diplom (FH)"),
        "master": N_("Master / Diplom / Staatsexamen"),
        "doctorate": N_("Promotion"),
        "other": N_("Sonstiger Abschluss"),
    },
    "working_time": {"full_time": N_("Vollzeit"), "part_time": N_("Teilzeit"), "either": N_("Vollzeit oder Teilzeit")},
    "answer": {"interested": N_("Interesse"), "no_fit": N_("Kein passendes Angebot")},
    "eligibility": {
        "selectable": "",
        "sent": N_("hat das Profil bereits erhalten"),
        "excluded": N_("vom Partner ausgeschlossen"),
        "not_allowed": N_("noch nicht freigegeben"),
        "no_contact": N_("keine Kontaktadresse"),
        "releasing": N_("gibt die Person ab"),
    },
    "referral_state": {
        "interested": N_("Interesse bekundet"),
        "in_contact": N_("In Kontakt"),
        "interview": N_("Vorstellungsgespräch"),
        "offer": N_("Angebot"),
        "hired": N_("Eingestellt"),
        "closed": N_("Abgeschlossen"),
    },
    "close_reason": {
        "employer_declined": N_("Arbeitgeber hat abgesagt"),
        "candidate_declined": N_("Kandidat/in hat abgesagt"),
        "withdrawn": N_("Zurückgezogen"),
    },
    "contact_release": {
        "pending": N_("Entscheidung offen"),
        "granted": N_("Freigegeben"),
        "denied": N_("Nicht freigegeben"),
    },
    "outbox_status": {
        "pending": N_("Wartend"),
        "sending": N_("Wird gesendet"),
        "releasing": N_("Wird übergeben"),
        "sent": N_("Gesendet"),
        "failed": N_("Fehlgeschlagen"),
    },
    "audit_action": {
        "viewed": N_("Angesehen"),
        "changed": N_("Geändert"),
        "circulated": N_("Versendet"),
        "exported": N_("Exportiert"),
        "deleted": N_("Gelöscht"),
    },
    "audit_actor": {
        "staff": N_("Koordination"),
        "employer": N_("Mitglied"),
        "partner": N_("Partner/in"),
        "system": N_("System"),
    },
    "cefr": {
        "A1": N_("A1"),
        "A2": N_("A2"),
        "B1": N_("B1"),
        "B2": N_("B2"),
        "C1": N_("C1"),
        "C2": N_("C2"),
        "native": N_("Muttersprache"),
    },
    "offer_category": {
        "childcare": N_("Kinderbetreuung"),
        "relocation": N_("Umzug & Wohnen"),
        "language_course": N_("Sprachkurs"),
        "further_training": N_("Weiterbildung"),
        "advice": N_("Beratung"),
        "other": N_("Sonstiges"),
    },
    "provider_type": {
        "member": N_("Mitglied des Netzwerks"),
        "chamber": N_("Kammer"),
        "employment_agency": N_("Agentur für Arbeit"),
        "municipality": N_("Kommune"),
        "school": N_("Schule oder Hochschule"),
        "other": N_("Sonstige Einrichtung"),
    },
    "offer_status": {
        "draft": N_("Entwurf"),
        "submitted": N_("Zur Prüfung"),
        "published": N_("Veröffentlicht"),
        "rejected": N_("Abgelehnt"),
        "archived": N_("Archiviert"),
    },
}


def label(group: str, value: Any) -> str:
    """Label of ``value`` in ``group``; the raw value if unknown (never fails a page)."""
    if value is None:
        return ""
    key = str(getattr(value, "value", value))
    text = LABELS.get(group, {}).get(key)
    return gettext(text) if text else (key if text is None else "")


def choices(group: str) -> list[tuple[str, str]]:
    """``(value, label)`` pairs for a select or radio group."""
    return [(value, gettext(text) if text else "") for value, text in LABELS[group].items()]
