#include "ragkernel/eval/trec_io.hpp"

#include <array>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <memory>
#include <string_view>

#include "ragkernel/error.hpp"

namespace ragkernel::eval {
namespace {

std::string read_file(const std::string& path) {
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (!file) throw IOError("cannot open '" + path + "' for reading");
  std::string data;
  std::array<char, 1 << 16> buffer;
  std::size_t got = 0;
  while ((got = std::fread(buffer.data(), 1, buffer.size(), file.get())) > 0) data.append(buffer.data(), got);
  if (std::ferror(file.get())) throw IOError("failed while reading '" + path + "'");
  return data;
}

// Calls fn(line_number, line) for each line that is not blank; strips a trailing '\r'.
template <class Fn>
void for_each_line(const std::string& data, Fn&& fn) {
  std::size_t start = 0, number = 0;
  while (start < data.size()) {
    std::size_t end = data.find('\n', start);
    if (end == std::string::npos) end = data.size();
    std::string_view line(data.data() + start, end - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    ++number;
    if (line.find_first_not_of(" \t") != std::string_view::npos) fn(number, line);
    start = end + 1;
  }
}

// Splits on runs of `separators`; returns the number of fields (up to N are stored).
template <std::size_t N>
std::size_t split(std::string_view line, std::string_view separators, std::array<std::string_view, N>& out) {
  std::size_t count = 0, pos = 0;
  while (true) {
    pos = line.find_first_not_of(separators, pos);
    if (pos == std::string_view::npos) break;
    const std::size_t end = std::min(line.find_first_of(separators, pos), line.size());
    if (count < N) out[count] = line.substr(pos, end - pos);
    ++count;
    pos = end;
  }
  return count;
}

[[noreturn]] void fail(const std::string& path, std::size_t line, const std::string& what) {
  throw InvalidArgument(path + ":" + std::to_string(line) + ": " + what);
}

int parse_grade(const std::string& path, std::size_t line, std::string_view text) {
  int grade = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), grade);
  if (ec == std::errc() && end == text.data() + text.size()) return grade;
  double value = 0.0;  // "1.0" is accepted when it is a whole number
  auto [dend, dec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (dec == std::errc() && dend == text.data() + text.size() && std::floor(value) == value && std::fabs(value) < 1e9) {
    return static_cast<int>(value);
  }
  fail(path, line, "relevance grade '" + std::string(text) + "' is not an integer");
}

void add_judgment(Qrels& qrels, const std::string& path, std::size_t line, std::string_view query, std::string_view doc,
                  int grade) {
  try {
    qrels.add(query, doc, grade);
  } catch (const InvalidArgument& e) {
    fail(path, line, e.what());
  }
}

}  // namespace

Qrels read_trec_qrels(const std::string& path) {
  const std::string data = read_file(path);
  Qrels qrels;
  std::array<std::string_view, 4> f;
  for_each_line(data, [&](std::size_t number, std::string_view line) {
    const std::size_t n = split(line, " \t", f);
    if (n != 4) {
      fail(path, number,
           "expected 4 fields (query iteration document grade), got " + std::to_string(n) + ": '" + std::string(line) +
               "'");
    }
    add_judgment(qrels, path, number, f[0], f[2], parse_grade(path, number, f[3]));
  });
  return qrels;
}

Qrels read_beir_qrels(const std::string& path) {
  const std::string data = read_file(path);
  Qrels qrels;
  std::array<std::string_view, 3> f;
  bool header = true;
  for_each_line(data, [&](std::size_t number, std::string_view line) {
    const std::size_t n = split(line, "\t", f);
    if (n != 3) {
      fail(path, number,
           "expected 3 tab-separated fields (query-id, corpus-id, score), got " + std::to_string(n) + ": '" +
               std::string(line) + "'");
    }
    if (header) {
      header = false;
      int ignored = 0;
      // The header names its columns; a first line whose grade is a number is data.
      if (std::from_chars(f[2].data(), f[2].data() + f[2].size(), ignored).ec != std::errc()) return;
    }
    add_judgment(qrels, path, number, f[0], f[1], parse_grade(path, number, f[2]));
  });
  return qrels;
}

Run read_trec_run(const std::string& path) {
  const std::string data = read_file(path);
  Run run;
  std::array<std::string_view, 6> f;
  std::string last_query;
  std::size_t last_position = Run::npos;
  for_each_line(data, [&](std::size_t number, std::string_view line) {
    const std::size_t n = split(line, " \t", f);
    if (n != 6) {
      fail(path, number,
           "expected 6 fields (query Q0 document rank score tag), got " + std::to_string(n) + ": '" +
               std::string(line) + "'");
    }
    long long rank = 0;
    auto [rend, rec] = std::from_chars(f[3].data(), f[3].data() + f[3].size(), rank);
    if (rec != std::errc() || rend != f[3].data() + f[3].size()) {
      fail(path, number, "rank '" + std::string(f[3]) + "' is not an integer");
    }
    double score = 0.0;
    auto [send, sec] = std::from_chars(f[4].data(), f[4].data() + f[4].size(), score);
    if (sec != std::errc() || send != f[4].data() + f[4].size() || std::isnan(score)) {
      fail(path, number, "score '" + std::string(f[4]) + "' is not a number");
    }
    if (last_position == Run::npos || f[0] != last_query) {  // runs are grouped by query: one lookup per group
      last_position = run.add_query(f[0]);
      last_query.assign(f[0]);
    }
    run.add_at(last_position, f[2], score);
  });
  return run;
}

}  // namespace ragkernel::eval
