#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "ragkernel/error.hpp"
#include "ragkernel/filter/filter.hpp"
#include "ragkernel/filter/metadata_store.hpp"

using namespace ragkernel::filter;

namespace {

Json obj(JsonObject o) { return Json{std::move(o)}; }
Json arr(JsonArray a) { return Json{std::move(a)}; }
Json str(const char* s) { return Json{std::string(s)}; }
Json num(std::int64_t i) { return Json{i}; }

MetadataStore sample() {
  MetadataStore s;
  std::vector<Metadata> records = {
      {{"year", std::int64_t{2019}}, {"lang", std::string("en")}, {"tags", std::vector<std::string>{"a", "b"}}},
      {{"year", 2021.5}, {"lang", std::string("de")}, {"draft", true}},
      {{"year", std::int64_t{2023}}, {"tags", std::vector<std::string>{"c"}}},
      {}};
  s.set(std::vector<std::uint32_t>{0, 1, 5, 7}, records);
  return s;
}

std::vector<std::uint32_t> ids(const MetadataStore& s, const Json& f) { return s.match_ids(parse_filter(f)); }

}  // namespace

TEST(Filter, OperatorsAndImplicitEquality) {
  const MetadataStore s = sample();
  using V = std::vector<std::uint32_t>;
  EXPECT_EQ(ids(s, obj({{"lang", str("en")}})), (V{0}));
  EXPECT_EQ(ids(s, obj({{"year", obj({{"$gte", num(2020)}})}})), (V{1, 5}));
  EXPECT_EQ(ids(s, obj({{"year", obj({{"$gt", num(2019)}, {"$lt", num(2023)}})}})), (V{1}));
  EXPECT_EQ(ids(s, obj({{"lang", obj({{"$ne", str("en")}})}})), (V{1}));
  EXPECT_EQ(ids(s, obj({{"tags", obj({{"$in", arr({str("c"), str("z")})}})}})), (V{5}));
  EXPECT_EQ(ids(s, obj({{"tags", str("b")}})), (V{0}));
  EXPECT_EQ(ids(s, obj({{"tags", obj({{"$nin", arr({str("a")})}})}})), (V{5}));
  EXPECT_EQ(ids(s, obj({{"lang", obj({{"$exists", Json{false}}})}})), (V{5, 7}));
  EXPECT_EQ(ids(s, obj({{"$or", arr({obj({{"draft", Json{true}}}), obj({{"year", num(2023)}})})}})), (V{1, 5}));
  EXPECT_EQ(ids(s, obj({{"$not", obj({{"lang", str("en")}})}})), (V{1, 5, 7}));
  EXPECT_EQ(ids(s, obj({{"$and", arr({obj({{"year", obj({{"$lte", Json{2021.5}}})}}), obj({{"lang", str("de")}})})}})),
            (V{1}));
  EXPECT_EQ(ids(s, obj({})), (V{0, 1, 5, 7}));
  EXPECT_EQ(ids(s, obj({{"missing", str("x")}})), (V{}));
  EXPECT_EQ(s.match(parse_filter(obj({})), 100).size(), 100u);
}

TEST(Filter, ErrorsNameFieldOperatorAndType) {
  const MetadataStore s = sample();
  auto message = [&](const Json& f) {
    try {
      ids(s, f);
    } catch (const ragkernel::InvalidArgument& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_EQ(message(obj({{"year", obj({{"$gte", str("x")}})}})),
            "filter on field 'year', operator $gte: the field holds number values, got string 'x'");
  EXPECT_NE(message(obj({{"year", obj({{"$like", num(1)}})}})).find("unknown operator '$like'"), std::string::npos);
  EXPECT_NE(message(obj({{"$xor", arr({})}})).find("unknown filter operator '$xor'"), std::string::npos);
  EXPECT_NE(message(obj({{"lang", obj({{"$gt", str("a")}})}})).find("needs a number field"), std::string::npos);
  EXPECT_NE(message(obj({{"tags", obj({{"$in", str("a")}})}})).find("expected a list"), std::string::npos);
  EXPECT_NE(message(obj({{"$and", obj({})}})).find("$and expects a list"), std::string::npos);
  EXPECT_NE(message(obj({{"draft", num(1)}})).find("holds bool values, got int 1"), std::string::npos);
  EXPECT_NE(message(obj({{"lang", Json{nullptr}}})).find("got null"), std::string::npos);
}

TEST(Filter, SetIsAllOrNothing) {
  MetadataStore s = sample();
  std::vector<Metadata> bad = {{{"lang", std::string("fr")}}, {{"year", std::string("2020")}}};
  EXPECT_THROW(s.set(std::vector<std::uint32_t>{0, 9}, bad), ragkernel::InvalidArgument);
  EXPECT_EQ(s.size(), 4u);
  EXPECT_EQ(std::get<std::string>(s.get(0)[0].second), "en");
  EXPECT_FALSE(s.contains(9));
  std::vector<Metadata> reserved = {{{"$year", std::int64_t{1}}}};
  EXPECT_THROW(s.set(std::vector<std::uint32_t>{3}, reserved), ragkernel::InvalidArgument);
  s.remove(std::vector<std::uint32_t>{0});
  EXPECT_FALSE(s.contains(0));
  EXPECT_EQ(ids(s, obj({{"lang", str("en")}})), (std::vector<std::uint32_t>{}));
  EXPECT_THROW(s.get(0), ragkernel::NotFound);
}
