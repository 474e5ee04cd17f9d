"""RDF side: the ontology namespace, identifier minting and the mapping from records."""
