"""Encodings, strictly: a text file is UTF-8, GB18030 or UTF-16, or it is refused naming its first bad
line; a file mixing two encodings is refused (never decoded into mojibake); a NUL anywhere is a problem."""

from __future__ import annotations

import pytest

from kam_metrics.ingest.read import ImportRejected, decode_text

HEADER = "客户编号,客户名称\n"


@pytest.mark.parametrize(("data", "encoding"), [
    ((HEADER + "K1,甲公司\n").encode("utf-8"), "utf-8"),
    (b"\xef\xbb\xbf" + (HEADER + "K1,甲公司\n").encode("utf-8"), "utf-8-sig"),
    ((HEADER + "K1,甲公司\n").encode("gbk"), "gb18030"),
    ((HEADER + "K1,甲公司\n").encode("utf-16"), "utf-16"),
])
def test_the_three_encodings_offices_write_are_read(data, encoding):
    text, used = decode_text(data, "x.csv")
    assert used == encoding and "甲公司" in text


def test_a_file_mixing_utf8_and_gbk_is_refused_at_its_first_gbk_line():
    data = (HEADER + "K1,甲公司\n").encode("utf-8") + "K2,乙公司\n".encode("gbk")
    with pytest.raises(ImportRejected) as refused:
        decode_text(data, "x.csv")
    problem = refused.value.problems[0]
    assert problem.row == 3 and "mixes two encodings" in problem.problem_en


def test_a_file_no_encoding_decodes_cleanly_is_refused_not_guessed():
    data = (HEADER.encode("gbk") + b"K1," + "Привет".encode("cp1251") + b"\xff\n")
    with pytest.raises(ImportRejected) as refused:
        decode_text(data, "x.csv")
    assert refused.value.problems[0].row == 2 and "--encoding" in refused.value.problems[0].fix_en


def test_a_latin_file_is_read_when_its_encoding_is_given():
    text, used = decode_text("name\nCafé Crème\n".encode("cp1252"), "x.csv", "cp1252")
    assert (used, text) == ("cp1252", "name\nCafé Crème\n")


def test_a_nul_character_beyond_the_first_8_kb_is_a_problem_naming_its_line():
    lines = [HEADER] + [f"K{i},甲公司\n" for i in range(2000)]
    data = "".join(lines).encode("utf-8") + b"K9,\x00bad\n"
    assert len(data) > 8192
    with pytest.raises(ImportRejected) as refused:
        decode_text(data, "x.csv")
    assert refused.value.problems[0].row == 2002 and "NUL" in refused.value.problems[0].problem_en
