"""GenAI Session Analyzer: session analytics for text-to-image generators."""

__version__ = "0.1.0"
