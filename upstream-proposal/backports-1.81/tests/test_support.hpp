//
// test_support.hpp
// ~~~~~~~~~~~~~~~~
//
// Helpers shared by the tests of the io_uring patch series: temporary files
// and FIFOs that are removed on exit, and a reader for the kernel's view of
// the io_uring instance owned by an io_context (/proc/self/fdinfo).
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef TEST_SUPPORT_HPP
#define TEST_SUPPORT_HPP

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace test_support {

inline std::string temp_dir()
{
  const char* d = std::getenv("TMPDIR");
  return (d && *d) ? std::string(d) : std::string("/tmp");
}

// A temporary regular file filled with a known pattern: byte i is pattern(i).
class temp_file
{
public:
  explicit temp_file(std::size_t size)
  {
    std::string templ = temp_dir() + "/asio-uring-test-XXXXXX";
    std::vector<char> name(templ.begin(), templ.end());
    name.push_back('\0');
    int fd = ::mkstemp(&name[0]);
    if (fd < 0)
    {
      std::perror("mkstemp");
      std::exit(2);
    }
    path_ = &name[0];
    std::vector<char> data(size);
    for (std::size_t i = 0; i < size; ++i)
      data[i] = pattern(i);
    std::size_t done = 0;
    while (done < size)
    {
      ssize_t n = ::write(fd, &data[done], size - done);
      if (n <= 0)
      {
        std::perror("write");
        std::exit(2);
      }
      done += static_cast<std::size_t>(n);
    }
    ::close(fd);
  }

  ~temp_file()
  {
    ::unlink(path_.c_str());
  }

  const char* path() const
  {
    return path_.c_str();
  }

  static char pattern(std::size_t i)
  {
    return static_cast<char>('a' + (i * 7 + i / 4096) % 26);
  }

private:
  temp_file(const temp_file&);
  temp_file& operator=(const temp_file&);
  std::string path_;
};

// A temporary FIFO. Opened read-write, reads on it block until data arrives.
class temp_fifo
{
public:
  temp_fifo()
  {
    std::string templ = temp_dir() + "/asio-uring-fifo-XXXXXX";
    std::vector<char> name(templ.begin(), templ.end());
    name.push_back('\0');
    int fd = ::mkstemp(&name[0]);
    if (fd < 0)
    {
      std::perror("mkstemp");
      std::exit(2);
    }
    ::close(fd);
    ::unlink(&name[0]);
    if (::mkfifo(&name[0], 0600) != 0)
    {
      std::perror("mkfifo");
      std::exit(2);
    }
    path_ = &name[0];
  }

  ~temp_fifo()
  {
    ::unlink(path_.c_str());
  }

  const char* path() const
  {
    return path_.c_str();
  }

private:
  temp_fifo(const temp_fifo&);
  temp_fifo& operator=(const temp_fifo&);
  std::string path_;
};

// Returns the contents of /proc/self/fdinfo for the (only) io_uring instance
// open in this process, or an empty string if there is none or it cannot be
// read.
inline std::string io_uring_fdinfo()
{
  std::string result;
  DIR* dir = ::opendir("/proc/self/fd");
  if (!dir)
    return result;
  while (dirent* entry = ::readdir(dir))
  {
    std::string fd_path = std::string("/proc/self/fd/") + entry->d_name;
    char link[256];
    ssize_t n = ::readlink(fd_path.c_str(), link, sizeof(link) - 1);
    if (n <= 0)
      continue;
    link[n] = '\0';
    if (std::strcmp(link, "anon_inode:[io_uring]") != 0)
      continue;
    std::ifstream in((std::string("/proc/self/fdinfo/") + entry->d_name).c_str());
    std::string line;
    while (std::getline(in, line))
      result += line + "\n";
    break;
  }
  ::closedir(dir);
  return result;
}

// Returns the value of a numeric "Name:\tvalue" field in an fdinfo text, or
// -1 if the field is not present.
inline long fdinfo_field(const std::string& fdinfo, const char* name)
{
  std::string key = std::string("\n") + name + ":";
  std::string text = "\n" + fdinfo;
  std::string::size_type pos = text.find(key);
  if (pos == std::string::npos)
    return -1;
  return std::strtol(text.c_str() + pos + key.size(), 0, 0);
}

// Returns the number of non-empty slots in the registered buffer table listed
// under "UserBufs:" in an fdinfo text, or -1 if the kernel does not list them.
inline long fdinfo_registered_buffers(const std::string& fdinfo)
{
  std::string::size_type pos = fdinfo.find("UserBufs:");
  if (pos == std::string::npos)
    return -1;
  long count = 0;
  pos = fdinfo.find('\n', pos);
  while (pos != std::string::npos && pos + 1 < fdinfo.size())
  {
    std::string::size_type end = fdinfo.find('\n', pos + 1);
    std::string line = fdinfo.substr(pos + 1,
        end == std::string::npos ? std::string::npos : end - pos - 1);
    std::string::size_type colon = line.find(':');
    if (colon == std::string::npos || line.empty()
        || line.find_first_not_of(" 0123456789") != colon)
      break; // End of the list.
    if (line.find("0x", colon) != std::string::npos)
      ++count;
    pos = end;
  }
  return count;
}

// Returns the number of requests listed under "PollList:" in an fdinfo text
// (requests waiting in the kernel for their file to become ready), or -1 if
// the kernel does not list them.
inline long fdinfo_poll_list(const std::string& fdinfo)
{
  std::string::size_type pos = fdinfo.find("\nPollList:");
  if (pos == std::string::npos)
    return -1;
  long count = 0;
  pos = fdinfo.find('\n', pos + 1);
  while (pos != std::string::npos && pos + 1 < fdinfo.size()
      && fdinfo.compare(pos + 1, 5, "  op=") == 0)
  {
    ++count;
    pos = fdinfo.find('\n', pos + 1);
  }
  return count;
}

} // namespace test_support

#endif // TEST_SUPPORT_HPP
