"""Enrichment steps: prompt embeddings, prompt labels, thumbnails, and the search indexes."""
