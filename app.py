"""Exchange Assistant in the browser: `python app.py` serves http://127.0.0.1:7860
(EXCHANGE_UI__HOST / EXCHANGE_UI__PORT). The page is in assistant/ui/."""

import os

# Before anything imports huggingface or gradio: no network at run time.
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

from assistant.ui import main  # noqa: E402

if __name__ == "__main__":
    main()
