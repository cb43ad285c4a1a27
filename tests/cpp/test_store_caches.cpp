// Embedding cache, request keys and the LLM cache: keys, TTL, eviction, semantic lookups.
#include <gtest/gtest.h>

#include <cmath>

#include "ragkernel/error.hpp"
#include "ragkernel/store/embedding_cache.hpp"
#include "ragkernel/store/llm_cache.hpp"
#include "ragkernel/store/request_key.hpp"
#include "store/float16.hpp"
#include "store_test_util.hpp"

using namespace ragkernel;
using namespace ragkernel::store;
using ragkernel::store::test_util::FakeClock;
using ragkernel::store::test_util::ScratchDir;

namespace {

StoreOptions with_clock(const FakeClock& clock) {
  StoreOptions options;
  options.clock = clock.fn();
  return options;
}

Value obj(Value::Object members) { return Value(std::move(members)); }
Value arr(Value::Array items) { return Value(std::move(items)); }

Value chat(std::string model, std::string question, Value::Object extra = {}) {
  Value::Object request = {
      {"model", std::move(model)},
      {"messages", Value::Array{Value(Value::Object{{"role", "system"}, {"content", "Be brief."}}),
                                Value(Value::Object{{"role", "user"}, {"content", std::move(question)}})}}};
  for (auto& member : extra) request.push_back(std::move(member));
  return Value(std::move(request));
}

// A toy embedder: a bag of the words' first letters, enough to make similar texts similar.
std::vector<float> letters(std::string_view text) {
  std::vector<float> v(26, 0.0f);
  bool start = true;
  for (const char c : text) {
    if (std::isalpha(static_cast<unsigned char>(c))) {
      if (start) v[static_cast<std::size_t>(std::tolower(c) - 'a')] += 1.0f;
      start = false;
    } else {
      start = true;
    }
  }
  return v;
}

}  // namespace

// ---- float16 ----

TEST(Float16, RoundTripsAndRoundsToNearestEven) {
  using detail::float_to_half;
  using detail::half_to_float;
  EXPECT_EQ(float_to_half(1.0f), 0x3C00);
  EXPECT_EQ(float_to_half(-2.0f), 0xC000);
  EXPECT_EQ(float_to_half(65504.0f), 0x7BFF);
  EXPECT_EQ(float_to_half(65520.0f), 0x7C00);                // rounds up to infinity
  EXPECT_EQ(float_to_half(1.0f + 1.0f / 2048), 0x3C00);      // a tie rounds to even
  EXPECT_EQ(float_to_half(1.0f + 3.0f / 2048), 0x3C02);      // a tie rounds to even (up)
  EXPECT_EQ(float_to_half(5.960464477539063e-08f), 0x0001);  // the smallest subnormal
  EXPECT_EQ(half_to_float(0x0001), 5.960464477539063e-08f);
  EXPECT_TRUE(std::isnan(half_to_float(float_to_half(std::nanf("")))));
  for (std::uint32_t bits = 0; bits < 0x10000; ++bits) {  // every finite half survives a round trip
    const auto h = static_cast<std::uint16_t>(bits);
    if ((h & 0x7C00) == 0x7C00) continue;
    ASSERT_EQ(float_to_half(half_to_float(h)), h) << bits;
  }
}

// ---- embedding cache ----

TEST(EmbeddingCache, KeysSeparateEveryField) {
  const EmbeddingSpace base{.model = "m", .dim = 4, .normalization = "none"};
  const std::string k = EmbeddingCache::key(base, "text");
  EXPECT_EQ(k.size(), 40u);
  EXPECT_EQ(k, EmbeddingCache::key(base, "text"));
  EXPECT_NE(k, EmbeddingCache::key({.model = "m2", .dim = 4, .normalization = "none"}, "text"));
  EXPECT_NE(k, EmbeddingCache::key({.model = "m", .dim = 8, .normalization = "none"}, "text"));
  EXPECT_NE(k, EmbeddingCache::key({.model = "m", .dim = 4, .normalization = "l2"}, "text"));
  // Field boundaries cannot move: ("ab", "c") and ("a", "bc").
  EXPECT_NE(EmbeddingCache::key({.model = "ab", .dim = 4, .normalization = "none"}, "c"),
            EmbeddingCache::key({.model = "a", .dim = 4, .normalization = "none"}, "bc"));
  EXPECT_NE(EmbeddingCache::key({.model = "m", .dim = 4, .normalization = "l"}, "2text"),
            EmbeddingCache::key({.model = "m", .dim = 4, .normalization = "l2"}, "text"));
}

TEST(EmbeddingCache, BatchedGetPutCountsHitsAndMisses) {
  ScratchDir dir;
  auto cache = EmbeddingCache::open(dir.path());
  const EmbeddingSpace space{.model = "mini", .dim = 3, .normalization = "l2"};
  const std::vector<std::string_view> texts = {"alpha", "beta"};
  const std::vector<float> vectors = {1, 2, 3, 4, 5, 6};
  cache->put_many(space, texts, vectors.data());

  const std::vector<std::string_view> query = {"beta", "gamma", "alpha"};
  std::vector<float> out(9, -1.0f);
  std::vector<std::uint8_t> hit(3);
  EXPECT_EQ(cache->get_many(space, query, out.data(), hit.data()), 2u);
  EXPECT_EQ(hit, (std::vector<std::uint8_t>{1, 0, 1}));
  EXPECT_EQ(out, (std::vector<float>{4, 5, 6, 0, 0, 0, 1, 2, 3}));
  EXPECT_EQ(cache->counters().hits, 2u);
  EXPECT_EQ(cache->counters().misses, 1u);
  EXPECT_EQ(cache->counters().puts, 2u);

  // Another normalisation is another key.
  EXPECT_EQ(cache->get_many({.model = "mini", .dim = 3, .normalization = "none"}, query, out.data(), hit.data()), 0u);
}

TEST(EmbeddingCache, Float16HalvesTheBytesAndStaysClose) {
  ScratchDir dir;
  auto cache = EmbeddingCache::open(dir.path(), {}, {.dtype = VectorDtype::float16});
  const EmbeddingSpace space{.model = "m", .dim = 4, .normalization = "none"};
  const std::vector<std::string_view> texts = {"t"};
  const std::vector<float> v = {0.1f, -0.25f, 3.14159f, 1e-3f};
  cache->put_many(space, texts, v.data());
  std::vector<float> out(4);
  std::uint8_t hit = 0;
  cache->get_many(space, texts, out.data(), &hit);
  ASSERT_EQ(hit, 1);
  for (std::size_t i = 0; i < 4; ++i) EXPECT_NEAR(out[i], v[i], std::abs(v[i]) * 1e-3);
  EXPECT_EQ(*cache->store().get(cache->store().family(EmbeddingCache::kEntries), EmbeddingCache::key(space, "t")),
            std::string(
                *cache->store().get(cache->store().family(EmbeddingCache::kEntries), EmbeddingCache::key(space, "t"))));
  EXPECT_EQ(
      cache->store().get(cache->store().family(EmbeddingCache::kEntries), EmbeddingCache::key(space, "t"))->size(),
      10u + 1 + 4 + 4 * 2);
}

TEST(EmbeddingCache, TtlIsCheckedOnReadAndCompactionDropsExpired) {
  ScratchDir dir;
  FakeClock clock;
  auto cache = EmbeddingCache::open(dir.path(), with_clock(clock), {.default_ttl_ms = 60'000});
  const EmbeddingSpace space{.model = "m", .dim = 2, .normalization = "none"};
  const std::vector<std::string_view> short_lived = {"a"}, kept = {"b"};
  const std::vector<float> v = {1, 2};
  cache->put_many(space, short_lived, v.data());      // default TTL: 60 s
  cache->put_many(space, kept, v.data(), 3'600'000);  // one hour
  EXPECT_THROW(cache->put_many(space, kept, v.data(), 0), InvalidArgument);
  clock.advance_ms(61'000);
  std::vector<float> out(2);
  std::uint8_t hit = 1;
  EXPECT_EQ(cache->get_many(space, short_lived, out.data(), &hit), 0u);
  EXPECT_EQ(hit, 0);
  EXPECT_EQ(cache->counters().expired, 1u);
  EXPECT_EQ(cache->get_many(space, kept, out.data(), &hit), 1u);

  const Family entries = cache->store().family(EmbeddingCache::kEntries);
  EXPECT_TRUE(cache->store().get(entries, EmbeddingCache::key(space, "a")));  // still on disk
  cache->store().compact();
  EXPECT_FALSE(cache->store().get(entries, EmbeddingCache::key(space, "a")));  // dropped by the filter
  EXPECT_TRUE(cache->store().get(entries, EmbeddingCache::key(space, "b")));
}

TEST(EmbeddingCache, EraseModelAndRejectBadVectors) {
  ScratchDir dir;
  auto cache = EmbeddingCache::open(dir.path());
  const std::vector<std::string_view> texts = {"x"};
  const std::vector<float> v = {1, 2};
  cache->put_many({.model = "a", .dim = 2, .normalization = "none"}, texts, v.data());
  cache->put_many({.model = "b", .dim = 2, .normalization = "none"}, texts, v.data());
  cache->erase_model("a");
  std::vector<float> out(2);
  std::uint8_t hit = 0;
  EXPECT_EQ(cache->get_many({.model = "a", .dim = 2, .normalization = "none"}, texts, out.data(), &hit), 0u);
  EXPECT_EQ(cache->get_many({.model = "b", .dim = 2, .normalization = "none"}, texts, out.data(), &hit), 1u);
  const std::vector<float> bad = {1, std::numeric_limits<float>::infinity()};
  EXPECT_THROW(cache->put_many({.model = "c", .dim = 2, .normalization = "none"}, texts, bad.data()), InvalidArgument);
  EXPECT_THROW(cache->put_many({.model = "", .dim = 2, .normalization = "none"}, texts, v.data()), InvalidArgument);
}

// ---- request keys ----

TEST(RequestKey, CanonicalAcrossOrderNullsNumbersAndVolatileFields) {
  const Value a = Value(Value::Object{{"model", "gpt"}, {"temperature", 1}, {"messages", Value::Array{"hi"}}});
  const Value b = Value(Value::Object{{"messages", Value::Array{"hi"}},
                                      {"temperature", 1.0},
                                      {"model", "gpt"},
                                      {"seed", nullptr},
                                      {"api_key", "sk-secret"},
                                      {"stream", true},
                                      {"timeout", 30}});
  EXPECT_EQ(request_key(a), request_key(b));
  EXPECT_NE(
      request_key(a),
      request_key(Value(Value::Object{{"model", "gpt"}, {"temperature", 0.7}, {"messages", Value::Array{"hi"}}})));
  EXPECT_NE(
      request_key(a),
      request_key(Value(Value::Object{{"model", "gpt"}, {"temperature", true}, {"messages", Value::Array{"hi"}}})));
  // Length prefixes: no concatenation ambiguity.
  EXPECT_NE(canonical_encoding(Value(Value::Array{"ab", "c"})), canonical_encoding(Value(Value::Array{"a", "bc"})));
  EXPECT_NE(canonical_encoding(Value(Value::Array{Value::Array{}, Value::Array{}})),
            canonical_encoding(Value(Value::Array{Value::Array{Value::Array{}}})));
  const std::vector<std::string> extra = {"seed"};
  EXPECT_EQ(request_key(a),
            request_key(Value(Value::Object{
                            {"model", "gpt"}, {"temperature", 1}, {"seed", 7}, {"messages", Value::Array{"hi"}}}),
                        extra));
  EXPECT_THROW(request_key(Value(Value::Object{{"temperature", std::nan("")}})), InvalidArgument);
  EXPECT_THROW(request_key(Value("not an object")), InvalidArgument);
  EXPECT_THROW(request_key(Value(Value::Object{{"a", 1}, {"a", 2}})), InvalidArgument);
  EXPECT_EQ(to_hex(request_key(a)).size(), 64u);
}

TEST(RequestKey, SemanticPartitionIgnoresOnlyTheLastText) {
  const auto q1 = semantic_request(chat("gpt", "How do I reset my password?"), "mini");
  const auto q2 = semantic_request(chat("gpt", "How can I change my password?"), "mini");
  ASSERT_TRUE(q1 && q2);
  EXPECT_EQ(q1->partition, q2->partition);
  EXPECT_EQ(q1->text, "How do I reset my password?");
  EXPECT_NE(q1->partition, semantic_request(chat("gpt-4", "How do I reset my password?"), "mini")->partition);
  EXPECT_NE(q1->partition,
            semantic_request(chat("gpt", "How do I reset my password?", {{"temperature", 0.2}}), "mini")->partition);
  EXPECT_NE(q1->partition, semantic_request(chat("gpt", "How do I reset my password?"), "other-embedder")->partition);
  // Content as a list of text parts is joined; an image part makes it not comparable.
  const Value parts = obj({{"model", "gpt"},
                           {"messages", arr({obj({{"role", "user"},
                                                  {"content", arr({obj({{"type", "text"}, {"text", "a"}}),
                                                                   obj({{"type", "text"}, {"text", "b"}})})}})})}});
  EXPECT_EQ(semantic_request(parts, "mini")->text, "a\nb");
  const Value image =
      obj({{"model", "gpt"},
           {"messages",
            arr({obj({{"role", "user"}, {"content", arr({obj({{"type", "image_url"}, {"image_url", "x"}})})}})})}});
  EXPECT_FALSE(semantic_request(image, "mini"));
}

// ---- LLM cache ----

TEST(LLMCache, ExactLookupUpdateStatsAndReopen) {
  ScratchDir dir;
  {
    auto cache = LLMCache::open(dir.path());
    EXPECT_FALSE(cache->lookup(chat("gpt", "hi")));
    cache->update(chat("gpt", "hi"), R"({"answer":"hello"})",
                  {.prompt_tokens = 10, .completion_tokens = 5, .cost = 0.5});
    const auto hit = cache->lookup(chat("gpt", "hi", {{"api_key", "sk-other"}, {"stream", false}}));
    ASSERT_TRUE(hit);
    EXPECT_EQ(hit->response, R"({"answer":"hello"})");
    const LLMCacheStats s = cache->stats();
    EXPECT_EQ(s.exact_hits, 1u);
    EXPECT_EQ(s.misses, 1u);
    EXPECT_EQ(s.prompt_tokens_saved, 10u);
    EXPECT_EQ(s.completion_tokens_saved, 5u);
    EXPECT_DOUBLE_EQ(s.cost_saved, 0.5);
    EXPECT_EQ(s.entries, 1u);
    cache->check_integrity();
  }
  auto cache = LLMCache::open(dir.path());
  EXPECT_TRUE(cache->lookup(chat("gpt", "hi")));
  EXPECT_EQ(cache->stats().entries, 1u);
  EXPECT_TRUE(cache->erase(chat("gpt", "hi")));
  EXPECT_FALSE(cache->lookup(chat("gpt", "hi")));
  cache->check_integrity();
}

TEST(LLMCache, TtlExpiresOnReadAndIsPurgedOnWrites) {
  ScratchDir dir;
  FakeClock clock;
  auto cache = LLMCache::open(dir.path(), with_clock(clock), {.default_ttl_ms = 1000});
  cache->update(chat("gpt", "short"), "r1", {});
  cache->update(chat("gpt", "long"), "r2", {}, 100'000);
  clock.advance_ms(1500);
  EXPECT_FALSE(cache->lookup(chat("gpt", "short")));
  EXPECT_TRUE(cache->lookup(chat("gpt", "long")));
  EXPECT_EQ(cache->stats().entries, 2u);          // expired but not yet purged
  cache->update(chat("gpt", "other"), "r3", {});  // writes purge what has expired
  EXPECT_EQ(cache->stats().entries, 2u);
  EXPECT_EQ(cache->stats().expirations, 1u);
  clock.advance_ms(200'000);
  EXPECT_EQ(cache->purge_expired(), 2u);
  EXPECT_EQ(cache->stats().entries, 0u);
  EXPECT_EQ(cache->stats().bytes, 0u);
  cache->check_integrity();
}

TEST(LLMCache, EvictsLeastRecentlyUsedByBytes) {
  ScratchDir dir;
  const std::string response(1000, 'r');
  auto cache = LLMCache::open(dir.path(), {}, {.max_bytes = 5 * 1300});
  for (const char* q : {"q0", "q1", "q2", "q3", "q4"}) cache->update(chat("gpt", q), response, {});
  EXPECT_EQ(cache->stats().entries, 5u);
  ASSERT_TRUE(cache->lookup(chat("gpt", "q0")));  // q0 becomes the most recently used
  cache->update(chat("gpt", "q5"), response, {});
  EXPECT_LE(cache->stats().bytes, 5u * 1300);
  EXPECT_EQ(cache->stats().evictions, 1u);
  EXPECT_TRUE(cache->lookup(chat("gpt", "q0")));
  EXPECT_FALSE(cache->lookup(chat("gpt", "q1")));  // the least recently used one went
  EXPECT_TRUE(cache->lookup(chat("gpt", "q5")));
  cache->check_integrity();

  // A response larger than the whole budget is not stored (and evicts nothing).
  EXPECT_FALSE(cache->update(chat("gpt", "huge"), std::string(10'000, 'x'), {}));
  EXPECT_EQ(cache->stats().oversize_skipped, 1u);
  EXPECT_EQ(cache->stats().entries, 5u);
  cache->check_integrity();
}

TEST(LLMCache, SemanticHitsWithinAPartitionAndVerifierVeto) {
  ScratchDir dir;
  auto cache = LLMCache::open(dir.path(), {}, {.embedding_model = "letters"});
  const Embedder embed = letters;
  cache->update_semantic(chat("gpt", "how to reset my password"), "answer A", {.prompt_tokens = 7}, embed);
  // Same first letters in another order: cosine 1 with the toy embedder.
  const auto hit = cache->lookup_semantic(chat("gpt", "reset my password, how to"), embed, 0.9f);
  ASSERT_TRUE(hit);
  EXPECT_FALSE(hit->exact);
  EXPECT_EQ(hit->entry.response, "answer A");
  EXPECT_EQ(hit->matched_text, "how to reset my password");
  EXPECT_NEAR(hit->score, 1.0f, 1e-5);
  // Another model is another partition: never compared.
  EXPECT_FALSE(cache->lookup_semantic(chat("gpt-4", "reset my password, how to"), embed, 0.9f));
  // Below the threshold: a miss.
  EXPECT_FALSE(cache->lookup_semantic(chat("gpt", "weather in paris tomorrow"), embed, 0.9f));
  // The verifier can refuse a candidate above the threshold.
  const Verifier refuse = [](std::string_view, std::string_view, float) { return false; };
  EXPECT_FALSE(cache->lookup_semantic(chat("gpt", "reset my password, how to"), embed, 0.9f, refuse));
  const LLMCacheStats s = cache->stats();
  EXPECT_EQ(s.semantic_hits, 1u);
  EXPECT_EQ(s.verifier_rejections, 1u);
  EXPECT_EQ(s.misses, 3u);
  EXPECT_EQ(s.prompt_tokens_saved, 7u);
  // An exact repeat is an exact hit, even through lookup_semantic.
  EXPECT_TRUE(cache->lookup_semantic(chat("gpt", "how to reset my password"), embed, 0.9f)->exact);
  cache->check_integrity();
}

TEST(LLMCache, SemanticEntriesSurviveReopenAndLeaveWithEviction) {
  ScratchDir dir;
  const Embedder embed = letters;
  {
    auto cache = LLMCache::open(dir.path(), {}, {.max_bytes = 2 * 1500, .embedding_model = "letters"});
    cache->update_semantic(chat("gpt", "alpha beta"), std::string(1000, 'a'), {}, embed);
    cache->update_semantic(chat("gpt", "gamma delta"), std::string(1000, 'g'), {}, embed);
    EXPECT_TRUE(cache->lookup_semantic(chat("gpt", "beta alpha"), embed, 0.99f));
    cache->update_semantic(chat("gpt", "epsilon zeta"), std::string(1000, 'e'), {}, embed);  // evicts "gamma delta"
    EXPECT_FALSE(cache->lookup_semantic(chat("gpt", "delta gamma"), embed, 0.99f));
    cache->check_integrity();
  }
  auto cache = LLMCache::open(dir.path(), {}, {.max_bytes = 2 * 1500, .embedding_model = "letters"});
  EXPECT_TRUE(cache->lookup_semantic(chat("gpt", "zeta epsilon"), embed, 0.99f));
  EXPECT_TRUE(cache->lookup_semantic(chat("gpt", "beta alpha"), embed, 0.99f));
  EXPECT_THROW(
      cache->update_semantic(chat("gpt", "x y"), "r", {}, [](std::string_view) { return std::vector<float>(3, 1.0f); }),
      InvalidArgument);  // another dimension than the partition's
  EXPECT_THROW(cache->update_semantic(chat("gpt", "x y"), "r", {},
                                      [](std::string_view) { return std::vector<float>(26, 0.0f); }),
               InvalidArgument);  // a zero vector has no direction
  cache->check_integrity();
}

TEST(LLMCache, ReadOnlyHandlesServeButDoNotWrite) {
  ScratchDir dir;
  LLMCache::open(dir.path())->update(chat("gpt", "q"), "r", {});
  auto reader = LLMCache::open(dir.path(), StoreOptions{.access = Access::read_only});
  EXPECT_TRUE(reader->lookup(chat("gpt", "q")));
  EXPECT_THROW(reader->update(chat("gpt", "q2"), "r", {}), InvalidArgument);
}
