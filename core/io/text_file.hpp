#pragma once
// Reads a small input file (a scenario, a catalog entry) whole, with a clear bad-input problem for every way it can
// fail instead of a blocked read or a vague "no such file": missing, a folder, a FIFO or a device, unreadable, too
// large. A FIFO is never opened for a blocking read, so `aidcsim run some.fifo` is refused, not hung.

#include <cstdint>
#include <filesystem>
#include <string>

namespace aidc {

// The whole text of `path`. `what` says what the file should be ("a scenario JSON file") and is the expectation of
// every problem. Throws BadInput (file = path, JSON path "" for the whole document) when the path is missing, is a
// folder, is not a regular file (FIFO, device, socket), cannot be read, or holds more than `max_bytes` bytes.
std::string read_text_file(const std::filesystem::path& path, const std::string& what, std::uintmax_t max_bytes);

// The checks of read_text_file() that need no reading: throws the same BadInput when `path` is missing, a folder,
// not a regular file or not readable by this process. For a caller that reads the file by other means.
void check_input_file(const std::filesystem::path& path, const std::string& what);

// What a path is, in words, for messages: "a folder", "a FIFO", "a character device", ...; "" for a regular file
// and for a path that does not exist. Follows symbolic links.
std::string describe_non_regular(const std::filesystem::path& path);

}  // namespace aidc
