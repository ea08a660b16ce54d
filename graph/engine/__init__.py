"""The query engines: local `oxigraph serve` processes holding in-memory copies of the embedded store, their
HTTP client and watchdog, a query as a job, answers from disk while copies load, a remote store's runner."""
