#pragma once
// Compresses whole chunks on TBB's workers and stores them with H5Dwrite_chunk from the calling thread, in the
// order they were submitted. HDF5 (serial build) is called only from the thread that owns the ChunkWriter; the
// shuffle + deflate work (chunk_codec.hpp), most of the cost of writing a results file, runs in the current task
// arena, so it overlaps with whatever else the arena runs (the simulation of the next batch) and is limited by the
// same tbb::global_control.
//
// Write points are deterministic: a chunk is stored when more than `max_in_flight` chunks are queued behind it, or
// at drain(). So the sequence of HDF5 calls, hence the file's bytes, depends only on the sequence of submissions,
// never on which thread compressed what or how fast.

#include <hdf5.h>

#include <cstddef>
#include <deque>
#include <memory>
#include <string>
#include <vector>

namespace aidc::h5 {

class ChunkWriter {
 public:
  // `gzip_level` must be the dataset's deflate level, so that the stored bytes are what its filters would store.
  ChunkWriter(int gzip_level, std::size_t max_in_flight);
  // Waits for any compression still running and discards it (nothing more is written).
  ~ChunkWriter();
  ChunkWriter(const ChunkWriter&) = delete;
  ChunkWriter& operator=(const ChunkWriter&) = delete;

  // Queues one full chunk (`raw`: the chunk's elements in the file's type, as many bytes as the chunk shape holds,
  // edge chunks included) of `dataset` at element offset `offset` (one entry per dimension). `dataset` must stay
  // open, and its extent must already cover the chunk, until the chunk is written. `object` names it in errors.
  // May store earlier chunks (and so throw their HDF5 or zlib errors).
  void submit(hid_t dataset, std::vector<hsize_t> offset, std::vector<unsigned char> raw, std::size_t element_size,
              std::string object);
  // Stores every queued chunk.
  void drain();

 private:
  struct Job;
  void write_front();

  int gzip_level_;
  std::size_t max_in_flight_;
  std::deque<std::unique_ptr<Job>> queue_;
};

}  // namespace aidc::h5
