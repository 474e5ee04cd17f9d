"""The NLP stage: a spaCy pipeline with domain rulers, and extraction over its Docs."""
