"""SQL Copilot: questions in plain words answered with checked, read-only SQL over the warehouse."""
