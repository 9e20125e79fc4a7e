#pragma once
// The MPI world of `aidcsim sweep` when a launcher started it (mpirun, mpiexec, srun): initialised on construction,
// finalised on destruction. Started without one, or built without MPI, it is one rank and MPI is never touched, so
// a plain `aidcsim sweep` does not depend on an MPI runtime being usable.

#include <string>
#include <vector>

namespace aidc {

class MpiSession {
 public:
  MpiSession();
  ~MpiSession();
  MpiSession(const MpiSession&) = delete;
  MpiSession& operator=(const MpiSession&) = delete;

  int rank() const { return rank_; }
  int ranks() const { return ranks_; }
  // Every rank's `text`, in rank order, on rank 0; empty on the others. Collective.
  std::vector<std::string> gather_to_root(const std::string& text) const;
  // Ends every rank (an internal error on one would leave the others waiting in a collective).
  [[noreturn]] void abort(int code) const;

 private:
  int rank_ = 0;
  int ranks_ = 1;
  // Read only where built with MPI; the field stays in either build, so the class has one layout whether or not a
  // file that includes this header sees AIDCSIM_HAVE_MPI (it is the aidcsim target's private definition).
  [[maybe_unused]] bool active_ = false;
};

// Whether a launcher started this process as one rank of several (its environment says so).
bool launched_as_rank();
// This rank's index among the ranks on its node (OpenMPI, Slurm, MPICH, PMIx environments); 0 when not given.
int local_rank();

}  // namespace aidc
