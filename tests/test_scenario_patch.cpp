// Scenario variants as RFC 6902 patches (core/scenario/scenario_patch.hpp): applied in order, every failure bad
// input naming the file, the patch, the operation and its path.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "core/scenario/input_error.hpp"
#include "core/scenario/scenario_patch.hpp"

namespace aidc::test {
namespace {

using Json = nlohmann::json;

Json base_doc() {
  return Json::parse(R"({"name": "p", "site": {"country": "Malaysia", "grid": {"capacity_mw": 20}},
                         "it": {"systems": [{"name": "dgx-h100", "count": 40}]},
                         "workloads": [{"name": "chat", "instances": 3}, {"name": "train"}]})");
}

InputProblem problem_of(const Json& doc, const std::vector<ScenarioPatch>& patches) {
  try {
    apply_patches(doc, patches, "scenario.json");
  } catch (const BadInput& e) {
    REQUIRE(e.problems().size() == 1);
    return e.problems().front();
  }
  FAIL("the patches applied");
  return {};
}

}  // namespace

TEST_CASE("a patch replaces, adds and removes members and leaves the document it was given unchanged") {
  const Json doc = base_doc();
  ScenarioPatch p{"test", Json::array()};
  append_op(p, replace_op("/site/country", "Kenya"));
  append_op(p, add_op("/site/grid/voltage_kv", 132));
  append_op(p, remove_op("/workloads/0/instances"));
  append_op(p, add_op("/workloads/-", Json{{"name", "batch"}}));
  const Json out = apply_patches(doc, std::vector<ScenarioPatch>{p}, "scenario.json");
  CHECK(out["site"]["country"] == "Kenya");
  CHECK(out["site"]["grid"]["voltage_kv"] == 132);
  CHECK(out["site"]["grid"]["capacity_mw"] == 20);
  CHECK_FALSE(out["workloads"][0].contains("instances"));
  CHECK(out["workloads"].size() == 3);
  CHECK(out["workloads"][2]["name"] == "batch");
  CHECK(doc == base_doc());
}

TEST_CASE("patches apply in order, so a later patch sees and overrides an earlier one") {
  const std::vector<ScenarioPatch> patches = {{"first", Json::array({add_op("/seed", 1)})},
                                              {"second", Json::array({replace_op("/seed", 2)})},
                                              {"third", Json::array({test_op("/seed", 2), add_op("/replications", 5)})}};
  const Json out = apply_patches(base_doc(), patches, "scenario.json");
  CHECK(out["seed"] == 2);
  CHECK(out["replications"] == 5);
  // In the other order the replace finds no seed to replace.
  const std::vector<ScenarioPatch> reversed = {patches[1], patches[0]};
  const InputProblem p = problem_of(base_doc(), reversed);
  CHECK(p.json_path == "/seed");
  CHECK(p.expected.find("patch \"second\" operation 0 (replace)") != std::string::npos);
}

TEST_CASE("no patches give the document back as it is") {
  CHECK(apply_patches(base_doc(), {}, "scenario.json") == base_doc());
}

TEST_CASE("add creates a missing object member only where its parent exists, as RFC 6902 allows") {
  const Json out = apply_patches(base_doc(), std::vector<ScenarioPatch>{{"ok", Json::array({add_op("/fleet", Json::object())})}},
                                 "scenario.json");
  CHECK(out["fleet"] == Json::object());
  const InputProblem p = problem_of(base_doc(), {{"deep", Json::array({add_op("/economics/revenue/usd", 1.0)})}});
  CHECK(p.file == "scenario.json");
  CHECK(p.json_path == "/economics/revenue/usd");
  CHECK(p.value == "1.0");
  CHECK(p.expected.find("patch \"deep\" operation 0 (add)") != std::string::npos);
  CHECK(p.expected.find("/economics/revenue to exist") != std::string::npos);
  // Nor under a value that is neither an object nor an array.
  const InputProblem q = problem_of(base_doc(), {{"prim", Json::array({add_op("/name/x", 1)})}});
  CHECK(q.expected.find("an object or an array") != std::string::npos);
}

TEST_CASE("an array index beyond the array's size, or not a number, is bad input naming the operation") {
  const InputProblem p = problem_of(base_doc(), {{"idx", Json::array({add_op("/workloads/0/gpus", 1),
                                                                      add_op("/workloads/5", Json::object())})}});
  CHECK(p.json_path == "/workloads/5");
  CHECK(p.expected.find("operation 1 (add)") != std::string::npos);
  CHECK(p.expected.find("at most 2") != std::string::npos);
  const InputProblem q = problem_of(base_doc(), {{"name", Json::array({replace_op("/workloads/chat", 1)})}});
  CHECK(q.json_path == "/workloads/chat");
  CHECK(q.expected.find("to exist") != std::string::npos);
}

TEST_CASE("removing or replacing a missing member, a failed test and a malformed pointer are bad input") {
  CHECK(problem_of(base_doc(), {{"rm", Json::array({remove_op("/fleet")})}}).expected.find("/fleet to exist") !=
        std::string::npos);
  const InputProblem t = problem_of(base_doc(), {{"--seed", Json::array({test_op("/site/country", "Japan")})}});
  CHECK(t.json_path == "/site/country");
  CHECK(t.expected.find("patch \"--seed\" operation 0 (test)") != std::string::npos);
  CHECK(t.expected.find("\"Malaysia\"") != std::string::npos);
  const InputProblem m = problem_of(base_doc(), {{"bad", Json::array({add_op("site", 1)})}});
  CHECK(m.json_path == "site");
  CHECK(m.expected.find("RFC 6901") != std::string::npos);
  const InputProblem u = problem_of(base_doc(), {{"op", Json::array({Json{{"op", "merge"}, {"path", "/a"}}})}});
  CHECK(u.expected.find("not \"merge\"") != std::string::npos);
}

TEST_CASE("set_op replaces an existing member and adds a missing one, remove_if_present_op skips a missing one") {
  const Json doc = base_doc();
  CHECK(set_op(doc, "/site/country", "Kenya")["op"] == "replace");
  CHECK(set_op(doc, "/replications", 2)["op"] == "add");
  CHECK(remove_if_present_op(doc, "/workloads/0/instances")["op"] == "remove");
  ScenarioPatch p{"skip", Json::array()};
  append_op(p, remove_if_present_op(doc, "/workloads/1/instances"));
  CHECK(p.ops.empty());
}

TEST_CASE("a pointer built from tokens escapes '~' and '/'") {
  CHECK(json_pointer_to({"economics", "system_price_usd", "a/b~c"}) == "/economics/system_price_usd/a~1b~0c");
  const Json doc = {{"x", Json::object()}};
  const Json out = apply_patches(doc, std::vector<ScenarioPatch>{{"esc", Json::array({add_op(json_pointer_to({"x", "a/b"}), 1)})}},
                                 "f.json");
  CHECK(out["x"]["a/b"] == 1);
}

TEST_CASE("the patch between two documents turns the first into the second") {
  Json changed = base_doc();
  changed["site"]["country"] = "Kenya";
  changed["workloads"][1]["gpus"] = 8;
  changed.erase("name");
  const ScenarioPatch d = patch_between(base_doc(), changed, "variant");
  CHECK(d.label == "variant");
  CHECK(d.ops.size() == 3);
  CHECK(apply_patches(base_doc(), std::vector<ScenarioPatch>{d}, "f.json") == changed);
  CHECK(patch_between(base_doc(), base_doc(), "none").ops.empty());
}

}  // namespace aidc::test
