"""Hand labels given in session 17 (sentence -> label, why), applied to support_labels.json."""
LABELS = {
    "France Services incarne le retour du service public de l’État au cœur des territoires et initie un mouvement de fond de transformation des lieux d’accueil de proximité.": ("supported", "verbatim of its quote (it does not answer the question: not the rule's concern)"),
    "90% of favourable opinions.": ("supported", "quote: 90% d'opinions favorables"),
    "Je dois faire combien de route au maximum pour trouver une France Services?": ("unsupported", "the question restated: the quote states nothing of it"),
    "90% of the January 2009 satisfaction survey of the Allier demand-responsive transport service recorded favorable opinions.": ("supported", "garbled, but its fact (90 % favourable opinions, January 2009) is the quote's; Allier and the transport service restate the question"),
    "Il reste encore combien de logements où on ne peut pas avoir la fibre?": ("unsupported", "the question restated"),
    "Il y avait 268 villages sans aucun réseau mobile, et ils étaient dans la Sarthe.": ("unsupported", "Sarthe is not in the quote; its 268 communes are national, not of one département"),
    "Le nouveau programme réclamé par les rapporteurs du Sénat au sein de l'ANCT devrait-il cibler territoires de commerces.": ("unsupported", "an interrogative ('devrait-il') that asserts nothing the quote states; Sénat not in the quote (in doubt: unsupported)"),
    "The CGDD study comments on the role of services deconcentrés.": ("supported", "the quote: 'puis commente le rôle des services déconcentrés'; 'the CGDD study' restates the question's subject"),
    "Le dispositif de chèques numériques créé par le Conseil départemental des Pyrénées-Atlantiques pour former ses habitants est le Conseil départemental des Pyrénées-Atlantiques.": ("unsupported", "the quote does not name the device, let alone as the Conseil départemental"),
}
