#pragma once
// Scenario variants as RFC 6902 JSON patches: a variant is the scenario document plus patches, applied in order,
// then resolved like any file. Sizing's candidates, sites and counts (core/run/sizing_variants.hpp), and the
// coming sweep variants and uncertainty draws, all go through this one mechanism, so a run is a pure function of
// (document, patches, seed, replication) and the patches say, in results, what a variant changed.
//
// Pure: no file I/O. A patch that does not apply (a bad pointer, a missing member, a failed "test", an array
// index out of range, an "add" under a member that does not exist) is bad input naming the file, the patch's
// label, the operation's index and pointer, and what was expected.

#include <span>
#include <string>

#include <nlohmann/json.hpp>

namespace aidc {

struct ScenarioPatch {
  std::string label;                                   // where it came from, e.g. "sizing: candidate gb200-nvl72"
  nlohmann::json ops = nlohmann::json::array();        // an RFC 6902 patch document: an array of operations
};

// One operation each; `pointer` is an RFC 6901 JSON pointer ("/site/grid/capacity_mw", "" for the whole document).
nlohmann::json add_op(const std::string& pointer, nlohmann::json value);
nlohmann::json replace_op(const std::string& pointer, nlohmann::json value);
nlohmann::json remove_op(const std::string& pointer);
nlohmann::json test_op(const std::string& pointer, nlohmann::json value);

// The operation that makes `pointer` hold `value` in `doc`: "replace" where the value exists, else "add" (which
// RFC 6902 allows only where the parent exists; apply_patches reports it otherwise).
nlohmann::json set_op(const nlohmann::json& doc, const std::string& pointer, nlohmann::json value);
// The patch that makes `pointer` hold `value` in `doc`, first adding the objects above it that `doc` lacks (a value
// the document leaves to a default, e.g. /fleet/failures/scale where the fleet has no "failures" object). An array
// index that does not exist is not created: apply_patches reports it.
ScenarioPatch set_creating_parents(const nlohmann::json& doc, const std::string& pointer, nlohmann::json value,
                                   std::string label);

// "remove" where `pointer` exists in `doc`; null (nothing to do) otherwise. append_op skips a null operation.
nlohmann::json remove_if_present_op(const nlohmann::json& doc, const std::string& pointer);
void append_op(ScenarioPatch& patch, nlohmann::json op);

// An RFC 6901 pointer from reference tokens, escaping '~' and '/' ("/workloads/0/system").
std::string json_pointer_to(std::initializer_list<std::string> tokens);

// `doc` with every patch applied in order (each patch's operations in order). Throws BadInput (file_label, the
// operation's path, its value, and "patch <label> operation <k> (<op>): <why>") at the first that does not apply.
nlohmann::json apply_patches(const nlohmann::json& doc, std::span<const ScenarioPatch> patches,
                             const std::string& file_label);

// The patch that turns `from` into `to` (nlohmann's diff: a minimal RFC 6902 document), e.g. to record in results
// what a variant changed.
ScenarioPatch patch_between(const nlohmann::json& from, const nlohmann::json& to, std::string label);

}  // namespace aidc
