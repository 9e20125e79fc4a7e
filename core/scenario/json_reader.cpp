#include "core/scenario/json_reader.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <sstream>

namespace aidc {

namespace {
std::string format_bound(double x) {
  std::ostringstream os;
  os << x;
  return os.str();
}
}  // namespace

bool Range::contains(double x) const {
  if (!std::isfinite(x)) return false;
  if (lo_open ? !(x > lo) : !(x >= lo)) return false;
  if (hi_open ? !(x < hi) : !(x <= hi)) return false;
  return true;
}

std::string Range::describe() const {
  const bool has_lo = std::isfinite(lo);
  const bool has_hi = std::isfinite(hi);
  if (has_lo && has_hi) {
    return "a number in " + std::string(lo_open ? "(" : "[") + format_bound(lo) + ", " + format_bound(hi) +
           (hi_open ? ")" : "]");
  }
  if (has_lo) return std::string("a number ") + (lo_open ? "> " : ">= ") + format_bound(lo);
  if (has_hi) return std::string("a number ") + (hi_open ? "< " : "<= ") + format_bound(hi);
  return "a finite number";
}

std::string json_pointer_escape(const std::string& key) {
  std::string out;
  for (char c : key) {
    if (c == '~') out += "~0";
    else if (c == '/') out += "~1";
    else out += c;
  }
  return out;
}

namespace {
// Long text cut to 80 bytes with "...", before a UTF-8 character's first byte so that it stays valid UTF-8 (a
// message may go into JSON, whose dump() throws on invalid UTF-8).
std::string shortened(std::string text) {
  constexpr std::size_t kMax = 80;
  if (text.size() > kMax) {
    std::size_t cut = kMax - 3;
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
    text = text.substr(0, cut) + "...";
  }
  return text;
}
}  // namespace

std::string json_excerpt(const Json& value) { return shortened(value.dump()); }

namespace {

// Where the parser is: one frame per open object or array, enough to name the JSON path of the value being read,
// and per object the keys seen so far.
class JsonParseTracker {
 public:
  explicit JsonParseTracker(const std::string& file) : file_(file) {}

  bool on_event(Json::parse_event_t event, const Json& parsed) {
    switch (event) {
      case Json::parse_event_t::object_start:
      case Json::parse_event_t::array_start:
        if (frames_.size() >= static_cast<std::size_t>(kMaxJsonDepth)) {
          throw BadInput(file_, pending_path(), "an object or array nested deeper than " +
                                                    std::to_string(kMaxJsonDepth) + " levels",
                         "JSON nested at most " + std::to_string(kMaxJsonDepth) + " levels deep");
        }
        value_starts();
        frames_.push_back({event == Json::parse_event_t::object_start, {}, {}, -1});
        break;
      case Json::parse_event_t::key: {
        Frame& top = frames_.back();
        top.key = parsed.get<std::string>();
        if (!top.keys.insert(top.key).second) {
          throw BadInput(file_, pending_path(), Json(top.key).dump() + " given twice in one object",
                         "each key once per object (JSON leaves duplicates undefined)");
        }
        break;
      }
      case Json::parse_event_t::value: value_starts(); break;
      case Json::parse_event_t::object_end:
      case Json::parse_event_t::array_end: frames_.pop_back(); break;
    }
    return true;
  }

  // The JSON pointer of the value the parser reads now and has not reported yet: at the key just read in an
  // object, at the next element in an array.
  std::string pending_path() const {
    std::string path;
    for (std::size_t i = 0; i < frames_.size(); ++i) {
      const Frame& f = frames_[i];
      const bool last = i + 1 == frames_.size();
      path += "/" + (f.is_object ? json_pointer_escape(f.key) : std::to_string(f.index + (last ? 1 : 0)));
    }
    return path;
  }

 private:
  struct Frame {
    bool is_object = false;
    std::set<std::string> keys;
    std::string key;
    long long index = -1;  // of the array's current element
  };

  // A value (scalar, object or array) begins in the innermost frame; scalars are reported after they are read.
  void value_starts() {
    if (!frames_.empty() && !frames_.back().is_object) ++frames_.back().index;
  }

  const std::string& file_;
  std::vector<Frame> frames_;
};

}  // namespace

Json parse_json_text(const std::string& text, const std::string& file_label) {
  JsonParseTracker tracker(file_label);
  try {
    return Json::parse(text, [&tracker](int, Json::parse_event_t event, Json& parsed) {
      return tracker.on_event(event, parsed);
    });
  } catch (const Json::parse_error& e) {
    // Byte offset to line and column, which is what an editor shows.
    std::size_t line = 1, col = 1;
    const std::size_t end = std::min<std::size_t>(e.byte == 0 ? 0 : e.byte - 1, text.size());
    for (std::size_t i = 0; i < end; ++i) {
      if (text[i] == '\n') {
        ++line;
        col = 1;
      } else {
        ++col;
      }
    }
    std::string what = e.what();
    const auto pos = what.find("syntax error");
    throw BadInput(file_label, "", "invalid JSON at line " + std::to_string(line) + ", column " + std::to_string(col),
                   "valid JSON (" + (pos == std::string::npos ? what : what.substr(pos)) + ")");
  } catch (const Json::out_of_range& e) {
    // nlohmann reports a number beyond a double's range (406: "number overflow parsing '1e309'") this way.
    const std::string what = e.what();
    const auto open = what.find('\'');
    const auto close = what.rfind('\'');
    const std::string number = open != std::string::npos && close > open ? what.substr(open + 1, close - open - 1)
                                                                          : what;
    throw BadInput(file_label, tracker.pending_path(), shortened(number),
                   "a number a double can hold (magnitude at most 1.8e308)");
  } catch (const Json::exception& e) {
    throw BadInput(file_label, tracker.pending_path(), std::string("unreadable JSON (") + e.what() + ")",
                   "valid JSON");
  }
}

JsonObjectReader::JsonObjectReader(const Json& value, std::string path, std::string file, InputProblems& problems)
    : value_(&value), path_(std::move(path)), file_(std::move(file)), problems_(&problems) {
  is_object_ = value.is_object();
  if (!is_object_) problems_->add(file_, path_, json_excerpt(value), "a JSON object");
}

bool JsonObjectReader::has(const std::string& key) const {
  return is_object_ && value_->contains(key) && !(*value_)[key].is_null();
}

const Json* JsonObjectReader::find(const std::string& key) {
  known_.insert(key);
  if (!is_object_) return nullptr;
  auto it = value_->find(key);
  if (it == value_->end() || it->is_null()) return nullptr;
  return &*it;
}

const Json* JsonObjectReader::raw(const std::string& key) { return find(key); }

void JsonObjectReader::problem_at(const std::string& key, const std::string& value,
                                  const std::string& expected) const {
  problems_->add(file_, child_path(key), value, expected);
}

void JsonObjectReader::warning_at(const std::string& key, const std::string& value,
                                  const std::string& message) const {
  problems_->warn(file_, child_path(key), value, message);
}

void JsonObjectReader::problem_here(const std::string& value, const std::string& expected) const {
  problems_->add(file_, path_, value, expected);
}

std::optional<double> JsonObjectReader::checked_number(const std::string& key, const Json& v, Range range) {
  if (!v.is_number()) {
    problem_at(key, json_excerpt(v), range.describe());
    return std::nullopt;
  }
  const double x = v.get<double>();
  if (!range.contains(x)) {
    problem_at(key, json_excerpt(v), range.describe());
    return std::nullopt;
  }
  return x;
}

double JsonObjectReader::number(const std::string& key, double fallback, Range range) {
  return optional_number(key, range).value_or(fallback);
}

std::optional<double> JsonObjectReader::optional_number(const std::string& key, Range range) {
  const Json* v = find(key);
  if (!v) return std::nullopt;
  return checked_number(key, *v, range);
}

double JsonObjectReader::required_number(const std::string& key, Range range) {
  const Json* v = find(key);
  if (!v) {
    if (is_object_) problem_at(key, "", range.describe());
    return 0.0;
  }
  return checked_number(key, *v, range).value_or(0.0);
}

namespace {
std::string integer_range(long long lo, long long hi) {
  return "an integer in [" + std::to_string(lo) + ", " + std::to_string(hi) + "]";
}
}  // namespace

long long JsonObjectReader::integer(const std::string& key, long long fallback, long long lo, long long hi) {
  const Json* v = find(key);
  if (!v) return fallback;
  // A float with an integral value (e.g. 8760.0) is accepted; 1e30 or 2.5 are not.
  long long x = 0;
  if (v->is_number_integer()) {
    x = v->is_number_unsigned() && v->get<unsigned long long>() > static_cast<unsigned long long>(hi)
            ? hi + 1
            : v->get<long long>();
  } else if (v->is_number_float() && std::isfinite(v->get<double>()) &&
             v->get<double>() == std::floor(v->get<double>()) && std::fabs(v->get<double>()) < 9e15) {
    x = static_cast<long long>(v->get<double>());
  } else {
    problem_at(key, json_excerpt(*v), integer_range(lo, hi));
    return fallback;
  }
  if (x < lo || x > hi) {
    problem_at(key, json_excerpt(*v), integer_range(lo, hi));
    return fallback;
  }
  return x;
}

long long JsonObjectReader::required_integer(const std::string& key, long long lo, long long hi) {
  if (!has(key)) {
    known_.insert(key);
    if (is_object_) problem_at(key, "", integer_range(lo, hi));
    return lo;
  }
  return integer(key, lo, lo, hi);
}

bool JsonObjectReader::boolean(const std::string& key, bool fallback) {
  const Json* v = find(key);
  if (!v) return fallback;
  if (!v->is_boolean()) {
    problem_at(key, json_excerpt(*v), "true or false");
    return fallback;
  }
  return v->get<bool>();
}

std::optional<std::string> JsonObjectReader::optional_string(const std::string& key) {
  const Json* v = find(key);
  if (!v) return std::nullopt;
  if (!v->is_string()) {
    problem_at(key, json_excerpt(*v), "a string");
    return std::nullopt;
  }
  return v->get<std::string>();
}

std::string JsonObjectReader::string(const std::string& key, const std::string& fallback) {
  return optional_string(key).value_or(fallback);
}

std::string JsonObjectReader::required_string(const std::string& key) {
  if (!has(key)) {
    known_.insert(key);
    if (is_object_) problem_at(key, "", "a string");
    return {};
  }
  return string(key, {});
}

std::string JsonObjectReader::choice(const std::string& key, const std::string& fallback,
                                     const std::vector<std::string>& allowed) {
  const auto s = optional_string(key);
  if (!s) return fallback;
  if (std::find(allowed.begin(), allowed.end(), *s) == allowed.end()) {
    problem_at(key, Json(*s).dump(), expected_one_of(*s, allowed));
    return fallback;
  }
  return *s;
}

std::optional<std::vector<double>> JsonObjectReader::number_array(const std::string& key, std::size_t length,
                                                                  Range range) {
  const Json* v = find(key);
  if (!v) return std::nullopt;
  if (!v->is_array() || v->size() != length) {
    problem_at(key, json_excerpt(*v), "an array of " + std::to_string(length) + " numbers");
    return std::nullopt;
  }
  std::vector<double> out;
  out.reserve(length);
  bool ok = true;
  for (std::size_t i = 0; i < length; ++i) {
    const Json& e = (*v)[i];
    if (!e.is_number() || !range.contains(e.get<double>())) {
      problems_->add(file_, child_path(key) + "/" + std::to_string(i), json_excerpt(e), range.describe());
      ok = false;
    } else {
      out.push_back(e.get<double>());
    }
  }
  if (!ok) return std::nullopt;
  return out;
}

std::optional<JsonObjectReader> JsonObjectReader::object(const std::string& key) {
  const Json* v = find(key);
  if (!v) return std::nullopt;
  if (!v->is_object()) {
    problem_at(key, json_excerpt(*v), "a JSON object");
    return std::nullopt;
  }
  return JsonObjectReader(*v, child_path(key), file_, *problems_);
}

void JsonObjectReader::finish() const {
  if (!is_object_) return;
  std::vector<std::string> accepted(known_.begin(), known_.end());
  for (const auto& [key, v] : value_->items()) {
    if (known_.count(key) || (!key.empty() && key[0] == '_')) continue;
    problems_->add(file_, child_path(key), json_excerpt(v),
                   "no key \"" + key + "\" here (unknown key); accepted keys: " +
                       expected_one_of(key, accepted).substr(std::string("one of: ").size()));
  }
}

std::size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<std::size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t sub = prev[j - 1] + (std::tolower(a[i - 1]) == std::tolower(b[j - 1]) ? 0 : 1);
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, sub});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

namespace {

// A name as a person might type it: case, '-', '_', '.' and spaces dropped ("Llama-3.1-8B" ~ "llama-3.1-8b").
std::string loose(const std::string& s) {
  std::string out;
  for (const unsigned char ch : s) {
    if (ch == '-' || ch == '_' || ch == '.' || ch == ' ') continue;
    out += static_cast<char>(std::tolower(ch));
  }
  return out;
}

}  // namespace

std::string expected_one_of(const std::string& got, const std::vector<std::string>& names) {
  std::string text = "one of: ";
  const std::string g = loose(got);
  std::string best;
  std::size_t best_d = std::string::npos;
  std::vector<std::string> extending;  // names that start with what was typed ("h100" -> h100-sxm, h100-pcie)
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (i) text += ", ";
    text += names[i];
    const std::string n = loose(names[i]);
    if (g.size() >= 2 && n.size() > g.size() && n.compare(0, g.size(), g) == 0) extending.push_back(names[i]);
    const std::size_t d = edit_distance(g, n);
    if (d < best_d) {
      best_d = d;
      best = names[i];
    }
  }
  if (!extending.empty() && extending.size() <= 3) {
    text += " (did you mean ";
    for (std::size_t i = 0; i < extending.size(); ++i) {
      text += (i ? (i + 1 == extending.size() ? " or " : ", ") : "") + ("\"" + extending[i] + "\"");
    }
    return text + "?)";
  }
  // Suggest only near misses (a typo or another spelling, not a different word).
  if (!best.empty() && best != got && best_d <= std::max<std::size_t>(2, g.size() / 4)) {
    text += " (did you mean \"" + best + "\"?)";
  }
  return text;
}

}  // namespace aidc
