"""Saved SPARQL queries (*.rq with a metadata header) and the quality checks (checks/*.rq)."""
