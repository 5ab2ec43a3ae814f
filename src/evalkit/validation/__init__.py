"""Reference reproductions: every published result evalkit is checked against (``make validate``)."""
