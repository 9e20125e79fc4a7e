#pragma once
// A reader over one JSON object that tracks its JSON path, checks types and ranges, and records every problem
// instead of stopping at the first. Each key read is marked known; finish() reports the keys nobody asked for as
// unknown (keys starting with "_" are comments and always allowed), listing the keys that are accepted there.

#include <functional>
#include <limits>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/scenario/input_error.hpp"

namespace aidc {

using Json = nlohmann::json;

// A numeric interval; a bound may be open (exclusive) or closed.
struct Range {
  double lo = -std::numeric_limits<double>::infinity();
  double hi = std::numeric_limits<double>::infinity();
  bool lo_open = false;
  bool hi_open = false;

  static Range positive() { return {0.0, std::numeric_limits<double>::infinity(), true, false}; }
  static Range non_negative() { return {0.0, std::numeric_limits<double>::infinity(), false, false}; }
  static Range closed(double lo, double hi) { return {lo, hi, false, false}; }
  static Range fraction() { return closed(0.0, 1.0); }
  static Range unit_open_low() { return {0.0, 1.0, true, false}; }  // (0, 1]
  bool contains(double x) const;
  std::string describe() const;  // e.g. "a number > 0", "a number in [0, 1]"
};

// Deepest nesting of objects and arrays that parse_json_text accepts. Assumption: a scenario or catalog nests
// about 5 levels; 64 leaves ample room, and keeps every recursive walk of the document (dump, comparisons) far from
// the stack's end.
inline constexpr int kMaxJsonDepth = 64;

// Parses JSON text. Everything that is not one valid document is BadInput naming `file_label`: a syntax error
// (with line and column), a number beyond a double's range (e.g. 1e309, with its JSON path), a key given twice in
// one object (with its JSON path; JSON leaves duplicates undefined and the parser would keep the last silently),
// and nesting deeper than kMaxJsonDepth.
Json parse_json_text(const std::string& text, const std::string& file_label);

// Escapes a key for use in a JSON pointer (RFC 6901: ~ → ~0, / → ~1).
std::string json_pointer_escape(const std::string& key);
// A short JSON rendering of a value for messages (long values are cut).
std::string json_excerpt(const Json& value);

class JsonObjectReader {
 public:
  // `value` must outlive the reader. When `value` is not an object, one problem is recorded and every read
  // returns its fallback.
  JsonObjectReader(const Json& value, std::string path, std::string file, InputProblems& problems);

  const std::string& path() const { return path_; }
  const std::string& file() const { return file_; }
  InputProblems& problems() const { return *problems_; }
  bool is_object() const { return is_object_; }
  bool has(const std::string& key) const;
  std::string child_path(const std::string& key) const { return path_ + "/" + json_pointer_escape(key); }

  // Required values record a problem when missing; optional ones return the fallback.
  double number(const std::string& key, double fallback, Range range);
  std::optional<double> optional_number(const std::string& key, Range range);
  double required_number(const std::string& key, Range range);
  long long integer(const std::string& key, long long fallback, long long lo, long long hi);
  long long required_integer(const std::string& key, long long lo, long long hi);
  bool boolean(const std::string& key, bool fallback);
  std::string string(const std::string& key, const std::string& fallback);
  std::optional<std::string> optional_string(const std::string& key);
  std::string required_string(const std::string& key);
  // A string that must be one of `allowed`.
  std::string choice(const std::string& key, const std::string& fallback, const std::vector<std::string>& allowed);
  // A fixed-length array of numbers, each in range.
  std::optional<std::vector<double>> number_array(const std::string& key, std::size_t length, Range range);
  // A nested object; nullopt when missing (or wrong type, which is recorded).
  std::optional<JsonObjectReader> object(const std::string& key);
  // The raw value of a key (marked known), or nullptr when missing.
  const Json* raw(const std::string& key);
  // Marks a key as accepted without reading it here.
  void accept(const std::string& key) { known_.insert(key); }

  // Records a problem at a child key or at this object.
  void problem_at(const std::string& key, const std::string& value, const std::string& expected) const;
  void problem_here(const std::string& value, const std::string& expected) const;
  // Records a warning (legal but implausible input) at a child key.
  void warning_at(const std::string& key, const std::string& value, const std::string& message) const;

  // Reports unknown keys. Call after every read.
  void finish() const;

 private:
  const Json* find(const std::string& key);
  std::optional<double> checked_number(const std::string& key, const Json& v, Range range);

  const Json* value_;
  std::string path_;
  std::string file_;
  InputProblems* problems_;
  bool is_object_ = false;
  std::set<std::string> known_;
};

// Edit distance, for "did you mean" suggestions on unknown names.
std::size_t edit_distance(const std::string& a, const std::string& b);
// "one of: a, b, c" plus a suggestion of the nearest name when one is close.
std::string expected_one_of(const std::string& got, const std::vector<std::string>& names);

}  // namespace aidc
