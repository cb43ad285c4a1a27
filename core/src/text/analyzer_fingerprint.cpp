// Analyzer::fingerprint: what a persisted lexical index depends on besides the configuration
// it stores. ICU's and Unicode's versions change word segmentation and case mapping; Snowball
// has no version to ask, so the analyzer's own output on a probe text stands in for it (and
// for any change to this project's tokenizer).
#include <unicode/uchar.h>
#include <unicode/uversion.h>

#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

#include "ragkernel/text/analyzer.hpp"

namespace ragkernel::text {
namespace {

// Words that exercise stemming (-ing, -ion, -ly, -ies), possessives, stopwords, case mapping
// beyond ASCII (ß, İ, final sigma), UAX #29 rules (acronyms, decimals, apostrophes, hyphens,
// underscores), ideographs and kana, combining marks and a ligature.
constexpr std::string_view kProbe =
    "The runner's RUNNING ran quickly; connections connected generously, and studies argued. "
    "E-mail the U.S.A. at 3.14 o'clock: can't won’t naïve café Straße İstanbul ΣΊΣΥΦΟΣ "
    "東京タワーへ行きます x_y ﬁle 2024-01-02 नमस्ते";

std::string version_string(const UVersionInfo v) {
  char text[U_MAX_VERSION_STRING_LENGTH];
  u_versionToString(v, text);
  return text;
}

}  // namespace

std::string Analyzer::fingerprint() const {
  UVersionInfo icu;
  u_getVersion(icu);
  UVersionInfo unicode;
  u_getUnicodeVersion(unicode);
  std::uint64_t hash = 0xcbf29ce484222325ULL;  // FNV-1a over the terms, each closed by 0xFF
  const auto mix = [&hash](unsigned char byte) { hash = (hash ^ byte) * 0x100000001b3ULL; };
  analyze(kProbe, [&](std::string_view term) {
    for (const char c : term) mix(static_cast<unsigned char>(c));
    mix(0xFF);
  });
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(hash));
  return "icu " + version_string(icu) + " unicode " + version_string(unicode) + " probe " + hex;
}

}  // namespace ragkernel::text
