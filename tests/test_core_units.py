"""Pure pieces: `.dir` manifests, hashing, entries, yaml scalars, gitignore escaping."""

from __future__ import annotations

import hashlib

import pytest

from stagecore.core.entry import Entry, dvcfile_out, lock_entry, parse_entry
from stagecore.core.hashinfo import MD5, MD5_D2U, HashInfo, Meta
from stagecore.core.stage import dvcfile_md5
from stagecore.core.tree import EMPTY_DIR_MD5, ManifestError, manifest_bytes, manifest_hash, parse_manifest
from stagecore.files.gitignore import entry_for
from stagecore.files.yamlio import dump_yaml, load_yaml
from stagecore.storage.hashing import file_md5

# the directory of spec §2.3, with its observed bytes and hash
SPEC_TREE = {
    "Z.txt": "facdca2fa68795a4937fd54f654c3f9d",
    "a.txt": "86abb910b1840e895f695ed707f65433",
    "cats-x.txt": "4b3819771135e00b75e4afda54be3184",
    "cats/1.txt": "5f0be34bb091840ea8975755ab076740",
    "cats/2.txt": "0a4879f29df4248542476da977676e39",
    "dogs/sub/deep.bin": "e29311f6f1bf1af907f9ef9f44b8328b",
    "with space/f é.txt": "120d7f3e68408bb9c5002b3a528af783",
}


def test_manifest_matches_dvc_bytes_and_hash():
    data = manifest_bytes(SPEC_TREE)
    assert len(data) == 500
    assert data.startswith(b'[{"md5": "facdca2fa68795a4937fd54f654c3f9d", "relpath": "Z.txt"}, ')
    assert b'"relpath": "with space/f \\u00e9.txt"}]' in data and not data.endswith(b"\n")
    assert data.index(b"cats-x.txt") < data.index(b"cats/1.txt")  # string order, '-' < '/'
    assert manifest_hash(data, MD5) == HashInfo(MD5, "054a5ee272309422656c416dc47c5960.dir")


def test_empty_manifest_hash():
    assert manifest_hash(manifest_bytes({}), MD5).value == EMPTY_DIR_MD5


def test_parse_manifest_roundtrip_and_refuses_escapes():
    assert parse_manifest(manifest_bytes(SPEC_TREE)) == SPEC_TREE
    for bad in (b'[{"md5": "x", "relpath": "../evil"}]', b'[{"md5": "x", "relpath": "/etc/passwd"}]',
                b'{"not": "a list"}', b"garbage"):
        with pytest.raises(ManifestError):
            parse_manifest(bad)


def test_md5_dos2unix_only_converts_text(tmp_path):
    crlf = tmp_path / "crlf.txt"
    crlf.write_bytes(b"a\r\nb\r\n")
    assert file_md5(str(crlf), MD5_D2U) == "dd8c6a395b5dd36c56d23275028f526c"  # spec §6.1
    assert file_md5(str(crlf), MD5) == hashlib.md5(b"a\r\nb\r\n").hexdigest()
    binary = tmp_path / "bin"
    binary.write_bytes(b"\x00\x01\r\n" * 10)
    assert file_md5(str(binary), MD5_D2U) == hashlib.md5(b"\x00\x01\r\n" * 10).hexdigest()


def test_dvcfile_out_order_and_legacy_entries():
    out = Entry("run.sh", HashInfo(MD5, "46bbbe8aa98cc0714426e948474eaaf4"), Meta(18, None, True))
    assert list(dvcfile_out(out)) == ["md5", "size", "isexec", "hash", "path"]
    legacy = parse_entry({"md5": "dd8c6a395b5dd36c56d23275028f526c", "size": 6, "path": "crlf.txt"}, "out", "outs")
    assert legacy.hash == HashInfo(MD5_D2U, "dd8c6a395b5dd36c56d23275028f526c")
    assert "hash" not in dvcfile_out(legacy)
    assert list(lock_entry(out)) == ["path", "hash", "md5", "size", "isexec"]


def test_dump_yaml_matches_dvc_style():
    text = dump_yaml({"outs": [dvcfile_out(Entry("data.txt", HashInfo(MD5, "b1946ac92492d2347c6235b4d2611184"), Meta(6)))]})
    assert text == "outs:\n- md5: b1946ac92492d2347c6235b4d2611184\n  size: 6\n  hash: md5\n  path: data.txt\n"
    assert dump_yaml({"schema": "2.0"}) == "schema: '2.0'\n"


def test_load_yaml_uses_yaml_12_scalars():
    data = load_yaml("a: yes\nb: 1e-5\nc: true\nd: 2001-12-14\ne: on\n", "x.yaml")
    assert data == {"a": "yes", "b": 1e-5, "c": True, "d": "2001-12-14", "e": "on"}


def test_gitignore_escaping():
    assert entry_for("a b#[1].txt") == "/a b\\#\\[1\\].txt"
    assert entry_for("!bang") == "/\\!bang"
    assert entry_for("star*.txt") == "/star\\*.txt"


def test_single_stage_md5_formula():
    # spec §6.3: DVC 0.94's raw.txt.dvc, including `cache: true`
    data = {"md5": "184186c81117badfccc84b2abc1a2daf",
            "outs": [{"md5": "2306b4377429730ee03a806cff76e92b", "path": "raw.txt", "cache": True,
                      "metric": False, "persist": False}]}
    assert dvcfile_md5(data) == "184186c81117badfccc84b2abc1a2daf"
