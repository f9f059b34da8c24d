#include "ruleset/pattern_db.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <cctype>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <thread>
#include <unordered_set>

namespace pixelwarden::ruleset {
namespace {

std::atomic<std::uint64_t> g_next_uid{1};

int on_match(unsigned id, unsigned long long /*from*/, unsigned long long /*to*/,
             unsigned /*flags*/, void* ctx) {
  *static_cast<std::optional<unsigned>*>(ctx) = id;
  return 1;  // stop at the first match
}

// Per-thread clones, keyed by ScratchSet uid. Few rulesets are alive at once (the
// current one and the one being replaced), so a tiny LRU-ish array suffices. A thread
// that ends (libmilter's pool retires idle workers all the time) hands its clones back
// to their ScratchSet's pool, and the next new thread takes one from there instead of
// cloning the prototype again.
struct ThreadScratch {
  struct Slot {
    std::uint64_t uid = 0;
    hs_scratch_t* scratch = nullptr;
    std::shared_ptr<ScratchPool> pool;
    void release() {
      if (scratch != nullptr) pool->give(scratch);
      *this = {};
    }
  };
  std::array<Slot, 4> slots{};
  std::size_t next = 0;
  ~ThreadScratch() {
    for (auto& s : slots) s.release();
  }
};
thread_local ThreadScratch t_scratch;

}  // namespace

std::optional<std::string> check_expression(const std::string& expression, unsigned flags) {
  hs_expr_info_t* info = nullptr;
  hs_compile_error_t* err = nullptr;
  if (hs_expression_info(expression.c_str(), flags, &info, &err) != HS_SUCCESS) {
    std::string msg = err != nullptr ? err->message : "invalid expression";
    hs_free_compile_error(err);
    return msg;
  }
  bool empty = info->min_width == 0;
  std::free(info);  // NOLINT: allocated by Hyperscan with the default (malloc) allocator
  if (empty) return std::string("Pattern matches the empty string.");
  return std::nullopt;
}

PatternDb::~PatternDb() {
  for (hs_database_t* d : m_regex_dbs) hs_free_database(d);
  if (m_lit_db != nullptr) hs_free_database(m_lit_db);
  if (m_combined != nullptr) hs_free_database(m_combined);
}

std::optional<std::string> literal_of(const std::string& expression, unsigned flags) {
  if ((flags & ~static_cast<unsigned>(HS_FLAG_CASELESS | HS_FLAG_SINGLEMATCH)) != 0)
    return std::nullopt;
  std::string out;
  out.reserve(expression.size());
  for (std::size_t i = 0; i < expression.size(); ++i) {
    const auto c = static_cast<unsigned char>(expression[i]);
    if (c == '\\') {
      // Only an escaped punctuation byte is itself; \d, \x41, \Q... are syntax.
      if (i + 1 >= expression.size()) return std::nullopt;
      const auto n = static_cast<unsigned char>(expression[++i]);
      if (n >= 0x80 || std::isalnum(n) != 0 || std::isspace(n) != 0) return std::nullopt;
      out += static_cast<char>(n);
      continue;
    }
    if (c == 0 || std::strchr(".^$|()[]{}*+?#", c) != nullptr) return std::nullopt;
    out += static_cast<char>(c);
  }
  if (out.empty()) return std::nullopt;
  return out;
}

namespace {

// Whether the literals' ends are much less varied than their starts (the confirm stage
// of Hyperscan's literal matcher buckets literals by their last bytes).
bool reverse_literals(const std::vector<std::string>& literals) {
  constexpr std::size_t k_window = 8;
  std::unordered_set<std::string> heads, tails;
  for (const std::string& l : literals) {
    const std::size_t k = std::min(k_window, l.size());
    std::string head = l.substr(0, k), tail = l.substr(l.size() - k);
    for (auto* s : {&head, &tail}) {
      for (char& ch : *s) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    }
    heads.insert(std::move(head));
    tails.insert(std::move(tail));
  }
  return tails.size() * 2 < heads.size();
}

PatternError compile_error(hs_compile_error_t* err, const std::vector<std::size_t>& index_of) {
  PatternError pe{SIZE_MAX, err != nullptr ? err->message : "compile failed"};
  if (err != nullptr && err->expression >= 0 &&
      static_cast<std::size_t>(err->expression) < index_of.size()) {
    pe.index = index_of[static_cast<std::size_t>(err->expression)];
  }
  hs_free_compile_error(err);
  return pe;
}

// Regexes per chunk below which a set is compiled in one piece (each chunk costs one
// more hs_scan per URL), and the most threads a compile uses.
constexpr std::size_t k_chunk_min = 256;
constexpr unsigned k_max_compile_threads = 4;

struct RegexChunk {
  std::size_t begin = 0, end = 0;
  hs_database_t* db = nullptr;
  hs_compile_error_t* err = nullptr;
};

void compile_chunk(const std::vector<const char*>& exprs, const std::vector<unsigned>& flags,
                   const std::vector<unsigned>& ids, RegexChunk& c) {
  if (hs_compile_multi(exprs.data() + c.begin, flags.data() + c.begin, ids.data() + c.begin,
                       static_cast<unsigned>(c.end - c.begin), HS_MODE_BLOCK, nullptr, &c.db,
                       &c.err) != HS_SUCCESS) {
    c.db = nullptr;
  }
}

}  // namespace

base::Result<std::unique_ptr<PatternDb>, PatternError> PatternDb::compile(
    const std::vector<PatternSpec>& specs) {
  std::vector<const char*> exprs;
  std::vector<unsigned> flags, ids;
  std::vector<std::size_t> regex_index;
  std::vector<std::string> literals;
  std::vector<unsigned> lit_flags, lit_ids;
  std::vector<std::size_t> lit_index;
  for (std::size_t i = 0; i < specs.size(); ++i) {
    const PatternSpec& s = specs[i];
    if (auto lit = literal_of(s.expression, s.flags)) {
      literals.push_back(std::move(*lit));
      lit_flags.push_back(s.flags);
      lit_ids.push_back(s.id);
      lit_index.push_back(i);
    } else {
      exprs.push_back(s.expression.c_str());
      flags.push_back(s.flags);
      ids.push_back(s.id);
      regex_index.push_back(i);
    }
  }
  auto db = std::make_unique<PatternDb>();
  hs_compile_error_t* err = nullptr;
  const bool reversed = !literals.empty() && reverse_literals(literals);
  if (!literals.empty() && !exprs.empty() && !reversed && specs.size() <= k_combined_max) {
    std::vector<const char*> all;
    std::vector<unsigned> all_flags, index;
    std::vector<std::size_t> identity;
    for (std::size_t i = 0; i < specs.size(); ++i) {
      all.push_back(specs[i].expression.c_str());
      all_flags.push_back(specs[i].flags);
      index.push_back(static_cast<unsigned>(i));
      identity.push_back(i);
      db->m_combined_ids.push_back(specs[i].id);
    }
    db->m_combined_literal.assign(specs.size(), false);
    for (const std::size_t i : lit_index) db->m_combined_literal[i] = true;
    if (hs_compile_multi(all.data(), all_flags.data(), index.data(),
                         static_cast<unsigned>(all.size()), HS_MODE_BLOCK, nullptr, &db->m_combined,
                         &err) != HS_SUCCESS) {
      db->m_combined = nullptr;
      return compile_error(err, identity);
    }
    db->m_literal_count = literals.size();
    db->m_count = specs.size();
    return db;
  }
  if (!literals.empty()) {
    db->m_reversed = reversed;
    if (db->m_reversed) {
      for (std::string& l : literals) std::reverse(l.begin(), l.end());
    }
    std::vector<const char*> ptrs;
    std::vector<std::size_t> lens;
    for (const std::string& l : literals) {
      ptrs.push_back(l.data());
      lens.push_back(l.size());
    }
    if (hs_compile_lit_multi(ptrs.data(), lit_flags.data(), lit_ids.data(), lens.data(),
                             static_cast<unsigned>(ptrs.size()), HS_MODE_BLOCK, nullptr,
                             &db->m_lit_db, &err) != HS_SUCCESS) {
      return compile_error(err, lit_index);
    }
    db->m_literal_count = literals.size();
  }
  if (!exprs.empty()) {
    const unsigned cores =
        std::max(1u, std::min(k_max_compile_threads, std::thread::hardware_concurrency()));
    const std::size_t n_chunks =
        std::max<std::size_t>(1, std::min<std::size_t>(cores, exprs.size() / k_chunk_min));
    std::vector<RegexChunk> chunks(n_chunks);
    for (std::size_t k = 0; k < n_chunks; ++k) {
      chunks[k].begin = exprs.size() * k / n_chunks;
      chunks[k].end = exprs.size() * (k + 1) / n_chunks;
    }
    std::vector<std::thread> threads;
    for (std::size_t k = 1; k < n_chunks; ++k) {
      threads.emplace_back([&, k] { compile_chunk(exprs, flags, ids, chunks[k]); });
    }
    compile_chunk(exprs, flags, ids, chunks[0]);
    for (auto& t : threads) t.join();
    std::optional<PatternError> failed;
    for (RegexChunk& c : chunks) {
      if (c.db != nullptr) {
        db->m_regex_dbs.push_back(c.db);  // freed with db, also on failure
      } else if (!failed) {
        std::vector<std::size_t> index_of(regex_index.begin() +
                                              static_cast<std::ptrdiff_t>(c.begin),
                                          regex_index.begin() + static_cast<std::ptrdiff_t>(c.end));
        failed = compile_error(c.err, index_of);
      } else {
        hs_free_compile_error(c.err);
      }
    }
    if (failed) return *failed;
  }
  db->m_count = specs.size();
  return db;
}

std::vector<const hs_database_t*> PatternDb::databases() const {
  std::vector<const hs_database_t*> out;
  if (m_combined != nullptr) out.push_back(m_combined);
  if (m_lit_db != nullptr) out.push_back(m_lit_db);
  out.insert(out.end(), m_regex_dbs.begin(), m_regex_dbs.end());
  return out;
}

std::optional<unsigned> PatternDb::first_match(std::string_view data, hs_scratch_t* scratch) const {
  std::optional<unsigned> found;
  if (scratch == nullptr) return found;
  if (m_combined != nullptr) {
    // Matches come in the order they end: the first literal ends the scan; the first
    // regex is kept in case no literal follows (the split sets' order: literals first).
    struct Found {
      const PatternDb* db;
      std::optional<unsigned> literal, regex;
    } f{this, std::nullopt, std::nullopt};
    hs_scan(
        m_combined, data.data(), static_cast<unsigned>(data.size()), 0, scratch,
        [](unsigned index, unsigned long long, unsigned long long, unsigned, void* ctx) -> int {
          auto& r = *static_cast<Found*>(ctx);
          if (r.db->m_combined_literal[index]) {
            r.literal = r.db->m_combined_ids[index];
            return 1;
          }
          if (!r.regex) r.regex = r.db->m_combined_ids[index];
          return 0;
        },
        &f);
    return f.literal ? f.literal : f.regex;
  }
  if (m_lit_db != nullptr) {
    if (m_reversed) {
      thread_local std::string reversed;  // URLs: a few hundred bytes, kept per thread
      reversed.assign(data.rbegin(), data.rend());
      hs_scan(m_lit_db, reversed.data(), static_cast<unsigned>(reversed.size()), 0, scratch,
              on_match, &found);
    } else {
      hs_scan(m_lit_db, data.data(), static_cast<unsigned>(data.size()), 0, scratch, on_match,
              &found);
    }
    if (found) return found;
  }
  for (hs_database_t* d : m_regex_dbs) {
    hs_scan(d, data.data(), static_cast<unsigned>(data.size()), 0, scratch, on_match, &found);
    if (found) break;
  }
  return found;
}

ScratchPool::~ScratchPool() {
  for (hs_scratch_t* s : m_idle) hs_free_scratch(s);
}

hs_scratch_t* ScratchPool::take() {
  std::lock_guard lock(m_mutex);
  if (m_idle.empty()) return nullptr;
  hs_scratch_t* s = m_idle.back();
  m_idle.pop_back();
  return s;
}

void ScratchPool::give(hs_scratch_t* scratch) {
  std::lock_guard lock(m_mutex);
  m_idle.push_back(scratch);
}

std::size_t ScratchPool::idle() const {
  std::lock_guard lock(m_mutex);
  return m_idle.size();
}

ScratchSet::ScratchSet()
    : m_pool(std::make_shared<ScratchPool>()), m_uid(g_next_uid.fetch_add(1)) {}

ScratchSet::~ScratchSet() {
  if (m_prototype != nullptr) hs_free_scratch(m_prototype);
}

bool ScratchSet::add(const PatternDb& db) {
  for (const hs_database_t* d : db.databases()) {
    if (hs_alloc_scratch(d, &m_prototype) != HS_SUCCESS) return false;
  }
  return true;
}

hs_scratch_t* ScratchSet::local() const {
  if (m_prototype == nullptr) return nullptr;
  ThreadScratch& t = t_scratch;
  for (auto& s : t.slots) {
    if (s.uid == m_uid) return s.scratch;
  }
  ThreadScratch::Slot& victim = t.slots[t.next];
  t.next = (t.next + 1) % t.slots.size();
  victim.release();
  hs_scratch_t* scratch = m_pool->take();
  if (scratch == nullptr && hs_clone_scratch(m_prototype, &scratch) != HS_SUCCESS) return nullptr;
  victim.uid = m_uid;
  victim.scratch = scratch;
  victim.pool = m_pool;
  return scratch;
}

std::size_t ScratchSet::pooled() const { return m_pool->idle(); }

}  // namespace pixelwarden::ruleset
