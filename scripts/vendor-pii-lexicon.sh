#!/usr/bin/env bash
# Refreshes the word lists of the pii_redaction processor's person_name and
# postal_address detectors from the locale data of the npm package
# @faker-js/faker (MIT). Not run by the build: the lists are committed because
# go:embed needs them at compile time, and neither the collector builder nor
# the tests may need npm or the network. Usage: scripts/vendor-pii-lexicon.sh [version]
#
# Output (processor/piiredactionprocessor/internal/detect/lexicon/), one word a
# line, lower-cased, sorted, unique; the Go side ASCII-folds them at start:
#   given.txt    given names of the Latin- and Cyrillic-script locales
#   surname.txt  surnames of the same locales
#   street.txt   street types (location.street_suffix of the locales that list types)
#   city.txt     one-word city names of the European locales (postcode + city)
#   city_en.txt  one-word city names of the English-speaking locales (places, not postcodes)
#   LICENSE      faker's licence;  SOURCE  package, version and locales used
set -euo pipefail
cd "$(dirname "$0")/.."
version=${1:-10.6.0}
dest=processor/piiredactionprocessor/internal/detect/lexicon
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --loglevel=error "@faker-js/faker@$version" >/dev/null && tar xzf faker-js-faker-*.tgz)
mkdir -p "$dest"
cp "$tmp/package/LICENSE" "$dest/LICENSE"
DEST="$PWD/$dest" VERSION="$version" node --input-type=module -e '
import { writeFileSync } from "node:fs";
const { allLocales } = await import(process.argv[1] + "/package/dist/index.js");
// Scripts the detectors read: Latin (names and streets) and Cyrillic (names).
const nameLocales = ["af_ZA","az","cs_CZ","da","de","de_AT","de_CH","en","en_AU","en_GH","en_NG","en_ZA",
  "es","es_MX","fi","fr","fr_BE","fr_CH","fr_SN","hr","hu","id_ID","it","ku_kmr_latin","lv","nb_NO","nl","nl_BE",
  "pl","pt_BR","pt_PT","ro","ro_MD","ru","sk","sl_SI","sr_RS_latin","sv","tr","uk","uz_UZ_latin","yo_NG","zu_ZA"];
// Locales whose street_suffix holds street types (others hold street names).
const streetLocales = ["en","en_AU","en_GB","en_GH","en_HK","es","it","nl","nl_BE","sv","fi","nb_NO","ro","lv","hu"];
const cityLocales = ["de","de_AT","de_CH","fr","fr_CH","es","it","pl","pt_PT","cs_CZ","sk","da","ro"];
// English-speaking cities are also everyday words ("Mobile", "Normal",
// "Reading"): kept apart, they only stop a first name from being read as
// a person when it is a place ("Austin Texas").
const cityEnLocales = ["en","en_AU","en_CA"];
const flat = v => !v ? [] : Array.isArray(v) ? v : Object.values(v).flat();
const word = /^[\p{L}][\p{L}\x27\u2019-]{1,29}$/u; // one word: letters, apostrophe, hyphen
const collect = (locales, pick) => {
  const set = new Set();
  for (const k of locales) {
    for (const w of flat(pick(allLocales[k]))) {
      if (typeof w === "string" && word.test(w)) set.add(w.toLocaleLowerCase("und"));
    }
  }
  return [...set].sort();
};
const write = (name, words) => writeFileSync(process.env.DEST + "/" + name, words.join("\n") + "\n");
write("given.txt", collect(nameLocales, d => d.person?.first_name));
write("surname.txt", collect(nameLocales, d => d.person?.last_name));
write("street.txt", collect(streetLocales, d => d.location?.street_suffix)
  .filter(w => /^[\p{Script=Latin}.\x27-]+$/u.test(w)));
write("city.txt", collect(cityLocales, d => d.location?.city_name));
write("city_en.txt", collect(cityEnLocales, d => d.location?.city_name));
writeFileSync(process.env.DEST + "/SOURCE",
  "npm package: @faker-js/faker@" + process.env.VERSION + " (MIT, see LICENSE)\n" +
  "extracted by scripts/vendor-pii-lexicon.sh from dist/index.js allLocales:\n" +
  "given.txt, surname.txt: person.first_name, person.last_name of " + nameLocales.join(" ") + "\n" +
  "street.txt: location.street_suffix of " + streetLocales.join(" ") + " (Latin script, one word)\n" +
  "city.txt: location.city_name of " + cityLocales.join(" ") + " (one word)\n" +
  "city_en.txt: location.city_name of " + cityEnLocales.join(" ") + " (one word)\n");
' "$tmp"
wc -lc "$dest"/*.txt
echo "@faker-js/faker $version word lists vendored into $dest"
