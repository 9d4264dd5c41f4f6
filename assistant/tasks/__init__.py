"""Use cases over retrieval: answer (ask), compare, draft."""
