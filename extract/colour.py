"""Colours as readers meet them, turned into the neutral model's ``#RRGGBB``.

Office files name a cell's fill in three ways: a literal RGB value, a theme
colour (``accent3``, Excel's theme index 6) lightened or darkened by a tint
or shade, or (old Excel) an index into a fixed palette.  A theme colour means
nothing without the document's theme part, so it is resolved here against
that part's colour scheme (DrawingML ``a:clrScheme``, the same in DOCX and
XLSX), and the tint applied as Office applies it: to the luminance in HLS.
PDF fills come as 0-1 components in a gray, RGB or CMYK space.

Only the readers use this module; the normaliser sees hex strings and
classifies them by hue (``normalise/rag.py``), so a tint computed a shade
differently from Word still lands in the same class.
"""

from __future__ import annotations

import colorsys
import re
from collections.abc import Sequence

A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"

#: Scheme slot names in ``a:clrScheme`` order, which is Excel's theme index order except that
#: Excel swaps the first two pairs (index 0 is lt1, 1 dk1, 2 lt2, 3 dk2).
SCHEME = ("dk1", "lt1", "dk2", "lt2", "accent1", "accent2", "accent3", "accent4", "accent5", "accent6",
          "hlink", "folHlink")
EXCEL_THEME_ORDER = ("lt1", "dk1", "lt2", "dk2", "accent1", "accent2", "accent3", "accent4", "accent5",
                     "accent6", "hlink", "folHlink")
#: Word's ``w:themeFill`` names for the scheme slots.
WORD_THEME_NAMES = {"dark1": "dk1", "light1": "lt1", "dark2": "dk2", "light2": "lt2", "text1": "dk1",
                    "background1": "lt1", "text2": "dk2", "background2": "lt2", "hyperlink": "hlink",
                    "followedHyperlink": "folHlink"}
#: Office's default scheme, used when a file has no theme part (python-docx's template has this one).
DEFAULT_SCHEME = {"dk1": "000000", "lt1": "FFFFFF", "dk2": "1F497D", "lt2": "EEECE1", "accent1": "4F81BD",
                  "accent2": "C0504D", "accent3": "9BBB59", "accent4": "8064A2", "accent5": "4BACC6",
                  "accent6": "F79646", "hlink": "0000FF", "folHlink": "800080"}
#: Excel's legacy indexed palette, the entries a plan's fills use (8-63 as Excel 97 defines them).
INDEXED = ("000000 FFFFFF FF0000 00FF00 0000FF FFFF00 FF00FF 00FFFF " * 2 +
           "800000 008000 000080 808000 800080 008080 C0C0C0 808080 9999FF 993366 FFFFCC CCFFFF 660066 "
           "FF8080 0066CC CCCCFF 000080 FF00FF FFFF00 00FFFF 800080 800000 008080 0000FF 00CCFF CCFFFF "
           "CCFFCC FFFF99 99CCFF FF99CC CC99FF FFCC99 3366FF 33CCCC 99CC00 FFCC00 FF9900 FF6600 666699 "
           "969696 003366 339966 003300 333300 993300 993366 333399 333333").split()

_HEX = re.compile(r"^#?(?:[0-9A-Fa-f]{2})?([0-9A-Fa-f]{6})$")


def hex_colour(value: str | None) -> str | None:
    """``#RRGGBB`` from 'RRGGBB', '#rrggbb' or Excel's ARGB 'FFRRGGBB'; None for 'auto' or junk."""
    if not value:
        return None
    m = _HEX.match(value.strip())
    return f"#{m.group(1).upper()}" if m else None


def visible_fill(value: str | None) -> str | None:
    """A fill worth keeping: white (the page showing through) is no fill."""
    value = hex_colour(value)
    return None if value in (None, "#FFFFFF") else value


def theme_scheme(xml: bytes | str | None) -> dict[str, str]:
    """Slot name -> 'RRGGBB' from a theme part (``a:theme``); Office's default when absent or unreadable."""
    if not xml:
        return dict(DEFAULT_SCHEME)
    try:
        from lxml import etree

        root = etree.fromstring(xml.encode() if isinstance(xml, str) else xml,
                                parser=etree.XMLParser(resolve_entities=False, no_network=True))
    except Exception:  # a damaged theme part costs the theme colours, not the document
        return dict(DEFAULT_SCHEME)
    scheme = dict(DEFAULT_SCHEME)
    found = root.find(f".//{A}clrScheme")
    if found is None:
        return scheme
    for slot in SCHEME:
        el = found.find(f"{A}{slot}")
        if el is None or not len(el):
            continue
        clr = el[0]
        value = clr.get("val") if clr.tag == f"{A}srgbClr" else clr.get("lastClr")
        if value and hex_colour(value):
            scheme[slot] = hex_colour(value)[1:]  # type: ignore[index]
    return scheme


def tinted(rgb: str, tint: float) -> str:
    """Office's tint on luminance in HLS: ``tint`` > 0 lightens toward white, < 0 darkens (-1..1)."""
    r, g, b = (int(rgb[i:i + 2], 16) / 255 for i in (0, 2, 4))
    h, lum, s = colorsys.rgb_to_hls(r, g, b)
    lum = lum * (1 + tint) if tint < 0 else lum * (1 - tint) + tint
    r, g, b = colorsys.hls_to_rgb(h, min(max(lum, 0.0), 1.0), s)
    return "".join(f"{round(v * 255):02X}" for v in (r, g, b))


def word_theme_fill(scheme: dict[str, str], name: str | None, tint: str | None, shade: str | None) -> str | None:
    """Word's ``w:themeFill`` with ``w:themeFillTint``/``w:themeFillShade`` (hex bytes 00-FF) as ``#RRGGBB``."""
    if not name:
        return None
    rgb = scheme.get(WORD_THEME_NAMES.get(name, name))
    if rgb is None:
        return None
    try:
        if tint:  # tint FF keeps the colour, 00 is white: L' = L * t + (1 - t)
            rgb = tinted(rgb, 1 - int(tint, 16) / 255)
        if shade:  # shade FF keeps the colour, 00 is black: L' = L * s
            rgb = tinted(rgb, int(shade, 16) / 255 - 1)
    except ValueError:
        pass
    return f"#{rgb}"


def excel_colour(colour, scheme: dict[str, str]) -> str | None:
    """An openpyxl ``Color`` (rgb, theme index with tint, or indexed) as ``#RRGGBB``."""
    if colour is None:
        return None
    kind = getattr(colour, "type", None)
    if kind == "rgb" and isinstance(colour.rgb, str):
        return hex_colour(colour.rgb)
    if kind == "theme" and isinstance(colour.theme, int) and 0 <= colour.theme < len(EXCEL_THEME_ORDER):
        rgb = scheme.get(EXCEL_THEME_ORDER[colour.theme])
        if rgb is None:
            return None
        tint = float(colour.tint or 0)
        return f"#{tinted(rgb, tint) if tint else rgb}"
    if kind == "indexed" and isinstance(colour.indexed, int) and 0 <= colour.indexed < len(INDEXED):
        return f"#{INDEXED[colour.indexed]}"
    return None


def pdf_colour(components: Sequence[float] | None) -> str | None:
    """A PDF fill colour (gray, RGB or CMYK components in 0-1) as ``#RRGGBB``; None for patterns."""
    if components is None:
        return None
    try:
        vals = [float(v) for v in components]
    except (TypeError, ValueError):
        return None
    if len(vals) == 1:
        vals = vals * 3
    elif len(vals) == 4:
        c, m, y, k = vals
        vals = [(1 - c) * (1 - k), (1 - m) * (1 - k), (1 - y) * (1 - k)]
    if len(vals) != 3 or not all(0.0 <= v <= 1.0 for v in vals):
        return None
    return "#" + "".join(f"{round(v * 255):02X}" for v in vals)
