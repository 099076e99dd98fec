// The tests' backend hook: wraps the chosen backend and alters the results
// it reaps according to the rule set with testing::inject().
//
// Altered results are realistic: as with the kernel's IOSQE_IO_LINK, when the
// first request of a linked pair is made to fail or come up short, the second
// one reports -ECANCELED. (The requests really ran: a write reported as
// cancelled or short did write its bytes, which the caller writes again at
// the same offset, so files end up with the same content.)
#include "fault_injection.hpp"

#include "backend.hpp"

#include <chrono>
#include <deque>
#include <mutex>
#include <random>
#include <unordered_set>

namespace asio_uring_fixed::testing {
namespace {

struct fault_state {
  std::mutex mutex;
  std::deque<fault> rules; // the front one applies
  unsigned seen = 0;
  std::size_t altered = 0;
  std::minstd_rand random;
  std::unordered_set<const detail::operation*> broken_links;
  unsigned cancellations_to_lose = 0;
  int clone_error = 0;
};

fault_state& state() {
  static fault_state s;
  return s;
}

bool matches(const fault& rule, const detail::io_request& r) {
  switch (rule.on) {
  case fault::target::read:
    return r.kind == detail::io_request::read;
  case fault::target::write:
    return r.kind == detail::io_request::write;
  case fault::target::any:
    return true;
  }
  return false;
}

// Returns the result to report for request `index` of `op`.
int alter(const detail::operation* op, unsigned index, int result) {
  fault_state& s = state();
  std::lock_guard lock(s.mutex);
  if (index == 1 && s.broken_links.erase(op))
    return -ECANCELED; // the first of the pair was altered: the link broke
  if (s.rules.empty())
    return result;
  fault& rule = s.rules.front();
  if (!matches(rule, op->requests_[index]))
    return result;
  if (s.seen < rule.skip) {
    ++s.seen;
    return result;
  }
  if (rule.percent < 100 && s.random() % 100 >= rule.percent)
    return result;
  int altered;
  if (rule.short_transfer) {
    if (result <= 1)
      return result;
    altered = result / 2;
  } else {
    altered = -rule.error;
  }
  ++s.altered;
  if (--rule.times == 0) {
    s.rules.pop_front();
    s.seen = 0;
  }
  if (index == 0 && op->request_count_ == 2)
    s.broken_links.insert(op);
  return altered;
}

class fault_backend final : public detail::backend {
 public:
  explicit fault_backend(std::unique_ptr<detail::backend> inner) : inner_(std::move(inner)) {}

  int wait_fd() const noexcept override { return inner_->wait_fd(); }
  bool prepare(detail::operation* op) override { return inner_->prepare(op); }
  void flush() override { inner_->flush(); }
  std::size_t reap(detail::completion* out, std::size_t max) override {
    std::size_t n = inner_->reap(out, max);
    for (std::size_t i = 0; i < n; ++i)
      out[i].result = alter(out[i].op, out[i].index, out[i].result);
    return n;
  }
  bool ready() const override { return inner_->ready(); }
  void cancel(detail::operation* op) override { inner_->cancel(op); }
  void cancel_all() override {
    {
      fault_state& s = state();
      std::lock_guard lock(s.mutex);
      if (s.cancellations_to_lose > 0) {
        --s.cancellations_to_lose;
        return;
      }
    }
    inner_->cancel_all();
  }
  void wait() override { inner_->wait(); }
  bool wait_for(std::chrono::milliseconds timeout) override { return inner_->wait_for(timeout); }
  bool host_delivers() const noexcept override { return inner_->host_delivers(); }
  unsigned table_size() const noexcept override { return inner_->table_size(); }
  error_code table_error() const noexcept override { return inner_->table_error(); }
  error_code update_buffers(unsigned first, const iovec* iov, unsigned n) override {
    return inner_->update_buffers(first, iov, n);
  }
  int clone_source_fd() const noexcept override { return inner_->clone_source_fd(); }
  error_code clone_buffers(int src_fd, unsigned first, unsigned n) override {
    {
      std::lock_guard lock(state().mutex);
      if (state().clone_error)
        return error_code(state().clone_error, system_category());
    }
    return inner_->clone_buffers(src_fd, first, n);
  }
  bool submits_here() const noexcept override { return inner_->submits_here(); }
  bool registers_here() const noexcept override { return inner_->registers_here(); }
  void begin_run() override { inner_->begin_run(); }
  void before_wait() override { inner_->before_wait(); }
  bool wait_fd_is_eventfd() const noexcept override { return inner_->wait_fd_is_eventfd(); }
  unsigned setup_flags() const noexcept override { return inner_->setup_flags(); }
  unsigned file_table_size() const noexcept override { return inner_->file_table_size(); }
  error_code file_table_error() const noexcept override { return inner_->file_table_error(); }
  error_code update_file(unsigned slot, int fd) override { return inner_->update_file(slot, fd); }

 private:
  std::unique_ptr<detail::backend> inner_;
};

} // namespace

void inject(std::initializer_list<fault> rules) {
  fault_state& s = state();
  std::lock_guard lock(s.mutex);
  s.rules.clear();
  for (const fault& r : rules)
    if (r.times > 0)
      s.rules.push_back(r);
  s.seen = 0;
  s.altered = 0;
  s.random.seed(s.rules.empty() ? 1 : s.rules.front().seed);
}

void refuse_clones(int error) {
  std::lock_guard lock(state().mutex);
  state().clone_error = error;
}

void clear_faults() {
  fault_state& s = state();
  std::lock_guard lock(s.mutex);
  s.rules.clear();
}

void lose_cancellations(unsigned n) {
  fault_state& s = state();
  std::lock_guard lock(s.mutex);
  s.cancellations_to_lose = n;
}

std::size_t faults_injected() {
  fault_state& s = state();
  std::lock_guard lock(s.mutex);
  return s.altered;
}

} // namespace asio_uring_fixed::testing

namespace asio_uring_fixed::detail {

std::unique_ptr<backend> wrap_backend(std::unique_ptr<backend> chosen) {
  return std::make_unique<testing::fault_backend>(std::move(chosen));
}

} // namespace asio_uring_fixed::detail
