#include "core/cli/mpi_session.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>

#if defined(AIDCSIM_HAVE_MPI)
// The C API only: OpenMPI's and MPICH's mpi.h would pull in the deprecated C++ bindings, which MPI::MPI_C does not
// link.
#define OMPI_SKIP_MPICXX 1
#define MPICH_SKIP_MPICXX 1
#include <mpi.h>
#endif

namespace aidc {

bool launched_as_rank() {
  // OpenMPI's mpirun, PMIx launchers (OpenMPI 5, Slurm with PMIx) and PMI-1/2 launchers (MPICH, Slurm's srun).
  for (const char* v : {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_SIZE"}) {
    if (std::getenv(v) != nullptr) return true;
  }
  return false;
}

int local_rank() {
  for (const char* v : {"OMPI_COMM_WORLD_LOCAL_RANK", "SLURM_LOCALID", "MPI_LOCALRANKID", "PMIX_LOCAL_RANK"}) {
    if (const char* x = std::getenv(v)) return std::max(0, std::atoi(x));
  }
  return 0;
}

#if defined(AIDCSIM_HAVE_MPI)

MpiSession::MpiSession() {
  if (!launched_as_rank()) return;
  MPI_Init(nullptr, nullptr);
  active_ = true;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
  MPI_Comm_size(MPI_COMM_WORLD, &ranks_);
}

MpiSession::~MpiSession() {
  if (active_) MPI_Finalize();
}

std::vector<std::string> MpiSession::gather_to_root(const std::string& text) const {
  if (!active_ || ranks_ == 1) return {text};
  const int length = static_cast<int>(text.size());
  std::vector<int> lengths(rank_ == 0 ? static_cast<std::size_t>(ranks_) : 0);
  MPI_Gather(&length, 1, MPI_INT, lengths.data(), 1, MPI_INT, 0, MPI_COMM_WORLD);
  std::vector<int> offsets(lengths.size(), 0);
  int total = 0;
  for (std::size_t r = 0; r < lengths.size(); ++r) {
    offsets[r] = total;
    total += lengths[r];
  }
  std::string all(static_cast<std::size_t>(total), '\0');
  MPI_Gatherv(text.data(), length, MPI_CHAR, all.data(), lengths.data(), offsets.data(), MPI_CHAR, 0,
              MPI_COMM_WORLD);
  std::vector<std::string> out;
  for (std::size_t r = 0; r < lengths.size(); ++r) {
    out.push_back(all.substr(static_cast<std::size_t>(offsets[r]), static_cast<std::size_t>(lengths[r])));
  }
  return out;
}

void MpiSession::abort(int code) const {
  if (active_) MPI_Abort(MPI_COMM_WORLD, code);
  std::exit(code);
}

#else

MpiSession::MpiSession() {
  // Several copies of a binary without MPI would each run the whole sweep and write the same file: refuse.
  for (const char* v : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE"}) {
    const char* size = std::getenv(v);
    if (size != nullptr && std::atoi(size) > 1) {
      std::fprintf(stderr, "aidcsim: this aidcsim was built without MPI (AIDCSIM_ENABLE_MPI, libopenmpi-dev); "
                           "run the sweep without mpirun, or rebuild with MPI\n");
      std::exit(2);
    }
  }
}
MpiSession::~MpiSession() = default;
std::vector<std::string> MpiSession::gather_to_root(const std::string& text) const { return {text}; }
void MpiSession::abort(int code) const { std::exit(code); }

#endif

}  // namespace aidc
