#include "core/io/chunk_codec.hpp"

#include <cstring>
#include <stdexcept>
#include <string>

#include <zlib.h>

namespace aidc::h5 {

void shuffle_bytes(std::span<const unsigned char> in, std::size_t element_size, std::span<unsigned char> out) {
  if (out.size() < in.size()) throw std::invalid_argument("shuffle_bytes: output smaller than input");
  const std::size_t n = element_size == 0 ? 0 : in.size() / element_size;
  if (element_size <= 1 || n <= 1) {
    if (!in.empty()) std::memcpy(out.data(), in.data(), in.size());
    return;
  }
  const unsigned char* src = in.data();
  unsigned char* dst = out.data();
  if (element_size == sizeof(double)) {
    // The series' case, a plain 8 x n transpose: a fixed stride lets the compiler unroll it.
    for (std::size_t i = 0; i < n; ++i) {
      const unsigned char* e = src + i * 8;
      for (std::size_t j = 0; j < 8; ++j) dst[j * n + i] = e[j];
    }
  } else {
    for (std::size_t i = 0; i < n; ++i) {
      const unsigned char* e = src + i * element_size;
      for (std::size_t j = 0; j < element_size; ++j) dst[j * n + i] = e[j];
    }
  }
  const std::size_t whole = n * element_size;
  if (whole < in.size()) std::memcpy(dst + whole, src + whole, in.size() - whole);
}

std::vector<unsigned char> encode_shuffle_deflate(std::span<const unsigned char> raw, std::size_t element_size,
                                                  int level) {
  // Scratch per thread, reused from chunk to chunk: a fresh megabyte per chunk would be fresh pages to fault in, and
  // the result is returned at its exact size rather than with compressBound's capacity (the writer queues dozens).
  thread_local std::vector<unsigned char> shuffled;
  thread_local std::vector<unsigned char> compressed;
  shuffled.resize(raw.size());
  shuffle_bytes(raw, element_size, shuffled);
  uLongf out_bytes = compressBound(static_cast<uLong>(raw.size()));
  compressed.resize(out_bytes);
  const int status =
      compress2(compressed.data(), &out_bytes, shuffled.data(), static_cast<uLong>(raw.size()), level);
  if (status != Z_OK) throw std::runtime_error("zlib compress2 failed with status " + std::to_string(status));
  return std::vector<unsigned char>(compressed.begin(), compressed.begin() + static_cast<std::ptrdiff_t>(out_bytes));
}

}  // namespace aidc::h5
