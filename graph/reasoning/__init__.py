"""The inference rules (`rules/*.rq`) and the facts they read; SHACL run by the store's engine."""
