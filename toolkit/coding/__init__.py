"""Qualitative coding: theory codebooks, transcript readers, spaCy-assisted coding, review and evaluation."""
