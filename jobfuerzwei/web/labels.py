"""German labels for enum values shown on pages and in mails."""

from __future__ import annotations

from typing import Any

LABELS: dict[str, dict[str, str]] = {
    "profile_status": {
        "unconfirmed": "Unbestätigt",
        "confirmed": "Zur Prüfung",
        "approved": "Freigegeben",
        "rejected": "Abgelehnt",
        "paused": "Pausiert",
        "withdrawn": "Zurückgezogen",
        "placed": "Vermittelt",
        "merged": "Zusammengeführt",
    },
    "profile_kind": {"partner": "Partnerprofil", "job_to_job": "Wechselprofil"},
    "qualification": {
        "none": "Ohne Berufsabschluss",
        "apprenticeship": "Berufsausbildung",
        "master_craftsman": "Meister/in",
        "technician": "Techniker/in, Fachwirt/in",
        "bachelor": "Bachelor / Diplom (FH)",
        "master": "Master / Diplom / Staatsexamen",
        "doctorate": "Promotion",
        "other": "Sonstiger Abschluss",
    },
    "working_time": {"full_time": "Vollzeit", "part_time": "Teilzeit", "either": "Vollzeit oder Teilzeit"},
    "answer": {"interested": "Interesse", "no_fit": "Kein passendes Angebot"},
    "eligibility": {
        "selectable": "",
        "sent": "hat das Profil bereits erhalten",
        "excluded": "vom Partner ausgeschlossen",
        "not_allowed": "noch nicht freigegeben",
        "no_contact": "keine Kontaktadresse",
        "releasing": "gibt die Person ab",
    },
    "referral_state": {
        "interested": "Interesse bekundet",
        "in_contact": "In Kontakt",
        "interview": "Vorstellungsgespräch",
        "offer": "Angebot",
        "hired": "Eingestellt",
        "closed": "Abgeschlossen",
    },
    "close_reason": {
        "employer_declined": "Arbeitgeber hat abgesagt",
        "candidate_declined": "Kandidat/in hat abgesagt",
        "withdrawn": "Zurückgezogen",
    },
    "contact_release": {"pending": "Entscheidung offen", "granted": "Freigegeben", "denied": "Nicht freigegeben"},
    "outbox_status": {
        "pending": "Wartend",
        "sending": "Wird gesendet",
        "releasing": "Wird übergeben",
        "sent": "Gesendet",
        "failed": "Fehlgeschlagen",
    },
    "audit_action": {
        "viewed": "Angesehen",
        "changed": "Geändert",
        "circulated": "Versendet",
        "exported": "Exportiert",
        "deleted": "Gelöscht",
    },
    "audit_actor": {"staff": "Koordination", "employer": "Mitglied", "partner": "Partner/in", "system": "System"},
    "cefr": {
        "A1": "A1",
        "A2": "A2",
        "B1": "B1",
        "B2": "B2",
        "C1": "C1",
        "C2": "C2",
        "native": "Muttersprache",
    },
    "offer_category": {
        "childcare": "Kinderbetreuung",
        "relocation": "Umzug & Wohnen",
        "language_course": "Sprachkurs",
        "further_training": "Weiterbildung",
        "advice": "Beratung",
        "other": "Sonstiges",
    },
    "provider_type": {
        "member": "Mitglied des Netzwerks",
        "chamber": "Kammer",
        "employment_agency": "Agentur für Arbeit",
        "municipality": "Kommune",
        "school": "Schule oder Hochschule",
        "other": "Sonstige Einrichtung",
    },
    "offer_status": {
        "draft": "Entwurf",
        "submitted": "Zur Prüfung",
        "published": "Veröffentlicht",
        "rejected": "Abgelehnt",
        "archived": "Archiviert",
    },
}


def label(group: str, value: Any) -> str:
    """Label of ``value`` in ``group``; the raw value if unknown (never fails a page)."""
    if value is None:
        return ""
    key = getattr(value, "value", value)
    return LABELS.get(group, {}).get(str(key), str(key))


def choices(group: str) -> list[tuple[str, str]]:
    """``(value, label)`` pairs for a select or radio group."""
    return list(LABELS[group].items())
