// Tokenizer: reads a HuggingFace tokenizer.json (nlohmann/json) into a TokenizerModel.
#include "ragkernel/chunk/tokenizer.hpp"

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "ragkernel/chunk/utf8.hpp"
#include "ragkernel/error.hpp"
#include "tokenizer_model.hpp"
#include "utf8_decode.hpp"

namespace ragkernel::chunk {
namespace {

using detail::TokenizerModel;
using nlohmann::json;

[[noreturn]] void bad(const std::string& what) { throw InvalidArgument("tokenizer.json: " + what); }

std::string type_of(const json& component) {
  if (!component.is_object() || !component.contains("type") || !component["type"].is_string()) return "";
  return component["type"].get<std::string>();
}

const json& member(const json& object, const char* key, const std::string& where) {
  if (!object.is_object() || !object.contains(key)) bad(where + " has no \"" + key + "\"");
  return object[key];
}

bool flag(const json& object, const char* key, bool fallback) {
  if (!object.contains(key) || object[key].is_null()) return fallback;
  if (!object[key].is_boolean()) bad(std::string("\"") + key + "\" must be true or false");
  return object[key].get<bool>();
}

// GPT-2's byte-to-character table: printable bytes stand for themselves, the others for
// U+0100 upwards. The inverse turns byte-level vocabulary entries back into raw bytes.
std::array<char32_t, 256> byte_to_char() {
  std::array<char32_t, 256> table{};
  char32_t next = 256;
  for (int b = 0; b < 256; ++b) {
    const bool printable = (b >= 33 && b <= 126) || (b >= 161 && b <= 172) || (b >= 174 && b <= 255);
    table[static_cast<std::size_t>(b)] = printable ? static_cast<char32_t>(b) : next++;
  }
  return table;
}

// A byte-level vocabulary entry as raw bytes; false when it uses a character outside the table.
bool to_raw_bytes(std::string_view token, const std::unordered_map<char32_t, unsigned char>& inverse,
                  std::string& out) {
  out.clear();
  std::size_t pos = 0;
  while (pos < token.size()) {
    const char32_t c = detail::decode(token, pos);
    const auto it = inverse.find(c);
    if (it == inverse.end()) return false;
    out.push_back(static_cast<char>(it->second));
  }
  return true;
}

void read_normalizer(const json& j, TokenizerModel& m) {
  const json& normalizer = j.contains("normalizer") ? j["normalizer"] : json();
  if (normalizer.is_null()) {
    if (m.kind == TokenizerModel::Kind::wordpiece) {
      m.wordpiece.clean_text = m.wordpiece.handle_chinese_chars = false;
      m.wordpiece.strip_accents = m.wordpiece.lowercase = false;
    }
    return;
  }
  const std::string type = type_of(normalizer);
  if (type == "BertNormalizer" && m.kind == TokenizerModel::Kind::wordpiece) {
    auto& w = m.wordpiece;
    w.clean_text = flag(normalizer, "clean_text", true);
    w.handle_chinese_chars = flag(normalizer, "handle_chinese_chars", true);
    w.lowercase = flag(normalizer, "lowercase", true);
    w.strip_accents = flag(normalizer, "strip_accents", w.lowercase);
    return;
  }
  bad("normalizer \"" + type + "\" is not supported with a " +
      (m.kind == TokenizerModel::Kind::wordpiece ? "WordPiece" : "BPE") +
      " model (supported: BertNormalizer with WordPiece, none with byte-level BPE); count tokens with a "
      "callable instead");
}

void read_pre_tokenizer(const json& j, TokenizerModel& m) {
  const json& pre = j.contains("pre_tokenizer") ? j["pre_tokenizer"] : json();
  const std::string type = pre.is_null() ? "null" : type_of(pre);
  if (m.kind == TokenizerModel::Kind::wordpiece) {
    if (type != "BertPreTokenizer")
      bad("pre_tokenizer \"" + type + "\" is not supported with WordPiece (expected BertPreTokenizer)");
    return;
  }
  if (type != "ByteLevel") bad("pre_tokenizer \"" + type + "\" is not supported with BPE (expected ByteLevel)");
  if (!flag(pre, "use_regex", true)) bad("ByteLevel pre_tokenizer with use_regex=false is not supported");
  m.bpe.add_prefix_space = flag(pre, "add_prefix_space", false);
}

std::size_t count_post_processor(const json& post, TokenizerModel& m, const detail::Vocab& vocab) {
  if (post.is_null()) return 0;
  const std::string type = type_of(post);
  if (type == "ByteLevel") return 0;
  if (type == "BertProcessing" || type == "RobertaProcessing") {
    const json& cls = member(post, "cls", "post_processor");
    const json& sep = member(post, "sep", "post_processor");
    m.special_prefix.push_back(cls.at(1).get<std::uint32_t>());
    m.special_suffix.push_back(sep.at(1).get<std::uint32_t>());
    return 2;
  }
  if (type == "TemplateProcessing") {
    const json& single = member(post, "single", "post_processor");
    const json& specials = post.contains("special_tokens") ? post["special_tokens"] : json::object();
    bool after_sequence = false;
    for (const json& piece : single) {
      if (piece.contains("Sequence")) {
        after_sequence = true;
        continue;
      }
      const std::string id = member(member(piece, "SpecialToken", "template"), "id", "template").get<std::string>();
      std::vector<std::uint32_t> ids;
      if (specials.contains(id)) {
        for (const json& x : specials[id]["ids"]) ids.push_back(x.get<std::uint32_t>());
      } else if (const std::uint32_t* known = vocab.find(id)) {
        ids.push_back(*known);
      } else {
        bad("post_processor special token \"" + id + "\" has no id");
      }
      auto& target = after_sequence ? m.special_suffix : m.special_prefix;
      target.insert(target.end(), ids.begin(), ids.end());
    }
    return m.special_prefix.size() + m.special_suffix.size();
  }
  if (type == "Sequence") {
    std::size_t total = 0;
    for (const json& p : member(post, "processors", "post_processor")) total += count_post_processor(p, m, vocab);
    return total;
  }
  bad("post_processor \"" + type + "\" is not supported");
}

void read_wordpiece(const json& model, TokenizerModel& m) {
  auto& w = m.wordpiece;
  const std::string prefix = model.value("continuing_subword_prefix", std::string("##"));
  for (const auto& [token, id] : member(model, "vocab", "model").items()) {
    const auto value = id.get<std::uint32_t>();
    w.max_token_bytes = std::max(w.max_token_bytes, token.size());
    if (!prefix.empty() && token.size() > prefix.size() && token.compare(0, prefix.size(), prefix) == 0)
      w.continuation.emplace(token.substr(prefix.size()), value);
    w.vocab.emplace(token, value);
  }
  const std::string unk = model.value("unk_token", std::string("[UNK]"));
  const std::uint32_t* unk_id = w.vocab.find(unk);
  if (unk_id == nullptr) bad("WordPiece unk_token \"" + unk + "\" is not in the vocabulary");
  w.unk = *unk_id;
  w.max_chars = model.value("max_input_chars_per_word", std::size_t{100});
  m.vocab_size = w.vocab.size();
}

void read_bpe(const json& model, TokenizerModel& m) {
  auto& b = m.bpe;
  if (model.contains("continuing_subword_prefix") && !model["continuing_subword_prefix"].is_null() &&
      !model["continuing_subword_prefix"].get<std::string>().empty())
    bad("BPE with continuing_subword_prefix is not supported");
  if (model.contains("end_of_word_suffix") && !model["end_of_word_suffix"].is_null() &&
      !model["end_of_word_suffix"].get<std::string>().empty())
    bad("BPE with end_of_word_suffix is not supported");
  if (model.contains("dropout") && !model["dropout"].is_null() && model["dropout"].get<double>() > 0)
    bad("BPE dropout is random; counts need a deterministic model");
  const auto table = byte_to_char();
  std::unordered_map<char32_t, unsigned char> inverse;
  for (int i = 0; i < 256; ++i) inverse[table[static_cast<std::size_t>(i)]] = static_cast<unsigned char>(i);
  b.byte_ids.fill(-1);
  std::string raw;
  for (const auto& [token, id] : member(model, "vocab", "model").items()) {
    if (!to_raw_bytes(token, inverse, raw)) continue;  // not byte-level text: unreachable by merges
    b.vocab.emplace(raw, id.get<std::uint32_t>());
    if (raw.size() == 1) b.byte_ids[static_cast<unsigned char>(raw[0])] = id.get<std::uint32_t>();
  }
  m.vocab_size = member(model, "vocab", "model").size();
  if (model.contains("unk_token") && model["unk_token"].is_string()) {
    if (const std::uint32_t* unk_id = b.vocab.find(model["unk_token"].get<std::string>())) b.unk = *unk_id;
  }
  b.ignore_merges = flag(model, "ignore_merges", false);
  std::uint32_t rank = 0;
  std::string left, right;
  for (const json& merge : member(model, "merges", "model")) {
    std::string a, c;
    if (merge.is_string()) {
      const std::string s = merge.get<std::string>();
      const auto space = s.find(' ');
      if (space == std::string::npos) bad("BPE merge \"" + s + "\" is not two tokens separated by a space");
      a = s.substr(0, space);
      c = s.substr(space + 1);
    } else if (merge.is_array() && merge.size() == 2) {
      a = merge[0].get<std::string>();
      c = merge[1].get<std::string>();
    } else {
      bad("BPE merges must be strings \"a b\" or pairs [a, b]");
    }
    if (!to_raw_bytes(a, inverse, left) || !to_raw_bytes(c, inverse, right)) bad("BPE merge is not byte-level text");
    const std::uint32_t *ia = b.vocab.find(left), *ic = b.vocab.find(right), *im = b.vocab.find(left + right);
    if (ia == nullptr || ic == nullptr || im == nullptr)
      bad("BPE merge \"" + a + " " + c + "\" uses a token missing from the vocabulary");
    b.merges.emplace((static_cast<std::uint64_t>(*ia) << 32) | *ic, std::make_pair(rank++, *im));
  }
}

std::unique_ptr<TokenizerModel> parse(std::string_view text) {
  json j;
  try {
    j = json::parse(text);
  } catch (const json::exception& e) {
    bad(std::string("does not parse as JSON (") + e.what() + ")");
  }
  if (!j.is_object()) bad("the top level must be a JSON object");
  auto m = std::make_unique<TokenizerModel>();
  try {
    const json& model = member(j, "model", "the file");
    std::string type = type_of(model);
    if (type.empty())
      type = model.contains("merges") ? "BPE" : model.contains("max_input_chars_per_word") ? "WordPiece" : "";
    if (type == "WordPiece") {
      m->kind = TokenizerModel::Kind::wordpiece;
      read_wordpiece(model, *m);
    } else if (type == "BPE") {
      m->kind = TokenizerModel::Kind::bpe;
      read_bpe(model, *m);
    } else {
      bad("model \"" + type + "\" is not supported (expected WordPiece or BPE); count tokens with a callable instead");
    }
    read_normalizer(j, *m);
    read_pre_tokenizer(j, *m);
    if (j.contains("added_tokens")) {
      for (const json& t : j["added_tokens"]) {
        const std::string content = member(t, "content", "added token").get<std::string>();
        if (content.empty()) continue;
        m->added.push_back({content, member(t, "id", "added token").get<std::uint32_t>()});
        m->added_first_byte[static_cast<unsigned char>(content[0])] = true;
      }
      std::stable_sort(m->added.begin(), m->added.end(),
                       [](const auto& a, const auto& b) { return a.content.size() > b.content.size(); });
    }
    const json& post = j.contains("post_processor") ? j["post_processor"] : json();
    const detail::Vocab& vocab = m->kind == TokenizerModel::Kind::wordpiece ? m->wordpiece.vocab : m->bpe.vocab;
    m->special_added = count_post_processor(post, *m, vocab);
  } catch (const json::exception& e) {
    bad(std::string("unexpected structure (") + e.what() + ")");
  }
  return m;
}

}  // namespace

Tokenizer::Tokenizer(std::unique_ptr<detail::TokenizerModel> model) : model_(std::move(model)) {}
Tokenizer::~Tokenizer() = default;

std::shared_ptr<const Tokenizer> Tokenizer::from_json(std::string_view json_text) {
  return std::shared_ptr<const Tokenizer>(new Tokenizer(parse(json_text)));
}

std::shared_ptr<const Tokenizer> Tokenizer::from_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw IOError("cannot open tokenizer file \"" + path + "\"");
  std::ostringstream buffer;
  buffer << in.rdbuf();
  if (in.bad()) throw IOError("cannot read tokenizer file \"" + path + "\"");
  try {
    return from_json(buffer.str());
  } catch (const InvalidArgument& e) {
    throw InvalidArgument(std::string(e.what()) + " (file \"" + path + "\")");
  }
}

std::vector<std::uint32_t> Tokenizer::encode(std::string_view text, bool add_special_tokens) const {
  sanitize_utf8(text, Utf8Errors::strict);
  std::vector<std::uint32_t> ids;
  if (add_special_tokens) ids = model_->special_prefix;
  model_->encode(text, ids);
  if (add_special_tokens) ids.insert(ids.end(), model_->special_suffix.begin(), model_->special_suffix.end());
  return ids;
}

std::size_t Tokenizer::count(std::string_view text, bool add_special_tokens) const {
  sanitize_utf8(text, Utf8Errors::strict);
  return model_->count(text) + (add_special_tokens ? model_->special_added : 0);
}

std::size_t Tokenizer::special_tokens_added() const noexcept { return model_->special_added; }
std::string_view Tokenizer::model_type() const noexcept {
  return model_->kind == detail::TokenizerModel::Kind::wordpiece ? "WordPiece" : "BPE";
}
std::size_t Tokenizer::vocab_size() const noexcept { return model_->vocab_size; }
void Tokenizer::clear_cache() const { model_->clear_cache(); }

}  // namespace ragkernel::chunk
