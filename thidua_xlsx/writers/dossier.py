"""The dossier for the council (hồ sơ, PRODUCT.md §11): the minutes of the review meeting, the
submission of the proposals and the draft year-end report, as Word documents written from the
final report, each atomically, into their own folder."""

from __future__ import annotations

from pathlib import Path

from thidua_xlsx.core.errors import ThiduaError
from thidua_xlsx.core.report import Report
from thidua_xlsx.writers.atomic import atomic_path
from thidua_xlsx.writers.dossier_facts import dossier_paths
from thidua_xlsx.writers.dossier_minutes import minutes
from thidua_xlsx.writers.dossier_report import year_end_report
from thidua_xlsx.writers.dossier_submission import submission


def write_dossier(report: Report, folder: Path | str) -> list[Path]:
    """Write the minutes, the submission and the draft year-end report of a final report into
    `folder` (made if missing); returns their paths. Each file is written to a temporary file
    and renamed over its old copy; every document is built before the first is written, so a
    failure while building leaves the old dossier as it was."""
    if not report.final:
        raise ThiduaError(
            "Hồ sơ gửi Hội đồng (biên bản, tờ trình, báo cáo) chỉ lập từ kết quả chính thức: "
            "chạy collect với --review BẢNG_BÌNH_XÉT."
        )
    documents = [minutes(report), submission(report), year_end_report(report)]
    contents = [doc.to_bytes() for doc in documents]
    paths = dossier_paths(folder, report.bloc.info.year)
    for path, content in zip(paths, contents, strict=True):
        with atomic_path(path) as tmp:
            tmp.write_bytes(content)
    return paths
