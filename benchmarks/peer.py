"""The peer: the loop an office IT person writes to total the returns with pandas.

Read each workbook's score sheet with pandas (openpyxl engine), find the header row and the
score column, add up the criterion rows (deductions subtracted), rank, write one xlsx.
`peer.py INBOX OUT.xlsx`
"""

from __future__ import annotations

import glob
import os
import sys

import pandas as pd


def main() -> None:
    inbox, out = sys.argv[1], sys.argv[2]
    rows = []
    for path in sorted(glob.glob(os.path.join(inbox, "**", "*.xlsx"), recursive=True)):
        df = pd.read_excel(path, sheet_name="Tự chấm điểm", header=None, engine="openpyxl")
        hits = df.isin(["Điểm tự chấm"])
        head = int(hits.any(axis=1).to_numpy().argmax())
        col = int(hits.iloc[head].to_numpy().argmax())
        body = df.iloc[head + 1 :]
        codes = body[0].astype(str).str.strip()
        leaf = codes.str.count(r"\.") >= 1  # 1.1, 2.3 … (sections are 1, 2 …)
        minus = codes.str.startswith("7.")  # the 'Điểm trừ' section of this bloc
        scores = pd.to_numeric(body[col].astype(str).str.replace(",", "."), errors="coerce").fillna(0)
        total = scores[leaf & ~minus].sum() - scores[leaf & minus].sum()
        unit = str(df.iloc[4, 0]).replace("Đơn vị:", "").strip()
        rows.append({"Tệp": os.path.basename(path), "Đơn vị": unit, "Tổng điểm": total})
    result = pd.DataFrame(rows).sort_values("Tổng điểm", ascending=False)
    result.insert(0, "Hạng", result["Tổng điểm"].rank(method="min", ascending=False).astype(int))
    result.to_excel(out, index=False, sheet_name="Xếp hạng")
    print(f"{len(rows)} tệp")


if __name__ == "__main__":
    main()
