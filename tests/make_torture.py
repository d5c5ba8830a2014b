"""Write the small files of the torture corpus, tests/torture/ (run once; the
files are kept in the repository).  The big ones (50 MB, 100,000 sentences)
are made at test time by tests/test_torture.py.  What each file must give is
in tests/test_torture.py (EXPECT) and tests/torture/README.md.

    python tests/make_torture.py
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parent / "torture"

EVENT = "Iraqi forces captured Rawa on Friday."
EVENT2 = "Iraqi forces captured Mosul on Friday."


def jl(*objs) -> bytes:
    return b"".join(json.dumps(o, ensure_ascii=False).encode("utf-8") + b"\n" for o in objs)


FILES: dict[str, bytes] = {
    # -- text files: one document each
    "txt/plain.txt": f"{EVENT}\n".encode(),
    "txt/bom_utf8.txt": b"\xef\xbb\xbf" + f"{EVENT}\n".encode(),
    "txt/bom_only.txt": b"\xef\xbb\xbf",
    "txt/empty.txt": b"",
    "txt/whitespace_only.txt": b"  \n\t\n\r\n   \n",
    "txt/utf16le_bom.txt": f"{EVENT}\n".encode("utf-16"),  # Python writes LE with a BOM
    "txt/utf16be_bom.txt": b"\xfe\xff" + f"{EVENT}\n".encode("utf-16-be"),
    "txt/utf32le_bom.txt": f"{EVENT}\n".encode("utf-32"),
    "txt/utf16le_no_bom.txt": f"{EVENT}\n".encode("utf-16-le"),  # NULs everywhere, valid UTF-8
    "txt/latin1.txt": "Les forces irakiennes ont pris Rawa vendredi, a déclaré l'armée.\n".encode("latin-1"),
    "txt/undecodable_middle.txt": f"{EVENT}\n".encode() + b"\xff\xfe\xfa garbage\n" + f"{EVENT2}\n".encode(),
    "txt/truncated_utf8.txt": f"{EVENT}\n".encode() + "caf\u00e9 \u2019".encode()[:-1],
    "txt/overlong_utf8.txt": f"{EVENT} ".encode() + b"\xc0\xaf\xe0\x80\xaf\n",
    "txt/cesu8_surrogate.txt": f"{EVENT} ".encode() + b"\xed\xa0\xbd\xed\xb8\x80\n",
    "txt/nul_bytes.txt": b"Iraqi forces\x00 captured\x00\x00 Rawa on Friday.\x00\n",
    "txt/control_chars.txt": b"Iraqi\x07forces\x0bcaptured\x0cRawa\x1fon\x7fFriday.\x1b\x08\n",
    "txt/ansi_escapes.txt": b"\x1b[1mIraqi forces captured Rawa on Friday.\x1b[0m\n",
    "txt/binary_png.txt": bytes.fromhex("89504e470d0a1a0a0000000d49484452") + bytes(range(256)) * 4,
    "txt/binary_gzip.txt": gzip.compress(f"{EVENT}\n".encode() * 10, mtime=0),
    "txt/binary_elf.txt": b"\x7fELF\x02\x01\x01\x00" + bytes(8) + bytes(range(200, 256)) * 8,
    "txt/rtl_mixed.txt": (
        "قالت مصادر محلية إن \u200f" + EVENT + "\u200f وأضافت أن القتال مستمر.\n"
        "\u202bالقوات العراقية سيطرت على راوة.\u202c\n"
    ).encode(),
    "txt/rtl_marks_in_names.txt": "Iraqi forces captured \u200fRawa\u200f on Friday.\n".encode(),
    "txt/bidi_isolates.txt": "Iraqi forces captured \u2067Rawa\u2069 on \u202eFriday\u202c.\n".encode(),
    "txt/mixed_scripts.txt": (
        "Иракские силы наступают. " + EVENT + " 伊拉克部队占领了拉瓦。 इराकी सेना। 🇮🇶🔥\n"
    ).encode(),
    "txt/zero_width.txt": "Iraqi\u200b forces captured Ra\u200bwa\u200c on Fri\u200dday.\u2060\ufeff\n".encode(),
    "txt/soft_hyphens.txt": "Iraqi for\u00adces cap\u00adtured Ra\u00adwa on Friday.\n".encode(),
    "txt/combining_marks.txt": (
        "Z\u0351\u0352\u0353a\u0354\u0355l\u0356\u0357g\u0358o. " * 200 + EVENT + "\n"
    ).encode(),
    "txt/decomposed_accents.txt": "Iraqi forces captured Rawa on Friday, the Cafe\u0301 said.\n".encode(),
    "txt/curly_apostrophes.txt": "The SDF\u2019s fighters captured Rawa on Friday.\n".encode(),
    "txt/missing_apostrophes.txt": b"The SDF s fighters captured Rawa on Friday.\n",
    "txt/cr_line_ends.txt": f"{EVENT}\r{EVENT2}\r\n\r".encode(),
    "txt/nonchars_private_use.txt": f"\ufffe\uffff\U0010ffff\ue000 {EVENT} \U000f0000\n".encode(),
    "txt/lone_punctuation.txt": (". " * 5000 + "?!" * 3000 + "\n" + '"' * 2000 + "(" * 2000 + "\n").encode(),
    "txt/many_dates.txt": ("on Sunday " * 2000 + EVENT + " last week in June 12 March 2019 " * 300 + "\n").encode(),
    # -- JSONL: one document per line
    "jsonl/good_and_bad.jsonl": (
        jl({"id": "ok1", "date": "2017-11-03", "text": EVENT})
        + b"[1, 2]\n"
        + b"null\n"
        + b'"text"\n'
        + jl({"id": "empty", "text": ""})
        + jl({"id": "blank", "text": "   \n "})
        + jl({"id": "ok2", "date": "2017-11-03", "text": EVENT2})
    ),
    "jsonl/truncated.jsonl": jl({"id": "ok", "date": "2017-11-03", "text": EVENT})
    + b'{"id": "cut", "text": "Iraqi forces cap',
    "jsonl/deep_nesting.jsonl": (
        b"[" * 100_000
        + b"]" * 100_000
        + b"\n"
        + b'{"text": "'
        + EVENT.encode()
        + b'", "deep": '
        + b"[" * 50_000
        + b"]" * 50_000
        + b"}\n"
        + b'{"text": "'
        + EVENT.encode()
        + b'", "deep": '
        + b'{"a":' * 20_000
        + b"1"
        + b"}" * 20_000
        + b"}\n"
    ),
    "jsonl/wrong_types.jsonl": (
        jl(
            {"id": "n", "text": 42},
            {"id": "l", "text": ["a"]},
            {"id": ["x"], "text": EVENT},
            {"id": True, "text": EVENT},
            {"id": "d", "date": 20171103, "text": EVENT},
            {"id": "s", "source": 7, "text": EVENT},
            {"id": "nulls", "date": None, "source": None, "title": None, "text": EVENT},
            {"text": None},
            {"id": "", "text": EVENT},
            {"id": 12345678901234567890, "date": "2017-11-03", "text": EVENT},
        )
    ),
    "jsonl/bad_dates.jsonl": jl(
        *(
            {"id": d, "date": d, "text": EVENT}
            for d in (
                "2017-02-30",
                "20171103",
                "2017-11-03T10:00:00",
                " 2017-11-03",
                "0000-01-01",
                "2017-1-3",
                "２０１７-11-03",
                "0001-01-01",
                "9999-12-31",
            )
        )
    ),
    "jsonl/lone_surrogates.jsonl": (
        b'{"id": "t", "date": "2017-11-03", "text": "Iraqi forces captured Rawa on Friday \\ud800."}\n'
        b'{"id": "bad\\udc80id", "date": "2017-11-03", "text": "Iraqi forces captured Rawa on Friday."}\n'
        b'{"id": "src", "source": "\\udfff", "date": "2017-11-03", "text": "Iraqi forces captured Rawa on Friday."}\n'
        b'{"id": "pair", "date": "2017-11-03", "text": "\\ud83d\\ude00 Iraqi forces captured Rawa on Friday."}\n'
    ),
    "jsonl/huge_numbers.jsonl": (
        b'{"text": "x", "n": ' + b"9" * 10_000 + b"}\n"
        b'{"id": "inf", "date": "2017-11-03", "text": "' + EVENT.encode() + b'", "n": 1e999999}\n'
        b'{"id": "nan", "date": "2017-11-03", "text": "' + EVENT.encode() + b'", "n": NaN}\n'
    ),
    "jsonl/duplicate_keys.jsonl": b'{"text": "nothing here", "text": "'
    + EVENT.encode()
    + b'", "date": "2017-11-03", "id": "dup"}\n',
    "jsonl/nul_and_controls.jsonl": (
        b'{"id": "esc", "date": "2017-11-03", "text": "Iraqi forces\\u0000 captured Rawa\\u001b on Friday."}\n'
        b'{"id": "raw", "date": "2017-11-03", "text": "Iraqi forces\x00 captured Rawa on Friday."}\n'
        b"\x00\x00\x00\n"
    ),
    "jsonl/bom.jsonl": b"\xef\xbb\xbf" + jl({"id": "bom", "date": "2017-11-03", "text": EVENT}),
    "jsonl/crlf.jsonl": jl({"id": "a", "date": "2017-11-03", "text": EVENT}).replace(b"\n", b"\r\n") * 1
    + jl({"id": "b", "date": "2017-11-03", "text": EVENT2}).rstrip(b"\n"),
    "jsonl/blank_lines_only.jsonl": b"\n\n   \n\t\n",
    "jsonl/utf16.jsonl": jl({"id": "u", "text": EVENT}).decode().encode("utf-16"),
    "jsonl/undecodable_line.jsonl": (
        jl({"id": "a", "date": "2017-11-03", "text": EVENT})
        + b'{"id": "b", "text": "caf\xe9 \xff"}\n'
        + jl({"id": "c", "date": "2017-11-03", "text": EVENT2})
    ),
    "jsonl/line_separators.jsonl": jl(
        {"id": "ls", "date": "2017-11-03", "text": f"\u2028{EVENT}\u2029\u0085{EVENT2}\u2028"}
    ),
    "jsonl/not_an_object_text.jsonl": b"Iraqi forces captured Rawa on Friday.\n",
    "jsonl/mixed_scripts_ids.jsonl": jl(
        {"id": "مستند-١", "date": "2017-11-03", "source": "وكالة", "text": EVENT},
        {"id": "文書\u200b2", "date": "2017-11-03", "text": EVENT2},
    ),
    "jsonl/formula_values.jsonl": jl(
        {"id": "=1+1", "date": "2017-11-03", "source": "@SUM(A1)", "text": "=Iraqi forces captured Rawa on Friday."},
        {
            "id": "+cmd|' /C calc'!A0",
            "date": "2017-11-03",
            "source": "-2+3",
            "text": "-Iraqi forces captured Mosul on Friday.",
        },
        {"id": "\ttab", "date": "2017-11-03", "source": "\rcr", "text": "Iraqi forces captured Rawa on Friday."},
    ),
    # -- CSV: a header row, one document per row
    "csv/ragged.csv": (
        f'id,date,text\na,2017-11-03,{EVENT}\nb,2017-11-03\nc,2017-11-03,{EVENT2},extra\nd,2017-11-03,"{EVENT}"\n'
    ).encode(),
    "csv/embedded_newlines.csv": (
        f'id,date,text\na,2017-11-03,"{EVENT}\nSecond line, with comma."\n'
        f'b,2017-11-03,"Line one\r\n{EVENT2}\r\n"\nc,2017-11-03,"bad\n'
    ).encode()
    + b"\xff\xfe\n"
    + b'"\n',
    "csv/unterminated_quote.csv": f'id,date,text\na,2017-11-03,"{EVENT}\nb,2017-11-03,{EVENT2}\n'.encode(),
    "csv/stray_quotes.csv": f'id,date,text\na,2017-11-03,Iraqi "forces" captured Rawa on '
                            f'Friday.\nb,2017-11-03,"{EVENT}"x"y"\n'.encode(),
    "csv/no_text_column.csv": b"id,body\n1,Iraqi forces captured Rawa on Friday.\n",
    "csv/header_only.csv": b"id,date,text\n",
    "csv/bom.csv": b"\xef\xbb\xbf" + f"id,date,text\na,2017-11-03,{EVENT}\n".encode(),
    "csv/latin1_row.csv": f"id,date,text\na,2017-11-03,{EVENT}\n".encode()
    + "b,2017-11-03,Caf\u00e9 attack\n".encode("latin-1")
    + f"c,2017-11-03,{EVENT2}\n".encode(),
    "csv/nul_in_cell.csv": b"id,date,text\na,2017-11-03,Iraqi forces\x00 captured Rawa on Friday.\n",
    "csv/duplicate_columns.csv": f"text,id,text,date\nnothing,a,{EVENT},2017-11-03\n".encode(),
    "csv/semicolons.csv": f"id;date;text\na;2017-11-03;{EVENT}\n".encode(),
    "csv/utf16.csv": f"id,text\na,{EVENT}\n".encode("utf-16"),
    # -- PETRARCH XML: one document per <Sentence>
    "xml/good.xml": (
        '<?xml version="1.0" encoding="UTF-8"?>\n<Sentences>\n'
        f'<Sentence date="20171103" id="good-1" source="AFP" sentence="True">\n<Text>\n{EVENT}\n</Text>\n'
        "<Parse>(ROOT (S (NP (JJ Iraqi) (NNS forces))))</Parse>\n</Sentence>\n</Sentences>\n"
    ).encode(),
    "xml/xxe_file.xml": (
        b'<?xml version="1.0"?>\n<!DOCTYPE Sentences [\n<!ENTITY xxe SYSTEM "file:///etc/passwd">\n]>\n'
        b'<Sentences>\n<Sentence date="20171103" id="xxe-1"><Text>Iraqi forces captured Rawa on Friday. '
        b'&xxe;</Text></Sentence>\n'
        b"</Sentences>\n"
    ),
    "xml/billion_laughs.xml": (
        '<?xml version="1.0"?>\n<!DOCTYPE lolz [\n<!ENTITY lol "lol">\n'
        + "".join(
            f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10 if i > 1 else "&lol;" * 10}">\n' for i in range(1, 10)
        )
        + ']>\n<Sentences><Sentence date="20171103" id="lol"><Text>&lol9;</Text></Sentence></Sentences>\n'
    ).encode(),
    "xml/doctype_url.xml": (
        '<?xml version="1.0"?>\n<!DOCTYPE Sentences SYSTEM "http://127.0.0.1:9/evil.dtd">\n'
        f'<Sentences><Sentence date="20171103" id="dtd-1"><Text>{EVENT}</Text></Sentence></Sentences>\n'
    ).encode(),
    "xml/parameter_entity.xml": (
        '<?xml version="1.0"?>\n<!DOCTYPE Sentences [\n<!ENTITY % remote SYSTEM "http://127.0.0.1:9/x.dtd">\n%remote;\n]>\n'
        f'<Sentences><Sentence date="20171103" id="pe-1"><Text>{EVENT}</Text></Sentence></Sentences>\n'
    ).encode(),
    "xml/xinclude.xml": (
        '<?xml version="1.0"?>\n<Sentences xmlns:xi="http://www.w3.org/2001/XInclude">\n'
        f'<Sentence date="20171103" id="xi-1"><Text>{EVENT} <xi:include href="file:///etc/passwd" '
        f'parse="text"/></Text></Sentence>\n'
        "</Sentences>\n"
    ).encode(),
    "xml/truncated.xml": (
        '<?xml version="1.0"?>\n<Sentences>\n'
        f'<Sentence date="20171103" id="t-1"><Text>{EVENT}</Text></Sentence>\n'
        '<Sentence date="20171103" id="t-2"><Text>Iraqi forces capt'
    ).encode(),
    "xml/not_xml.xml": f"{EVENT}\n".encode(),
    "xml/deep_nesting.xml": b"<Sentences>" + b"<a>" * 10_000 + b"</a>" * 10_000 + b"</Sentences>\n",
    "xml/utf16.xml": (
        '<?xml version="1.0" encoding="UTF-16"?>\n<Sentences><Sentence date="20171103" id="u16">'
        f"<Text>{EVENT}</Text></Sentence></Sentences>\n"
    ).encode("utf-16"),
    "xml/bad_sentences.xml": (
        '<?xml version="1.0"?>\n<Sentences>\n<Sentence date="20171103" id="no-text"></Sentence>\n'
        f'<Sentence date="20179999" id="bad-date"><Text>{EVENT}</Text></Sentence>\n'
        '<Sentence date="20171103" id="empty"><Text>   </Text></Sentence>\n'
        f'<Sentence date="20171103" id="ok"><Text>{EVENT2}</Text></Sentence>\n</Sentences>\n'
    ).encode(),
}


def main() -> None:
    for rel, data in FILES.items():
        path = ROOT / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    print(f"{len(FILES)} files in {ROOT}")


if __name__ == "__main__":
    main()
