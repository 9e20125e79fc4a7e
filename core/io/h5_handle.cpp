#include "core/io/h5_handle.hpp"

#include <stdexcept>

namespace aidc::h5 {

namespace {

// The innermost entry of HDF5's error stack is the most specific one ("unable to open file", "file exists", ...);
// the outer entries only repeat which API call failed, which the caller already knows.
herr_t take_innermost(unsigned n, const H5E_error2_t* err, void* client) {
  if (n == 0 && err != nullptr && err->desc != nullptr) {
    // One line: the sec2 driver's messages ("file write failed: time = ...\n, filename = ...") break theirs.
    std::string desc = err->desc;
    for (char& c : desc) {
      if (c == '\n') c = ' ';
    }
    *static_cast<std::string*>(client) = desc;
  }
  return 0;
}

}  // namespace

void throw_error(std::string_view operation, std::string_view object) {
  std::string detail;
  (void)H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, take_innermost, &detail);
  std::string message = "HDF5 " + std::string(operation) + " failed for '" + std::string(object) + "'";
  if (!detail.empty()) message += ": " + detail;
  throw std::runtime_error(message);
}

QuietErrors::QuietErrors() noexcept {
  saved_ = H5Eget_auto2(H5E_DEFAULT, &previous_func_, &previous_data_) >= 0;
  (void)H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
}

QuietErrors::~QuietErrors() {
  if (saved_) (void)H5Eset_auto2(H5E_DEFAULT, previous_func_, previous_data_);
}

Datatype make_vlen_utf8_type() {
  Datatype type(check_id(H5Tcopy(H5T_C_S1), "H5Tcopy", "variable-length string type"));
  check(H5Tset_size(type.get(), H5T_VARIABLE), "H5Tset_size", "variable-length string type");
  check(H5Tset_cset(type.get(), H5T_CSET_UTF8), "H5Tset_cset", "variable-length string type");
  return type;
}

Datatype make_fixed_utf8_type(std::size_t size) {
  // HDF5 rejects zero-sized strings; the terminator needs one byte anyway.
  const std::size_t bytes = size == 0 ? 1 : size;
  Datatype type(check_id(H5Tcopy(H5T_C_S1), "H5Tcopy", "fixed-width string type"));
  check(H5Tset_size(type.get(), bytes), "H5Tset_size", "fixed-width string type");
  check(H5Tset_strpad(type.get(), H5T_STR_NULLTERM), "H5Tset_strpad", "fixed-width string type");
  check(H5Tset_cset(type.get(), H5T_CSET_UTF8), "H5Tset_cset", "fixed-width string type");
  return type;
}

std::string_view truncate_utf8(std::string_view text, std::size_t max_bytes) noexcept {
  if (text.size() <= max_bytes) return text;
  std::size_t end = max_bytes;
  // Step back over continuation bytes (10xxxxxx) so the cut falls before the lead byte of a split sequence.
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0U) == 0x80U) --end;
  return text.substr(0, end);
}

namespace {

std::string attribute_label(std::string_view object, std::string_view name) {
  return std::string(object) + " attribute '" + std::string(name) + "'";
}

void write_attribute(hid_t owner, std::string_view name, hid_t file_type, hid_t space, hid_t mem_type,
                     const void* data, std::string_view object) {
  const std::string label = attribute_label(object, name);
  const std::string attr_name(name);
  Attribute attr(check_id(H5Acreate2(owner, attr_name.c_str(), file_type, space, H5P_DEFAULT, H5P_DEFAULT),
                          "H5Acreate2", label));
  check(H5Awrite(attr.get(), mem_type, data), "H5Awrite", label);
  attr.close(label);
}

}  // namespace

void write_string_attribute(hid_t owner, std::string_view name, std::string_view value, std::string_view object) {
  const Datatype type = make_vlen_utf8_type();
  const Dataspace space(check_id(H5Screate(H5S_SCALAR), "H5Screate", attribute_label(object, name)));
  const std::string text(value);  // the C API needs a terminated string
  const char* data = text.c_str();
  write_attribute(owner, name, type.get(), space.get(), type.get(), &data, object);
}

void write_fixed_string_attribute(hid_t owner, std::string_view name, std::string_view value,
                                  std::string_view object) {
  const Datatype type = make_fixed_utf8_type(value.size() + 1);
  const Dataspace space(check_id(H5Screate(H5S_SCALAR), "H5Screate", attribute_label(object, name)));
  std::string padded(value);
  padded.resize(H5Tget_size(type.get()), '\0');
  write_attribute(owner, name, type.get(), space.get(), type.get(), padded.data(), object);
}

void write_string_array_attribute(hid_t owner, std::string_view name, const std::vector<std::string>& values,
                                  std::string_view object) {
  const Datatype type = make_vlen_utf8_type();
  const hsize_t dims[1] = {static_cast<hsize_t>(values.size())};
  const Dataspace space(check_id(H5Screate_simple(1, dims, nullptr), "H5Screate_simple",
                                 attribute_label(object, name)));
  std::vector<const char*> data;
  data.reserve(values.size());
  for (const auto& v : values) data.push_back(v.c_str());
  write_attribute(owner, name, type.get(), space.get(), type.get(), data.data(), object);
}

void write_scalar_attribute(hid_t owner, std::string_view name, hid_t mem_type, const void* value,
                            std::string_view object) {
  const Dataspace space(check_id(H5Screate(H5S_SCALAR), "H5Screate", attribute_label(object, name)));
  write_attribute(owner, name, mem_type, space.get(), mem_type, value, object);
}

}  // namespace aidc::h5
