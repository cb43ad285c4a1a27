// WordPiece: greedy longest-match-first over one normalised word, as BERT does.
#include "tokenizer_model.hpp"
#include "utf8_decode.hpp"

namespace ragkernel::chunk::detail {

void WordPieceModel::encode_word(std::string_view word, std::vector<std::uint32_t>& out) const {
  if (count_chars_over(word, max_chars)) {
    out.push_back(unk);
    return;
  }
  const std::size_t first = out.size();
  std::size_t start = 0;
  while (start < word.size()) {
    const Vocab& table = start == 0 ? vocab : continuation;
    std::size_t end = std::min(word.size(), start + max_token_bytes);
    end = floor_boundary(word, end);
    bool found = false;
    while (end > start) {
      if (const std::uint32_t* id = table.find(word.substr(start, end - start))) {
        out.push_back(*id);
        found = true;
        break;
      }
      std::size_t prev = end;
      decode_before(word, prev);
      end = prev;
    }
    if (!found) {  // the whole word becomes one unknown token
      out.resize(first);
      out.push_back(unk);
      return;
    }
    start = end;
  }
}

}  // namespace ragkernel::chunk::detail
