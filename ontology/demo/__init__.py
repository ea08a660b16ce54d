"""ontology/demo"""
