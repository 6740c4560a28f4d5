"""`shouhu submission import`: the same ingest from the command line, with a receipt."""

from __future__ import annotations

from click.testing import CliRunner

from shouhu.cli import main
from shouhu.web.exchange.models import Fact, Submission
from tests.web.exchange.conftest import judgment_rows, xlsx_of


def test_cli_import_prints_the_receipt_and_imports_once(tmp_path, courts, court_item) -> None:
    rows = judgment_rows(court_item, 3)
    rows[0]["effective_date"] = "2025-02-30"
    path = tmp_path / "九月判决.xlsx"
    path.write_bytes(xlsx_of(court_item, rows))
    args = [
        "submission",
        "import",
        str(path),
        "--agency",
        "150802:court",
        "--item",
        court_item.code,
        "--period",
        "2025-09",
        "--user",
        "court_clerk_a",
    ]

    first = CliRunner().invoke(main, args)
    second = CliRunner().invoke(main, args)

    submission = Submission.objects.get()
    assert first.exit_code == 0, first.output
    assert f"回执 {submission.receipt_number}" in first.output
    assert "接收 2 行" in first.output
    assert (tmp_path / "九月判决-错误报告.xlsx").exists()
    assert "本次未重复导入" in second.output
    assert (submission.channel, submission.received_by.username) == ("cli", "court_clerk_a")
    assert Fact.objects.count() == 2


def test_cli_refuses_an_unknown_agency_and_a_bad_month(tmp_path, courts, court_item) -> None:
    path = tmp_path / "a.csv"
    path.write_bytes(b"x")
    unknown = CliRunner().invoke(
        main,
        [
            "submission",
            "import",
            str(path),
            "--agency",
            "999999:court",
            "--item",
            court_item.code,
            "--period",
            "2025-09",
        ],
    )
    bad_month = CliRunner().invoke(
        main,
        [
            "submission",
            "import",
            str(path),
            "--agency",
            "150802:court",
            "--item",
            court_item.code,
            "--period",
            "2025-13",
        ],
    )
    assert unknown.exit_code == 2
    assert "没有部门" in unknown.output
    assert bad_month.exit_code == 2
    assert "YYYY-MM" in bad_month.output
    assert Submission.objects.count() == 0


def test_cli_rejected_file_exits_non_zero_and_stores_nothing(tmp_path, courts, court_item) -> None:
    path = tmp_path / "junk.csv"
    path.write_bytes("姓名,年龄\n张三,3\n".encode())
    result = CliRunner().invoke(
        main,
        [
            "submission",
            "import",
            str(path),
            "--agency",
            "150802:court",
            "--item",
            court_item.code,
            "--period",
            "2025-09",
        ],
    )
    assert result.exit_code == 2
    assert "整份拒收" in result.output
    assert Submission.objects.count() == 0
