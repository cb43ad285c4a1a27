#pragma once
// Unicode properties the tokenizers and sentence rules need, from ICU.
#include <string>

namespace ragkernel::chunk::detail {

// The White_Space property (Rust's char::is_whitespace, Oniguruma's \s).
bool is_white_space(char32_t c) noexcept;
// General category L* / N* / P* / Mn / C* (Cc Cf Cs Co, not Cn).
bool is_letter(char32_t c) noexcept;
bool is_number(char32_t c) noexcept;
bool is_punctuation(char32_t c) noexcept;  // P* or ASCII punctuation (BERT's definition)
bool is_nonspacing_mark(char32_t c) noexcept;
bool is_bert_control(char32_t c) noexcept;  // removed by BERT's clean_text
bool is_cjk(char32_t c) noexcept;           // the CJK ideograph blocks BERT pads with spaces
bool is_upper(char32_t c) noexcept;
bool is_lower(char32_t c) noexcept;

// BERT normalisation of one word (no whitespace inside): NFD, drop nonspacing marks when
// strip_accents, then lowercase when lowercase; appended to `out` as UTF-8.
void bert_normalize_word(std::string_view word, bool strip_accents, bool lowercase, std::string& out);
// Lowercases one code point as Rust's char::to_lowercase (full mapping: U+0130 gives 2).
void append_lowercase(char32_t c, std::string& out);

}  // namespace ragkernel::chunk::detail
