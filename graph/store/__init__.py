"""The one store interface and its backends: the embedded pyoxigraph store on disk, any remote SPARQL 1.1
engine; strict parsing, SQLite side files, a full disk told apart."""
