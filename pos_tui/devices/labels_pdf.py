"""Shelf labels on A4 sheets, as a PDF (reportlab): a grid of labels, each with the product's
name, its price large, the unit price, the price date and a barcode.

The grid (columns, rows, label size, margins, gaps) comes from ``[labels]`` in
``config/devices.toml`` and/or CLI options (:class:`SheetLayout`); the default fits the
common 3 × 7 sheet of 63.5 × 38.1 mm labels (Avery L7160 and its clones), which leaves the
margins every office printer can print to.

Barcodes are drawn with reportlab's own widgets (``reportlab.graphics.barcode``): an
EAN-13 with its digits, or a Code 128 of the product code (see :mod:`pos_tui.core.catalog.shelf_labels`
for which). Text uses a TrueType font with the Turkish letters (reportlab's built-in
Helvetica has no ş, ğ or ı): the configured ``font``, else Bitstream Vera (shipped inside
reportlab), else DejaVu Sans from the system. Geometry is in points and millimetres as
floats: it is drawing, not money.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import IO, Any

from reportlab import rl_config
from reportlab.graphics.barcode import code128, eanbc
from reportlab.graphics.shapes import Group, Rect, String
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFError, TTFont
from reportlab.pdfgen.canvas import Canvas

from pos_tui.core.catalog import LabelText, ShelfLabel, label_text
from pos_tui.core.kernel import ValidationError
from pos_tui.i18n import _

TURKISH_LETTERS = "çğıİöşüÇĞÖŞÜ"
PAGE_WIDTH_MM = A4[0] / mm
PAGE_HEIGHT_MM = A4[1] / mm
_REPORTLAB_FONTS = Path(pdfmetrics.__file__).resolve().parent.parent / "fonts"
FONT_CANDIDATES: tuple[tuple[Path, Path], ...] = (
    (_REPORTLAB_FONTS / "Vera.ttf", _REPORTLAB_FONTS / "VeraBd.ttf"),
    *(
        (Path(d) / "DejaVuSans.ttf", Path(d) / "DejaVuSans-Bold.ttf")
        for d in (
            "/usr/share/fonts/truetype/dejavu",
            "/usr/share/fonts/dejavu",
            "/usr/share/fonts/TTF",
            "/usr/local/share/fonts",
            "/Library/Fonts",
        )
    ),
)


@dataclass(frozen=True, slots=True)
class SheetLayout:
    """An A4 label sheet: ``columns`` × ``rows`` labels of ``label_width`` × ``label_height`` mm,
    the first one ``margin_left``/``margin_top`` mm from the page's top-left corner, ``gap_x``/``gap_y``
    mm between labels. ``font``/``bold_font``: TrueType files (None: the built-in search).
    ``border``: draw each label's outline (for plain paper cut by hand)."""

    columns: int = 3
    rows: int = 7
    label_width: float = 63.5
    label_height: float = 38.1
    margin_left: float = 7.2
    margin_top: float = 15.15
    gap_x: float = 2.5
    gap_y: float = 0.0
    border: bool = False
    font: Path | None = None
    bold_font: Path | None = None

    @property
    def per_sheet(self) -> int:
        return self.columns * self.rows

    @classmethod
    def parse(cls, section: Mapping[str, Any] | None, where: str = "devices.toml [labels]") -> SheetLayout:
        """A layout from a config section (keys as the field names; unknown keys are errors)."""
        if not section:
            return cls()
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(section) - known)
        if unknown:
            raise ValidationError(_("{where}: unknown key {key}").format(where=where, key=", ".join(unknown)))
        return cls().with_options(where=where, **dict(section))

    def with_options(self, *, where: str = "labels", **options: Any) -> SheetLayout:
        """This layout with the given values (None leaves a value as it is), checked."""
        values: dict[str, Any] = {}
        for name, value in options.items():
            if value is None:
                continue
            current = getattr(self, name)
            key = f"{where}.{name}" if where.endswith("]") else name
            if name in ("font", "bold_font"):
                values[name] = Path(str(value)).expanduser()
            elif name == "border":
                if not isinstance(value, bool):
                    raise ValidationError(_("{key}: must be true or false").format(key=key))
                values[name] = value
            elif isinstance(current, int):
                if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 40:
                    raise ValidationError(
                        _("{key}: must be a whole number from 1 to 40, not {value}").format(key=key, value=value)
                    )
                values[name] = value
            else:
                if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
                    raise ValidationError(
                        _("{key}: must be a number of millimetres, not {value}").format(key=key, value=value)
                    )
                values[name] = float(value)
        layout = replace(self, **values)
        layout.check(where)
        return layout

    def check(self, where: str = "labels") -> None:
        """The grid must fit on an A4 page and labels be big enough to hold a barcode."""
        if self.label_width < 30 or self.label_height < 20:
            raise ValidationError(
                _("{where}: a label must be at least 30 × 20 mm to carry a readable barcode, not {w} × {h}").format(
                    where=where, w=f"{self.label_width:g}", h=f"{self.label_height:g}"
                )
            )
        width = self.margin_left + self.columns * self.label_width + (self.columns - 1) * self.gap_x
        height = self.margin_top + self.rows * self.label_height + (self.rows - 1) * self.gap_y
        if width > PAGE_WIDTH_MM + 0.01 or height > PAGE_HEIGHT_MM + 0.01:
            raise ValidationError(
                _("{where}: {columns} × {rows} labels need {w} × {h} mm, more than an A4 page (210 × 297 mm)").format(
                    where=where, columns=self.columns, rows=self.rows, w=f"{width:.1f}", h=f"{height:.1f}"
                )
            )

    def cell(self, index: int) -> tuple[float, float]:
        """The bottom-left corner (points, PDF origin at the page's bottom-left) of the
        ``index``-th label of a sheet, filled row by row from the top-left."""
        row, column = divmod(index, self.columns)
        x = (self.margin_left + column * (self.label_width + self.gap_x)) * mm
        top = (self.margin_top + row * (self.label_height + self.gap_y)) * mm
        return x, A4[1] - top - self.label_height * mm


def _covers_turkish(font: TTFont) -> bool:
    glyphs = font.face.charToGlyph
    return all(ord(ch) in glyphs for ch in TURKISH_LETTERS)


def _register(name: str, path: Path) -> str:
    """Register ``path`` under ``name`` (once per process); refuse a font without Turkish letters."""
    try:
        pdfmetrics.getFont(name)
        return name
    except KeyError:
        pass
    try:
        font = TTFont(name, str(path))
    except (OSError, TTFError) as exc:
        raise ValidationError(_("Cannot read the font {path}: {error}").format(path=path, error=exc)) from exc
    if not _covers_turkish(font):
        raise ValidationError(
            _(
                "The font {path} has no Turkish letters (ş, ğ, ı); choose a TrueType font that has them, "
                "such as DejaVu Sans"
            ).format(path=path)
        )
    pdfmetrics.registerFont(font)
    return name


def label_fonts(layout: SheetLayout) -> tuple[str, str]:
    """The registered (regular, bold) font names for ``layout``.

    A configured font must exist and have the Turkish letters; otherwise the first pair of
    :data:`FONT_CANDIDATES` that exists is used. No usable font is an error that says what
    to configure, never a PDF with blank boxes for ş and ğ.
    """
    if layout.font is not None:
        bold = layout.bold_font or layout.font
        for path in (layout.font, bold):
            if not path.is_file():
                raise ValidationError(_("labels font: no font file at {path}").format(path=path))
        key = hashlib.sha1(f"{os.path.abspath(layout.font)}|{os.path.abspath(bold)}".encode()).hexdigest()[:8]
        return _register(f"PosLabel-{key}", layout.font), _register(f"PosLabelBold-{key}", bold)
    for regular, bold in FONT_CANDIDATES:
        if regular.is_file() and bold.is_file():
            stem = regular.stem
            return _register(f"PosLabel-{stem}", regular), _register(f"PosLabelBold-{stem}", bold)
    raise ValidationError(
        _(
            'No TrueType font with Turkish letters was found; set font = "/path/to/DejaVuSans.ttf" in '
            "[labels] of devices.toml"
        )
    )


def _fit(text: str, font: str, size: float, smallest: float, width: float) -> tuple[str, float]:
    """``text`` at the largest size from ``size`` down to ``smallest`` that fits ``width``; cut
    with an ellipsis if even ``smallest`` is too wide."""
    while size > smallest and pdfmetrics.stringWidth(text, font, size) > width:
        size -= 0.5
    if pdfmetrics.stringWidth(text, font, size) <= width:
        return text, size
    while text and pdfmetrics.stringWidth(text + "…", font, size) > width:
        text = text[:-1]
    return text.rstrip() + "…", size


def _name_lines(name: str, font: str, size: float, width: float, max_lines: int = 2) -> list[str]:
    lines = simpleSplit(name, font, size, width)
    if len(lines) <= max_lines:
        return lines
    rest = " ".join(lines[max_lines - 1 :])
    return [*lines[: max_lines - 1], _fit(rest + " ", font, size, size, width)[0]]


class LabelSheetWriter:
    """Draws labels onto a reportlab canvas, sheet after sheet (one object per PDF)."""

    def __init__(self, canvas: Canvas, layout: SheetLayout, *, language: str = "tr", barcodes: bool = True) -> None:
        self.canvas = canvas
        self.layout = layout
        self.language = language
        self.barcodes = barcodes
        self.regular, self.bold = label_fonts(layout)

    def draw(self, label: ShelfLabel, x: float, y: float) -> None:
        """One label with its bottom-left corner at (``x``, ``y``) points."""
        c, layout = self.canvas, self.layout
        width, height = layout.label_width * mm, layout.label_height * mm
        pad = 2 * mm
        inner = width - 2 * pad
        text = label_text(label, self.language)
        if layout.border:
            c.setLineWidth(0.3)
            c.rect(x, y, width, height)

        top = y + height - pad
        name_size = 9.0
        max_lines = 2 if layout.label_height >= 30 else 1  # a small label keeps its height for the barcode
        lines = _name_lines(text.name, self.bold, name_size, inner, max_lines)
        c.setFont(self.bold, name_size)
        for i, line in enumerate(lines):
            c.drawString(x + pad, top - name_size - i * (name_size + 1), line)
        top -= max_lines * (name_size + 1) + 3

        baseline = self._prices(text, x + pad, top, inner, height)
        bottom_top = baseline - 4

        code_right = x + pad
        if self.barcodes and label.barcode is not None:
            code_right = self._barcode(label, x + pad, y + pad, bottom_top - (y + pad), inner * 0.62)
        info_x = code_right + 2 * mm
        info_width = x + width - pad - info_x
        small = 6.5
        info = [text.net, text.unit_price_caption, text.date, text.code]
        line_y = bottom_top - small
        for item in info:
            if not item or line_y < y + pad / 2:  # what does not fit is left off (the code goes first)
                continue
            fitted, size = _fit(item, self.regular, small, 5.0, info_width)
            c.setFont(self.regular, size)
            c.drawString(info_x, line_y, fitted)
            line_y -= small + 1.5

    def _prices(self, text: LabelText, x: float, top: float, width: float, height: float) -> float:
        """The price row below ``top``; returns its baseline.

        A packaged product with a unit price gets both prices side by side at the **same size**
        (the regulation asks for the sale and unit prices in the same size and colour);
        otherwise the price alone, as large as fits, with its "/ kg" for loose goods.
        """
        c = self.canvas
        per_size = 8.0
        columns = [(text.price, text.per)]
        if text.unit_price_amount:
            columns.append((text.unit_price_amount, text.unit_price_per))
        gap = 3 * mm
        column_width = (width - gap * (len(columns) - 1)) / len(columns)
        size = min(22.0, height * 0.22)
        fitted = []
        for amount, per in columns:
            per_width = pdfmetrics.stringWidth(" " + per, self.regular, per_size) if per else 0.0
            fitted.append(_fit(amount, self.bold, size, 8.0, column_width - per_width))
        size = min(s for _, s in fitted)
        baseline = top - size * 0.8
        for i, ((_amount, per), (shown, _size)) in enumerate(zip(columns, fitted, strict=True)):
            left = x + i * (column_width + gap)
            c.setFont(self.bold, size)
            c.drawString(left, baseline, shown)
            if per:
                c.setFont(self.regular, per_size)
                c.drawString(left + pdfmetrics.stringWidth(shown, self.bold, size) + 2, baseline, per)
        return baseline

    def _barcode(self, label: ShelfLabel, x: float, y: float, height: float, width: float) -> float:
        """Draw ``label``'s barcode in the box; returns its right edge."""
        assert label.barcode is not None
        bar_height = max(8.0, min(height - 9, 12 * mm))
        if label.symbology == "EAN13":
            widget = eanbc.Ean13BarcodeWidget(label.barcode[:12])
            widget.barWidth = min(0.33 * mm, width / (95 + 9 + 9))  # bars and reportlab's quiet zones
            widget.barHeight = bar_height
            widget.fontSize = 7
            widget.fontName = self.regular
            widget.x, widget.y = x + 7 * widget.barWidth, y
            return self._shapes(widget.draw())
        bar_width = 0.75
        symbol = code128.Code128(label.barcode, barWidth=bar_width, barHeight=bar_height, quiet=1, humanReadable=0)
        if symbol.width > width:
            bar_width = max(0.6, bar_width * width / symbol.width)
            symbol = code128.Code128(label.barcode, barWidth=bar_width, barHeight=bar_height, quiet=1, humanReadable=0)
        symbol.drawOn(self.canvas, x, y + 7)
        self.canvas.setFont(self.regular, 7)
        self.canvas.drawCentredString(x + symbol.width / 2, y, label.barcode)
        return x + symbol.width

    def _shapes(self, group: Group) -> float:
        """Put the bars and digits of a barcode widget's drawing on the canvas; its right edge.

        ``renderPDF.draw`` would do the same through a generic renderer that costs ~15 ms per
        barcode (state tracking per shape); bars are filled rectangles and digits strings, so
        one path of rectangles and a few ``drawString`` calls render it exactly, ~10× faster.
        """
        c = self.canvas
        bars = c.beginPath()
        right = 0.0
        for shape in group.contents:
            if isinstance(shape, Rect):
                if shape.fillColor is not None:
                    bars.rect(shape.x, shape.y, shape.width, shape.height)
                    right = max(right, shape.x + shape.width)
            elif isinstance(shape, String):
                c.setFont(shape.fontName, shape.fontSize)
                draw = c.drawCentredString if shape.textAnchor == "middle" else c.drawString
                draw(shape.x, shape.y, shape.text)
        c.drawPath(bars, stroke=0, fill=1)
        return right

    def write(self, labels: Sequence[ShelfLabel], *, skip: int = 0) -> int:
        """Draw every label, starting ``skip`` cells into the first sheet (a partly used sheet);
        returns the number of pages."""
        per_sheet = self.layout.per_sheet
        if not 0 <= skip < per_sheet:
            raise ValidationError(_("skip must be between 0 and {n} (the labels on one sheet)").format(n=per_sheet - 1))
        pages = 0
        for index, label in enumerate(labels, start=skip):
            slot = index % per_sheet
            if slot == 0 and index > skip:
                self.canvas.showPage()
            if index == skip or slot == 0:
                pages += 1
            self.draw(label, *self.layout.cell(slot))
        self.canvas.showPage()
        return pages


def write_pdf(
    labels: Sequence[ShelfLabel],
    target: Path | IO[bytes],
    layout: SheetLayout | None = None,
    *,
    language: str = "tr",
    barcodes: bool = True,
    skip: int = 0,
    title: str = "Shelf labels",
) -> int:
    """Write ``labels`` as an A4 PDF to ``target`` (a path or a binary file); the page count.

    ``barcodes=False`` draws the same sheets without barcodes (the benchmark's baseline).
    The output is reproducible (reportlab's invariant mode): the same labels give the same bytes.
    """
    if not labels:
        raise ValidationError(_("No labels to print"))
    layout = layout or SheetLayout()
    layout.check()
    canvas = Canvas(str(target) if isinstance(target, str | Path) else target, pagesize=A4, invariant=1)
    canvas.setTitle(title)
    canvas.setCreator("pos_tui")
    writer = LabelSheetWriter(canvas, layout, language=language, barcodes=barcodes)
    with _unchecked_shapes():
        pages = writer.write(labels, skip=skip)
    canvas.save()
    return pages


@contextmanager
def _unchecked_shapes() -> Iterator[None]:
    """Skip reportlab's per-attribute validation of shapes while drawing barcodes.

    Every bar of a widget's drawing is a validated ``Rect``: the checks cost 80 % of a
    barcode's time (5 ms → 1 ms without them), and our widgets get only values we made. The
    switch is reportlab's own (``rl_config.shapeChecking``) and is restored afterwards.
    """
    before = rl_config.shapeChecking
    rl_config.shapeChecking = 0
    try:
        yield
    finally:
        rl_config.shapeChecking = before


__all__ = ["FONT_CANDIDATES", "LabelSheetWriter", "SheetLayout", "label_fonts", "write_pdf"]
