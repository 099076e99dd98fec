#include "context_threads.hpp"

#include <exception>
#include <mutex>
#include <thread>

namespace http_server {

namespace asio = boost::asio;

context_threads::context_threads(unsigned count) {
  for (unsigned i = 0; i < count; ++i) {
    contexts_.push_back(std::make_unique<asio::io_context>(1));
    pointers_.push_back(contexts_.back().get());
    guards_.push_back(asio::make_work_guard(*contexts_.back()));
  }
}

context_threads::~context_threads() {
  guards_.clear();
  for (auto& c : contexts_) // context 0 first: see the class comment
    c.reset();
}

void context_threads::run() {
  std::mutex m;
  std::exception_ptr first_error;
  auto run_one = [&](asio::io_context& ioc) {
    try {
      ioc.run();
    } catch (...) {
      {
        std::lock_guard lock(m);
        if (!first_error)
          first_error = std::current_exception();
      }
      stop();
    }
  };
  std::vector<std::thread> threads;
  for (std::size_t i = 1; i < contexts_.size(); ++i)
    threads.emplace_back(run_one, std::ref(*contexts_[i]));
  run_one(*contexts_[0]);
  for (auto& t : threads)
    t.join();
  if (first_error)
    std::rethrow_exception(first_error);
}

void context_threads::stop() noexcept {
  for (auto* c : pointers_)
    c->stop();
}

} // namespace http_server
