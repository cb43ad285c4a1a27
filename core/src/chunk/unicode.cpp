#include "unicode.hpp"

#include <utf8proc.h>

#include <string_view>
#include <vector>

#include "utf8_decode.hpp"

namespace ragkernel::chunk::detail {
namespace {

utf8proc_category_t category(char32_t c) noexcept { return utf8proc_category(static_cast<utf8proc_int32_t>(c)); }

}  // namespace

bool is_white_space(char32_t c) noexcept {
  switch (c) {
    case 0x09:
    case 0x0A:
    case 0x0B:
    case 0x0C:
    case 0x0D:
    case 0x20:
    case 0x85:
    case 0xA0:
    case 0x1680:
    case 0x2028:
    case 0x2029:
    case 0x202F:
    case 0x205F:
    case 0x3000: return true;
    default: return c >= 0x2000 && c <= 0x200A;
  }
}

bool is_letter(char32_t c) noexcept {
  if (c < 0x80) return (c | 0x20) >= 'a' && (c | 0x20) <= 'z';
  const auto cat = category(c);
  return cat >= UTF8PROC_CATEGORY_LU && cat <= UTF8PROC_CATEGORY_LO;
}

bool is_number(char32_t c) noexcept {
  if (c < 0x80) return c >= '0' && c <= '9';
  const auto cat = category(c);
  return cat >= UTF8PROC_CATEGORY_ND && cat <= UTF8PROC_CATEGORY_NO;
}

bool is_punctuation(char32_t c) noexcept {
  if (c < 0x80) return (c >= 33 && c <= 47) || (c >= 58 && c <= 64) || (c >= 91 && c <= 96) || (c >= 123 && c <= 126);
  const auto cat = category(c);
  return cat >= UTF8PROC_CATEGORY_PC && cat <= UTF8PROC_CATEGORY_PO;
}

bool is_nonspacing_mark(char32_t c) noexcept { return c >= 0x300 && category(c) == UTF8PROC_CATEGORY_MN; }

bool is_bert_control(char32_t c) noexcept {
  if (c == 0 || c == 0xFFFD) return true;
  if (c == '\t' || c == '\n' || c == '\r') return false;
  if (c < 0x20 || c == 0x7F) return true;
  if (c < 0x80) return false;
  const auto cat = category(c);
  return cat == UTF8PROC_CATEGORY_CC || cat == UTF8PROC_CATEGORY_CF || cat == UTF8PROC_CATEGORY_CS ||
         cat == UTF8PROC_CATEGORY_CO;
}

bool is_cjk(char32_t c) noexcept {
  return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) || (c >= 0x20000 && c <= 0x2A6DF) ||
         (c >= 0x2A700 && c <= 0x2B73F) || (c >= 0x2B740 && c <= 0x2B81F) || (c >= 0x2B820 && c <= 0x2CEAF) ||
         (c >= 0xF900 && c <= 0xFAFF) || (c >= 0x2F800 && c <= 0x2FA1F);
}

bool is_upper(char32_t c) noexcept {
  if (c < 0x80) return c >= 'A' && c <= 'Z';
  const auto cat = category(c);
  return cat == UTF8PROC_CATEGORY_LU || cat == UTF8PROC_CATEGORY_LT;
}

bool is_lower(char32_t c) noexcept {
  if (c < 0x80) return c >= 'a' && c <= 'z';
  return category(c) == UTF8PROC_CATEGORY_LL;
}

void append_lowercase(char32_t c, std::string& out) {
  if (c < 0x80) {
    out.push_back(static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c));
    return;
  }
  if (c == 0x130) {  // LATIN CAPITAL LETTER I WITH DOT ABOVE: the one multi-character lowercase
    out.append("i\xCC\x87");
    return;
  }
  append_utf8(out, static_cast<char32_t>(utf8proc_tolower(static_cast<utf8proc_int32_t>(c))));
}

void bert_normalize_word(std::string_view word, bool strip_accents, bool lowercase, std::string& out) {
  bool ascii = true;
  for (const char ch : word) ascii = ascii && static_cast<unsigned char>(ch) < 0x80;
  if (ascii) {
    for (const char ch : word) out.push_back(lowercase && ch >= 'A' && ch <= 'Z' ? static_cast<char>(ch + 32) : ch);
    return;
  }
  if (!strip_accents) {
    // BERT skips NFD when it keeps accents.
    std::size_t pos = 0;
    while (pos < word.size()) {
      const char32_t c = decode(word, pos);
      if (lowercase)
        append_lowercase(c, out);
      else
        append_utf8(out, c);
    }
    return;
  }
  thread_local std::vector<utf8proc_int32_t> buffer;
  buffer.resize(word.size() * 4 + 8);
  utf8proc_ssize_t n = utf8proc_decompose(reinterpret_cast<const utf8proc_uint8_t*>(word.data()),
                                          static_cast<utf8proc_ssize_t>(word.size()), buffer.data(),
                                          static_cast<utf8proc_ssize_t>(buffer.size()), UTF8PROC_DECOMPOSE);
  if (n > static_cast<utf8proc_ssize_t>(buffer.size())) {
    buffer.resize(static_cast<std::size_t>(n));
    n = utf8proc_decompose(reinterpret_cast<const utf8proc_uint8_t*>(word.data()),
                           static_cast<utf8proc_ssize_t>(word.size()), buffer.data(), n, UTF8PROC_DECOMPOSE);
  }
  for (utf8proc_ssize_t i = 0; i < n; ++i) {
    const auto c = static_cast<char32_t>(buffer[static_cast<std::size_t>(i)]);
    if (is_nonspacing_mark(c)) continue;
    if (lowercase)
      append_lowercase(c, out);
    else
      append_utf8(out, c);
  }
}

}  // namespace ragkernel::chunk::detail
