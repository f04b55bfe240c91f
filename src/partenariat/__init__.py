"""partenariat: an open knowledge graph of French educational-partnership policy."""

__version__ = "0.1.0"
