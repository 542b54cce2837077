"""Every malformed file of tests/corpus/: a Chinese report line naming the file, row and column the
manifest expects, the exit code SPEC gives, no traceback, and a database whose every table (data,
history, ledger, accounts) is exactly the same afterwards.

The corpus is written by tests/corpus/make_corpus.py (committed output); its three large cases (a
100,000-row file whose last row is bad, two 1 MB cells) are written here, once per session.
All ~270 cases run through `pipeline` (what the command line and the upload page share) on one open
connection, so they stay fast; the first case of each group also runs through `oversight validate` and
`oversight load` in-process (`cli.main`, what the installed script calls), and five as real
subprocesses, to prove exit codes and the absence of a traceback at the process boundary.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
from reliability import corpus_base_files, file_fingerprint, fingerprint

from oversight import cli
from oversight.engine import connection
from oversight.ingest import pipeline, problems

CORPUS = Path(__file__).resolve().parent / "corpus"
sys.path.insert(0, str(CORPUS))
import make_corpus  # noqa: E402  (the generator lives beside its files, not in the package)

#: the whole malformed-file corpus (hundreds of cases, some as real processes): outside `make test-fast`
pytestmark = pytest.mark.slow

MANIFEST = json.loads((CORPUS / "manifest.json").read_text(encoding="utf-8"))
CJK = re.compile(r"[\u4e00-\u9fff]")
FORBIDDEN = ("Traceback", "程序内部错误", 'File "')


@pytest.fixture(scope="session")
def large_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("corpus_large")
    make_corpus.write_large_cases(directory)
    return directory


@pytest.fixture(scope="session")
def base_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The corpus's valid base batch, loaded through the same pipeline as an upload."""
    path = tmp_path_factory.mktemp("corpus_db") / "base.duckdb"
    with connection.opened(path) as con:
        result = pipeline.load_files(
            con, [(p.name, p.read_bytes()) for p in corpus_base_files()], user="基础数据"
        )
    assert result.ok and result.batch_id == 1
    return path


@pytest.fixture(scope="module")
def shared(
    base_db: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[duckdb.DuckDBPyConnection, dict]]:
    """One open connection for every case, as the dashboard's upload page holds one while it works, and
    the fingerprint every case must leave behind."""
    path = tmp_path_factory.mktemp("corpus_run") / "corpus.duckdb"
    shutil.copyfile(base_db, path)
    con = connection.connect(path)
    try:
        yield con, fingerprint(con)
    finally:
        con.close()


@pytest.fixture
def fresh_db(base_db: Path, tmp_path: Path) -> tuple[Path, dict]:
    """A private copy of the base database for the command-line runs, and its fingerprint."""
    path = tmp_path / "corpus.duckdb"
    shutil.copyfile(base_db, path)
    return path, file_fingerprint(path)


def case_paths(case: dict, large_dir: Path) -> list[str]:
    directory = large_dir if case["large"] else CORPUS / "files"
    return [str(directory / name) for name in case["files"]]


def report_lines(output: str) -> list[str]:
    return [line for line in output.splitlines() if line.startswith(("[错误]", "[警告]"))]


def assert_reported(output: str, case: dict) -> None:
    """Each expected problem appears as one report line with its file, row, column and kind, in Chinese."""
    lines = report_lines(output)
    assert lines, f"{case['name']}：没有任何报告行\n{output[:2000]}"
    for want in case["expect"]:
        file = want["file"] or case["files"][0]
        needles = [f"“{file}”", want["kind"]]
        if want["row"] is not None:
            needles.append(f"第 {want['row']} 行")
        if want["column"] is not None:
            needles.append(f"“{want['column']}”列")
        hits = [line for line in lines if all(n in line for n in needles)]
        shown = "\n".join(line[:300] for line in lines[:10])
        assert hits, f"{case['name']}：报告中没有 {needles}\n{shown}"
        message = hits[0].split("：", 1)[-1]
        assert CJK.search(message), f"{case['name']}：说明不是中文：{hits[0][:300]}"


def run_cli(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = cli.main(argv)
    out, err = capsys.readouterr()
    both = out + err
    for word in FORBIDDEN:
        assert word not in both, f"{argv[0]} 输出了“{word}”：\n{both[:3000]}"
    return code, both


def test_corpus_is_big_and_varied_enough() -> None:
    """The issue asks for at least 100 malformed files covering every problem kind of SPEC."""
    files = {name for case in MANIFEST for name in case["files"]}
    kinds = {want["kind"] for case in MANIFEST for want in case["expect"]}
    assert len(files) >= 100
    assert kinds >= {
        "无法识别的表",
        "编码错误",
        "缺少列",
        "多余列",
        "空行",
        "必填为空",
        "类型错误",
        "取值不在范围",
        "格式错误",
        "重复键",
        "引用不存在",
        "文件无法读取",
    }


@pytest.mark.parametrize("case", MANIFEST, ids=[c["name"] for c in MANIFEST])
def test_case(case: dict, shared: tuple[duckdb.DuckDBPyConnection, dict], large_dir: Path) -> None:
    """Validate, then try to load, through the pipeline the command line and the upload page share."""
    con, before = shared
    files = [(Path(p).name, Path(p).read_bytes()) for p in case_paths(case, large_dir)]
    validation = pipeline.validate_only(con, files)
    text = problems.format_report(validation.report)
    assert (0 if validation.ok else 1) == case["exit"], text[:3000]
    assert_reported(text, case)
    if case["exit"] == 1:
        result = pipeline.load_files(con, files, user="语料")
        assert not result.ok and result.outcome is None
        assert_reported(problems.format_report(result.validation.report), case)  # type: ignore[union-attr]
    after = fingerprint(con)
    changed = {name for name in before if before[name] != after.get(name)}
    assert not changed, f"{case['name']} 改动了数据库：{sorted(changed)}"


def one_case_per_group() -> list[dict]:
    """The first case of each group of the corpus (value_, rule_, enc_, bin_, xlsx_ ...)."""
    seen: dict[str, dict] = {}
    for case in MANIFEST:
        seen.setdefault(case["name"].split("_")[0], case)
    return list(seen.values())


@pytest.mark.parametrize("case", one_case_per_group(), ids=lambda c: c["name"])
def test_case_through_the_command_line(
    case: dict, fresh_db: tuple[Path, dict], large_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`oversight validate` and `oversight load`: SPEC's exit code, the report, no traceback, no write."""
    db, before = fresh_db
    paths = case_paths(case, large_dir)
    code, output = run_cli(["validate", *paths, "--db", str(db)], capsys)
    assert code == case["exit"], f"validate 退出码 {code}，应为 {case['exit']}\n{output[:3000]}"
    assert_reported(output, case)
    if case["exit"] == 1:
        code, output = run_cli(["load", *paths, "--db", str(db), "--user", "语料"], capsys)
        assert code == 1, f"load 退出码 {code}\n{output[:3000]}"
        assert "没有写入任何内容" in output
        assert_reported(output, case)
    assert file_fingerprint(db) == before


SUBPROCESS_CASES = [
    "large_100k_rows_last_bad",
    "bin_png_named_csv",
    "enc_gbk_line_in_utf8",
    "xlsx_truncated_half",
    "batch_good_beside_bad",
]


@pytest.mark.parametrize("name", SUBPROCESS_CASES)
def test_case_as_a_real_process(name: str, fresh_db: tuple[Path, dict], large_dir: Path) -> None:
    """The installed command's process: exit code 1, report on stdout, no traceback, no write."""
    db, before = fresh_db
    case = next(c for c in MANIFEST if c["name"] == name)
    proc = subprocess.run(
        [sys.executable, "-m", "oversight.cli", "load", *case_paths(case, large_dir), "--db", str(db)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
    )
    assert proc.returncode == 1, proc.stdout[-2000:] + proc.stderr[-2000:]
    assert not any(word in proc.stdout + proc.stderr for word in FORBIDDEN), proc.stderr[-2000:]
    assert_reported(proc.stdout, case)
    assert file_fingerprint(db) == before


def test_only_a_header_writes_nothing(
    fresh_db: tuple[Path, dict], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A file with a header and no rows has nothing to load: no batch, not even an empty one."""
    db, before = fresh_db
    path = tmp_path / "只有表头.csv"
    path.write_text("学校标识码,学校名称,学段,所属乡镇街道,城乡类型,是否公办,章程已修订\n", encoding="utf-8")
    code, output = run_cli(["load", str(path), "--db", str(db)], capsys)
    assert code == 1 and "没有任何数据行" in output
    assert file_fingerprint(db) == before
    code, output = run_cli(["validate", str(path), "--db", str(db)], capsys)
    assert code == 1 and "没有任何数据行" in output
