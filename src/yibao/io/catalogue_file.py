"""The one reader of catalogue files (医保目录文件): CSV in UTF-8 or GBK/GB18030, or XLSX.

Excel on Chinese Windows saves CSV in GBK; GB18030 is its superset, so undeclared text that
is not UTF-8 is read as GB18030. ``encoding`` overrides the detection. An XLSX workbook is
read from its first sheet, row numbers as Excel shows them. Either way the rows go through
the one strict catalogue parser (:func:`yibao.policy.catalogue.parse_catalogue_csv`), so an
error names the file, the row, the column and the value.
"""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path
from types import MappingProxyType

from yibao.errors import InputError
from yibao.policy.catalogue import Catalogue, parse_catalogue_csv

DETECTED = ("utf-8-sig", "gb18030")


def decode_text(data: bytes, source: str, encoding: str | None = None) -> str:
    """``data`` as text: in ``encoding``, else UTF-8 (with or without BOM), else GB18030.

    >>> decode_text("编码".encode("gbk"), "f.csv")
    '编码'
    >>> decode_text(b"\\xef\\xbb\\xbfcode", "f.csv")
    'code'
    """
    tried = (encoding,) if encoding else DETECTED
    for name in tried:
        try:
            return data.decode(name)
        except LookupError:
            raise InputError(f"--encoding: unknown encoding {name!r}") from None
        except UnicodeDecodeError as e:
            last = e
    raise InputError(
        f"{source}: not {' or '.join(tried)} text (byte 0x{data[last.start]:02x} at offset "
        f"{last.start}); save it as UTF-8 or give --encoding"
    )


def _cell(value: object) -> str:
    """An Excel cell as catalogue text (whole floats without ``.0``)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def xlsx_text(path: Path) -> str:
    """The first sheet of an XLSX workbook as CSV text (one line per sheet row)."""
    try:
        from openpyxl import load_workbook
    except ImportError:  # pragma: no cover - a dependency, absent only in odd installs
        raise InputError(f"{path}: reading .xlsx needs openpyxl (pip install openpyxl)") from None
    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except (OSError, zipfile.BadZipFile, KeyError, ValueError) as e:
        raise InputError(f"{path}: not a readable .xlsx workbook ({e})") from None
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    width = 0
    try:
        for row in book.worksheets[0].iter_rows(values_only=True):
            cells = [_cell(v) for v in row]
            while len(cells) > max(width, 1) and not cells[-1].strip():
                cells.pop()  # formatted but empty cells right of the table
            width = width or (len(cells) if any(c.strip() for c in cells) else 0)
            writer.writerow(cells)
    finally:
        book.close()
    return out.getvalue()


def read_catalogue_file(
    path: Path, region: str, name: str | None = None, encoding: str | None = None
) -> Catalogue:
    """A catalogue from a CSV or XLSX file, strictly checked."""
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        text = xlsx_text(path)
    else:
        try:
            data = path.read_bytes()
        except OSError as e:
            raise InputError(f"{path}: cannot read catalogue: {e.strerror}") from None
        text = decode_text(data, str(path), encoding)
    items = parse_catalogue_csv(text, str(path), national=True)
    if not items:
        raise InputError(f"{path}: no catalogue rows")
    return Catalogue(region, name or path.stem, path.name, MappingProxyType(items))
