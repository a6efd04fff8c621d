"""The floor: a bare python-calamine read of every sheet of every workbook in a folder.

No checks, no parsing, nothing kept: the least any reader of these files can do.
`floor.py INBOX [PROCESSES]`; with 2 processes the files are shared out as a pool does.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import sys

from python_calamine import CalamineWorkbook


def read(path: str) -> int:
    book = CalamineWorkbook.from_path(path)
    return sum(len(book.get_sheet_by_name(name).to_python()) for name in book.sheet_names)


def main() -> None:
    inbox = sys.argv[1]
    processes = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    paths = sorted(os.path.join(d, f) for d, _, files in os.walk(inbox) for f in files if f.endswith(".xlsx"))
    if processes > 1:
        with mp.get_context("fork").Pool(processes) as pool:
            rows = sum(pool.imap_unordered(read, paths, chunksize=32))
    else:
        rows = sum(map(read, paths))
    print(f"{len(paths)} tệp, {rows} dòng")


if __name__ == "__main__":
    main()
