"""Bearer tokens (services/tokens.py) and ``scholargate token``: made, listed, revoked and
checked through a token file of hashes, by several processes at once. Everything lives in
tmp_path."""

from __future__ import annotations

import json
import multiprocessing
import os
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner

from scholargate.cli import main
from scholargate.errors import InputError, NotFoundError
from scholargate.services.tokens import Holder, TokenBook, TokenFileError, tokens_path


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "var" / "tokens.json"


def test_add_list_check_revoke_round_trip(path: Path) -> None:
    book = TokenBook(path)
    assert book.list() == []
    ana = book.add("ana", "writer")
    root = book.add("root.ops-1", "admin")
    assert ana.startswith("sg_") and ana != root
    assert [(e.name, e.role) for e in book.list()] == [("ana", "writer"), ("root.ops-1", "admin")]
    assert all(e.created.endswith("Z") for e in book.list())
    assert book.check(ana) == Holder("ana", "writer")
    assert book.check(root) == Holder("root.ops-1", "admin")
    book.revoke("ana")
    assert book.check(ana) is None
    assert book.check(root) == Holder("root.ops-1", "admin")
    assert [e.name for e in book.list()] == ["root.ops-1"]


def test_the_file_holds_hashes_never_a_token_and_only_its_owner_reads_it(path: Path) -> None:
    secret = TokenBook(path).add("ana", "writer")
    data = path.read_bytes()
    assert secret.encode() not in data
    assert secret[len("sg_") :].encode() not in data
    assert "sha256" in json.loads(data)["tokens"][0]
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert not [p for p in path.parent.iterdir() if p.name.endswith(".tmp") or ".tokens" in p.name]


def test_list_never_shows_a_hash(path: Path) -> None:
    TokenBook(path).add("ana", "writer")
    (entry,) = TokenBook(path).list()
    assert set(vars(entry)) == {"name", "role", "created"}


def test_a_duplicate_name_is_refused_with_what_to_do(path: Path) -> None:
    book = TokenBook(path)
    first = book.add("ana", "writer")
    with pytest.raises(InputError, match="revoke it first"):
        book.add("ana", "admin")
    assert book.check(first) == Holder("ana", "writer")
    assert len(book.list()) == 1


@pytest.mark.parametrize("name", ["", "-ana", "ana smith", "a" * 65, "ana/..", "änä", "a\n"])
def test_a_bad_name_is_refused(path: Path, name: str) -> None:
    with pytest.raises(InputError, match="not a valid token name"):
        TokenBook(path).add(name, "writer")
    assert not path.exists()


def test_an_unknown_role_is_refused_naming_the_roles(path: Path) -> None:
    with pytest.raises(InputError, match="writer, admin"):
        TokenBook(path).add("ana", "owner")


def test_revoking_an_unknown_name_is_not_found(path: Path) -> None:
    with pytest.raises(NotFoundError, match="no token named 'bob'"):
        TokenBook(path).revoke("bob")


@pytest.mark.parametrize(
    "secret", ["", "sg_", "sg_short", "xx_" + "A" * 43, "sg_" + "A" * 44, "sg_" + "A" * 42 + "!"]
)
def test_a_token_of_the_wrong_shape_is_none(path: Path, secret: str) -> None:
    TokenBook(path).add("ana", "writer")
    assert TokenBook(path).check(secret) is None


def test_an_unknown_token_of_the_right_shape_is_none(path: Path) -> None:
    TokenBook(path).add("ana", "writer")
    assert TokenBook(path).check("sg_" + "A" * 43) is None


def test_a_missing_file_is_no_tokens(path: Path) -> None:
    book = TokenBook(path)
    assert book.list() == [] and book.check("sg_" + "A" * 43) is None
    assert not path.exists()


@pytest.mark.parametrize(
    "content",
    [
        b"{not json",
        b"[]",
        b'{"version": 1}',
        b'{"version": 1, "tokens": [{"name": "ana", "role": "king", "created": "x", '
        b'"sha256": "00"}]}',
    ],
)
def test_a_corrupt_file_is_an_error_naming_it(path: Path, content: bytes) -> None:
    path.parent.mkdir(parents=True)
    path.write_bytes(content)
    with pytest.raises(TokenFileError, match=str(path)):
        TokenBook(path).check("sg_" + "A" * 43)
    with pytest.raises(TokenFileError, match="corrupt"):
        TokenBook(path).add("ana", "writer")
    assert path.read_bytes() == content  # nothing written over it


def test_a_running_book_sees_what_another_adds_and_revokes(path: Path) -> None:
    server = TokenBook(path)
    assert server.check("sg_" + "A" * 43) is None  # read (and cached) while empty
    cli = TokenBook(path)
    secret = cli.add("ana", "writer")
    assert server.check(secret) == Holder("ana", "writer")
    cli.revoke("ana")
    assert server.check(secret) is None
    again = cli.add("ana", "admin")
    assert server.check(again) == Holder("ana", "admin")
    assert server.check(secret) is None


def test_check_reads_the_file_only_when_it_changed(path: Path) -> None:
    book = TokenBook(path)
    secret = book.add("ana", "writer")
    assert book.check(secret) is not None
    cached = book._cache
    for _ in range(3):
        assert book.check(secret) == Holder("ana", "writer")
        assert book._cache is cached  # the same parse, not a new one


def _add_many(path: str, prefix: str, count: int, start: multiprocessing.Event) -> None:
    start.wait(10)
    book = TokenBook(path)
    for i in range(count):
        book.add(f"{prefix}-{i}", "writer")


def test_processes_adding_at_once_keep_every_token(path: Path) -> None:
    spawn = multiprocessing.get_context("spawn")
    start = spawn.Event()
    prefixes = ("a", "b", "c")
    workers = [spawn.Process(target=_add_many, args=(str(path), p, 30, start)) for p in prefixes]
    for worker in workers:
        worker.start()
    start.set()
    for worker in workers:
        worker.join(60)
        assert worker.exitcode == 0
    names = {e.name for e in TokenBook(path).list()}
    assert names == {f"{p}-{i}" for p in prefixes for i in range(30)}
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_the_file_is_the_tokens_setting_or_root_var(tmp_path: Path, project_root: Path) -> None:
    assert tokens_path({"TOKENS": tmp_path / "t.json"}) == tmp_path / "t.json"
    assert tokens_path({"ROOT": project_root}) == project_root / "var" / "tokens.json"


# ---- scholargate token ------------------------------------------------------------------


@pytest.fixture
def cli(path: Path, monkeypatch: pytest.MonkeyPatch):
    """``scholargate token …`` on the file of ``path`` (through SCHOLARGATE_TOKENS)."""
    monkeypatch.setenv("SCHOLARGATE_TOKENS", str(path))
    runner = CliRunner()

    def run(*args: str):
        return runner.invoke(main, ["token", *args], catch_exceptions=False)

    return run


def test_cli_add_prints_the_token_once_and_how_to_use_it(cli, path: Path) -> None:
    result = cli("add", "ana", "--role", "writer")
    assert result.exit_code == 0
    secret = result.stdout.strip()
    assert secret.startswith("sg_") and "\n" not in secret  # stdout: the token alone
    assert "not stored" in result.stderr and "Authorization: Bearer" in result.stderr
    assert secret.encode() not in path.read_bytes()
    assert TokenBook(path).check(secret) == Holder("ana", "writer")


def test_cli_list_is_a_table_and_says_when_empty(cli) -> None:
    assert cli("list").stdout == "no tokens\n"
    cli("add", "ana", "--role", "writer")
    cli("add", "bob-the-admin", "--role", "admin")
    lines = cli("list").stdout.splitlines()
    assert lines[0].split() == ["name", "role", "created"]
    assert lines[2].split()[:2] == ["ana", "writer"]
    assert lines[3].split()[:2] == ["bob-the-admin", "admin"]
    assert lines[2].index("writer") == lines[3].rindex("admin") == lines[0].index("role")


def test_cli_revoke_and_its_errors(cli, path: Path) -> None:
    secret = cli("add", "ana", "--role", "writer").stdout.strip()
    duplicate = cli("add", "ana", "--role", "admin")
    assert duplicate.exit_code == 2 and "revoke it first" in duplicate.stderr
    assert cli("revoke", "ana").exit_code == 0
    assert TokenBook(path).check(secret) is None
    unknown = cli("revoke", "ana")
    assert unknown.exit_code == 2 and unknown.stderr.startswith("error: no token named 'ana'")
    bad_role = cli("add", "bob", "--role", "owner")
    assert bad_role.exit_code == 2 and "writer" in bad_role.stderr


def test_cli_without_the_setting_uses_root_var(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("SCHOLARGATE_TOKENS", raising=False)
    root = tmp_path / "project"
    (root / "ontology").mkdir(parents=True)
    (root / "data").mkdir()
    result = CliRunner().invoke(
        main, ["--root", str(root), "token", "add", "ana", "--role", "admin"]
    )
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(os.stat(root / "var" / "tokens.json").st_mode) == 0o600
    listed = CliRunner().invoke(main, ["--root", str(root), "token", "list"])
    assert "ana" in listed.stdout
