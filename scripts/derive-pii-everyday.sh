#!/usr/bin/env bash
# Derives lexicon/everyday_en.txt for the pii_redaction processor's
# person_name detector: the given names and surnames of the vendored lexicon
# (given.txt, surname.txt) that are also lower-case words of SCOWL's size-50
# American English list (Debian package wamerican; SCOWL licence in
# lexicon/LICENSE.scowl). A lower-case or all-caps word with this flag is an
# everyday word ("will", "mark", "rose", "grant", "summer"), not evidence of a
# name. Reviewed by hand: NAMES_KEPT are names whose everyday sense is rare
# (a "john", the lunar "maria", to "peter" out) and stay names.
# Not run by the build; the output is committed. Needs: apt-get install wamerican
set -euo pipefail
cd "$(dirname "$0")/.."
lex=processor/piiredactionprocessor/internal/detect/lexicon
dict=/usr/share/dict/american-english
NAMES_KEPT="maria peter peters martin mike matt sally harry ken victor lee miller smith smit walker turner
mason newton wellington cooper fisher derrick mads reis bani ani emir amir lopes grimes dolly eddy aline
sherry carol patty kitty celli john johns jimmy tom tony terry billy bobby barney bonnie brad chad chandler
clement colleen dale dell dieter dirk drake ed emery ester fanny felicity freeman griffin hank hector homer
jasmine jasper josh khan lea marlin marten martens martins myrtle noel patsy phoebe piper randy rhea rick
roger rogers sander sanders savannah serge shad sibyl sim sonny stein tad troy waldo welch dyer collier
beck belle berg"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cat "$lex/given.txt" "$lex/surname.txt" | sort -u >"$tmp/names"
grep -E '^[a-z]+$' "$dict" | sort -u >"$tmp/dict"
tr ' ' '\n' <<<"$NAMES_KEPT" | grep . | sort -u >"$tmp/kept"
comm -12 "$tmp/names" "$tmp/dict" | comm -23 - "$tmp/kept" >"$lex/everyday_en.txt"
wc -l "$lex/everyday_en.txt"
