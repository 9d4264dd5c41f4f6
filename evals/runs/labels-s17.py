"""Hand labels given in session 17 (sentence -> label, why), applied to support_labels.json."""
LABELS = {
    "France Services incarne le retour du service public de l’État au cœur des territoires et initie un mouvement de fond de transformation des lieux d’accueil de proximité.": ("supported", "verbatim of its quote (it does not answer the question: not the rule's concern)"),
    "90% of favourable opinions.": ("supported", "quote: 90% d'opinions favorables"),
    "Je dois faire combien de route au maximum pour trouver une France Services?": ("unsupported", "the question restated: the quote states nothing of it"),
    "90% of the January 2009 satisfaction survey of the Allier demand-responsive transport service recorded favorable opinions.": ("unsupported", "Allier and the demand-responsive transport are not in the quote"),
}
