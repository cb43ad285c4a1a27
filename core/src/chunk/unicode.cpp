#include "unicode.hpp"

#include <unicode/uchar.h>
#include <unicode/unorm2.h>
#include <unicode/ustring.h>
#include <unicode/utf16.h>

#include <string_view>
#include <vector>

#include "utf8_decode.hpp"

namespace ragkernel::chunk::detail {
namespace {

// ICU's general-category bit: test it against the U_GC_*_MASK groups.
std::uint32_t category_mask(char32_t c) noexcept { return U_GET_GC_MASK(static_cast<UChar32>(c)); }

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
  return (category_mask(c) & U_GC_L_MASK) != 0;
}

bool is_number(char32_t c) noexcept {
  if (c < 0x80) return c >= '0' && c <= '9';
  return (category_mask(c) & U_GC_N_MASK) != 0;
}

bool is_punctuation(char32_t c) noexcept {
  if (c < 0x80) return (c >= 33 && c <= 47) || (c >= 58 && c <= 64) || (c >= 91 && c <= 96) || (c >= 123 && c <= 126);
  return (category_mask(c) & U_GC_P_MASK) != 0;
}

bool is_nonspacing_mark(char32_t c) noexcept { return c >= 0x300 && (category_mask(c) & U_GC_MN_MASK) != 0; }

bool is_bert_control(char32_t c) noexcept {
  if (c == 0 || c == 0xFFFD) return true;
  if (c == '\t' || c == '\n' || c == '\r') return false;
  if (c < 0x20 || c == 0x7F) return true;
  if (c < 0x80) return false;
  return (category_mask(c) & (U_GC_CC_MASK | U_GC_CF_MASK | U_GC_CS_MASK | U_GC_CO_MASK)) != 0;
}

bool is_cjk(char32_t c) noexcept {
  return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) || (c >= 0x20000 && c <= 0x2A6DF) ||
         (c >= 0x2A700 && c <= 0x2B73F) || (c >= 0x2B740 && c <= 0x2B81F) || (c >= 0x2B820 && c <= 0x2CEAF) ||
         (c >= 0xF900 && c <= 0xFAFF) || (c >= 0x2F800 && c <= 0x2FA1F);
}

bool is_upper(char32_t c) noexcept {
  if (c < 0x80) return c >= 'A' && c <= 'Z';
  return (category_mask(c) & (U_GC_LU_MASK | U_GC_LT_MASK)) != 0;
}

bool is_lower(char32_t c) noexcept {
  if (c < 0x80) return c >= 'a' && c <= 'z';
  return (category_mask(c) & U_GC_LL_MASK) != 0;
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
  append_utf8(out, static_cast<char32_t>(u_tolower(static_cast<UChar32>(c))));
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
  // NFD of the whole word (canonical reordering included) through ICU's UTF-16 API.
  thread_local std::vector<UChar> utf16, decomposed;
  UErrorCode status = U_ZERO_ERROR;
  const UNormalizer2* nfd = unorm2_getNFDInstance(&status);
  int32_t length = 0;
  utf16.resize(word.size() + 1);
  u_strFromUTF8(utf16.data(), static_cast<int32_t>(utf16.size()), &length, word.data(),
                static_cast<int32_t>(word.size()), &status);
  decomposed.resize(static_cast<std::size_t>(length) * 4 + 8);
  int32_t n =
      unorm2_normalize(nfd, utf16.data(), length, decomposed.data(), static_cast<int32_t>(decomposed.size()), &status);
  if (status == U_BUFFER_OVERFLOW_ERROR) {
    status = U_ZERO_ERROR;
    decomposed.resize(static_cast<std::size_t>(n));
    n = unorm2_normalize(nfd, utf16.data(), length, decomposed.data(), n, &status);
  }
  if (U_FAILURE(status)) {  // the word was validated UTF-8 upstream; keep it as it is
    out.append(word);
    return;
  }
  for (int32_t i = 0; i < n;) {
    UChar32 c;
    U16_NEXT(decomposed.data(), i, n, c);
    if (is_nonspacing_mark(static_cast<char32_t>(c))) continue;
    if (lowercase)
      append_lowercase(static_cast<char32_t>(c), out);
    else
      append_utf8(out, static_cast<char32_t>(c));
  }
}

}  // namespace ragkernel::chunk::detail
