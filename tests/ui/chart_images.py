"""Reference images for the chart tests: compare a rendered PNG with the stored one.

    AISER_UPDATE_REFERENCES=1 pytest tests/ui/test_chart_render.py

writes the references again (look at them before committing: they are what "right" means).
The comparison forgives anti-aliasing and font hinting, not a missing series: it fails when
more than ``tolerance`` of the pixels differ by more than a quarter of the colour range.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
from PySide6.QtGui import QImage

REFERENCES = Path(__file__).resolve().parents[1] / "data" / "charts"


def pixels(image: QImage) -> np.ndarray:
    """The image as an (height, width, 4) uint8 array (BGRA)."""
    image = image.convertToFormat(QImage.Format.Format_ARGB32)
    width, height = image.width(), image.height()
    data = np.frombuffer(image.constBits(), dtype=np.uint8, count=image.sizeInBytes())
    return data.reshape(height, image.bytesPerLine())[:, : width * 4].reshape(height, width, 4)


def difference(a: QImage, b: QImage) -> float:
    """The share of pixels whose colour differs by more than 64 (of 255) in some channel."""
    if a.size() != b.size():
        return 1.0
    diff = np.abs(pixels(a).astype(np.int16) - pixels(b).astype(np.int16)).max(axis=2)
    return float((diff > 64).mean())


def check(image: QImage, name: str, tolerance: float = 0.01) -> None:
    """Asserts ``image`` looks like the stored reference ``name``.png (or stores it)."""
    path = REFERENCES / f"{name}.png"
    if os.environ.get("AISER_UPDATE_REFERENCES") == "1" or not path.exists():
        REFERENCES.mkdir(parents=True, exist_ok=True)
        assert image.save(str(path), "PNG"), f"cannot write {path}"
        if os.environ.get("AISER_UPDATE_REFERENCES") != "1":
            raise AssertionError(f"no reference for {name}: stored one, look at {path}")
        return
    reference = QImage(str(path))
    share = difference(image, reference)
    if share > tolerance:
        failed = path.with_name(f"{name}.actual.png")
        image.save(str(failed), "PNG")
        raise AssertionError(
            f"{name}: {share:.1%} of the pixels differ from the reference (at most "
            f"{tolerance:.1%}); see {failed}"
        )


def colour_share(image: QImage, hex_colour: str, tolerance: int = 24) -> float:
    """The share of pixels within ``tolerance`` of ``hex_colour``."""
    colour = hex_colour.lstrip("#")
    r, g, b = (int(colour[i : i + 2], 16) for i in (0, 2, 4))
    bgra = pixels(image).astype(np.int16)
    near = (
        (np.abs(bgra[..., 2] - r) <= tolerance)
        & (np.abs(bgra[..., 1] - g) <= tolerance)
        & (np.abs(bgra[..., 0] - b) <= tolerance)
    )
    return float(near.mean())
