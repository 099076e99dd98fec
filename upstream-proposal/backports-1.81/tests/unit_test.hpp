//
// unit_test.hpp
// ~~~~~~~~~~~~~
//
// Modelled on Asio's libs/asio/test/unit_test.hpp, Copyright (c) 2003-2022
// Christopher M. Kohlhoff (chris at kohlhoff dot com).
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//
// A minimal stand-in for Asio's libs/asio/test/unit_test.hpp, which is not
// installed by the Debian packages. It keeps the same macro names so that the
// tests in this directory can be dropped into Asio's test tree unchanged, and
// adds a skip facility: a test case that cannot run on this machine (e.g. the
// kernel refuses io_uring) calls BOOST_ASIO_TEST_SKIP. A suite in which every
// case was skipped exits with status 77, the automake convention for "skipped".
//

#ifndef UNIT_TEST_HPP
#define UNIT_TEST_HPP

#include <boost/asio/detail/config.hpp>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <string>

#if defined(BOOST_ASIO_HAS_IO_URING)
# include <liburing.h>
#endif // defined(BOOST_ASIO_HAS_IO_URING)

namespace boost {
namespace asio {
namespace detail {

struct test_skipped
{
  std::string reason;
};

inline const char*& test_name()
{
  static const char* name = 0;
  return name;
}

inline long& test_errors()
{
  static long errors = 0;
  return errors;
}

inline long& test_cases_run()
{
  static long n = 0;
  return n;
}

inline long& test_cases_skipped()
{
  static long n = 0;
  return n;
}

inline std::string& test_skip_reason()
{
  static std::string reason;
  return reason;
}

inline void begin_test_suite(const char* name)
{
  std::cout << name << " test suite begins" << std::endl;
}

inline int end_test_suite(const char* name)
{
  std::cout << name << " test suite ends" << std::endl;
  std::cout << "\n*** ";
  long errors = test_errors();
  if (errors == 0)
    std::cout << "No errors detected.";
  else if (errors == 1)
    std::cout << "1 error detected.";
  else
    std::cout << errors << " errors detected.";
  std::cout << std::endl;

  if (errors != 0)
    return 1;
  if (test_cases_run() > 0 && test_cases_skipped() == test_cases_run())
  {
    std::cout << "SKIP: " << test_skip_reason() << std::endl;
    return 77;
  }
  if (test_cases_skipped() > 0)
    std::cout << "note: " << test_cases_skipped()
      << " test case(s) skipped: " << test_skip_reason() << std::endl;
  return 0;
}

template <void (*Test)()>
void run_test(const char* name)
{
  test_name() = name;
  ++test_cases_run();
  long errors_before = test_errors();
  try
  {
    Test();
  }
  catch (test_skipped& s)
  {
    ++test_cases_skipped();
    if (test_skip_reason().empty())
      test_skip_reason() = s.reason;
    std::cout << name << " skipped: " << s.reason << std::endl;
    return;
  }
  catch (std::exception& e)
  {
    std::cout << name << ": uncaught exception: " << e.what() << std::endl;
    ++test_errors();
  }
  catch (...)
  {
    std::cout << name << ": uncaught exception" << std::endl;
    ++test_errors();
  }
  std::cout << name << (test_errors() == errors_before ? " passed" : " FAILED")
    << std::endl;
}

// Returns an empty string if an io_uring instance can be created, otherwise a
// description of why not.
inline std::string io_uring_unavailable_reason()
{
#if defined(BOOST_ASIO_HAS_IO_URING)
  ::io_uring ring;
  int result = ::io_uring_queue_init(8, &ring, 0);
  if (result < 0)
  {
    std::string reason = "io_uring_queue_init failed: ";
    reason += std::strerror(-result);
    if (result == -ENOSYS || result == -EPERM)
      reason += " (io_uring disabled or not supported by this kernel)";
    return reason;
  }
  ::io_uring_queue_exit(&ring);
  return std::string();
#else // defined(BOOST_ASIO_HAS_IO_URING)
  return "built without BOOST_ASIO_HAS_IO_URING";
#endif // defined(BOOST_ASIO_HAS_IO_URING)
}

} // namespace detail
} // namespace asio
} // namespace boost

#define BOOST_ASIO_CHECK(expr) \
  do { if (!(expr)) { \
    std::cout << __FILE__ << "(" << __LINE__ << "): " \
      << boost::asio::detail::test_name() << ": " \
      << "check '" << #expr << "' failed" << std::endl; \
    ++boost::asio::detail::test_errors(); \
  } } while (0)

#define BOOST_ASIO_CHECK_MESSAGE(expr, msg) \
  do { if (!(expr)) { \
    std::cout << __FILE__ << "(" << __LINE__ << "): " \
      << boost::asio::detail::test_name() << ": " \
      << msg << std::endl; \
    ++boost::asio::detail::test_errors(); \
  } } while (0)

#define BOOST_ASIO_WARN_MESSAGE(expr, msg) \
  do { if (!(expr)) { \
    std::cout << __FILE__ << "(" << __LINE__ << "): " \
      << boost::asio::detail::test_name() << ": " \
      << msg << std::endl; \
  } } while (0)

#define BOOST_ASIO_ERROR(msg) \
  do { \
    std::cout << __FILE__ << "(" << __LINE__ << "): " \
      << boost::asio::detail::test_name() << ": " \
      << msg << std::endl; \
    ++boost::asio::detail::test_errors(); \
  } while (0)

// Abandon the current test case, recording it as skipped with a reason.
#define BOOST_ASIO_TEST_SKIP(why) \
  do { \
    boost::asio::detail::test_skipped skipped_; \
    skipped_.reason = (why); \
    throw skipped_; \
  } while (0)

// Skip the current test case unless the kernel lets us create an io_uring.
#define BOOST_ASIO_TEST_REQUIRE_IO_URING() \
  do { \
    std::string why_ = boost::asio::detail::io_uring_unavailable_reason(); \
    if (!why_.empty()) \
      BOOST_ASIO_TEST_SKIP(why_); \
  } while (0)

#define BOOST_ASIO_TEST_SUITE(name, tests) \
  int main() \
  { \
    boost::asio::detail::begin_test_suite(name); \
    tests \
    return boost::asio::detail::end_test_suite(name); \
  }

#define BOOST_ASIO_TEST_CASE(test) \
  boost::asio::detail::run_test<&test>(#test);

#define BOOST_ASIO_COMPILE_TEST_CASE(test) \
  boost::asio::detail::test_name() = #test;

#endif // UNIT_TEST_HPP
