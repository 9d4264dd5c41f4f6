"""The app's words in French and English.

Component labels go through `gr.I18n` (the browser's language, or the one chosen with the
FR/EN switch, which the page remembers). Text the server renders as HTML (answers, the
wall, citation cards) uses `tr(key, lang)` with the language the page reports on load.
"""

from __future__ import annotations

STRINGS: dict[str, tuple[str, str]] = {  # key: (français, English)
    "title": ("Atelier de scénarios — assistant", "Scenario workshop — assistant"),
    "tagline": (
        "Chaque phrase des réponses cite les sources ; touchez [n] pour lire le passage.",
        "Every sentence of an answer cites the sources; tap [n] to read the passage.",
    ),
    "tab_ask": ("Questions", "Questions"),
    "tab_facilitate": ("Animation", "Facilitation"),
    "tab_evaluate": ("Évaluation", "Evaluation"),
    "tab_corpus": ("Corpus", "Corpus"),
    "question": ("Votre question", "Your question"),
    "question_ph": (
        "Posez une question sur le territoire ou les scénarios…",
        "Ask about the territory or the scenarios…",
    ),
    "send": ("Envoyer", "Send"),
    "scenarios": ("Limiter aux scénarios", "Only these scenarios"),
    "starters": ("Pour commencer", "To start"),
    "clear": ("Effacer la conversation", "Clear the conversation"),
    "empty_chat": (
        "Posez une question : l'assistant répond avec les phrases des documents, citées.",
        "Ask a question: the assistant answers with the documents' own sentences, cited.",
    ),
    "thinking": ("Recherche dans les sources…", "Searching the sources…"),
    "failure": (
        "Désolé, la réponse a échoué (erreur interne, notée par le serveur). Réessayez.",
        "Sorry, the answer failed (an internal error, logged by the server). Try again.",
    ),
    "you": ("Vous", "You"),
    "assistant": ("Assistant", "Assistant"),
    "document": ("Document", "Document"),
    "scenario": ("Scénario", "Scenario"),
    "section": ("Partie", "Section"),
    "page": ("page", "page"),
    "not_in_sources": ("Pas dans les sources", "Not in the sources"),
    "supported": ("appuyée", "supported"),
    "weak": ("faible", "weak"),
    "unsupported": ("non appuyée", "unsupported"),
    "unverified": ("non vérifiée", "unverified"),
    "constat": ("constat", "finding"),
    "hypothèse": ("hypothèse", "hypothesis"),
    "méthode": ("méthode", "method"),
    "password": ("Mot de passe animateur", "Facilitator password"),
    "login": ("Se connecter", "Log in"),
    "logout": ("Se déconnecter", "Log out"),
    "login_needed": ("Réservé aux animateurs : connectez-vous.", "For facilitators: log in first."),
    "login_ok": ("Connecté·e comme animateur.", "Logged in as facilitator."),
    "login_bad": ("Mot de passe incorrect.", "Wrong password."),
    "login_evaluator": ("Connecté·e comme évaluateur·rice.", "Logged in as evaluator."),
    "login_locked": (
        "Trop d'essais manqués : réessayez dans {seconds} s.",
        "Too many failed attempts: try again in {seconds} s.",
    ),
    "evaluator_password": (
        "Mot de passe évaluateur (ou animateur)",
        "Evaluator (or facilitator) password",
    ),
    "evaluate_forbidden": (
        "Réservé aux évaluateurs : sans mot de passe, vous ne vérifiez que vos propres réponses.",
        "For evaluators only: without a password you check only your own answers.",
    ),
    "evaluate_missing": ("Cette réponse n'existe pas.", "No such answer."),
    "imported": ("✔ Importé : {what}.", "✔ Imported: {what}."),
    "imported_box": ("la boîte", "the box"),
    "imported_structure": (
        "les corrections de structure ({n} document(s), réindexés)",
        "the structure corrections ({n} document(s), indexed again)",
    ),
    "kept_box": ("boîte inchangée (absente du fichier)", "box unchanged (none in the file)"),
    "drafts_n": ("brouillons", "drafts"),
    "draft_1": ("brouillon", "draft"),
    "import_failed": ("✘ Rien n'a été importé : {reason}", "✘ Nothing was imported: {reason}"),
    "wall": ("Mur des questions", "Question wall"),
    "no_questions": ("Aucune question pour l'instant.", "No questions yet."),
    "questions_n": ("questions", "questions"),
    "question_1": ("question", "question"),
    "refresh": ("Actualiser", "Refresh"),
    "evaluate_pick": ("Réponse ou brouillon à vérifier", "Answer or draft to check"),
    "evaluate_empty": ("Choisissez une réponse ou le brouillon.", "Pick an answer or the draft."),
    "context": ("Le passage dans le document", "The passage in its document"),
    "export_csv": ("Exporter l'audit (CSV)", "Export the audit (CSV)"),
    "upload": ("Ajouter des documents", "Add documents"),
    "ingest": ("Indexer", "Index"),
    "documents": ("Documents indexés", "Indexed documents"),
    "remove": ("Retirer", "Remove"),
    "structure": ("Structure des textes de scénarios", "Structure of the scenario texts"),
    "structure_none": (
        "Aucun texte de scénarios dans le corpus.",
        "No scenario text in the corpus.",
    ),
    "structure_nothing": ("aucun scénario détecté", "no scenario detected"),
    "structure_doc": ("Texte de scénarios", "Scenario text"),
    "structure_scenario": ("Scénario", "Scenario"),
    "structure_title": ("Nouveau titre", "New title"),
    "structure_rename": ("Renommer", "Rename"),
    "structure_label": ("Étiquette (telle qu'écrite)", "Label (as written)"),
    "structure_part": ("Partie", "Part"),
    "structure_map": ("Associer l'étiquette", "Map the label"),
    "structure_done": ("✔ Corrigé, texte réindexé.", "✔ Corrected, text indexed again."),
    "structure_parts": ("parties", "parts"),
    "structure_line": ("ligne", "line"),
    "structure_corrections": ("Corrections", "Corrections"),
    "remove_pick": ("Document à retirer", "Document to remove"),
    "chunks": ("passages", "passages"),
    "kind": ("Nature", "Kind"),
    "ingested": ("indexé", "indexed"),
    "replaced": ("remplacé (nouvelle version)", "replaced (new version)"),
    "skipped": ("inchangé", "unchanged"),
    "cancel_ingest": ("Arrêter l'indexation", "Stop indexing"),
    "cancel_sent": (
        "Arrêt demandé : l'indexation s'arrête après le fichier en cours.",
        "Stop requested: indexing stops after the current file.",
    ),
    "nothing_to_cancel": ("Aucune indexation en cours.", "No indexing in progress."),
    "indexing": ("Indexation en cours", "Indexing"),
    "failed": ("refusé", "refused"),
    "to_check": ("à vérifier", "to check"),
    "removed": ("Retiré :", "Removed:"),
    "draft_reopened": (
        "Le dernier brouillon enregistré, rouvert : modifiez-le ci-dessous.",
        "The latest saved draft, reopened: edit it below.",
    ),
    "cut_off": (
        "La réponse du modèle a été coupée par sa limite de longueur : sa dernière phrase, "
        "inachevée, est retirée.",
        "The model's reply was cut at its length limit: its unfinished last sentence is removed.",
    ),
    "no_file": ("Choisissez d'abord des fichiers.", "Choose files first."),
    "language": ("Langue", "Language"),
    "compare": ("Comparer les scénarios", "Compare the scenarios"),
    "aspects": ("Aspects en plus (séparés par des virgules)", "Extra aspects (comma-separated)"),
    "box": ("Boîte morphologique", "Morphological box"),
    "draft": ("Scénario normatif (brouillon)", "Normative scenario (draft)"),
    "exports": ("Exports", "Exports"),
    "workshop_file": ("Atelier complet (JSON)", "Whole workshop (JSON)"),
    "import": ("Importer un atelier", "Import a workshop"),
    "other": ("autres", "other"),
    "declined": ("Raison", "Reason"),
}

LANGS = ("fr", "en")


def tr(key: str, lang: str) -> str:
    """The text for a key in a language (French if the language is unknown)."""
    fr, en = STRINGS[key]
    return en if lang == "en" else fr


def lang_of(locale: str | None) -> str:
    """'en' for an English browser locale, 'fr' otherwise."""
    return "en" if (locale or "").lower().startswith("en") else "fr"


PREFIX = "sa_"  # our keys must not meet Gradio's own ("login" is one of its groups)


def translations() -> dict[str, dict[str, str]]:
    """The tables for `Labels(**translations())`, with prefixed keys."""
    return {
        "fr": {PREFIX + k: fr for k, (fr, _) in STRINGS.items()},
        "en": {PREFIX + k: en for k, (_, en) in STRINGS.items()},
    }
