"""Exchange Assistant: cited answers about the LUMC - Nagasaki University Erasmus+ exchange.

Heavy libraries (sentence-transformers, chromadb, gradio) are imported inside the modules that
need them, so that `import assistant` and the CLI start fast.
"""

__version__ = "0.1.0"
