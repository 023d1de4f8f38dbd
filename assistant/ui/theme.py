"""The gradio theme: LUMC navy on a light page, and a dark page when the system asks for one
(the CSS is in style.css; its dark values in page.css)."""

from __future__ import annotations

import gradio as gr

NAVY = gr.themes.Color(
    c50="#eef2f8",
    c100="#d9e1ee",
    c200="#b3c3dc",
    c300="#8aa1c6",
    c400="#5b79a8",
    c500="#2f5286",
    c600="#1d3d6e",
    c700="#14305b",
    c800="#0e2448",
    c900="#0a1b36",
    c950="#061126",
    name="lumc-navy",
)

FONT = [
    "Source Sans 3",
    "Source Sans Pro",
    "Segoe UI",
    "Helvetica Neue",
    "Liberation Sans",
    "Arial",
    "sans-serif",
]


def theme() -> gr.themes.Base:
    t = gr.themes.Base(
        primary_hue=NAVY,
        secondary_hue=NAVY,
        neutral_hue=gr.themes.colors.slate,
        radius_size=gr.themes.sizes.radius_sm,
        font=FONT,
        font_mono=["DejaVu Sans Mono", "Consolas", "monospace"],
    ).set(
        body_background_fill="#f6f7f9",
        body_text_color="#1b2230",
        body_text_color_subdued="#4a5466",
        input_placeholder_color="#5d6778",
        block_border_width="1px",
        block_border_color="#dfe3ea",
        block_shadow="none",
        button_primary_background_fill="#0e2448",
        button_primary_background_fill_hover="#1d3d6e",
        button_primary_text_color="#ffffff",
        button_secondary_background_fill="#ffffff",
        button_secondary_border_color="#8a96a8",
        input_border_color="#8a96a8",
        input_border_color_focus="#1d3d6e",
        color_accent_soft="#eef2f8",
    )
    t.set(
        body_background_fill_dark="#0f151c",
        body_text_color_dark="#e6ebf2",
        body_text_color_subdued_dark="#aab5c2",
        input_placeholder_color_dark="#98a4b3",
        block_background_fill_dark="#16202b",
        block_border_color_dark="#2e3a48",
        button_primary_background_fill_dark="#2f5286",
        button_primary_background_fill_hover_dark="#3b63a0",
        button_primary_text_color_dark="#ffffff",
        button_secondary_background_fill_dark="#16202b",
        button_secondary_background_fill_hover_dark="#22324a",
        button_secondary_text_color_dark="#e6ebf2",
        button_secondary_border_color_dark="#7d8a9c",
        input_background_fill_dark="#16202b",
        input_border_color_dark="#7d8a9c",
        input_border_color_focus_dark="#a9c8ff",
        color_accent_soft_dark="#22324a",
    )
    return t
