"""The one write path and what a write may say: permission, ownership, minted IRIs, the platform's own
entities, SPARQL Update as a change, the history and reverts."""
