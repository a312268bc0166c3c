#!/usr/bin/env python3
"""Makes src/anonymise/lists/words.{nl,en}.txt from the system's word lists (Debian packages
wdutch and wbritish: apt-get install wdutch wbritish). Entries that start with a lower-case
letter, letters and hyphens only, 2 to 12 characters, sorted. The licences and copyright notices
of the sources are kept in each file's header (see the header text below)."""
import sys

HEADERS = {
    "nl": """# Dutch words in lower case (2 to 12 letters, hyphens allowed), to tell an ordinary word from a
# name: a name whose lower-case form is here is a name only where the context says so.
# Derived from the OpenTaal word list 2.20 (Debian package wdutch 1:2.20.19-2, /usr/share/dict/dutch),
#   dual-licensed under the revised BSD licence and Creative Commons Attribution 3.0;
#   Copyright (c) OpenTaal, https://www.opentaal.org. Kept: entries starting with a lower-case
#   letter, letters and hyphens only, 2 to 12 characters. Made by benches/make_wordlists.py.
""",
    "en": """# English (British) words in lower case (2 to 12 letters, hyphens allowed), to tell an ordinary
# word from a name: a name whose lower-case form is here is a name only where the context says so.
# Derived from SCOWL (Debian package wbritish 2020.12.07-2, /usr/share/dict/british-english);
#   Copyright 2000-2019 by Kevin Atkinson; permission to use, copy, modify, distribute and sell
#   these word lists for any purpose is granted without fee, provided that this copyright notice
#   appears in all copies (http://wordlist.aspell.net). Kept: entries starting with a lower-case
#   letter, letters and hyphens only, 2 to 12 characters. Made by benches/make_wordlists.py.
""",
}
SOURCES = {"nl": "/usr/share/dict/dutch", "en": "/usr/share/dict/british-english"}

for lang, path in SOURCES.items():
    words = [w.strip() for w in open(path, encoding="utf-8", errors="replace")]
    kept = sorted(
        {w for w in words if w and w[0].islower() and 2 <= len(w) <= 12
         and all(c.isalpha() or c == "-" for c in w)}
    )
    out = f"src/anonymise/lists/words.{lang}.txt"
    with open(out, "w", encoding="utf-8") as f:
        f.write(HEADERS[lang] + "\n".join(kept) + "\n")
    print(out, len(kept), file=sys.stderr)
