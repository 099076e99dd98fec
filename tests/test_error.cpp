#include <asio_uring_fixed/error.hpp>

#include <boost/test/unit_test.hpp>

#include <cerrno>
#include <set>
#include <string>
#include <system_error>

namespace auf = asio_uring_fixed;

BOOST_AUTO_TEST_SUITE(error)

BOOST_AUTO_TEST_CASE(category_is_named_and_messages_are_distinct) {
  BOOST_TEST(std::string(auf::category().name()) == "asio_uring_fixed");
  std::set<std::string> messages;
  for (auf::errc e :
       {auf::errc::empty_buffer, auf::errc::no_free_slots, auf::errc::invalid_pool_size,
        auf::errc::registration_unsupported, auf::errc::no_progress, auf::errc::service_shut_down,
        auf::errc::portable_requested}) {
    auf::error_code ec = e;
    BOOST_TEST(&ec.category() == &auf::category());
    BOOST_TEST(!ec.message().empty());
    BOOST_TEST(ec.message().find("unknown") == std::string::npos);
    messages.insert(ec.message());
  }
  BOOST_TEST(messages.size() == 7u);
}

BOOST_AUTO_TEST_CASE(compares_with_enum_and_converts_to_std) {
  auf::error_code ec = auf::make_error_code(auf::errc::no_progress);
  BOOST_TEST((ec == auf::errc::no_progress));
  BOOST_TEST((ec != auf::errc::empty_buffer));
  std::error_code sec = ec;
  BOOST_TEST(sec.value() == static_cast<int>(auf::errc::no_progress));
  BOOST_TEST(sec.message() == ec.message());
}

BOOST_AUTO_TEST_CASE(kernel_errors_keep_errno) {
  auf::error_code ec(ENOSPC, auf::system_category());
  std::error_code sec = ec;
  BOOST_TEST(sec.value() == ENOSPC);
  BOOST_TEST((sec == std::errc::no_space_on_device));
}

BOOST_AUTO_TEST_SUITE_END()
