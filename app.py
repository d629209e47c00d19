"""Entry point for Hugging Face Spaces and `python app.py`: serve the app, building the sample first."""

from genai_analyzer.cli import main

if __name__ == "__main__":
    main(["serve"])
