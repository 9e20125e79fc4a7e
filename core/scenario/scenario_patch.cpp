#include "core/scenario/scenario_patch.hpp"

#include <optional>

#include "core/scenario/input_error.hpp"

namespace aidc {

namespace {

using Json = nlohmann::json;
using Pointer = Json::json_pointer;

Json op(const char* name, const std::string& pointer) { return {{"op", name}, {"path", pointer}}; }

bool is_array_index(const std::string& token) {
  if (token.empty() || (token.size() > 1 && token[0] == '0')) return false;
  for (char c : token) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

// Why `pointer` cannot be the target of an "add" (or a move's or copy's target) in `doc`, or "" when it can:
// RFC 6902 4.1, the parent must exist and be an object or an array, an array index at most the array's size.
std::string add_target_problem(const Json& doc, const Pointer& ptr) {
  if (ptr.empty()) return "";
  const Pointer parent = ptr.parent_pointer();
  if (!doc.contains(parent)) return "the parent " + parent.to_string() + " to exist (add does not create it)";
  const Json& p = doc.at(parent);
  if (p.is_object()) return "";
  if (!p.is_array()) return "the parent " + parent.to_string() + " to be an object or an array, not " + p.type_name();
  const std::string& last = ptr.back();
  if (last == "-") return "";
  if (!is_array_index(last)) return "an array index or \"-\" under " + parent.to_string() + ", not \"" + last + "\"";
  if (std::stoull(last) > p.size()) {
    return "an array index at most " + std::to_string(p.size()) + " (the size of " + parent.to_string() + ")";
  }
  return "";
}

std::optional<Pointer> parse_pointer(const Json& text, std::string& problem) {
  if (!text.is_string()) {
    problem = "a JSON pointer string";
    return std::nullopt;
  }
  try {
    return Pointer(text.get<std::string>());
  } catch (const Json::exception& e) {
    problem = "an RFC 6901 JSON pointer (" + std::string(e.what()) + ")";
    return std::nullopt;
  }
}

// Why `o` cannot apply to `doc`, or "" when it can (nlohmann's patch then applies it).
std::string op_problem(const Json& doc, const Json& o) {
  if (!o.is_object() || !o.contains("op") || !o["op"].is_string()) return "an object with an \"op\" string";
  const std::string name = o["op"].get<std::string>();
  if (name != "add" && name != "remove" && name != "replace" && name != "move" && name != "copy" && name != "test") {
    return "an op of add, remove, replace, move, copy or test, not \"" + name + "\"";
  }
  if (!o.contains("path")) return "a \"path\"";
  std::string problem;
  const std::optional<Pointer> ptr = parse_pointer(o["path"], problem);
  if (!ptr) return problem;
  if ((name == "add" || name == "replace" || name == "test") && !o.contains("value")) return "a \"value\"";
  if (name == "move" || name == "copy") {
    if (!o.contains("from")) return "a \"from\"";
    const std::optional<Pointer> from = parse_pointer(o["from"], problem);
    if (!from) return "\"from\" to be " + problem;
    if (!doc.contains(*from)) return "\"from\" " + from->to_string() + " to exist";
    return add_target_problem(doc, *ptr);
  }
  if (name == "add") return add_target_problem(doc, *ptr);
  if (!doc.contains(*ptr)) return "the member " + ptr->to_string() + " to exist";
  if (name == "remove" && ptr->empty()) return "a path below the document's root (the root cannot be removed)";
  return "";
}

std::string value_text(const Json& o) {
  if (!o.is_object() || !o.contains("value")) return "";
  std::string s = o["value"].dump();
  return s.size() > 120 ? s.substr(0, 117) + "..." : s;
}

}  // namespace

Json add_op(const std::string& pointer, Json value) {
  Json o = op("add", pointer);
  o["value"] = std::move(value);
  return o;
}

Json replace_op(const std::string& pointer, Json value) {
  Json o = op("replace", pointer);
  o["value"] = std::move(value);
  return o;
}

Json remove_op(const std::string& pointer) { return op("remove", pointer); }

Json test_op(const std::string& pointer, Json value) {
  Json o = op("test", pointer);
  o["value"] = std::move(value);
  return o;
}

Json set_op(const Json& doc, const std::string& pointer, Json value) {
  const bool exists = doc.contains(Pointer(pointer));
  return exists ? replace_op(pointer, std::move(value)) : add_op(pointer, std::move(value));
}

Json remove_if_present_op(const Json& doc, const std::string& pointer) {
  return doc.contains(Pointer(pointer)) ? remove_op(pointer) : Json();
}

void append_op(ScenarioPatch& patch, Json o) {
  if (!o.is_null()) patch.ops.push_back(std::move(o));
}

std::string json_pointer_to(std::initializer_list<std::string> tokens) {
  Pointer p;
  for (const std::string& t : tokens) p /= t;
  return p.to_string();
}

Json apply_patches(const Json& doc, std::span<const ScenarioPatch> patches, const std::string& file_label) {
  Json result = doc;
  for (const ScenarioPatch& patch : patches) {
    auto fail = [&](std::size_t k, const Json& o, const std::string& why) {
      const std::string path = o.is_object() && o.contains("path") && o["path"].is_string() ? o["path"].get<std::string>() : "";
      const std::string name = o.is_object() && o.contains("op") && o["op"].is_string() ? o["op"].get<std::string>() : "?";
      return BadInput(file_label, path, value_text(o),
                      "patch \"" + patch.label + "\" operation " + std::to_string(k) + " (" + name + "): " + why);
    };
    if (!patch.ops.is_array()) {
      throw BadInput(file_label, "", "", "patch \"" + patch.label + "\": an RFC 6902 patch (an array of operations)");
    }
    for (std::size_t k = 0; k < patch.ops.size(); ++k) {
      const Json& o = patch.ops[k];
      if (const std::string why = op_problem(result, o); !why.empty()) throw fail(k, o, why);
      try {
        result.patch_inplace(Json::array({o}));
      } catch (const Json::exception& e) {
        // A failed "test" (other_error 501) or anything the checks above did not foresee.
        const bool test = o["op"] == "test";
        throw fail(k, o, test ? "the value at the path to equal " + value_text(o) + " (it is " +
                                    result.at(Pointer(o["path"].get<std::string>())).dump() + ")"
                              : std::string(e.what()));
      }
    }
  }
  return result;
}

ScenarioPatch set_creating_parents(const Json& doc, const std::string& pointer, Json value, std::string label) {
  ScenarioPatch patch{std::move(label), Json::array()};
  const Pointer target(pointer);
  std::vector<Pointer> missing;
  for (Pointer p = target.parent_pointer(); !p.empty() && !doc.contains(p); p = p.parent_pointer()) {
    missing.push_back(p);
  }
  Json with_parents = doc;
  for (auto it = missing.rbegin(); it != missing.rend(); ++it) {
    // Only objects are created; a missing parent under an array or a scalar is left for apply_patches to report.
    if (!with_parents.contains(it->parent_pointer()) || !with_parents.at(it->parent_pointer()).is_object()) break;
    patch.ops.push_back(add_op(it->to_string(), Json::object()));
    with_parents[*it] = Json::object();
  }
  append_op(patch, set_op(with_parents, pointer, std::move(value)));
  return patch;
}

ScenarioPatch patch_between(const Json& from, const Json& to, std::string label) {
  return {std::move(label), Json::diff(from, to)};
}

}  // namespace aidc
