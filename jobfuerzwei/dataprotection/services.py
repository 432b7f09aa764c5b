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
from jobfuerzwei.i18n import N_
from jobfuerzwei.i18n import gettext as _


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


PROCESSORS = N_("Hosting- und E-Mail-Dienstleister als Auftragsverarbeiter (Art. 28 DSGVO)")

MEASURES = (
    N_("Verschlüsselte Übertragung (TLS am vorgeschalteten Proxy); Cookies nur über HTTPS, HttpOnly, SameSite."),
    N_(
        "Passwörter nur als Argon2id-Prüfwert; zweiter Faktor (TOTP) für alle Konten der Koordination vorgeschrieben, "
        "für Ansprechpersonen der Mitglieder wählbar."
    ),
    N_(
        "Rollen: Beobachtung sieht nur Kennzahlen und anonymisierte Listen; jeder Zugriff auf Profile wird "
        "protokolliert."
    ),
    N_("Links in E-Mails mit 256-Bit-Zufallswerten, gespeichert nur als SHA-256-Prüfwert, je Zweck und befristet."),
    N_("CSRF-Schutz für jedes Formular, Content-Security-Policy, Begrenzung der Anfragen an Formularen und Anmeldung."),
    N_("Mitglieder sehen Profile ohne Namen und Kontakt, bis die Person der Weitergabe an dieses Mitglied zustimmt."),
    N_("Keine personenbezogenen Daten in Protokollen (kein Zugriffsprotokoll, Links ohne Token protokolliert)."),
    N_("Lebensläufe nur als geprüfte PDF-Dateien unter erzeugten Namen außerhalb des Web-Verzeichnisses."),
)
"""Technical and organisational measures (Art. 30 (1) g, Art. 32), as the code implements them (German; see
``measures`` for the current language)."""


def measures() -> list[str]:
    """``MEASURES`` in the current language."""
    return [_(m) for m in MEASURES]


def profile_retention(settings: Settings) -> tuple[str, ...]:
    """The retention rules of partner and job-to-job profiles, as ``dataprotection.retention`` applies them."""
    retention = settings.retention
    return (
        _("Ohne Einwilligung: Löschung nach %(days)s Tagen.") % {"days": settings.unconfirmed_retention_days},
        _(
            "Ohne Aktivität (Änderung, Weitergabe, Antwort eines Mitglieds, Schritt einer Vermittlung) "
            "%(inactive)s Tage lang: Löschung mit Lebenslauf, Verlauf und E-Mail-Kopien. "
            "%(ask)s Tage vorher wird die Person per E-Mail gefragt, ob sie das Profil behalten möchte; "
            "abgelehnte und zurückgezogene Profile werden ohne Rückfrage gelöscht."
        )
        % {"inactive": retention.inactive_days, "ask": retention.ask_days},
        _(
            "Abgeschlossene Vermittlungen: %(days)s Tage nach dem Abschluss werden die "
            "Notizen gelöscht und die Kontaktdaten dem Mitglied nicht mehr angezeigt; Stand, Daten und Mitglied "
            "bleiben für die Statistik."
        )
        % {"days": retention.referral_anonymise_days},
        _("Sonst bis zur Löschung durch die Person (jederzeit über die Statusseite)."),
    )


def records(settings: Settings) -> list[Activity]:
    """The processing activities of this installation, with the periods from ``settings``, in the current language."""
    security = settings.security
    retention = settings.retention
    processors = _(PROCESSORS)
    coordination_office = _("Koordinationsstelle")
    return [
        Activity(
            name=_("Partnerprofile (Job für Zwei)"),
            purpose=_(
                "Vermittlung der Partnerin bzw. des Partners einer zuziehenden Fachkraft an Mitglieder des Netzwerks."
            ),
            legal_basis=_(
                "Einwilligung, Art. 6 Abs. 1 lit. a DSGVO (anmeldende Person für eigene Angaben; "
                "Partnerin bzw. Partner für das Profil, per Double-Opt-in)."
            ),
            subjects=_("Anmeldende Fachkräfte; ihre Partnerinnen und Partner."),
            data=(
                _("Name, E-Mail-Adresse, freiwillig Telefonnummer, Wohnort, geplanter Umzug"),
                _(
                    "Wunschberufe, Abschluss, Berufserfahrung, Kurzprofil, Kenntnisse, Sprachen, Arbeitszeit, Beginn, "
                    "Arbeitsort"
                ),
                _("freiwillig Lebenslauf (PDF) und Anmerkungen"),
                _("Einwilligungen mit Zeitpunkt, Textfassung (%(version)s) und Empfängerliste")
                % {"version": settings.privacy_version},
                _("Verlauf von Weitergabe, Antworten und Vermittlungen"),
                _("Zeitpunkt der letzten Aktivität und der Rückfrage vor der Löschung"),
            ),
            recipients=(
                _("Mitglieder, denen die Person zugestimmt hat: zunächst ohne Namen und Kontakt"),
                _("Name, Kontakt und Lebenslauf nur an Mitglieder, für die die Person sie freigibt"),
                processors,
            ),
            retention=(
                *profile_retention(settings),
                _(
                    "Links: Einwilligung %(confirm)s Tage, Statusseite %(status)s Tage, "
                    "Profil-Links für Mitglieder %(employer)s Tage."
                )
                % {
                    "confirm": security.confirm_token_days,
                    "status": security.status_token_days,
                    "employer": security.employer_token_days,
                },
            ),
        ),
        Activity(
            name=_("Wechselprofile (Jobdrehscheibe)"),
            purpose=_("Vermittlung von Beschäftigten, die ein Mitglied abgeben muss, an andere Mitglieder."),
            legal_basis=_(
                "Einwilligung der beschäftigten Person, Art. 6 Abs. 1 lit. a DSGVO (Double-Opt-in); "
                "die Anmeldung durch den Arbeitgeber allein löst keine Weitergabe aus."
            ),
            subjects=_("Beschäftigte abgebender Mitglieder."),
            data=(_("wie bei Partnerprofilen, ohne Umzug und Anmerkungen"), _("das abgebende Mitglied")),
            recipients=(
                _("andere Mitglieder wie bei Partnerprofilen; nie das abgebende Mitglied"),
                _("das abgebende Mitglied sieht nur Stand und anonyme Zahlen zu Vermittlungen"),
                processors,
            ),
            retention=profile_retention(settings),
        ),
        Activity(
            name=_("Mitglieder, Ansprechpersonen und Arbeitgeberportal"),
            purpose=_("Mitgliedschaft im Netzwerk, Versand von Profilen, Anmeldung im Portal, Vermittlungen."),
            legal_basis=_(
                "Mitgliedschaft (Art. 6 Abs. 1 lit. b DSGVO) und berechtigtes Interesse des Netzwerks an "
                "der Erreichbarkeit der Mitglieder (Art. 6 Abs. 1 lit. f DSGVO)."
            ),
            subjects=_("Ansprechpersonen der Mitglieder."),
            data=(
                _("Name, E-Mail-Adresse, Wahl der E-Mails (sofort, wöchentlich, abbestellt)"),
                _("Passwort nur als Prüfwert, optional Schlüssel des zweiten Faktors, Zeitpunkt der letzten Anmeldung"),
                _("offene Stellen und Interessensgebiete des Mitglieds"),
                _(
                    "Erinnerungen an Vermittlungen ohne Bewegung seit %(days)s Tagen "
                    "(einmal je Stillstand, nur mit Profilnummer)"
                )
                % {"days": retention.stale_referral_days},
            ),
            recipients=(coordination_office, processors),
            retention=(
                _(
                    "Einladungslinks %(invite)s Tage, Links zum Zurücksetzen des Passworts %(reset)s Minuten, "
                    "jeweils nur einmal nutzbar."
                )
                % {"invite": INVITE_DAYS, "reset": RESET_MINUTES},
                _("Wöchentliche Übersicht höchstens alle %(days)s Tage.") % {"days": DIGEST_DAYS},
                _(
                    "Tritt ein Mitglied aus, werden Name, Ansprechpersonen mit Zugängen und Stellen gelöscht; "
                    "es bleiben anonyme Zahlen."
                ),
            ),
        ),
        Activity(
            name=_("Mitgliedsanträge"),
            purpose=_("Prüfung von Anträgen auf Mitgliedschaft."),
            legal_basis=_("Vorvertragliche Maßnahmen auf Anfrage, Art. 6 Abs. 1 lit. b DSGVO."),
            subjects=_("Ansprechpersonen antragstellender Organisationen."),
            data=(
                _("Angaben zur Organisation"),
                _("Name, E-Mail-Adresse, freiwillig Telefonnummer der Ansprechperson"),
            ),
            recipients=(coordination_office, processors),
            retention=(
                _("Abgelehnte Anträge: Löschung nach %(days)s Tagen.")
                % {"days": settings.declined_application_retention_days},
                _("Angenommene Anträge gehen in die Mitgliedschaft über."),
            ),
        ),
        Activity(
            name=_("Konten der Koordination"),
            purpose=_("Anmeldung der Beschäftigten der Koordinationsstelle."),
            legal_basis=_("Beschäftigungsverhältnis, § 26 BDSG."),
            subjects=_("Beschäftigte der Koordinationsstelle."),
            data=(
                _(
                    "Name, E-Mail-Adresse, Rolle (Koordination oder Beobachtung), Passwort nur als Prüfwert, Schlüssel "
                    "des zweiten Faktors (TOTP, vorgeschrieben), Zeitpunkt der letzten Anmeldung"
                ),
                _(
                    "Wöchentliche Übersicht per E-Mail und Hinweise auf Vermittlungen, die trotz Erinnerung "
                    "%(days)s weitere Tage ohne Bewegung bleiben: nur Zahlen und Profilnummern"
                )
                % {"days": retention.stale_referral_days},
            ),
            recipients=(processors,),
            retention=(
                _("Sitzungen %(hours)s Stunden; Konten bis zum Ausscheiden.") % {"hours": security.session_hours},
                _("Protokoll der Löschläufe (nur Anzahlen) %(days)s Tage.") % {"days": RUN_LOG_DAYS},
            ),
        ),
        Activity(
            name=_("Protokoll der Zugriffe auf Profile (Audit-Log)"),
            purpose=_(
                "Nachweis, wer welches Profil angesehen, geändert, versendet, exportiert oder gelöscht hat "
                "(Rechenschaftspflicht, Art. 5 Abs. 2 DSGVO; Auskunft über Empfänger, Art. 15 DSGVO)."
            ),
            legal_basis=_("Rechtliche Verpflichtung und berechtigtes Interesse, Art. 6 Abs. 1 lit. c und f DSGVO."),
            subjects=_("Beschäftigte der Koordinationsstelle; Ansprechpersonen der Mitglieder."),
            data=(
                _("Zeitpunkt, Art des Zugriffs, Profilnummer (keine Profildaten)"),
                _("E-Mail-Adresse der Koordination bzw. Name des Mitglieds und Anmeldeadresse im Portal"),
            ),
            recipients=(
                _("Koordinationsstelle und Datenschutzbeauftragte"),
                _("die betroffene Person in ihrem Datenexport (Zugriffe auf ihr Profil)"),
                processors,
            ),
            retention=(_("Löschung nach %(days)s Tagen.") % {"days": retention.audit_days},),
        ),
        Activity(
            name=_("Netzwerktreffen und Veranstaltungen"),
            purpose=_(
                "Einladung der Mitglieder zu Netzwerktreffen und Konferenzen, Zu- und Absagen, Warteliste, "
                "Erinnerung, Teilnehmendenliste."
            ),
            legal_basis=_("Mitgliedschaft (Art. 6 Abs. 1 lit. b DSGVO)."),
            subjects=_("Ansprechpersonen der Mitglieder."),
            data=(_("Einladung, Antwort mit Zeitpunkt, Platz auf der Warteliste, Zeitpunkt der Erinnerung"),),
            recipients=(coordination_office, processors),
            retention=(
                _(
                    "Einladungen und Antworten: Löschung %(days)s Tage nach dem Ende der Veranstaltung; "
                    "die Veranstaltung selbst (ohne Personen) bleibt."
                )
                % {"days": retention.event_days},
            ),
        ),
        Activity(
            name=_("Angebotskatalog"),
            purpose=_(
                "Veröffentlichung von Angeboten der Partner des Netzwerks (Kinderbetreuung, Umzug, Sprachkurse, "
                "Weiterbildung, Beratung)."
            ),
            legal_basis=_(
                "Mitgliedschaft und berechtigtes Interesse an der Information Zuziehender, Art. 6 Abs. 1 "
                "lit. b und f DSGVO."
            ),
            subjects=_("Ansprechpersonen, die ein Angebot einreichen; im Angebot genannte Kontaktstellen."),
            data=(_("einreichende Ansprechperson, Kontaktangaben, die der Anbieter veröffentlicht"),),
            recipients=(_("Öffentlichkeit (nur veröffentlichte Angebote)"), coordination_office, processors),
            retention=(
                _(
                    "Bis zur Archivierung oder zum Austritt des Mitglieds; mit dem Austritt werden seine Angebote "
                    "gelöscht."
                ),
            ),
        ),
    ]
