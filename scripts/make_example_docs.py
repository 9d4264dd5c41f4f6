"""Generate the fictional example PDF and DOCX of the bundled corpus.

Writes, next to `corpus/diagnostics/diagnostic-territorial.md`:

- `enquete-habitants.pdf` (fpdf2): a synthesis of a fictional resident survey;
- `offre-de-services.docx` (python-docx): the fictional list of reception points.

All the content is held in this script. The territory (the "Vallée-Haute"), the figures,
the survey and the quotations are invented for demonstration, and are consistent with
`diagnostic-territorial.md` and `indicateurs.csv`. Creation dates are fixed and the DOCX
zip entries get a fixed timestamp, so re-running the script gives the same bytes.

Usage: python scripts/make_example_docs.py [OUTPUT_DIR]
"""

from __future__ import annotations

import io
import sys
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import docx
from docx.shared import Pt
from fpdf import FPDF
from fpdf.enums import XPos, YPos

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = ROOT / "corpus" / "diagnostics"

FIXED_DATE = datetime(2024, 6, 3, 9, 0, 0, tzinfo=UTC)
ZIP_DATE = (2024, 6, 3, 9, 0, 0)
AUTHOR = "Exemple fictif - assistant prospective"

# --------------------------------------------------------------------------------------
# PDF: "Enquête auprès des habitants - synthèse (exemple fictif)"
# Core fonts (Helvetica) are latin-1 only: no oe ligature, no curly apostrophe, no em-dash,
# no euro sign in this text.
# --------------------------------------------------------------------------------------

PDF_TITLE = "Enquête auprès des habitants - synthèse (exemple fictif)"

PDF_WARNING = (
    "Document d'exemple : le département de la Vallée-Haute, l'enquête, les chiffres et les "
    "citations présentés ici sont fictifs. Ils ont été inventés pour la démonstration de "
    "l'assistant et ne décrivent aucun territoire réel."
)

# Each section: (heading, [blocks]); a block is a paragraph (str), a bullet list
# (("bullets", [...])) or a table (("table", [header, *rows])).
PDF_SECTIONS: list[tuple[str, list[object]]] = [
    (
        "1. Objectifs et méthode",
        [
            "L'enquête visait à recueillir la perception des habitants sur l'accès aux services "
            "publics et aux services au public, en amont des ateliers de prospective sur le "
            "schéma départemental d'amélioration de l'accessibilité des services au public.",
            "Le questionnaire comptait 32 questions, dont 4 questions ouvertes. Il a été diffusé "
            "du 15 mars au 30 avril 2024, en ligne et sur papier dans les mairies, les France "
            "Services et les 2 bus France Services.",
            "Au total, 1 214 questionnaires exploitables ont été recueillis. Les résultats ne "
            "sont pas redressés. Les personnes de 65 ans ou plus représentent 36 % des "
            "répondants, contre environ 33 % des adultes du département : elles sont donc "
            "légèrement surreprésentées. Les habitants de la haute vallée représentent 23 % "
            "des répondants, contre 16,5 % de la population : ils sont également "
            "surreprésentés.",
        ],
    ),
    (
        "2. Profil des répondants",
        [
            (
                "table",
                [
                    ("Caractéristique", "Répondants", "Part"),
                    ("Centre", "498", "41 %"),
                    ("Piémont", "441", "36 %"),
                    ("Haute vallée", "275", "23 %"),
                    ("18-39 ans", "291", "24 %"),
                    ("40-64 ans", "486", "40 %"),
                    ("65 ans ou plus", "437", "36 %"),
                    ("Questionnaire en ligne", "704", "58 %"),
                    ("Questionnaire papier", "510", "42 %"),
                ],
            ),
        ],
    ),
    (
        "3. Perception de l'évolution de l'accès aux services",
        [
            "68 % des répondants estiment que l'accès aux services publics s'est dégradé au "
            "cours des cinq dernières années. 24 % estiment qu'il est resté stable et 8 % qu'il "
            "s'est amélioré.",
            "Le sentiment de dégradation est de 59 % dans le centre, de 70 % dans le piémont et "
            "de 81 % dans la haute vallée. Les fermetures de guichets, le départ des médecins "
            "et la dématérialisation des démarches sont les trois causes les plus citées.",
        ],
    ),
    (
        "4. Démarches administratives et numérique",
        [
            "Pour une démarche complexe, 57 % des répondants préfèrent un contact en face à "
            "face, 24 % une démarche en ligne et 19 % un contact par téléphone. La préférence "
            "pour le face à face est de 38 % chez les 18-39 ans, de 55 % chez les 40-64 ans et "
            "de 72 % chez les 65 ans ou plus.",
            "31 % des répondants ont renoncé au moins une fois à une démarche en ligne au cours "
            "des 12 derniers mois. Cette part est de 18 % chez les 18-39 ans, de 29 % chez les "
            "40-64 ans et de 42 % chez les 65 ans ou plus.",
            "Parmi les répondants qui ont renoncé à une démarche en ligne, les raisons citées "
            "sont les suivantes :",
            (
                "bullets",
                [
                    "difficulté à utiliser le site ou l'application : 49 % ;",
                    "connexion internet ou réseau mobile insuffisant : 27 % ;",
                    "absence d'ordinateur, de scanner ou d'imprimante : 15 % ;",
                    "autres raisons : 9 %.",
                ],
            ),
            "41 % des répondants de 65 ans ou plus déclarent se faire aider par un proche pour "
            "leurs démarches en ligne.",
        ],
    ),
    (
        "5. Santé et déplacements",
        [
            "23 % des répondants ont renoncé à des soins ou les ont reportés en raison de la "
            "distance ou des délais. Cette part est de 17 % dans le centre, de 24 % dans le "
            "piémont et de 34 % dans la haute vallée.",
            "13 % des répondants déclarent ne pas avoir de médecin traitant. Dans la haute "
            "vallée, 31 % des répondants mettent plus de 30 minutes pour se rendre chez leur "
            "médecin.",
            "9 % des répondants n'ont pas de voiture ou ne peuvent pas conduire. Seuls 22 % des "
            "répondants connaissent le service de transport à la demande de leur secteur, et 6 % "
            "l'ont déjà utilisé. 52 % des répondants se disent intéressés par un covoiturage "
            "solidaire et 18 % se disent prêts à devenir conducteurs bénévoles.",
        ],
    ),
    (
        "6. Connaissance des points d'accueil et de l'information",
        [
            "46 % des répondants savent qu'il existe une France Services près de chez eux. Cette "
            "part est de 41 % dans le centre, de 47 % dans le piémont et de 55 % dans la haute "
            "vallée, où le passage du bus France Services est bien identifié.",
            "29 % des répondants sont capables de citer au moins deux services proposés dans une "
            "France Services. 19 % des répondants ont utilisé une France Services au cours des "
            "12 derniers mois ; parmi eux, 87 % se déclarent satisfaits ou très satisfaits.",
            "38 % des répondants ne savent pas où se faire aider pour une démarche en ligne. "
            "Les sources d'information citées sont la mairie (63 %), l'entourage (41 %), "
            "internet (34 %), le bulletin municipal ou intercommunal (27 %) et l'affichage "
            "(12 %).",
        ],
    ),
    (
        "7. Attentes et priorités",
        [
            "Les répondants pouvaient choisir jusqu'à trois priorités pour l'amélioration de "
            "l'accès aux services :",
            (
                "table",
                [
                    ("Priorité", "Part des répondants"),
                    ("Maintenir et attirer des médecins", "71 %"),
                    ("Un accueil humain de proximité", "54 %"),
                    ("Améliorer la couverture internet et mobile", "39 %"),
                    ("Développer les transports", "33 %"),
                    ("Une information claire et centralisée", "28 %"),
                    ("Un accompagnement aux démarches numériques", "24 %"),
                ],
            ),
            "41 % des répondants souhaitent que les points d'accueil ouvrent le samedi matin, et "
            "29 % souhaitent une ouverture en soirée après 18 h. Chez les répondants de 18 à "
            "64 ans, la demande d'ouverture le samedi matin atteint 53 %.",
            "74 % des répondants sont favorables à un bus itinérant de services publics ; cette "
            "part atteint 83 % dans la haute vallée.",
            "612 répondants, soit la moitié, ont laissé un commentaire libre. Les thèmes les plus "
            "fréquents sont les médecins et la santé (38 % des commentaires), les routes et les "
            "transports (21 %), internet et le téléphone mobile (17 %) et le besoin d'un accueil "
            "humain (14 %) ; les autres thèmes représentent 10 % des commentaires.",
        ],
    ),
    (
        "8. Paroles d'habitants (citations fictives)",
        [
            "Les citations ci-dessous sont fictives. Elles ont été inventées pour l'exemple.",
            "« Le bus France Services, c'est bien, mais il passe le jeudi matin et moi je "
            "travaille le jeudi matin. » (citation fictive, habitant de la haute vallée, "
            "42 ans)",
            "« Ma fille remplit mes papiers sur internet depuis Lyon. Le jour où elle ne pourra "
            "plus, je ne sais pas comment je ferai. » (citation fictive, habitante du piémont, "
            "79 ans)",
            "« Je conduirais volontiers des voisins chez le médecin si quelqu'un organisait les "
            "trajets. » (citation fictive, habitant du centre, 66 ans)",
        ],
    ),
    (
        "9. Enseignements pour les ateliers",
        [
            "Le numérique est utilisé par une majorité de répondants, mais il ne remplace pas "
            "l'accueil humain pour les démarches complexes, surtout chez les plus âgés.",
            "Les points d'accueil existants sont appréciés par ceux qui les utilisent, mais ils "
            "restent mal connus et leurs horaires ne correspondent pas toujours aux contraintes "
            "des actifs.",
            "L'information sur les services est la première marche de l'accès : plus d'un tiers "
            "des répondants ne sait pas où trouver de l'aide.",
            "Une partie des habitants est prête à s'engager dans des solidarités locales "
            "(covoiturage solidaire, aide entre voisins), à condition qu'elles soient organisées "
            "et soutenues dans la durée.",
        ],
    ),
]


class SurveyPDF(FPDF):
    def footer(self) -> None:
        self.set_y(-15)
        self.set_font("Helvetica", "I", 8)
        self.cell(
            0,
            10,
            f"Exemple fictif - Vallée-Haute - page {self.page_no()}/{{nb}}",
            align="C",
        )


def _pdf_paragraph(pdf: FPDF, text: str) -> None:
    pdf.set_font("Helvetica", "", 11)
    pdf.multi_cell(0, 5.5, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(2)


def make_pdf(path: Path) -> None:
    # fpdf2's core fonts are latin-1 only: fail early with a clear message.
    for text in (PDF_TITLE, PDF_WARNING, repr(PDF_SECTIONS)):
        text.encode("latin-1")
    pdf = SurveyPDF(format="A4")
    pdf.set_title(PDF_TITLE)
    pdf.set_author(AUTHOR)
    pdf.set_subject("Synthèse d'une enquête fictive auprès des habitants")
    pdf.set_keywords("exemple fictif, diagnostic, enquête, accès aux services")
    pdf.set_creator("scripts/make_example_docs.py")
    pdf.set_lang("fr")
    pdf.set_creation_date(FIXED_DATE)
    pdf.set_auto_page_break(auto=True, margin=20)
    pdf.set_margins(20, 20, 20)
    pdf.add_page()

    pdf.set_font("Helvetica", "B", 16)
    pdf.multi_cell(0, 8, PDF_TITLE, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("Helvetica", "", 11)
    pdf.multi_cell(
        0,
        6,
        "Département de la Vallée-Haute - enquête du 15 mars au 30 avril 2024",
        new_x=XPos.LMARGIN,
        new_y=YPos.NEXT,
    )
    pdf.ln(3)
    pdf.set_font("Helvetica", "I", 10)
    pdf.multi_cell(0, 5, PDF_WARNING, border=1, padding=2, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(4)

    for heading, blocks in PDF_SECTIONS:
        pdf.set_font("Helvetica", "B", 13)
        pdf.multi_cell(0, 7, heading, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(1)
        for block in blocks:
            if isinstance(block, str):
                _pdf_paragraph(pdf, block)
            elif isinstance(block, tuple) and block[0] == "bullets":
                pdf.set_font("Helvetica", "", 11)
                for item in block[1]:
                    pdf.set_x(pdf.l_margin + 5)
                    pdf.multi_cell(0, 5.5, f"- {item}", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
                pdf.ln(2)
            elif isinstance(block, tuple) and block[0] == "table":
                rows = block[1]
                pdf.set_font("Helvetica", "", 10)
                widths = (90, 40, 40) if len(rows[0]) == 3 else (110, 60)
                with pdf.table(
                    col_widths=widths,
                    width=sum(widths),
                    align="LEFT",
                    line_height=6,
                    first_row_as_headings=True,
                ) as table:
                    for row in rows:
                        table.row(row)
                pdf.ln(3)
            else:  # pragma: no cover - programming error
                raise ValueError(f"unknown block {block!r}")
        pdf.ln(1)

    path.write_bytes(bytes(pdf.output()))


# --------------------------------------------------------------------------------------
# DOCX: "Offre de services et points d'accueil (exemple fictif)"
# --------------------------------------------------------------------------------------

DOCX_TITLE = "Offre de services et points d'accueil (exemple fictif)"

DOCX_WARNING = (
    "Document d'exemple : le département de la Vallée-Haute, ses communes, ses points "
    "d'accueil, leurs horaires et tous les chiffres de ce document sont fictifs. Ils ont été "
    "inventés pour la démonstration de l'assistant. Ce document doit être remplacé par "
    "l'offre de services réelle du territoire."
)

FRANCE_SERVICES_SOCLE = [
    "allocations familiales, aides au logement et RSA (CAF) ;",
    "assurance maladie (CPAM) et protection sociale agricole (MSA) ;",
    "retraite (Assurance retraite) ;",
    "recherche d'emploi et inscription (France Travail) ;",
    "impôts et prélèvement à la source (Finances publiques) ;",
    "titres sécurisés : carte grise, permis de conduire, pré-demande de carte d'identité "
    "et de passeport ;",
    "accès au droit (point justice) ;",
    "aide à l'utilisation des services en ligne (ordinateur, scanner et imprimante en libre "
    "accès).",
]

# (point d'accueil, commune, horaires, services); hours per week in the comment.
FRANCE_SERVICES_TABLE: list[tuple[str, str, str, str]] = [
    # Centre: 40.5 + 34.5 + 27 = 102 h, i.e. 34 h on average.
    (
        "France Services Valmont-Centre",
        "Valmont-sur-Lisère",
        "Lun-ven 9h-12h30 et 13h30-17h30 ; sam 9h-12h",
        "Socle France Services ; permanence CAF le mardi ; point justice",
    ),
    (
        "France Services Valmont-Les Tilleuls",
        "Valmont-sur-Lisère",
        "Lun-ven 9h-12h et 13h30-17h ; jeu jusqu'à 19h",
        "Socle France Services ; conseiller numérique ; permanence France Travail",
    ),
    (
        "France Services Saint-Aubin-de-Lisère",
        "Saint-Aubin-de-Lisère",
        "Lun-jeu 9h-12h et 14h-17h ; ven 9h-12h",
        "Socle France Services ; permanence du CMS",
    ),
    # Piémont: 35.5 + 27.5 + 26 + 21 + 26 + 20 = 156 h, i.e. 26 h on average.
    (
        "France Services Bourg-la-Roche",
        "Bourg-la-Roche",
        "Lun-ven 9h-12h et 14h-17h30 ; sam 9h-12h",
        "Socle France Services ; conciliateur de justice ; conseiller numérique",
    ),
    (
        "France Services postale de Castelroc",
        "Castelroc",
        "Lun-ven 9h-12h et 14h-16h30",
        "Socle France Services ; services postaux",
    ),
    (
        "France Services Sauveterre-du-Piémont",
        "Sauveterre-du-Piémont",
        "Mar-ven 9h-12h et 13h30-17h",
        "Socle France Services ; permanence MSA",
    ),
    (
        "France Services Lanzac-les-Vignes",
        "Lanzac-les-Vignes",
        "Lun, mer, ven 9h-12h et 14h-17h ; mar 16h-19h",
        "Socle France Services ; espace public numérique attenant",
    ),
    (
        "France Services Mirabel-sur-Lisère",
        "Mirabel-sur-Lisère",
        "Lun-jeu 8h30-12h et 13h30-16h30",
        "Socle France Services ; permanence du CMS",
    ),
    (
        "Bus France Services du Piémont (depuis 2023)",
        "10 haltes, dont Pradelles-Basses",
        "Mar-ven 9h30-12h et 13h30-16h, au plus une demi-journée par halte",
        "Socle France Services ; aide aux démarches en ligne",
    ),
    # Haute vallée: 35.5 + 21 + 16.5 + 20 + 20 = 113 h, i.e. 22.6 h on average.
    (
        "France Services Saint-Géraud-en-Haute-Vallée",
        "Saint-Géraud-en-Haute-Vallée",
        "Lun-ven 9h-12h et 13h30-17h ; sam 9h-12h",
        "Socle France Services ; permanence du CMS ; point justice",
    ),
    (
        "France Services Val-d'Orsan",
        "Val-d'Orsan",
        "Mar-jeu 9h-12h et 14h-17h ; ven 9h-12h",
        "Socle France Services ; à côté du centre de santé départemental",
    ),
    (
        "France Services Ferrières-Hautes",
        "Ferrières-Hautes",
        "Lun, mer, ven 9h-12h et 14h-16h30",
        "Socle France Services ; cabine de téléconsultation",
    ),
    (
        "France Services postale d'Esquirol",
        "Esquirol",
        "Lun-ven 9h-12h ; mar et jeu 14h-16h30",
        "Socle France Services ; services postaux",
    ),
    (
        "Bus France Services de la Haute Vallée (depuis 2021)",
        "11 haltes, dont Le Mas-de-Cabre",
        "Lun-jeu 9h30-12h et 13h30-16h, au plus une demi-journée par halte",
        "Socle France Services ; aide aux démarches en ligne",
    ),
]

# (heading level, text) or ("bullets", [...]) or ("table", None) blocks.
DOCX_BLOCKS: list[tuple[object, object]] = [
    (1, "Les France Services"),
    (
        None,
        "En 2024, le département compte 14 France Services : 12 sites fixes et 2 bus "
        "itinérants. Elles ont succédé aux 9 Maisons de services au public (MSAP) qui "
        "existaient en 2019, labellisées France Services entre 2020 et 2022. Le centre compte "
        "3 France Services, le piémont 6 et la haute vallée 5.",
    ),
    (
        None,
        "Une France Services est ouverte en moyenne 26,5 heures par semaine. Trois France "
        "Services sont ouvertes le samedi matin : Valmont-Centre, Bourg-la-Roche et "
        "Saint-Géraud-en-Haute-Vallée. Deux France Services ouvrent en soirée jusqu'à 19 h "
        "un jour par semaine : Valmont-Les Tilleuls le jeudi et Lanzac-les-Vignes le mardi.",
    ),
    (2, "Services proposés dans chaque France Services"),
    (None, "Chaque France Services propose un socle commun d'accompagnement :"),
    ("bullets", FRANCE_SERVICES_SOCLE),
    (
        None,
        "Les agents France Services informent, orientent et aident à réaliser les démarches. "
        "Ils peuvent organiser un rendez-vous en visio avec un conseiller d'un organisme "
        "partenaire.",
    ),
    (2, "Liste des France Services et horaires d'ouverture"),
    ("table", None),
    (1, "Autres points d'accueil"),
    (2, "Centres médico-sociaux"),
    (
        None,
        "Le Département gère 11 centres médico-sociaux (CMS), ouverts du lundi au vendredi de "
        "8h30 à 12h et de 13h30 à 17h, sur rendez-vous pour les entretiens avec un travailleur "
        "social. Les CMS assurent aussi 23 permanences délocalisées.",
    ),
    (
        "bullets",
        [
            "centre (4 CMS) : Valmont-sur-Lisère (2 sites), Saint-Aubin-de-Lisère, "
            "Les Granges-Neuves ;",
            "piémont (5 CMS) : Bourg-la-Roche, Castelroc, Sauveterre-du-Piémont, "
            "Lanzac-les-Vignes, Mirabel-sur-Lisère ;",
            "haute vallée (2 CMS) : Saint-Géraud-en-Haute-Vallée, Val-d'Orsan.",
        ],
    ),
    (2, "Espaces publics numériques et médiation numérique"),
    (
        None,
        "Le département compte 19 espaces publics numériques (EPN) en 2024 : 8 dans le "
        "centre, 8 dans le piémont et 3 dans la haute vallée. Les EPN proposent un accès libre "
        "à des ordinateurs et des ateliers collectifs d'initiation. En 2024, 11 conseillers "
        "numériques interviennent dans les EPN, les France Services et les tiers-lieux.",
    ),
    (2, "Secrétariats de mairie"),
    (
        None,
        "Les 312 communes disposent de 248 secrétariats de mairie, certains étant partagés "
        "entre plusieurs petites communes. Dans les communes de moins de 500 habitants, le "
        "secrétariat est ouvert en médiane 8 heures par semaine. La mairie reste le premier "
        "relais d'information des habitants.",
    ),
    (2, "Présence postale"),
    (
        None,
        "Le département compte 86 points de contact postaux : 21 bureaux de poste, 38 agences "
        "postales communales et 27 relais poste chez des commerçants.",
    ),
    (1, "Offre de santé de proximité"),
    (
        "bullets",
        [
            "13 maisons de santé pluridisciplinaires : 3 dans le centre, 6 dans le piémont et "
            "4 dans la haute vallée ;",
            "un centre de santé départemental à Val-d'Orsan, ouvert en septembre 2022, avec "
            "3 médecins salariés ;",
            "une cabine de téléconsultation dans la France Services de Ferrières-Hautes, "
            "accessible aux heures d'ouverture ;",
            "deux services d'urgences, aux centres hospitaliers de Valmont-sur-Lisère et de "
            "Bourg-la-Roche, et une antenne SMUR à Saint-Géraud-en-Haute-Vallée ;",
            "54 pharmacies, dont 7 dans la haute vallée.",
        ],
    ),
    (1, "Se déplacer vers les services"),
    (
        "bullets",
        [
            "transport à la demande dans 6 intercommunalités sur 10 (187 communes) : 2 euros "
            "le trajet, réservation la veille avant 17 h ;",
            "6 réseaux de transport solidaire animés par 240 chauffeurs bénévoles, surtout "
            "pour les rendez-vous médicaux ;",
            "la plateforme de covoiturage de proximité « Covoit'Vallée » et 17 aires de "
            "covoiturage ;",
            "le réseau d'autostop organisé « Pouce-Vallée » dans 34 communes du piémont et de "
            "la haute vallée.",
        ],
    ),
    (1, "Où trouver l'information"),
    (
        None,
        "Le guide départemental des services en ligne, lancé en 2020, recense les points "
        "d'accueil et leurs horaires. Les mairies, les France Services et les CMS disposent "
        "d'une version papier du guide, mise à jour une fois par an. En cas de doute sur des "
        "horaires, il est conseillé d'appeler le point d'accueil avant de se déplacer.",
    ),
]


def _deterministic_zip(data: bytes) -> bytes:
    """Rewrite a DOCX zip with fixed entry timestamps (python-docx stamps the current time)."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for item in src.infolist():
            info = zipfile.ZipInfo(item.filename, date_time=ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            dst.writestr(info, src.read(item.filename))
    return out.getvalue()


def make_docx(path: Path) -> None:
    document = docx.Document()
    props = document.core_properties
    props.title = DOCX_TITLE
    props.author = AUTHOR
    props.last_modified_by = AUTHOR
    props.subject = "Points d'accueil et offre de services d'un département fictif"
    props.keywords = "exemple fictif, diagnostic, France Services, points d'accueil"
    props.comments = "Données fictives générées par scripts/make_example_docs.py"
    props.created = FIXED_DATE.replace(tzinfo=None)
    props.modified = FIXED_DATE.replace(tzinfo=None)
    props.last_printed = FIXED_DATE.replace(tzinfo=None)
    props.revision = 1
    props.language = "fr-FR"

    document.add_heading(DOCX_TITLE, level=0)
    warning = document.add_paragraph()
    run = warning.add_run(DOCX_WARNING)
    run.italic = True

    for kind, content in DOCX_BLOCKS:
        if isinstance(kind, int):
            document.add_heading(str(content), level=kind)
        elif kind is None:
            document.add_paragraph(str(content))
        elif kind == "bullets":
            assert isinstance(content, list)
            for item in content:
                document.add_paragraph(item, style="List Bullet")
        elif kind == "table":
            header = ("Point d'accueil", "Commune", "Horaires", "Services")
            table = document.add_table(rows=1, cols=len(header))
            table.style = "Table Grid"
            for cell, text in zip(table.rows[0].cells, header, strict=True):
                cell.text = ""
                cell.paragraphs[0].add_run(text).bold = True
            for row in FRANCE_SERVICES_TABLE:
                cells = table.add_row().cells
                for cell, text in zip(cells, row, strict=True):
                    cell.text = text
                    for paragraph in cell.paragraphs:
                        for r in paragraph.runs:
                            r.font.size = Pt(9)
        else:  # pragma: no cover - programming error
            raise ValueError(f"unknown block kind {kind!r}")

    buffer = io.BytesIO()
    document.save(buffer)
    path.write_bytes(_deterministic_zip(buffer.getvalue()))


def main(argv: list[str]) -> int:
    out_dir = Path(argv[1]) if len(argv) > 1 else DEFAULT_OUT
    out_dir.mkdir(parents=True, exist_ok=True)
    pdf_path = out_dir / "enquete-habitants.pdf"
    docx_path = out_dir / "offre-de-services.docx"
    make_pdf(pdf_path)
    make_docx(docx_path)
    print(f"wrote {pdf_path}")
    print(f"wrote {docx_path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
