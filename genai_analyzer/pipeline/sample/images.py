"""Procedural stand-ins for generated images.

Sample images are drawn at reduced resolution (``size`` px on the long side, 128 by default)
to keep the sample small; the metadata keeps the nominal width and height (512x512, 512x768, ...)
and the drawing keeps their aspect ratio. A picture is a gradient whose palette comes from colour
and mood words in the prompt, a motif chosen from the subject (mountains, skyline, figure,
planet) and translucent shapes placed by the seed, reduced to at most 64 colours so it can be
stored as a small palette PNG. Same (prompt, seed, size, width, height) -> same pixels.
"""

from __future__ import annotations

import hashlib
import re

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageOps

RGB = tuple[int, int, int]
MAX_COLOURS = 64

# (keywords, three gradient stops). The keyword found earliest in the prompt wins.
PALETTES: tuple[tuple[tuple[str, ...], tuple[RGB, RGB, RGB]], ...] = (
    (("sunset", "dawn", "golden hour", "orange"), ((255, 196, 92), (243, 99, 74), (86, 38, 92))),
    (
        ("ocean", "sea", "underwater", "whale", "lake", "river", "rain", "venice", "beach"),
        ((170, 225, 245), (40, 120, 190), (10, 35, 80)),
    ),
    (
        ("forest", "jungle", "tree", "vines", "hills", "lavender", "garden", "elf"),
        ((200, 230, 160), (60, 140, 70), (20, 55, 35)),
    ),
    (
        ("cyberpunk", "neon", "synthwave", "vaporwave", "tokyo"),
        ((255, 60, 200), (90, 30, 160), (20, 230, 240)),
    ),
    (
        ("fire", "flame", "lava", "volcano", "phoenix", "dragon", "hell", "demon"),
        ((255, 220, 90), (230, 70, 30), (60, 10, 10)),
    ),
    (
        ("snow", "frozen", "ice", "winter", "tundra", "crystal"),
        ((250, 252, 255), (190, 215, 235), (110, 140, 180)),
    ),
    (
        ("space", "galaxy", "starry", "night", "moon", "black hole", "saturn", "mars"),
        ((60, 40, 120), (20, 20, 60), (5, 5, 15)),
    ),
    (("desert", "canyon", "sand", "marrakech"), ((250, 225, 170), (215, 150, 90), (130, 70, 40))),
    (
        ("horror", "haunted", "zombie", "eldritch", "creepy", "gothic", "vampire", "dark"),
        ((90, 90, 95), (45, 35, 45), (110, 10, 20)),
    ),
    (
        ("autumn", "fox", "coffee", "chocolate", "ramen", "pancakes", "burger"),
        ((245, 200, 130), (190, 105, 45), (90, 45, 25)),
    ),
    (("gold", "golden", "crown", "queen", "goddess"), ((255, 240, 180), (215, 170, 60), (110, 75, 20))),
    (("pastel", "fairy", "anime", "ghibli", "mermaid"), ((255, 220, 235), (200, 215, 255), (190, 240, 220))),
)
_LANDSCAPE = (
    "mountain",
    "valley",
    "hills",
    "landscape",
    "canyon",
    "desert",
    "tundra",
    "field",
    "volcano",
    "cliff",
    "beach",
    "island",
    "river",
    "lake",
)
_CITY = ("city", "street", "skyline", "town", "market", "megacity", "canal", "tower", "cathedral")
_FIGURE = (
    "portrait",
    "woman",
    "man",
    "girl",
    "knight",
    "elf",
    "warrior",
    "wizard",
    "samurai",
    "queen",
    "goddess",
    "astronaut",
    "captain",
    "hacker",
    "model",
    "android",
    "cyborg",
    "fox",
    "lion",
    "cat",
    "owl",
    "wolf",
    "tiger",
    "dog",
    "puppy",
    "corgi",
    "raccoon",
)
_ORB = ("space", "planet", "moon", "sun", "saturn", "mars", "black hole", "star", "sunset")


def _digest(text: str) -> bytes:
    # hashlib, unlike hash(), is the same in every process.
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).digest()


def _words(prompt: str) -> str:
    """Return the prompt as " word word ... " so keywords match whole words only."""
    return " " + re.sub(r"[^a-z0-9]+", " ", prompt.lower()) + " "


def _find(text: str, key: str) -> int:
    """Return where key (or its plural) first occurs as whole words in text, or -1."""
    hits = [p for p in (text.find(f" {key} "), text.find(f" {key}s ")) if p >= 0]
    return min(hits, default=-1)


def _has(text: str, keys: tuple[str, ...]) -> bool:
    return any(_find(text, k) >= 0 for k in keys)


def _palette(prompt: str) -> tuple[np.ndarray, np.ndarray]:
    """Return (three gradient stops, accent colours) as float arrays of shape (k, 3)."""
    text = _words(prompt)
    found = sorted(
        (pos, i)
        for i, (words, _) in enumerate(PALETTES)
        if (pos := min((p for w in words if (p := _find(text, w)) >= 0), default=-1)) >= 0
    )
    if found:
        stops = np.array(PALETTES[found[0][1]][1], dtype=np.float64)
        second = PALETTES[found[1][1]][1] if len(found) > 1 else PALETTES[found[0][1]][1][::-1]
        return stops, np.array(second, dtype=np.float64)
    # No mood word: a palette hashed from the subject, so each subject still has its own look.
    d = _digest(prompt.lower().split(",")[0])
    hue = d[0] / 255.0
    stops = np.array([_hsv(hue, 0.35, 0.95), _hsv(hue + 0.08, 0.6, 0.7), _hsv(hue + 0.16, 0.75, 0.3)])
    accents = np.array([_hsv(hue + 0.5, 0.7, 0.9), _hsv(hue + 0.4, 0.5, 0.6), (240.0, 240, 230)])
    return stops, accents


def _hsv(h: float, s: float, v: float) -> tuple[float, float, float]:
    h = (h % 1.0) * 6.0
    i, f = int(h), h - int(h)
    p, q, t = v * (1 - s), v * (1 - s * f), v * (1 - s * (1 - f))
    r, g, b = ((v, t, p), (q, v, p), (p, v, t), (p, q, v), (t, p, v), (v, p, q))[i]
    return r * 255.0, g * 255.0, b * 255.0


def _gradient(w: int, h: int, stops: np.ndarray, angle: float) -> np.ndarray:
    """Return an (h, w, 3) uint8 three-stop linear gradient along the given angle."""
    t = np.linspace(0.0, 1.0, h, dtype=np.float32)[:, None] * np.float32(np.cos(angle))
    t = t + np.linspace(0.0, 1.0, w, dtype=np.float32)[None, :] * np.float32(np.sin(angle))
    t -= t.min()
    level = (t * (255.0 / max(float(t.max()), 1e-6))).astype(np.uint8)
    # Interpolating a 256-entry colour table and indexing it beats per-pixel float maths.
    x = np.linspace(0.0, 1.0, 256)
    lut = np.stack([np.interp(x, (0.0, 0.5, 1.0), stops[:, c]) for c in range(3)], axis=1)
    return lut.astype(np.uint8)[level]


def _rgba(c: np.ndarray, alpha: int) -> tuple[int, int, int, int]:
    return int(c[0]), int(c[1]), int(c[2]), alpha


def _motif(
    draw: ImageDraw.ImageDraw,
    text: str,
    w: int,
    h: int,
    rng: np.random.Generator,
    stops: np.ndarray,
    accents: np.ndarray,
) -> None:
    """Draw the subject's silhouette (ridges, skyline, figure) and a sun or planet if named."""
    dark = stops[2] * 0.6
    if _has(text, _LANDSCAPE):
        for layer in range(3):
            base = h * (0.45 + 0.15 * layer)
            xs = np.linspace(0, w, 9)
            ys = base - rng.random(9) * h * 0.3
            pts = [(0, h), *zip(xs.tolist(), ys.tolist(), strict=True), (w, h)]
            # Far ridges fade into the sky colour (aerial perspective), near ones are dark.
            haze = (layer + 1) / 3.0
            shade = stops[1] * (1.0 - haze) + dark * haze
            draw.polygon(pts, fill=_rgba(shade, 230))
    elif _has(text, _CITY):
        x = 0.0
        while x < w:
            bw = w * (0.06 + rng.random() * 0.12)
            top = h * (0.25 + rng.random() * 0.45)
            draw.rectangle((x, top, x + bw, h), fill=_rgba(dark, 235))
            for _ in range(int(rng.integers(2, 7))):
                wx, wy = x + rng.random() * bw * 0.8, top + rng.random() * (h - top) * 0.9
                draw.rectangle((wx, wy, wx + w * 0.015, wy + h * 0.02), fill=_rgba(accents[0], 255))
            x += bw + w * 0.01
    elif _has(text, _FIGURE):
        cx = w * (0.4 + rng.random() * 0.2)
        r = min(w, h) * (0.14 + rng.random() * 0.06)
        top = h * 0.3
        draw.polygon(
            [
                (cx - r * 2.2, h),
                (cx - r * 0.9, top + r * 1.6),
                (cx + r * 0.9, top + r * 1.6),
                (cx + r * 2.2, h),
            ],
            fill=_rgba(accents[1], 235),
        )
        draw.ellipse((cx - r, top - r, cx + r, top + r * 1.2), fill=_rgba(accents[0], 245))
    if _has(text, _ORB):
        cx, cy = w * rng.random(), h * rng.random() * 0.5
        r = min(w, h) * (0.1 + rng.random() * 0.15)
        draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=_rgba(accents[2], 220))


def render_image(
    prompt: str, seed: int, size: int = 128, *, width: int = 512, height: int = 512
) -> Image.Image:
    """Return a deterministic RGB image drawn from the prompt text and seed.

    ``size`` is the long side in pixels; ``width``/``height`` are the nominal generation size
    from the metadata and only set the aspect ratio. Same inputs -> identical pixels.
    """
    if width >= height:
        w, h = size, max(1, round(size * height / width))
    else:
        w, h = max(1, round(size * width / height)), size
    text = _words(prompt)
    d = _digest(prompt)
    rng = np.random.default_rng([int(seed) & 0xFFFFFFFF, int.from_bytes(d[:8], "little")])
    stops, accents = _palette(prompt)
    base = Image.fromarray(_gradient(w, h, stops, rng.uniform(-0.6, 0.6)), "RGB").convert("RGBA")

    layer = Image.new("RGBA", (w, h), (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    colours = np.vstack([accents, stops])
    for _ in range(int(rng.integers(3, 8))):
        c = _rgba(colours[rng.integers(len(colours))], int(rng.integers(60, 170)))
        kind = rng.random()
        x, y = rng.random() * w, rng.random() * h
        r = min(w, h) * (0.05 + rng.random() * 0.25)
        if kind < 0.4:
            draw.ellipse((x - r, y - r, x + r, y + r), fill=c)
        elif kind < 0.75:
            n = int(rng.integers(3, 7))
            ang = np.sort(rng.random(n)) * 2 * np.pi
            pts = list(zip((x + r * np.cos(ang)).tolist(), (y + r * np.sin(ang)).tolist(), strict=True))
            draw.polygon(pts, fill=c)
        else:
            draw.line((x, y, rng.random() * w, rng.random() * h), fill=c, width=max(1, int(r * 0.2)))
    _motif(draw, text, w, h, rng, stops, accents)
    img = Image.alpha_composite(base, layer).convert("RGB")

    # A nod to the medium, so "pixel art" and "pencil sketch" of the same subject differ.
    if _has(text, ("pixel art",)):
        img = img.resize((max(1, w // 8), max(1, h // 8)), Image.Resampling.BILINEAR)
        img = img.resize((w, h), Image.Resampling.NEAREST)
    elif _has(text, ("sketch", "charcoal", "ink drawing", "pencil")):
        img = ImageOps.autocontrast(img.convert("L")).convert("RGB")
    elif _has(text, ("watercolor", "oil painting", "matte painting")):
        img = img.filter(ImageFilter.GaussianBlur(max(1.0, size / 128)))
    # 64 flat colours are hard to tell from the full gradient here, and let the writer store a
    # palette PNG less than half the size.
    return img.quantize(MAX_COLOURS, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE).convert(
        "RGB"
    )
