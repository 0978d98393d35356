"""Reads the QR codes of a PDF's first page back, as a phone's camera would: the page rendered
to pixels by poppler's pdftoppm (150 dpi, grey), then decoded by ZXing (zxing-cpp). Prints each
code's text on a line of its own; exits 1 when the page has none.

    python qr_decode.py FILE.pdf

Used by the end-to-end tests (receipts and permit cards) through the local stack's venv.
"""

import pathlib
import subprocess
import sys
import tempfile

import zxingcpp
from PIL import Image


def decode(pdf: pathlib.Path) -> list[str]:
    with tempfile.TemporaryDirectory() as scratch:
        prefix = pathlib.Path(scratch) / "page"
        subprocess.run(
            ["pdftoppm", "-f", "1", "-l", "1", "-r", "150", "-gray", "-png", str(pdf), str(prefix)],
            check=True,
        )
        (page,) = pathlib.Path(scratch).glob("page*.png")
        with Image.open(page) as image:
            return [
                result.text
                for result in zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)
            ]


def main() -> int:
    texts = decode(pathlib.Path(sys.argv[1]))
    for text in texts:
        print(text)
    return 0 if texts else 1


if __name__ == "__main__":
    sys.exit(main())
