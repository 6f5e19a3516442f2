"""Build the corpus of bad and hostile inputs a batch import must survive.

Each file is small and made here from scratch or from a fixture, so the corpus
is reproducible; the outputs are committed and tests need none of these tools.

    python tests/bad/build.py        # needs pypdf and Pillow (pip install pypdf pillow)
"""

from __future__ import annotations

import io
import shutil
import sys
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
FIXTURES = ROOT / "fixtures"


def zero_byte() -> None:
    (HERE / "zero-byte.pdf").write_bytes(b"")


def truncated_pdf() -> None:
    data = (FIXTURES / "shropshire-2016-18.pdf").read_bytes()
    (HERE / "truncated.pdf").write_bytes(data[: len(data) // 3])


def html_named_pdf() -> None:
    (HERE / "really-html.pdf").write_text("<!doctype html><html><body><h1>Not found</h1></body></html>\n")


def encrypted_pdf() -> None:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    for page in PdfReader(str(FIXTURES / "shropshire-2016-18.pdf")).pages:
        writer.add_page(page)
    writer.encrypt(user_password="secret", owner_password="owner-secret")
    with open(HERE / "encrypted.pdf", "wb") as fh:
        writer.write(fh)


def scanned_pdf() -> None:
    """A page that is only a picture: no text layer."""
    from PIL import Image, ImageDraw

    img = Image.new("L", (850, 1100), 255)
    draw = ImageDraw.Draw(img)
    for y in range(100, 1000, 40):
        draw.rectangle([80, y, 770, y + 12], fill=0)
    img.save(HERE / "scanned.pdf", "PDF", resolution=100.0)


def looping_pdf() -> None:
    """A form XObject that draws itself, and a deeply nested array: content that never ends."""
    nested = "[" * 5000 + "]" * 5000
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        "/Resources << /XObject << /X1 5 0 R >> >> >>",
        None,  # page content, a stream
        None,  # the self-referencing form
        f"<< /Deep {nested} >>",
    ]
    page_content = b"q /X1 Do Q"
    form_content = b"BT /F1 12 Tf 72 720 Td (loop) Tj ET q /X1 Do Q"
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        if i == 4:
            out.write(f"{i} 0 obj\n<< /Length {len(page_content)} >>\nstream\n".encode() + page_content
                      + b"\nendstream\nendobj\n")
        elif i == 5:
            head = (f"{i} 0 obj\n<< /Type /XObject /Subtype /Form /BBox [0 0 612 792] "
                    f"/Resources << /XObject << /X1 5 0 R >> >> /Length {len(form_content)} >>\nstream\n")
            out.write(head.encode() + form_content + b"\nendstream\nendobj\n")
        else:
            out.write(f"{i} 0 obj\n{body}\nendobj\n".encode())
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    for off in offsets:
        out.write(f"{off:010d} 00000 n \n".encode())
    out.write(f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode())
    (HERE / "looping.pdf").write_bytes(out.getvalue())


def _rezip(src: Path, dst: Path, replace: dict[str, bytes]) -> None:
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = replace.get(item.filename, zin.read(item.filename))
            zout.writestr(item.filename, data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=9)


def zip_bomb_docx() -> None:
    """A small DOCX whose document part unpacks to 1 GiB."""
    src = FIXTURES / "shropshire-2016-18.docx"
    dst = HERE / "zip-bomb.docx"
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            if item.filename == "word/document.xml":
                info = zipfile.ZipInfo("word/document.xml")
                info.compress_type = zipfile.ZIP_DEFLATED
                with zout.open(info, "w", force_zip64=True) as fh:
                    chunk = b" " * (1 << 20)
                    for _ in range(1024):
                        fh.write(chunk)
            else:
                zout.writestr(item, zin.read(item.filename))


def xxe_docx() -> None:
    """A DOCX whose document part declares an external entity reading a local file."""
    src = FIXTURES / "shropshire-2016-18.docx"
    with zipfile.ZipFile(src) as z:
        xml = z.read("word/document.xml").decode("utf-8")
    head, _, rest = xml.partition("?>")
    doctype = '<!DOCTYPE w:document [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    xml = head + "?>" + doctype + rest.replace("Training sub group", "&xxe;", 1)
    _rezip(src, HERE / "xxe.docx", {"word/document.xml": xml.encode("utf-8")})


def huge_table_docx() -> None:
    """A DOCX with one action table of 10,000 rows: big, but legitimate."""
    import docx

    doc = docx.Document()
    doc.add_heading("Bigtown Safeguarding Children Board Business Plan April 2015 to March 2016", 0)
    table = doc.add_table(rows=1, cols=4)
    for cell, text in zip(table.rows[0].cells, ["Ref", "Action", "Lead", "Timescale"], strict=True):
        cell.text = text
    for i in range(1, 10_001):
        row = table.add_row().cells
        row[0].text, row[1].text = f"{i // 100}.{i % 100}", f"Action number {i} to audit neglect cases"
        row[2].text, row[3].text = "QA sub-group", "April 2015 – March 2016"
    doc.save(HERE / "table-10000-rows.docx")


def broken_doc() -> None:
    (HERE / "not-word.doc").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(range(256)) * 8)


def latin1_text() -> None:
    (HERE / "latin1.txt").write_bytes("Caf\xe9 Safeguarding Children Board\n\nPriorit\xe9 1: Neglect\n"
                                      .encode("latin-1"))


def unicode_name() -> None:
    shutil.copy(FIXTURES / "shropshire-2016-18.docx", HERE / "plan with spaces – Ünïcode.docx")


BUILDERS = [zero_byte, truncated_pdf, html_named_pdf, encrypted_pdf, scanned_pdf, looping_pdf, zip_bomb_docx,
            xxe_docx, huge_table_docx, broken_doc, latin1_text, unicode_name]


def main() -> int:
    for build in BUILDERS:
        build()
        print(f"built by {build.__name__}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
