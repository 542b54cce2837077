"""pipeline.load_files: files loaded before are skipped, while the files are hashed during validation."""

from __future__ import annotations

from pathlib import Path

from oversight.engine import connection
from oversight.ingest import pipeline

FILES = Path(__file__).parent / "files" / "ingest"


def upload(*names: str) -> list[tuple[str, bytes]]:
    return [(name, (FILES / name).read_bytes()) for name in names]


def test_a_file_loaded_before_is_skipped_and_the_rest_loads(tmp_path: Path) -> None:
    con = connection.connect(tmp_path / "o.duckdb")
    first = pipeline.load_files(con, upload("schools_utf8.csv"), user="u")
    assert first.ok and first.batch_id == 1 and not first.skipped
    second = pipeline.load_files(con, upload("schools_utf8.csv", "party_orgs.csv"), user="u")
    assert [(s.name, s.batch_id) for s in second.skipped] == [("schools_utf8.csv", 1)]
    assert second.ok and second.batch_id == 2
    # the orgs' references to the skipped file's schools resolve against the database
    assert second.validation is not None and second.validation.errors == 0
    assert [r.name for r in second.validation.file_records()] == ["party_orgs.csv"]
    assert second.outcome is not None and set(second.outcome.changes) == {"party_orgs"}
    everything_again = pipeline.load_files(con, upload("party_orgs.csv", "schools_utf8.csv"), user="u")
    assert everything_again.validation is None and everything_again.batch_id is None
    assert [s.batch_id for s in everything_again.skipped] == [2, 1]
    con.close()


def test_the_same_file_twice_in_one_upload_loads_once(tmp_path: Path) -> None:
    """Checked together, the two copies would clash on every key; the copy is dropped before the check
    that decides, so the upload loads cleanly."""
    con = connection.connect(tmp_path / "o.duckdb")
    raw = (FILES / "schools_utf8.csv").read_bytes()
    result = pipeline.load_files(con, [("学校.csv", raw), ("学校(1).csv", raw)], user="u")
    assert result.ok and result.batch_id == 1
    assert result.validation is not None and result.validation.errors == 0
    assert result.outcome is not None and result.outcome.changes["schools"]["added"] == 3
    assert [r.name for r in result.validation.file_records()] == ["学校.csv"]
    con.close()
