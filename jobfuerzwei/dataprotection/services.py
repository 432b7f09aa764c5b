"""Records of processing activities (Art. 30 GDPR), generated from the settings the instance runs with.

Written down once here, next to the code that does the processing, so the page the coordinator hands to the data
protection officer changes when a retention period or a token lifetime changes, not when someone remembers.
"""

from __future__ import annotations

from dataclasses import dataclass

from jobfuerzwei.config import Settings
from jobfuerzwei.employers.accounts import INVITE_DAYS, RESET_MINUTES
from jobfuerzwei.employers.mail_prefs import DIGEST_DAYS


@dataclass(frozen=True)
class Activity:
    """One processing activity as Art. 30 (1) lists it."""

    name: str
    purpose: str
    legal_basis: str
    subjects: str
    data: tuple[str, ...]
    recipients: tuple[str, ...]
    retention: tuple[str, ...]


PROCESSORS = "Hosting- und E-Mail-Dienstleister als Auftragsverarbeiter (Art. 28 DSGVO)"

MEASURES = (
    "Verschlüsselte Übertragung (TLS am vorgeschalteten Proxy); Cookies nur über HTTPS, HttpOnly, SameSite.",
    "Passwörter nur als Argon2id-Prüfwert; optionaler zweiter Faktor (TOTP) für Ansprechpersonen der Mitglieder.",
    "Links in E-Mails mit 256-Bit-Zufallswerten, gespeichert nur als SHA-256-Prüfwert, je Zweck und befristet.",
    "CSRF-Schutz für jedes Formular, Content-Security-Policy, Begrenzung der Anfragen an Formularen und Anmeldung.",
    "Mitglieder sehen Profile ohne Namen und Kontakt, bis die Person der Weitergabe an dieses Mitglied zustimmt.",
    "Keine personenbezogenen Daten in Protokollen (kein Zugriffsprotokoll, Links ohne Token protokolliert).",
    "Lebensläufe nur als geprüfte PDF-Dateien unter erzeugten Namen außerhalb des Web-Verzeichnisses.",
)
"""Technical and organisational measures (Art. 30 (1) g, Art. 32), as the code implements them."""


def records(settings: Settings) -> list[Activity]:
    """The processing activities of this installation, with the periods from ``settings``."""
    security = settings.security
    return [
        Activity(
            name="Partnerprofile (Job für Zwei)",
            purpose="Vermittlung der Partnerin bzw. des Partners einer zuziehenden Fachkraft an Mitglieder "
            "des Netzwerks.",
            legal_basis="Einwilligung, Art. 6 Abs. 1 lit. a DSGVO (anmeldende Person für eigene Angaben; "
            "Partnerin bzw. Partner für das Profil, per Double-Opt-in).",
            subjects="Anmeldende Fachkräfte; ihre Partnerinnen und Partner.",
            data=(
                "Name, E-Mail-Adresse, freiwillig Telefonnummer, Wohnort, geplanter Umzug",
                "Wunschberufe, Abschluss, Berufserfahrung, Kurzprofil, Kenntnisse, Sprachen, Arbeitszeit, Beginn, "
                "Arbeitsort",
                "freiwillig Lebenslauf (PDF) und Anmerkungen",
                f"Einwilligungen mit Zeitpunkt, Textfassung ({settings.privacy_version}) und Empfängerliste",
                "Verlauf von Weitergabe, Antworten und Vermittlungen",
            ),
            recipients=(
                "Mitglieder, denen die Person zugestimmt hat: zunächst ohne Namen und Kontakt",
                "Name, Kontakt und Lebenslauf nur an Mitglieder, für die die Person sie freigibt",
                PROCESSORS,
            ),
            retention=(
                f"Ohne Einwilligung: Löschung nach {settings.unconfirmed_retention_days} Tagen.",
                "Sonst bis zur Löschung durch die Person (jederzeit über die Statusseite) oder bis der Zweck entfällt.",
                f"Links: Einwilligung {security.confirm_token_days} Tage, "
                f"Statusseite {security.status_token_days} Tage, "
                f"Profil-Links für Mitglieder {security.employer_token_days} Tage.",
            ),
        ),
        Activity(
            name="Wechselprofile (Jobdrehscheibe)",
            purpose="Vermittlung von Beschäftigten, die ein Mitglied abgeben muss, an andere Mitglieder.",
            legal_basis="Einwilligung der beschäftigten Person, Art. 6 Abs. 1 lit. a DSGVO (Double-Opt-in); "
            "die Anmeldung durch den Arbeitgeber allein löst keine Weitergabe aus.",
            subjects="Beschäftigte abgebender Mitglieder.",
            data=("wie bei Partnerprofilen, ohne Umzug und Anmerkungen", "das abgebende Mitglied"),
            recipients=(
                "andere Mitglieder wie bei Partnerprofilen; nie das abgebende Mitglied",
                "das abgebende Mitglied sieht nur Stand und anonyme Zahlen zu Vermittlungen",
                PROCESSORS,
            ),
            retention=(
                f"Ohne Einwilligung: Löschung nach {settings.unconfirmed_retention_days} Tagen.",
                "Sonst bis zur Löschung durch die Person oder bis der Zweck entfällt.",
            ),
        ),
        Activity(
            name="Mitglieder, Ansprechpersonen und Arbeitgeberportal",
            purpose="Mitgliedschaft im Netzwerk, Versand von Profilen, Anmeldung im Portal, Vermittlungen.",
            legal_basis="Mitgliedschaft (Art. 6 Abs. 1 lit. b DSGVO) und berechtigtes Interesse des Netzwerks an "
            "der Erreichbarkeit der Mitglieder (Art. 6 Abs. 1 lit. f DSGVO).",
            subjects="Ansprechpersonen der Mitglieder.",
            data=(
                "Name, E-Mail-Adresse, Wahl der E-Mails (sofort, wöchentlich, abbestellt)",
                "Passwort nur als Prüfwert, optional Schlüssel des zweiten Faktors, Zeitpunkt der letzten Anmeldung",
                "offene Stellen und Interessensgebiete des Mitglieds",
            ),
            recipients=("Koordinationsstelle", PROCESSORS),
            retention=(
                f"Einladungslinks {INVITE_DAYS} Tage, Links zum Zurücksetzen des Passworts {RESET_MINUTES} Minuten, "
                "jeweils nur einmal nutzbar.",
                f"Wöchentliche Übersicht höchstens alle {DIGEST_DAYS} Tage.",
                "Tritt ein Mitglied aus, werden Name, Ansprechpersonen mit Zugängen und Stellen gelöscht; "
                "es bleiben anonyme Zahlen.",
            ),
        ),
        Activity(
            name="Mitgliedsanträge",
            purpose="Prüfung von Anträgen auf Mitgliedschaft.",
            legal_basis="Vorvertragliche Maßnahmen auf Anfrage, Art. 6 Abs. 1 lit. b DSGVO.",
            subjects="Ansprechpersonen antragstellender Organisationen.",
            data=("Angaben zur Organisation", "Name, E-Mail-Adresse, freiwillig Telefonnummer der Ansprechperson"),
            recipients=("Koordinationsstelle", PROCESSORS),
            retention=(
                f"Abgelehnte Anträge: Löschung nach {settings.declined_application_retention_days} Tagen.",
                "Angenommene Anträge gehen in die Mitgliedschaft über.",
            ),
        ),
        Activity(
            name="Konten der Koordination",
            purpose="Anmeldung der Beschäftigten der Koordinationsstelle.",
            legal_basis="Beschäftigungsverhältnis, § 26 BDSG.",
            subjects="Beschäftigte der Koordinationsstelle.",
            data=("Name, E-Mail-Adresse, Passwort nur als Prüfwert, Zeitpunkt der letzten Anmeldung",),
            recipients=(PROCESSORS,),
            retention=(f"Sitzungen {security.session_hours} Stunden; Konten bis zum Ausscheiden.",),
        ),
    ]
