#pragma once
// PatternDb: one Hyperscan block-mode database over many regexes (URL pattern lists,
// filter lists, vendor lists, display-name regexes), compiled off the mail path.
// ScratchSet: the Hyperscan scratch space of one compiled Ruleset. A prototype is
// allocated at compile time against every database of the ruleset; each thread
// clones it lazily the first time it scans with that ruleset (a small thread_local
// cache keyed by the ruleset's unique id), so the scan path takes no lock and never
// allocates after the first message. A thread that ends gives its clones back to the
// ScratchSet's pool; a new thread takes one from there (one lock) before cloning.
// Non-goals: streaming mode, match offsets (callers only want "which pattern").
//
// Patterns that are plain literals (URL lists are mostly paths like
// `/t123/open\?id=`) go to a separate literal database (hs_compile_lit_multi), the
// rest to a regex database. Hyperscan's literal matcher confirms candidates by the
// last bytes of each literal: thousands of literals sharing a suffix (`/open?id=`)
// all fall into one confirm bucket, and 10,000 such paths scanned at 15-40k URLs/s.
// When the literals' ends are less varied than their starts, the literal database
// holds them reversed and scans a reversed copy of the input (a literal occurs in a
// string exactly when its reverse occurs in the reversed string). A large regex set is
// compiled in chunks on several threads (Hyperscan compiles one database on one thread,
// about 0.5 ms of CPU per URL regex): a few more hs_scan calls per URL, seconds less on
// a reload. A small set (at most k_combined_max patterns, literals not reversed, regexes
// in one chunk) is compiled into one database, its literals written as the regexes they
// are: one hs_scan per URL instead of two, since Hyperscan's fixed cost per call is most
// of a short URL's scan. A literal still wins over a regex that matches too.

#include <hs/hs.h>

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"

namespace pixelwarden::ruleset {

struct PatternSpec {
  std::string expression;
  unsigned flags = 0;
  unsigned id = 0;
};

struct PatternError {
  std::size_t index = 0;  // into the specs, or SIZE_MAX for the whole set
  std::string message;
};

// Checks one expression as Hyperscan would compile it; the error text otherwise.
std::optional<std::string> check_expression(const std::string& expression, unsigned flags);

class PatternDb {
 public:
  PatternDb() = default;
  ~PatternDb();
  PatternDb(const PatternDb&) = delete;
  PatternDb& operator=(const PatternDb&) = delete;

  // Compiles every spec into one database; on failure names the offending spec.
  static base::Result<std::unique_ptr<PatternDb>, PatternError> compile(
      const std::vector<PatternSpec>& specs);

  // The id of some pattern that matches `data` (the first reported), or nothing.
  std::optional<unsigned> first_match(std::string_view data, hs_scratch_t* scratch) const;
  // The databases a scratch must serve (one or two; none for an empty set).
  std::vector<const hs_database_t*> databases() const;
  std::size_t size() const { return m_count; }
  // How the set was split: patterns in the literal database, and whether it is reversed.
  std::size_t literal_count() const { return m_literal_count; }
  bool literals_reversed() const { return m_reversed; }
  // Whether literals and regexes share one database.
  bool combined() const { return m_combined != nullptr; }

  static constexpr std::size_t k_combined_max = 1024;

 private:
  std::vector<hs_database_t*> m_regex_dbs;  // regexes, in chunks
  hs_database_t* m_lit_db = nullptr;        // plain literals
  // The combined database: Hyperscan ids are spec indexes; the caller's id and whether
  // the spec is a literal, per index.
  hs_database_t* m_combined = nullptr;
  std::vector<unsigned> m_combined_ids;
  std::vector<bool> m_combined_literal;
  std::size_t m_count = 0;
  std::size_t m_literal_count = 0;
  bool m_reversed = false;
};

// The literal a pattern stands for (escapes resolved), when it is nothing else; only
// for flags the literal compiler takes (CASELESS, SINGLEMATCH).
std::optional<std::string> literal_of(const std::string& expression, unsigned flags);

// Scratch clones of one ScratchSet that no thread holds. Shared with the threads'
// caches, so a clone handed back after its ruleset is gone is still freed.
class ScratchPool {
 public:
  ScratchPool() = default;
  ~ScratchPool();
  ScratchPool(const ScratchPool&) = delete;
  ScratchPool& operator=(const ScratchPool&) = delete;
  hs_scratch_t* take();  // null when empty
  void give(hs_scratch_t* scratch);
  std::size_t idle() const;

 private:
  mutable std::mutex m_mutex;
  std::vector<hs_scratch_t*> m_idle;
};

class ScratchSet {
 public:
  ScratchSet();
  ~ScratchSet();
  ScratchSet(const ScratchSet&) = delete;
  ScratchSet& operator=(const ScratchSet&) = delete;

  // Grows the prototype to serve `db` too. Compile time only.
  bool add(const PatternDb& db);
  // This thread's clone of the prototype (made on first use); null without databases.
  hs_scratch_t* local() const;
  // Clones given back by threads that ended, waiting for a new thread.
  std::size_t pooled() const;

 private:
  hs_scratch_t* m_prototype = nullptr;
  std::shared_ptr<ScratchPool> m_pool;
  std::uint64_t m_uid;
};

}  // namespace pixelwarden::ruleset
