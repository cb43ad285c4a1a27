#pragma once
// Readers for judgment and run files. Malformed input throws InvalidArgument naming the file
// and line ("qrels.txt:12: ..."); a file that cannot be opened throws IOError.
#include <string>

#include "ragkernel/eval/qrels.hpp"
#include "ragkernel/eval/run.hpp"

namespace ragkernel::eval {

// TREC qrels: "query iteration document grade" per line, whitespace separated.
Qrels read_trec_qrels(const std::string& path);

// BEIR qrels: a header line ("query-id corpus-id score"), then "query<TAB>document<TAB>grade".
Qrels read_beir_qrels(const std::string& path);

// TREC run: "query Q0 document rank score tag" per line, whitespace separated. The rank column
// is checked to be an integer and otherwise ignored, as trec_eval does.
Run read_trec_run(const std::string& path);

}  // namespace ragkernel::eval
