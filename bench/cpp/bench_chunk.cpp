// Chunking throughput on the bundled Cranfield abstracts (one string, documents separated by
// blank lines). Token workloads need RAGKERNEL_TOKENIZER_JSON (a tokenizer.json path, e.g. the
// all-MiniLM-L6-v2 one) and are skipped without it. Python side by side: bench/python/bench_chunk.py.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "ragkernel/chunk/chunk.hpp"
#include "ragkernel/chunk/tokenizer.hpp"

namespace rc = ragkernel::chunk;

namespace {

const std::string& corpus() {
  static const std::string text = [] {
    std::ifstream in(std::string(RAGKERNEL_SOURCE_DIR) + "/python/ragkernel/data/cranfield/corpus.jsonl");
    std::string line, all;
    while (std::getline(in, line)) {
      const auto doc = nlohmann::json::parse(line);
      all += doc.value("title", "") + "\n\n" + doc.value("text", "") + "\n\n";
    }
    return all;
  }();
  return text;
}

std::shared_ptr<const rc::Tokenizer> tokenizer() {
  static const std::shared_ptr<const rc::Tokenizer> t = []() -> std::shared_ptr<const rc::Tokenizer> {
    const char* path = std::getenv("RAGKERNEL_TOKENIZER_JSON");
    return path ? rc::Tokenizer::from_file(path) : nullptr;
  }();
  return t;
}

void run(benchmark::State& state, rc::Method method, rc::Unit unit, std::size_t size, std::size_t overlap) {
  rc::Options o;
  o.method = method;
  o.unit = unit;
  o.chunk_size = size;
  o.overlap = overlap;
  if (unit == rc::Unit::tokens) {
    o.tokenizer = tokenizer();
    if (!o.tokenizer) {
      state.SkipWithError("set RAGKERNEL_TOKENIZER_JSON to a tokenizer.json");
      return;
    }
  }
  const std::string& text = corpus();
  for (auto _ : state) benchmark::DoNotOptimize(rc::chunk_text(text, o));
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * text.size()));
}

void count_tokens(benchmark::State& state) {
  const auto t = tokenizer();
  if (!t) {
    state.SkipWithError("set RAGKERNEL_TOKENIZER_JSON to a tokenizer.json");
    return;
  }
  const std::string& text = corpus();
  for (auto _ : state) benchmark::DoNotOptimize(t->count(text));
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * text.size()));
}

}  // namespace

BENCHMARK(count_tokens)->Name("chunk/count_tokens");
BENCHMARK_CAPTURE(run, recursive_512_tokens, rc::Method::recursive, rc::Unit::tokens, 512, 0)
    ->Name("chunk/recursive/512tok");
BENCHMARK_CAPTURE(run, token_512_50, rc::Method::token, rc::Unit::tokens, 512, 50)
    ->Name("chunk/token/512tok_overlap50");
BENCHMARK_CAPTURE(run, sentence_512, rc::Method::sentence, rc::Unit::tokens, 512, 0)->Name("chunk/sentence/512tok");
BENCHMARK_CAPTURE(run, recursive_1000, rc::Method::recursive, rc::Unit::chars, 1000, 200)
    ->Name("chunk/recursive/1000chars_overlap200");
BENCHMARK_CAPTURE(run, markdown_1000, rc::Method::markdown, rc::Unit::chars, 1000, 0)->Name("chunk/markdown/1000chars");
