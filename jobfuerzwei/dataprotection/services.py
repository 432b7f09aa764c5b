"""Records of processing activities (Art. 30 GDPR), generated from the settings the instance runs with.

Written down once here, next to the code that does the processing, so the page the coordinator hands to the data
protection officer changes when a retention period or a token lifetime changes, not when someone remembers.
"""

from __future__ import annotations

from dataclasses import dataclass

from jobfuerzwei.config import Settings
from jobfuerzwei.dataprotection.models import RUN_LOG_DAYS
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
    "Passwörter nur als Argon2id-Prüfwert; zweiter Faktor (TOTP) für alle Konten der Koordination vorgeschrieben, "
    "für Ansprechpersonen der Mitglieder wählbar.",
    "Rollen: Beobachtung sieht nur Kennzahlen und anonymisierte Listen; jeder Zugriff auf Profile wird protokolliert.",
    "Links in E-Mails mit 256-Bit-Zufallswerten, gespeichert nur als SHA-256-Prüfwert, je Zweck und befristet.",
    "CSRF-Schutz für jedes Formular, Content-Security-Policy, Begrenzung der Anfragen an Formularen und Anmeldung.",
    "Mitglieder sehen Profile ohne Namen und Kontakt, bis die Person der Weitergabe an dieses Mitglied zustimmt.",
    "Keine personenbezogenen Daten in Protokollen (kein Zugriffsprotokoll, Links ohne Token protokolliert).",
    "Lebensläufe nur als geprüfte PDF-Dateien unter erzeugten Namen außerhalb des Web-Verzeichnisses.",
)
"""Technical and organisational measures (Art. 30 (1) g, Art. 32), as the code implements them."""


def profile_retention(settings: Settings) -> tuple[str, ...]:
    """The retention rules of partner and job-to-job profiles, as ``dataprotection.retention`` applies them."""
    retention = settings.retention
    return (
        f"Ohne Einwilligung: Löschung nach {settings.unconfirmed_retention_days} Tagen.",
        f"Ohne Aktivität (Änderung, Weitergabe, Antwort eines Mitglieds, Schritt einer Vermittlung) "
        f"{retention.inactive_days} Tage lang: Löschung mit Lebenslauf, Verlauf und E-Mail-Kopien. "
        f"{retention.ask_days} Tage vorher wird die Person per E-Mail gefragt, ob sie das Profil behalten möchte; "
        "abgelehnte und zurückgezogene Profile werden ohne Rückfrage gelöscht.",
        f"Abgeschlossene Vermittlungen: {retention.referral_anonymise_days} Tage nach dem Abschluss werden die "
        "Notizen gelöscht und die Kontaktdaten dem Mitglied nicht mehr angezeigt; Stand, Daten und Mitglied "
        "bleiben für die Statistik.",
        "Sonst bis zur Löschung durch die Person (jederzeit über die Statusseite).",
    )


def records(settings: Settings) -> list[Activity]:
    """The processing activities of this installation, with the periods from ``settings``."""
    security = settings.security
    retention = settings.retention
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
                "Zeitpunkt der letzten Aktivität und der Rückfrage vor der Löschung",
            ),
            recipients=(
                "Mitglieder, denen die Person zugestimmt hat: zunächst ohne Namen und Kontakt",
                "Name, Kontakt und Lebenslauf nur an Mitglieder, für die die Person sie freigibt",
                PROCESSORS,
            ),
            retention=(
                *profile_retention(settings),
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
            retention=profile_retention(settings),
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
                f"Erinnerungen an Vermittlungen ohne Bewegung seit {retention.stale_referral_days} Tagen "
                "(einmal je Stillstand, nur mit Profilnummer)",
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
            data=(
                "Name, E-Mail-Adresse, Rolle (Koordination oder Beobachtung), Passwort nur als Prüfwert, Schlüssel "
                "des zweiten Faktors (TOTP, vorgeschrieben), Zeitpunkt der letzten Anmeldung",
                "Wöchentliche Übersicht per E-Mail und Hinweise auf Vermittlungen, die trotz Erinnerung "
                f"{retention.stale_referral_days} weitere Tage ohne Bewegung bleiben: nur Zahlen und Profilnummern",
            ),
            recipients=(PROCESSORS,),
            retention=(
                f"Sitzungen {security.session_hours} Stunden; Konten bis zum Ausscheiden.",
                f"Protokoll der Löschläufe (nur Anzahlen) {RUN_LOG_DAYS} Tage.",
            ),
        ),
        Activity(
            name="Protokoll der Zugriffe auf Profile (Audit-Log)",
            purpose="Nachweis, wer welches Profil angesehen, geändert, versendet, exportiert oder gelöscht hat "
            "(Rechenschaftspflicht, Art. 5 Abs. 2 DSGVO; Auskunft über Empfänger, Art. 15 DSGVO).",
            legal_basis="Rechtliche Verpflichtung und berechtigtes Interesse, Art. 6 Abs. 1 lit. c und f DSGVO.",
            subjects="Beschäftigte der Koordinationsstelle; Ansprechpersonen der Mitglieder.",
            data=(
                "Zeitpunkt, Art des Zugriffs, Profilnummer (keine Profildaten)",
                "E-Mail-Adresse der Koordination bzw. Name des Mitglieds und Anmeldeadresse im Portal",
            ),
            recipients=(
                "Koordinationsstelle und Datenschutzbeauftragte",
                "die betroffene Person in ihrem Datenexport (Zugriffe auf ihr Profil)",
                PROCESSORS,
            ),
            retention=(f"Löschung nach {retention.audit_days} Tagen.",),
        ),
        Activity(
            name="Netzwerktreffen und Veranstaltungen",
            purpose="Einladung der Mitglieder zu Netzwerktreffen und Konferenzen, Zu- und Absagen, Warteliste, "
            "Erinnerung, Teilnehmendenliste.",
            legal_basis="Mitgliedschaft (Art. 6 Abs. 1 lit. b DSGVO).",
            subjects="Ansprechpersonen der Mitglieder.",
            data=("Einladung, Antwort mit Zeitpunkt, Platz auf der Warteliste, Zeitpunkt der Erinnerung",),
            recipients=("Koordinationsstelle", PROCESSORS),
            retention=(
                f"Einladungen und Antworten: Löschung {retention.event_days} Tage nach dem Ende der Veranstaltung; "
                "die Veranstaltung selbst (ohne Personen) bleibt.",
            ),
        ),
        Activity(
            name="Angebotskatalog",
            purpose="Veröffentlichung von Angeboten der Partner des Netzwerks (Kinderbetreuung, Umzug, Sprachkurse, "
            "Weiterbildung, Beratung).",
            legal_basis="Mitgliedschaft und berechtigtes Interesse an der Information Zuziehender, Art. 6 Abs. 1 "
            "lit. b und f DSGVO.",
            subjects="Ansprechpersonen, die ein Angebot einreichen; im Angebot genannte Kontaktstellen.",
            data=("einreichende Ansprechperson, Kontaktangaben, die der Anbieter veröffentlicht",),
            recipients=("Öffentlichkeit (nur veröffentlichte Angebote)", "Koordinationsstelle", PROCESSORS),
            retention=(
                "Bis zur Archivierung oder zum Austritt des Mitglieds; mit dem Austritt werden seine Angebote "
                "gelöscht.",
            ),
        ),
    ]
