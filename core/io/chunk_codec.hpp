#pragma once
// The bytes HDF5's shuffle + deflate filter pipeline would store for one chunk, computed without HDF5 so that many
// chunks can be compressed at once on TBB's workers (HDF5's serial build is not thread-safe) and then stored as they
// are with H5Dwrite_chunk. The output must be exactly what the declared filters produce, so that every reader
// (h5py, h5dump, HDF5 itself) decodes it through the dataset's filters unchanged:
//   - shuffle (H5Zshuffle.c): byte j of element i goes to j * n + i, for n = nbytes / element_size whole
//     elements; trailing bytes of a fractional element stay at the end; nothing moves for 1-byte elements or
//     fewer than two elements;
//   - deflate (H5Zdeflate.c): one compress2() call at the dataset's level into a compressBound()-sized buffer, so
//     it never overflows and the filter mask is always 0.
// zlib's output depends only on its input and level: the bytes are the same whatever thread computes them.

#include <cstddef>
#include <span>
#include <vector>

namespace aidc::h5 {

// `out` must be as large as `in`.
void shuffle_bytes(std::span<const unsigned char> in, std::size_t element_size, std::span<unsigned char> out);

// Shuffle with `element_size`, then deflate at `level` (0..9): the stored form of a chunk whose filters are
// H5Pset_shuffle then H5Pset_deflate(level). Throws std::runtime_error if zlib fails (out of memory).
std::vector<unsigned char> encode_shuffle_deflate(std::span<const unsigned char> raw, std::size_t element_size,
                                                  int level);

}  // namespace aidc::h5
