#pragma once
// Thin RAII over the HDF5 C API. Every hid_t the writer and reader create lives in a move-only Handle that closes
// it with the matching H5?close, so an exception anywhere cannot leak an identifier (a leaked identifier keeps the
// file open and, with H5F_CLOSE_SEMI, makes the final H5Fclose fail). Every HDF5 call goes through check() or
// check_id(), which turn a negative return into std::runtime_error naming the operation, the object and the
// innermost message of HDF5's error stack.
//
// Predefined types (H5T_NATIVE_DOUBLE, H5T_C_S1, ...) belong to the library: never wrap them in a Handle.
// The serial HDF5 build is not thread-safe: one writer or reader per thread at a time, and none concurrently.

#include <hdf5.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace aidc::h5 {

// Throws std::runtime_error("HDF5 <operation> failed for '<object>': <innermost HDF5 message>").
[[noreturn]] void throw_error(std::string_view operation, std::string_view object);

inline hid_t check_id(hid_t id, std::string_view operation, std::string_view object) {
  if (id < 0) throw_error(operation, object);
  return id;
}

template <class Status>
Status check(Status status, std::string_view operation, std::string_view object) {
  static_assert(std::is_signed_v<Status>, "HDF5 reports failure as a negative value");
  if (status < 0) throw_error(operation, object);
  return status;
}

// Silences HDF5's automatic printing of its error stack for the lifetime of the guard and restores the previous
// handler afterwards. Without it every failure would print a page of stack to stderr before our exception says the
// same thing once, clearly. A scoped guard (rather than switching printing off for good) leaves other HDF5 users
// in the process as they were; the error stack is still recorded, so throw_error can quote it.
class QuietErrors {
 public:
  QuietErrors() noexcept;
  ~QuietErrors();
  QuietErrors(const QuietErrors&) = delete;
  QuietErrors& operator=(const QuietErrors&) = delete;

 private:
  H5E_auto2_t previous_func_ = nullptr;
  void* previous_data_ = nullptr;
  bool saved_ = false;
};

// Traits: how to close one kind of identifier, and its name in error messages.
struct FileTraits {
  static herr_t close(hid_t id) noexcept { return H5Fclose(id); }
  static constexpr std::string_view close_name = "H5Fclose";
};
struct GroupTraits {
  static herr_t close(hid_t id) noexcept { return H5Gclose(id); }
  static constexpr std::string_view close_name = "H5Gclose";
};
struct DatasetTraits {
  static herr_t close(hid_t id) noexcept { return H5Dclose(id); }
  static constexpr std::string_view close_name = "H5Dclose";
};
struct DataspaceTraits {
  static herr_t close(hid_t id) noexcept { return H5Sclose(id); }
  static constexpr std::string_view close_name = "H5Sclose";
};
struct DatatypeTraits {
  static herr_t close(hid_t id) noexcept { return H5Tclose(id); }
  static constexpr std::string_view close_name = "H5Tclose";
};
struct PropListTraits {
  static herr_t close(hid_t id) noexcept { return H5Pclose(id); }
  static constexpr std::string_view close_name = "H5Pclose";
};
struct AttributeTraits {
  static herr_t close(hid_t id) noexcept { return H5Aclose(id); }
  static constexpr std::string_view close_name = "H5Aclose";
};

template <class Traits>
class Handle {
 public:
  Handle() noexcept = default;
  // Takes ownership of a valid identifier; pass the result of check_id() so an invalid one never gets here.
  explicit Handle(hid_t id) noexcept : id_(id) {}
  ~Handle() { reset(); }
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  Handle(Handle&& other) noexcept : id_(std::exchange(other.id_, H5I_INVALID_HID)) {}
  Handle& operator=(Handle&& other) noexcept {
    if (this != &other) {
      reset();
      id_ = std::exchange(other.id_, H5I_INVALID_HID);
    }
    return *this;
  }

  hid_t get() const noexcept { return id_; }
  explicit operator bool() const noexcept { return id_ >= 0; }

  // Closes and ignores failure: for destructors and unwinding, where nothing better can be done.
  void reset() noexcept {
    if (id_ >= 0) (void)Traits::close(std::exchange(id_, H5I_INVALID_HID));
  }
  // Closes and reports failure: for commit(), where closing is when HDF5 flushes and compresses the last chunks.
  void close(std::string_view object) {
    if (id_ >= 0) check(Traits::close(std::exchange(id_, H5I_INVALID_HID)), Traits::close_name, object);
  }

 private:
  hid_t id_ = H5I_INVALID_HID;
};

using File = Handle<FileTraits>;
using Group = Handle<GroupTraits>;
using Dataset = Handle<DatasetTraits>;
using Dataspace = Handle<DataspaceTraits>;
using Datatype = Handle<DatatypeTraits>;
using PropList = Handle<PropListTraits>;
using Attribute = Handle<AttributeTraits>;

// Scalar numeric attribute types and their native HDF5 types.
template <class T>
hid_t native_type() {
  if constexpr (std::is_same_v<T, double>) return H5T_NATIVE_DOUBLE;
  else if constexpr (std::is_same_v<T, float>) return H5T_NATIVE_FLOAT;
  else if constexpr (std::is_same_v<T, std::int32_t>) return H5T_NATIVE_INT32;
  else if constexpr (std::is_same_v<T, std::int64_t>) return H5T_NATIVE_INT64;
  else if constexpr (std::is_same_v<T, std::uint32_t>) return H5T_NATIVE_UINT32;
  else if constexpr (std::is_same_v<T, std::uint64_t>) return H5T_NATIVE_UINT64;
  else static_assert(sizeof(T) == 0, "no HDF5 native type for this attribute type");
}

// Variable-length UTF-8 string: h5py returns attributes of this type as str, h5dump prints them plainly.
Datatype make_vlen_utf8_type();
// Fixed-width UTF-8 string of `size` bytes, NUL-terminated: it holds up to size - 1 bytes of text. NULLTERM rather
// than NULLPAD because h5dump and HDFView then print the text alone instead of a tail of \000; h5py gives bytes.
Datatype make_fixed_utf8_type(std::size_t size);

// Cuts `text` to at most `max_bytes` bytes without splitting a UTF-8 sequence, so a truncated fixed-width field
// still decodes.
std::string_view truncate_utf8(std::string_view text, std::size_t max_bytes) noexcept;

// Attribute writers. `object` names the owner in error messages (e.g. "results.h5:/timeseries/power_w").
void write_string_attribute(hid_t owner, std::string_view name, std::string_view value, std::string_view object);
void write_fixed_string_attribute(hid_t owner, std::string_view name, std::string_view value,
                                  std::string_view object);
void write_string_array_attribute(hid_t owner, std::string_view name, const std::vector<std::string>& values,
                                  std::string_view object);
void write_scalar_attribute(hid_t owner, std::string_view name, hid_t mem_type, const void* value,
                            std::string_view object);

template <class T>
void write_scalar_attribute(hid_t owner, std::string_view name, T value, std::string_view object) {
  static_assert(std::is_arithmetic_v<T>);
  write_scalar_attribute(owner, name, native_type<T>(), &value, object);
}

}  // namespace aidc::h5
