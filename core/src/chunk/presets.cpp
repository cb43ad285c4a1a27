// Separator presets of the recursive chunker.
#include <map>

#include "ragkernel/error.hpp"
#include "splitters.hpp"

namespace ragkernel::chunk {
namespace {

const std::map<std::string, std::vector<std::string>, std::less<>>& presets() {
  static const std::map<std::string, std::vector<std::string>, std::less<>> table = {
      // LangChain RecursiveCharacterTextSplitter's defaults (separator kept at the start).
      {"langchain", {"\n\n", "\n", " ", ""}},
      // Paragraphs, lines, sentences, clauses, words, characters (separator kept at the end).
      {"text",
       {"\n\n", "\n", ". ", "! ", "? ", "\xE3\x80\x82", "\xEF\xBC\x81", "\xEF\xBC\x9F", "; ", ": ", ", ",
        "\xEF\xBC\x9B", "\xEF\xBC\x8C", "\xE3\x80\x81", " ", ""}},
      {"markdown",
       {"\n# ", "\n## ", "\n### ", "\n#### ", "\n##### ", "\n###### ", "\n```", "\n~~~", "\n\n", "\n", ". ", "! ", "? ",
        "; ", ", ", " ", ""}},
      {"python", {"\nclass ", "\ndef ", "\n    def ", "\n\tdef ", "\n\n", "\n", " ", ""}},
      {"cpp",
       {"\nclass ", "\nstruct ", "\nnamespace ", "\nvoid ", "\nint ", "\nfloat ", "\ndouble ", "\n\n", "\nif ",
        "\nfor ", "\nwhile ", "\nswitch ", "\ncase ", "\n", " ", ""}},
      {"java",
       {"\nclass ", "\npublic ", "\nprotected ", "\nprivate ", "\nstatic ", "\n\n", "\nif ", "\nfor ", "\nwhile ",
        "\nswitch ", "\ncase ", "\n", " ", ""}},
      {"javascript",
       {"\nfunction ", "\nconst ", "\nlet ", "\nvar ", "\nclass ", "\nexport ", "\n\n", "\nif ", "\nfor ", "\nwhile ",
        "\nswitch ", "\ncase ", "\n", " ", ""}},
      {"go",
       {"\nfunc ", "\ntype ", "\nvar ", "\nconst ", "\n\n", "\nif ", "\nfor ", "\nswitch ", "\ncase ", "\n", " ", ""}},
      {"rust",
       {"\nfn ", "\npub fn ", "\nimpl ", "\nstruct ", "\nenum ", "\nmod ", "\nconst ", "\n\n", "\nif ", "\nwhile ",
        "\nfor ", "\nloop ", "\nmatch ", "\n", " ", ""}},
  };
  return table;
}

}  // namespace

std::vector<std::string> recursive_presets() {
  std::vector<std::string> names;
  for (const auto& [name, separators] : presets()) names.push_back(name);
  return names;
}

std::vector<std::string> preset_separators(std::string_view preset) {
  const auto it = presets().find(preset);
  if (it == presets().end()) {
    std::string names;
    for (const auto& name : recursive_presets()) names += (names.empty() ? "" : ", ") + name;
    throw InvalidArgument("unknown recursive preset \"" + std::string(preset) + "\"; expected one of: " + names);
  }
  return it->second;
}

namespace detail {

const std::vector<std::string>& clause_separators() {
  static const std::vector<std::string> separators = {"\n",           "; ",           ": ", ", ", "\xEF\xBC\x9B",
                                                      "\xEF\xBC\x8C", "\xE3\x80\x81", " ",  ""};
  return separators;
}

}  // namespace detail
}  // namespace ragkernel::chunk
