#include <asio_uring_fixed/detail/engine.hpp>
#include <asio_uring_fixed/detail/pool_state.hpp>
#include <asio_uring_fixed/error.hpp>

#include "buffer_table.hpp"

#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <fstream>
#include <limits>
#include <sstream>
#include <string>
#include <utility>

namespace asio_uring_fixed::detail {
namespace {

constexpr std::size_t max_buffer_size = std::size_t{1} << 30; // kernel limit per buffer
constexpr std::size_t max_buffer_count = 16384;               // kernel limit per table
constexpr std::size_t huge_page_size = std::size_t{2} << 20;

std::string bytes_text(std::size_t n) {
  std::ostringstream s;
  if (n >= (std::size_t{1} << 20) && n % (std::size_t{1} << 20) == 0)
    s << (n >> 20) << " MiB";
  else if (n >= 1024 && n % 1024 == 0)
    s << (n >> 10) << " KiB";
  else
    s << n << " B";
  return s.str();
}

bool has_cap_ipc_lock() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line))
    if (line.rfind("CapEff:", 0) == 0)
      return (std::stoull(line.substr(7), nullptr, 16) >> 14) & 1; // CAP_IPC_LOCK = 14
  return false;
}

std::string memlock_text() {
  rlimit rl{};
  if (::getrlimit(RLIMIT_MEMLOCK, &rl) != 0)
    return "RLIMIT_MEMLOCK unknown";
  std::string limit = rl.rlim_cur == RLIM_INFINITY
                          ? "unlimited"
                          : bytes_text(static_cast<std::size_t>(rl.rlim_cur));
  return "RLIMIT_MEMLOCK is " + limit +
         (has_cap_ipc_lock() ? " (CAP_IPC_LOCK held)" : " and the process lacks CAP_IPC_LOCK");
}

std::string huge_pages_text() {
  std::ifstream info("/proc/meminfo");
  std::string line, total = "?", free = "?";
  while (std::getline(info, line)) {
    if (line.rfind("HugePages_Total:", 0) == 0)
      total = line.substr(line.find_first_not_of(' ', 16));
    else if (line.rfind("HugePages_Free:", 0) == 0)
      free = line.substr(line.find_first_not_of(' ', 15));
  }
  return free + " of " + total + " reserved are free (see /proc/sys/vm/nr_hugepages)";
}

} // namespace

namespace {

// The sentence a failed registration is reported with: what was asked for,
// and the limit that was hit.
std::string registration_failure(const error_code& ec, const buffer_table& table, std::size_t count,
                                 std::size_t size) {
  std::string why = "registering " + std::to_string(count) + " buffers of " + bytes_text(size) +
                    " (" + bytes_text(count * size) + ") with io_uring failed";
  if (ec == std::errc::not_enough_memory)
    why += " (" + memlock_text() + ")";
  else if (ec == errc::no_free_slots)
    why += " (" + std::to_string(table.free_slots()) + " of " + std::to_string(table.size()) +
           " slots free; raise service_options::registered_buffer_slots, at most 16384)";
  else if (ec == errc::registration_unsupported && table.unsupported_reason() == ec)
    why += " (service_options::registered_buffer_slots is 0)";
  else if (ec == errc::registration_unsupported)
    why += " (no sparse buffer table: " + table.unsupported_reason().message() + ")";
  return why;
}

} // namespace

pool_state* pool_state::create(engine* const* owners, std::size_t n, std::size_t count,
                               std::size_t size, const pool_options& options, error_code& ec,
                               std::string& what) {
  ec.clear();
  what.clear();
  if (n == 0) {
    ec = make_error_code(errc::invalid_option);
    what = "a shared pool needs at least one io_context";
    return nullptr;
  }
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < i; ++j)
      if (owners[i] == owners[j]) {
        ec = make_error_code(errc::invalid_option);
        what = "a shared pool lists io_context #" + std::to_string(j) + " twice (again as #" +
               std::to_string(i) + ")";
        return nullptr;
      }
  if (count == 0 || count > max_buffer_count || size == 0 || size > max_buffer_size) {
    ec = make_error_code(errc::invalid_pool_size);
    what = "a pool needs 1.." + std::to_string(max_buffer_count) + " buffers of 1 B..1 GiB, not " +
           std::to_string(count) + " of " + bytes_text(size);
    return nullptr;
  }
  std::size_t page =
      options.huge_pages ? huge_page_size : static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
  std::size_t stride = (size + page - 1) / page * page;
  std::size_t total = stride * count;

  int flags = MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE | (options.huge_pages ? MAP_HUGETLB : 0);
  void* mem = ::mmap(nullptr, total, PROT_READ | PROT_WRITE, flags, -1, 0);
  if (mem == MAP_FAILED) {
    ec = error_code(errno, system_category());
    what = "mapping " + bytes_text(total) + " for " + std::to_string(count) + " buffers failed";
    if (options.huge_pages)
      what += " (pool_options::huge_pages asks for " + std::to_string(total / huge_page_size) +
              " explicit 2 MiB huge pages; " + huge_pages_text() + ")";
    return nullptr;
  }
  // Children of fork() must not share memory the ring may be writing into.
  ::madvise(mem, total, MADV_DONTFORK);

  auto* p = new pool_state();
  for (std::size_t i = 0; i < n; ++i)
    p->members_.push_back({owners[i], owners[i]->table()});
  p->base_ = static_cast<std::byte*>(mem);
  p->map_size_ = total;
  p->stride_ = stride;
  p->size_ = size;
  p->count_ = count;
  p->free_.reserve(count);
  for (std::size_t i = count; i-- > 0;)
    p->free_.push_back(static_cast<std::uint32_t>(i));

  if (options.registration != registration_mode::none && !p->register_buffers(options, ec, what)) {
    delete p;
    return nullptr;
  }
  for (pool_member& m : p->members_)
    m.table->attach(p);
  return p;
}

bool pool_state::register_buffers(const pool_options& options, error_code& ec, std::string& what) {
  // The portable backend has no ring to register with: its pools are plain
  // memory under every mode, so programs run unchanged where io_uring cannot.
  std::vector<pool_member*> rings;
  for (pool_member& m : members_)
    if (m.owner->kind() == backend_kind::io_uring)
      rings.push_back(&m);
  if (rings.empty())
    return true;
  const bool required = options.registration == registration_mode::required;
  const bool shared = members_.size() > 1;
  // Records why member m is not registered; false when that fails the pool.
  auto fail = [&](const pool_member& m, const error_code& reg_ec, std::string why) {
    if (shared)
      why += " for io_context #" + std::to_string(&m - members_.data()) + " of the shared pool";
    if (required) {
      ec = reg_ec;
      what = std::move(why);
      return false;
    }
    if (!registration_error_) {
      registration_error_ = reg_ec;
      registration_message_ = std::move(why) + ": " + reg_ec.message();
    }
    return true;
  };

  // Rings without a table cannot take part; the others get the same slots.
  std::vector<buffer_table*> tables;
  for (pool_member* m : rings) {
    const buffer_table& t = *m->table;
    if (t.size() > 0)
      tables.push_back(m->table.get());
    else if (!fail(*m, t.unsupported_reason(),
                   registration_failure(t.unsupported_reason(), t, count_, size_)))
      return false;
  }
  if (tables.empty())
    return true;
  error_code reg_ec;
  slots_ = buffer_table::reserve(tables, static_cast<unsigned>(count_), reg_ec);
  if (reg_ec) {
    std::string why = registration_failure(reg_ec, *rings.front()->table, count_, size_);
    if (shared && reg_ec == errc::no_free_slots)
      why += " (a shared pool needs the same free slots in every ring)";
    return fail(*rings.front(), reg_ec, std::move(why));
  }
  for (pool_member* m : rings)
    m->holds_slots = m->table->size() > 0;

  std::vector<iovec> iov(count_);
  for (std::size_t i = 0; i < count_; ++i)
    iov[i] = iovec{data(static_cast<std::uint32_t>(i)), size_};
  // The first ring that takes the buffers registers them (pins and charges
  // the memory); the others clone its entries, or register again where the
  // kernel cannot clone.
  pool_member* source = nullptr;
  for (pool_member* m : rings) {
    if (!m->holds_slots)
      continue;
    if (source && !m->table->clone(*source->table, slots_)) {
      m->attachment = pool_attachment::cloned;
      continue;
    }
    reg_ec = m->table->fill(slots_, iov.data());
    if (!reg_ec) {
      m->attachment = source ? pool_attachment::registered_again : pool_attachment::registered;
      if (!source)
        source = m;
      continue;
    }
    m->table->remove(slots_);
    m->holds_slots = false;
    if (!fail(*m, reg_ec, registration_failure(reg_ec, *m->table, count_, size_))) {
      release_slots();
      return false;
    }
  }
  if (!source)
    slots_.clear();
  return true;
}

void pool_state::release_slots() noexcept {
  for (pool_member& m : members_)
    if (std::exchange(m.holds_slots, false))
      m.table->remove(slots_);
  slots_.clear();
}

pool_state::~pool_state() {
  for (pool_member& m : members_)
    m.table->detach(this);
  release_slots();
  if (base_)
    ::munmap(base_, map_size_);
}

void pool_state::release_ref() noexcept {
  if (refs_.fetch_sub(1, std::memory_order_acq_rel) == 1)
    delete this;
}

bool pool_state::try_take(std::uint32_t& index) {
  std::lock_guard lock(mutex_);
  if (free_.empty())
    return false;
  index = free_.back();
  free_.pop_back();
  return true;
}

void pool_state::give_back(std::uint32_t index) noexcept {
  acquire_op* waiter;
  {
    std::lock_guard lock(mutex_);
    waiter = static_cast<acquire_op*>(waiters_.pop());
    if (!waiter) {
      free_.push_back(index);
      return;
    }
    waiter->queued_ = false;
  }
  waiter->index_ = index;
  waiter->engine_->post(waiter, 0);
}

void pool_state::start_wait(acquire_op* op) {
  op->withdraw_ = &pool_state::withdraw;
  if (!op->engine_->start_external(op))
    return; // shut down: op destroyed
  int result;
  {
    std::lock_guard lock(mutex_);
    // A cancellation that came before the waiter was queued set the flag
    // (under the engine's lock, before withdraw() takes this one). A
    // shutdown of the waiter's engine that began since start_external()
    // set its flag before abort_waiters() takes this lock: seen here, or
    // the waiter is queued before abort_waiters() looks.
    if (closed_ || op->cancel_requested_.load(std::memory_order_relaxed) ||
        op->engine_->is_shut_down()) {
      result = -ECANCELED;
    } else if (!free_.empty()) {
      op->index_ = free_.back();
      free_.pop_back();
      result = 0;
    } else {
      waiters_.push(op);
      op->queued_ = true;
      return;
    }
  }
  op->engine_->post(op, result);
}

bool pool_state::withdraw(operation* base) noexcept {
  auto* op = static_cast<acquire_op*>(base);
  pool_state* pool = op->pool_; // the pool outlives its waiters
  if (!pool)
    return false;
  std::lock_guard lock(pool->mutex_);
  if (!op->queued_)
    return false; // granted or aborted meanwhile, or not queued yet
  pool->waiters_.erase(op);
  op->queued_ = false;
  op->results_[0] = -ECANCELED;
  return true;
}

void pool_state::close() noexcept {
  op_queue aborted;
  {
    std::lock_guard lock(mutex_);
    closed_ = true;
    while (operation* op = waiters_.pop()) {
      static_cast<acquire_op*>(op)->queued_ = false;
      aborted.push(op);
    }
  }
  while (operation* op = aborted.pop()) {
    auto* waiter = static_cast<acquire_op*>(op);
    waiter->engine_->post(waiter, -ECANCELED);
  }
}

void pool_state::abort_waiters(engine* e) noexcept {
  op_queue aborted;
  {
    std::lock_guard lock(mutex_);
    for (operation* op = waiters_.front(); op;) {
      operation* next = op->next_;
      auto* waiter = static_cast<acquire_op*>(op);
      if (waiter->engine_ == e) {
        waiters_.erase(op);
        waiter->queued_ = false;
        aborted.push(op);
      }
      op = next;
    }
  }
  while (operation* op = aborted.pop())
    e->post(op, -ECANCELED);
}

std::size_t pool_state::available() const {
  std::lock_guard lock(mutex_);
  return free_.size();
}

} // namespace asio_uring_fixed::detail
