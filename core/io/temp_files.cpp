#include "core/io/temp_files.hpp"

#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <string>
#include <system_error>

#include <fcntl.h>
#include <unistd.h>

namespace aidc {

namespace fs = std::filesystem;

namespace {

// The state of a slot is read by the signal handler: a lock-free atomic is the one kind of shared variable it may
// touch, besides memory written before the state says "armed".
static_assert(std::atomic<int>::is_always_lock_free);

enum SlotState : int { kFree = 0, kClaimed = 1, kArmed = 2 };
constexpr std::size_t kPathBytes = 4096;  // PATH_MAX on Linux

struct Slot {
  std::atomic<int> state{kFree};
  char path[kPathBytes] = {};
};

Slot g_slots[RemoveOnSignal::kMaxRegistered];
std::atomic<bool> g_installed{false};

constexpr int kSignals[] = {SIGINT, SIGTERM, SIGHUP};

// Only async-signal-safe calls: unlink() and raise(). SA_RESETHAND has already restored the default action, and
// the signal stays blocked until the handler returns, so raise() kills the process right after, with this signal.
extern "C" void remove_temporaries_and_die(int sig) {
  const int saved_errno = errno;
  for (Slot& slot : g_slots) {
    if (slot.state.load(std::memory_order_acquire) == kArmed) (void)::unlink(slot.path);
  }
  errno = saved_errno;
  (void)::raise(sig);
}

void install_handlers() {
  for (const int sig : kSignals) {
    struct sigaction old {};
    if (::sigaction(sig, nullptr, &old) != 0) continue;
    // Leave alone a signal the program ignores (nohup) or handles itself.
    if ((old.sa_flags & SA_SIGINFO) != 0 || old.sa_handler != SIG_DFL) continue;
    struct sigaction action {};
    action.sa_handler = remove_temporaries_and_die;
    sigemptyset(&action.sa_mask);
    for (const int other : kSignals) sigaddset(&action.sa_mask, other);
    action.sa_flags = SA_RESETHAND | SA_RESTART;
    (void)::sigaction(sig, &action, nullptr);
  }
}

constexpr unsigned char kHdf5Signature[8] = {0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};

bool starts_with_hdf5_signature(const fs::path& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) return false;
  unsigned char head[sizeof kHdf5Signature] = {};
  const ssize_t n = ::read(fd, head, sizeof head);
  ::close(fd);
  return n == static_cast<ssize_t>(sizeof head) && std::memcmp(head, kHdf5Signature, sizeof head) == 0;
}

bool process_is_gone(pid_t pid) { return ::kill(pid, 0) != 0 && errno == ESRCH; }

}  // namespace

fs::path make_temporary_path(const fs::path& final_path) {
  static std::atomic<unsigned> counter{0};
  fs::path tmp = final_path;
  tmp += ".tmp-" + std::to_string(::getpid()) + "-" + std::to_string(counter.fetch_add(1));
  return tmp;
}

std::optional<pid_t> temporary_owner(std::string_view filename) {
  constexpr std::string_view kMarker = ".tmp-";
  const std::size_t at = filename.rfind(kMarker);
  if (at == std::string_view::npos || at == 0) return std::nullopt;
  const std::string_view rest = filename.substr(at + kMarker.size());
  const std::size_t dash = rest.find('-');
  if (dash == 0 || dash == std::string_view::npos || dash + 1 == rest.size() || dash > 9) return std::nullopt;
  long long pid = 0;
  for (const char c : rest.substr(0, dash)) {
    if (c < '0' || c > '9') return std::nullopt;
    pid = pid * 10 + (c - '0');
  }
  if (pid <= 0) return std::nullopt;
  return static_cast<pid_t>(pid);
}

std::vector<fs::path> sweep_stale_temporaries(const fs::path& folder, const fs::path& final_name) {
  std::vector<fs::path> removed;
  const std::string own_prefix = final_name.filename().string() + ".tmp-";
  std::error_code ec;
  fs::directory_iterator it(folder.empty() ? fs::path(".") : folder, fs::directory_options::skip_permission_denied,
                            ec);
  for (const fs::directory_iterator end; !ec && it != end; it.increment(ec)) {
    const fs::path path = it->path();
    const std::string name = path.filename().string();
    const std::optional<pid_t> owner = temporary_owner(name);
    if (!owner || *owner == ::getpid() || !process_is_gone(*owner)) continue;
    std::error_code file_ec;
    if (!fs::is_regular_file(fs::symlink_status(path, file_ec))) continue;
    const std::uintmax_t size = fs::file_size(path, file_ec);
    if (file_ec) continue;
    const bool ours = starts_with_hdf5_signature(path) || (size == 0 && name.rfind(own_prefix, 0) == 0);
    if (ours && fs::remove(path, file_ec)) removed.push_back(path);
  }
  return removed;
}

RemoveOnSignal::RemoveOnSignal(const fs::path& path) noexcept {
  const std::string& text = path.native();
  if (text.empty() || text.size() >= kPathBytes) return;
  if (!g_installed.exchange(true)) install_handlers();
  for (int i = 0; i < kMaxRegistered; ++i) {
    int expected = kFree;
    if (!g_slots[i].state.compare_exchange_strong(expected, kClaimed, std::memory_order_acq_rel)) continue;
    std::memcpy(g_slots[i].path, text.c_str(), text.size() + 1);
    g_slots[i].state.store(kArmed, std::memory_order_release);
    slot_ = i;
    return;
  }
}

RemoveOnSignal::~RemoveOnSignal() { release(); }

void RemoveOnSignal::release() noexcept {
  if (slot_ >= 0) g_slots[slot_].state.store(kFree, std::memory_order_release);
  slot_ = -1;
}

}  // namespace aidc
