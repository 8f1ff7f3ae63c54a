"""One translation catalogue: every key has both languages, the Thai is Thai, and both carry the same
placeholders (a missing {area} in one language would raise, or drop a number, in front of a committee)."""

from __future__ import annotations

import re
import string

from components.i18n import CATALOGUE

THAI = re.compile(r"[\u0e00-\u0e7f]")
# keys whose text is the same in both languages on purpose (symbols, codes, proper names)
NEUTRAL = {"attribution", "nav.lang"}  # nav.lang names the other language in that language


def _fields(text: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(text) if f}


def test_every_key_has_both_languages_with_the_same_placeholders():
    problems = []
    for key, pair in CATALOGUE.items():
        # Thai has no full stop: a key that is punctuation only may be empty in Thai
        punctuation = isinstance(pair, tuple) and len(pair) == 2 and pair[0] == "" and pair[1] in (".", ";", ",")
        if not punctuation and not (
            isinstance(pair, tuple) and len(pair) == 2 and all(isinstance(s, str) and s.strip() for s in pair)
        ):
            problems.append(f"{key}: needs a Thai and an English text")
            continue
        th, en = pair
        if _fields(th) != _fields(en):
            problems.append(f"{key}: placeholders differ ({sorted(_fields(th))} vs {sorted(_fields(en))})")
    assert not problems, "\n".join(problems)


def test_thai_texts_are_thai_and_english_texts_are_not():
    thai_missing = [
        k
        for k, (th, en) in CATALOGUE.items()
        if not THAI.search(th) and th != en and re.search(r"[A-Za-z]{4,}", th) and k not in NEUTRAL
    ]
    thai_in_english = [
        k for k, (th, en) in CATALOGUE.items() if THAI.search(en) and k not in NEUTRAL and not re.search(r"[A-Za-z]{3,}", en)
    ]
    assert not thai_missing, thai_missing
    assert not thai_in_english, thai_in_english


def test_no_key_is_written_twice():
    """A dict literal keeps the last of two equal keys without a word: the first text would silently vanish."""
    import ast
    import collections
    import pathlib

    tree = ast.parse(pathlib.Path("components/i18n.py").read_text(encoding="utf-8"))
    node = next(n for n in ast.walk(tree) if isinstance(n, ast.AnnAssign) and getattr(n.target, "id", "") == "CATALOGUE")
    keys = [k.value for k in node.value.keys]
    assert [k for k, n in collections.Counter(keys).items() if n > 1] == []
