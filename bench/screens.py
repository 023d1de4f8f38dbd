"""Screenshots of the page for the README: a laptop and a small phone, light and dark.

    python -m bench.screens [--llm local|none]

Starts the web UI over the shipped index (`make ingest`), waits until the model answers, asks
the first example question of the start screen (a question written for the index) in each of
the four views, and writes docs/screenshots/{desktop,phone}-{light,dark}.png. Needs Debian's
chromium and the playwright package (the dev extra).
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from .procs import UI

PROJECT = Path(__file__).parent.parent
OUT = PROJECT / "docs" / "screenshots"
VIEWS = {
    "desktop": {"viewport": {"width": 1366, "height": 900}},
    "phone": {
        "viewport": {"width": 375, "height": 667},
        "is_mobile": True,
        "has_touch": True,
        "device_scale_factor": 2,
    },
}


def shoot(url: str) -> list[Path]:
    from playwright.sync_api import sync_playwright

    OUT.mkdir(parents=True, exist_ok=True)
    written = []
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=["--headless", "--no-sandbox", "--disable-gpu"],
        )
        for view, size in VIEWS.items():
            for scheme in ("light", "dark"):
                context = browser.new_context(**size, color_scheme=scheme)
                page = context.new_page()
                page.set_default_timeout(180_000)
                page.goto(url)
                page.wait_for_selector("#ea-chat .example")
                page.wait_for_selector(".ea-fact")  # the side panel has filled in
                page.locator("#ea-chat .example").first.click()
                page.wait_for_function(
                    "document.querySelector('.ea-answer') &&"
                    " !document.querySelector('.ea-pending, .ea-streaming')"
                )
                page.wait_for_timeout(800)
                path = OUT / f"{view}-{scheme}.png"
                page.screenshot(path=str(path))
                written.append(path)
                context.close()
        browser.close()
    return written


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.screens")
    p.add_argument("--llm", default="local", help="EXCHANGE_LLM for the page (default local)")
    args = p.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="screens-") as tmp:
        app = UI(PROJECT / "index", PROJECT / "corpus", Path(tmp), EXCHANGE_LLM=args.llm)
        try:
            app.wait_served(180)
            if args.llm != "none":
                from .load import _wait_for_model

                _wait_for_model(app.url)
            for path in shoot(app.url + "/"):
                print(path.relative_to(PROJECT))
        finally:
            app.stop()
    return 0


if __name__ == "__main__":
    import sys

    sys.exit(main())
