"""The knowledge graph: store backends, parsing, validation, the one write path, history, inference."""
