#include "core/io/chunk_writer.hpp"

#include <exception>
#include <utility>

#include <tbb/task_group.h>

#include "core/io/chunk_codec.hpp"
#include "core/io/h5_handle.hpp"

namespace aidc::h5 {

struct ChunkWriter::Job {
  hid_t dataset = H5I_INVALID_HID;
  std::vector<hsize_t> offset;
  std::vector<unsigned char> raw;
  std::vector<unsigned char> encoded;
  std::string object;
  std::exception_ptr error;
  // One group per chunk, so that the writer can wait for the oldest chunk alone; while it waits, the waiting
  // thread runs other tasks of the arena (more chunks, or the simulation) instead of idling.
  tbb::task_group done;
};

ChunkWriter::ChunkWriter(int gzip_level, std::size_t max_in_flight)
    : gzip_level_(gzip_level), max_in_flight_(max_in_flight) {}

ChunkWriter::~ChunkWriter() {
  for (auto& job : queue_) {
    try {
      job->done.wait();
    } catch (...) {
    }
  }
}

void ChunkWriter::submit(hid_t dataset, std::vector<hsize_t> offset, std::vector<unsigned char> raw,
                         std::size_t element_size, std::string object) {
  auto job = std::make_unique<Job>();
  job->dataset = dataset;
  job->offset = std::move(offset);
  job->raw = std::move(raw);
  job->object = std::move(object);
  Job* j = job.get();
  queue_.push_back(std::move(job));
  const int level = gzip_level_;
  j->done.run([j, element_size, level] {
    try {
      j->encoded = encode_shuffle_deflate(j->raw, element_size, level);
    } catch (...) {
      j->error = std::current_exception();
    }
    j->raw = {};  // the raw chunk is no longer needed: keep the queue's memory to the compressed bytes
  });
  while (queue_.size() > max_in_flight_) write_front();
}

void ChunkWriter::drain() {
  while (!queue_.empty()) write_front();
}

void ChunkWriter::write_front() {
  // Popped before anything can throw: a failed chunk is not retried, and the destructor does not wait twice.
  const std::unique_ptr<Job> job = std::move(queue_.front());
  queue_.pop_front();
  job->done.wait();
  if (job->error) std::rethrow_exception(job->error);
  // Filter mask 0: every declared filter (shuffle, deflate) was applied, exactly as the pipeline would.
  check(H5Dwrite_chunk(job->dataset, H5P_DEFAULT, 0, job->offset.data(), job->encoded.size(), job->encoded.data()),
        "H5Dwrite_chunk", job->object);
}

}  // namespace aidc::h5
