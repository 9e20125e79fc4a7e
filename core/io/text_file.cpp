#include "core/io/text_file.hpp"

#include <cerrno>
#include <cstring>
#include <string>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/scenario/input_error.hpp"

namespace aidc {

namespace {

std::string describe_mode(mode_t mode) {
  if (S_ISREG(mode)) return "";
  if (S_ISDIR(mode)) return "a folder";
  if (S_ISFIFO(mode)) return "a FIFO (named pipe)";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISSOCK(mode)) return "a socket";
  return "not a regular file";
}

std::string errno_text(int error) { return std::strerror(error); }

// Closes the descriptor on every path out of read_text_file.
struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

// stat() of an input file, refusing what cannot be one.
struct stat stat_input(const std::filesystem::path& path, const std::string& what) {
  const std::string label = path.string();
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    const int error = errno;
    if (error == ENOENT || error == ENOTDIR) throw BadInput(label, "", "no such file", what);
    throw BadInput(label, "", "unreadable (" + errno_text(error) + ")", what);
  }
  if (S_ISDIR(st.st_mode)) throw BadInput(label, "", "a folder, not a file", what);
  if (!S_ISREG(st.st_mode)) throw BadInput(label, "", describe_mode(st.st_mode) + ", not a regular file", what);
  return st;
}

}  // namespace

std::string describe_non_regular(const std::filesystem::path& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return "";
  return describe_mode(st.st_mode);
}

void check_input_file(const std::filesystem::path& path, const std::string& what) {
  (void)stat_input(path, what);
  if (::access(path.c_str(), R_OK) != 0) {
    throw BadInput(path.string(), "", "unreadable (" + errno_text(errno) + ")", what);
  }
}

std::string read_text_file(const std::filesystem::path& path, const std::string& what, std::uintmax_t max_bytes) {
  const std::string label = path.string();
  struct stat st = stat_input(path, what);
  // O_NONBLOCK: should the path have become a FIFO since stat(), open() returns at once instead of waiting for a
  // writer; fstat() below then refuses it. On a regular file the flag changes nothing.
  Fd in{::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC)};
  if (in.fd < 0) throw BadInput(label, "", "unreadable (" + errno_text(errno) + ")", what);
  if (::fstat(in.fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    throw BadInput(label, "", describe_mode(st.st_mode) + ", not a regular file", what);
  }
  const auto too_large = [&](std::uintmax_t bytes) {
    return BadInput(label, "", std::to_string(bytes) + " bytes",
                    what + " of at most " + std::to_string(max_bytes) + " bytes");
  };
  if (static_cast<std::uintmax_t>(st.st_size) > max_bytes) throw too_large(static_cast<std::uintmax_t>(st.st_size));
  std::string text;
  text.reserve(static_cast<std::size_t>(st.st_size));
  char buffer[1 << 16];
  for (;;) {
    const ssize_t n = ::read(in.fd, buffer, sizeof buffer);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw BadInput(label, "", "unreadable (" + errno_text(errno) + ")", what);
    }
    if (n == 0) break;
    text.append(buffer, static_cast<std::size_t>(n));
    // A file still growing is held to the same limit.
    if (text.size() > max_bytes) throw too_large(text.size());
  }
  return text;
}

}  // namespace aidc
