#include "ruleset/pattern_db.hpp"

#include <array>
#include <atomic>
#include <climits>
#include <cstdlib>
#include <mutex>

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
  if (m_db != nullptr) hs_free_database(m_db);
}

std::variant<std::unique_ptr<PatternDb>, PatternError> PatternDb::compile(
    const std::vector<PatternSpec>& specs) {
  std::vector<const char*> exprs;
  std::vector<unsigned> flags;
  std::vector<unsigned> ids;
  for (const auto& s : specs) {
    exprs.push_back(s.expression.c_str());
    flags.push_back(s.flags);
    ids.push_back(s.id);
  }
  auto db = std::make_unique<PatternDb>();
  hs_compile_error_t* err = nullptr;
  if (hs_compile_multi(exprs.data(), flags.data(), ids.data(), static_cast<unsigned>(specs.size()),
                       HS_MODE_BLOCK, nullptr, &db->m_db, &err) != HS_SUCCESS) {
    PatternError pe{SIZE_MAX, err != nullptr ? err->message : "compile failed"};
    if (err != nullptr && err->expression >= 0) pe.index = static_cast<std::size_t>(err->expression);
    hs_free_compile_error(err);
    return pe;
  }
  db->m_count = specs.size();
  return db;
}

std::optional<unsigned> PatternDb::first_match(std::string_view data, hs_scratch_t* scratch) const {
  std::optional<unsigned> found;
  if (m_db == nullptr || scratch == nullptr) return found;
  hs_scan(m_db, data.data(), static_cast<unsigned>(data.size()), 0, scratch, on_match, &found);
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
  if (db.database() == nullptr) return true;
  return hs_alloc_scratch(db.database(), &m_prototype) == HS_SUCCESS;
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
