"""Build step: the ICD-10-CM code set as a compact sorted table, generated from ``simple-icd-10-cm``.

``make`` runs this once per install. The package parses the whole official XML at import
(seconds, tens of MiB); the generated file is one line per code, sorted by code
(``code<TAB>billable<TAB>description``, the code without its dot), which ``icd10cm`` maps read-only
and searches with a bisection: nothing is loaded whole, so a cold start pays nothing. Plain text
deflates to a third of what an SQLite file of the same rows does in the Lambda zip (0.7 MB to 2.3 MB).
"""

from __future__ import annotations

import sys
from pathlib import Path

DATA_FILE = Path(__file__).with_name("data") / "icd10cm.tsv"


def build(target: Path = DATA_FILE) -> int:
    import simple_icd_10_cm as cm

    codes = cm.get_all_codes(with_dots=False)
    release = next(path.stem for path in Path(cm.__file__).parent.joinpath("data").glob("code-list-*.txt"))
    lines = [f"# ICD-10-CM {release.removeprefix('code-list-')} from simple-icd-10-cm"]
    items = sorted(dict.fromkeys(
        code for code in codes if cm.is_category_or_subcategory(code) or cm.is_extended_subcategory(code)
    ))
    lines += [f"{code}\t{1 if cm.is_leaf(code) else 0}\t{' '.join(cm.get_description(code).split())}"
              for code in items]
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".partial")
    partial.write_text("\n".join(lines) + "\n", encoding="utf-8")
    partial.replace(target)
    return len(lines) - 1


if __name__ == "__main__":
    count = build(Path(sys.argv[1]) if len(sys.argv) > 1 else DATA_FILE)
    print(f"ICD-10-CM code set: {count} codes -> {DATA_FILE}")
