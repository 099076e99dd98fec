// The file-metadata operations (openat, statx, close, fsync, fallocate,
// renameat2, unlinkat, mkdirat, symlinkat, linkat, fsetxattr, fgetxattr):
// one request each, described by a metadata_request that the operation owns
// (its strings included), completed through the one completion shell with
// the value its result policy makes of the kernel's result.
#pragma once

#include <asio_uring_fixed/detail/cancel.hpp>
#include <asio_uring_fixed/detail/completion_shell.hpp>
#include <asio_uring_fixed/detail/file_ref.hpp>
#include <asio_uring_fixed/detail/handler_work.hpp>
#include <asio_uring_fixed/detail/initiate_op.hpp>
#include <asio_uring_fixed/detail/metadata_target.hpp>
#include <asio_uring_fixed/detail/op_memory.hpp>
#include <asio_uring_fixed/error.hpp>
#include <asio_uring_fixed/file.hpp>
#include <asio_uring_fixed/uring_service.hpp>

#include <asio_uring_fixed/detail/asio.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>

namespace asio_uring_fixed::detail {

/// What an initiating function asks for, by value: async_initiate may keep
/// it until the operation is launched (asio::deferred), so the strings are
/// owned here and moved, never copied again, into the operation.
struct metadata_request {
  io_request::kind_type kind = io_request::openat;
  int fd = -1; ///< the directory (AT_FDCWD allowed) or the file
  std::string path;
  std::string path2;
  int dirfd2 = -1;
  int flags = 0;
  std::uint32_t mode = 0;
  std::uint64_t offset = 0;
  std::uint64_t length = 0;
  std::string value;              ///< fsetxattr's value
  void* out = nullptr;            ///< fgetxattr's buffer (the caller's)
  std::size_t out_size = 0;       ///< its size
  bool has_path2 = false;         ///< path2 is passed (renameat, linkat, symlinkat)
  bool file_slot_allowed = false; ///< a registered_file may be named by its slot
};

/// Result policies: the completion signature, and the values a result makes.
struct no_value {
  using signature = void(error_code);
  template <typename Op, typename Complete>
  static void complete(Op*, int, error_code ec, Complete&& c) {
    c(ec);
  }
  static void abandon(int) noexcept {}
};

/// openat: the descriptor becomes an asio_uring_fixed::file; one that the
/// handler never receives (shutdown) is closed.
struct file_value {
  using signature = void(error_code, file);
  template <typename Op, typename Complete>
  static void complete(Op*, int result, error_code ec, Complete&& c) {
    c(ec, ec ? file() : file(result));
  }
  static void abandon(int result) noexcept {
    if (result >= 0)
      ::close(result);
  }
};

/// statx: the struct the kernel filled, held in the operation.
struct statx_value {
  using signature = void(error_code, struct ::statx);
  template <typename Op, typename Complete>
  static void complete(Op* op, int, error_code ec, Complete&& c) {
    struct ::statx st = op->stx_;
    if (ec)
      std::memset(&st, 0, sizeof st);
    c(ec, st);
  }
  static void abandon(int) noexcept {}
};

/// fgetxattr: the attribute's size.
struct size_value {
  using signature = void(error_code, std::size_t);
  template <typename Op, typename Complete>
  static void complete(Op*, int result, error_code ec, Complete&& c) {
    c(ec, ec ? std::size_t{0} : static_cast<std::size_t>(result));
  }
  static void abandon(int) noexcept {}
};

template <typename Handler, typename IoExecutor, typename Result>
class metadata_op final : public operation {
 public:
  using handler_type = Handler;

  metadata_op(Handler&& handler, const IoExecutor& io_executor, metadata_request&& request,
              file_ref&& file, int file_slot)
      : operation(&do_complete), handler_(std::move(handler)), work_(handler_, io_executor),
        request_(std::move(request)), file_(std::move(file)) {
    args_.path = request_.path.c_str();
    args_.path2 = request_.has_path2 ? request_.path2.c_str() : nullptr;
    args_.dirfd2 = request_.dirfd2;
    args_.flags = request_.flags;
    args_.mode = request_.mode;
    args_.length = request_.length;
    io_request& r = requests_[0];
    r.kind = request_.kind;
    r.fd = request_.fd;
    r.offset = request_.offset;
    r.file_slot = file_slot;
    r.metadata = &args_;
    if (request_.kind == io_request::statx) {
      std::memset(&stx_, 0, sizeof stx_);
      r.data = &stx_;
    } else if (request_.kind == io_request::fsetxattr) {
      r.data = request_.value.data();
      r.length = static_cast<std::uint32_t>(request_.value.size());
    } else if (request_.kind == io_request::fgetxattr) {
      r.data = request_.out;
      r.length = static_cast<std::uint32_t>(std::min<std::size_t>(request_.out_size, UINT32_MAX));
    }
    request_count_ = 1;
  }

  static void do_complete(operation* base, engine* owner, unsigned, int result) {
    auto* op = static_cast<metadata_op*>(base);
    if (!owner) {
      Result::abandon(result);
      return destroy_op(op); // shutdown: destroy without calling the handler
    }
    error_code ec;
    if (result < 0)
      ec = error_from_result(result, op->cancel_requested_.load(std::memory_order_relaxed));
    Result::complete(op, result, ec, [op](auto&&... values) {
      complete_op(op, std::forward<decltype(values)>(values)...);
    });
  }

  Handler handler_;
  handler_work<Handler, IoExecutor> work_;
  struct ::statx stx_;

 private:
  metadata_request request_;
  metadata_args args_;
  file_ref file_; // keeps a registered_file's descriptor (and slot) until completion
};

/// The io_context an operation given `target` runs on, and the I/O
/// executor its handler defaults to: an io_context itself, or an executor
/// of one (io_context::executor_type, a strand of one, any_io_executor
/// holding one).
template <typename Target>
asio::io_context& context_of_target(Target& target) {
  if constexpr (std::is_base_of_v<asio::io_context, std::remove_cv_t<Target>>) {
    return target;
  } else {
    const asio::io_context* c = io_context_of(target);
    if (!c)
      throw std::invalid_argument("asio_uring_fixed: a file-metadata operation needs an "
                                  "io_context or an executor of one");
    return const_cast<asio::io_context&>(*c);
  }
}

template <typename Target>
auto io_executor_of_target(Target& target) {
  if constexpr (std::is_base_of_v<asio::io_context, std::remove_cv_t<Target>>)
    return target.get_executor();
  else
    return target;
}

template <typename Result>
struct initiate_metadata {
  asio::io_context* context;
  asio::cancellation_type accepted;

  template <typename Handler, typename IoExecutor>
  void operator()(Handler&& handler, const IoExecutor& io_executor, metadata_request request,
                  file_ref file) const {
    engine& e = asio::use_service<uring_service>(*context).engine_for_this_thread();
    int file_slot = request.file_slot_allowed ? file.slot_for(e) : -1;
    using op_type = metadata_op<std::decay_t<Handler>, IoExecutor, Result>;
    op_type* op = make_op<op_type>(std::forward<Handler>(handler), io_executor, std::move(request),
                                   std::move(file), file_slot);
    if (accepted != asio::cancellation_type::none) {
      try {
        install_cancellation(op->handler_, e, op, accepted);
      } catch (...) {
        destroy_op(op);
        throw;
      }
    }
    e.start(op);
  }
};

/// Starts a metadata operation on target's io_context.
template <typename Result, typename Target, typename CompletionToken>
auto initiate_metadata_op(Target&& target, asio::cancellation_type accepted,
                          metadata_request&& request, file_ref&& file, CompletionToken&& token) {
  asio::io_context& context = context_of_target(target);
  return asio::async_initiate<CompletionToken, typename Result::signature>(
      initiate_metadata<Result>{&context, accepted}, token, io_executor_of_target(target),
      std::move(request), std::move(file));
}

} // namespace asio_uring_fixed::detail
