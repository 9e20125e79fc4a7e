#include "core/io/results_reader.hpp"

#include <cstring>
#include <limits>
#include <stdexcept>

#include "core/io/h5_handle.hpp"
#include "core/io/results_layout.hpp"

namespace aidc {

namespace {

// Text of a string-typed object (attribute or dataset) of `count` elements. The memory type is a copy of the
// file type: HDF5 does not convert between ASCII and UTF-8 strings, so asking for another character set fails.
// `read` is H5Aread or H5Dread bound to the object.
template <class Read>
std::vector<std::string> read_strings(hid_t file_type, std::size_t count, const std::string& label, Read&& read) {
  if (H5Tget_class(file_type) != H5T_STRING) throw std::runtime_error(label + ": is not a string");
  const h5::Datatype mem_type(h5::check_id(H5Tcopy(file_type), "H5Tcopy", label));
  std::vector<std::string> out;
  out.reserve(count);
  if (h5::check(H5Tis_variable_str(file_type), "H5Tis_variable_str", label) > 0) {
    std::vector<char*> data(count, nullptr);
    h5::check(read(mem_type.get(), data.data()), "read", label);
    // HDF5 allocated each string; H5free_memory frees it with the library's own allocator.
    for (char* s : data) {
      out.emplace_back(s != nullptr ? s : "");
      H5free_memory(s);
    }
  } else {
    const std::size_t size = H5Tget_size(file_type);
    std::vector<char> data(size * count, '\0');
    h5::check(read(mem_type.get(), data.data()), "read", label);
    for (std::size_t i = 0; i < count; ++i) {
      const char* s = data.data() + i * size;
      out.emplace_back(s, strnlen(s, size));
    }
  }
  return out;
}

std::size_t element_count(hid_t space, const std::string& label) {
  return static_cast<std::size_t>(h5::check(H5Sget_simple_extent_npoints(space), "H5Sget_simple_extent_npoints",
                                            label));
}

}  // namespace

struct ResultsReader::Impl {
  std::filesystem::path path;
  h5::File file;

  std::string label(const std::string& object) const { return path.string() + ":" + object; }

  bool has_object(const std::string& object_path) const {
    if (object_path.empty() || object_path.front() != '/') return false;
    // H5Lexists fails (rather than saying no) when an intermediate group is missing, so walk the path link by link.
    std::size_t pos = 1;
    while (pos < object_path.size()) {
      std::size_t next = object_path.find('/', pos);
      if (next == std::string::npos) next = object_path.size();
      const std::string prefix = object_path.substr(0, next);
      if (H5Lexists(file.get(), prefix.c_str(), H5P_DEFAULT) <= 0) return false;
      pos = next + 1;
    }
    return true;
  }

  h5::Dataset open_dataset(const std::string& object_path) const {
    if (!has_object(object_path)) throw std::runtime_error(label(object_path) + ": no such dataset");
    return h5::Dataset(
        h5::check_id(H5Dopen2(file.get(), object_path.c_str(), H5P_DEFAULT), "H5Dopen2", label(object_path)));
  }

  h5::Attribute open_attribute(const std::string& object_path, const std::string& name) const {
    const std::string object_label = label(object_path);
    if (!has_object(object_path)) throw std::runtime_error(object_label + ": no such object");
    const std::string attr_label = object_label + " attribute '" + name + "'";
    if (h5::check(H5Aexists_by_name(file.get(), object_path.c_str(), name.c_str(), H5P_DEFAULT),
                  "H5Aexists_by_name", attr_label) == 0) {
      throw std::runtime_error(attr_label + ": no such attribute");
    }
    return h5::Attribute(h5::check_id(
        H5Aopen_by_name(file.get(), object_path.c_str(), name.c_str(), H5P_DEFAULT, H5P_DEFAULT),
        "H5Aopen_by_name", attr_label));
  }

  std::vector<std::string> attribute_strings(const std::string& object_path, const std::string& name) const {
    const h5::Attribute attr = open_attribute(object_path, name);
    const std::string attr_label = label(object_path) + " attribute '" + name + "'";
    const h5::Datatype type(h5::check_id(H5Aget_type(attr.get()), "H5Aget_type", attr_label));
    const h5::Dataspace space(h5::check_id(H5Aget_space(attr.get()), "H5Aget_space", attr_label));
    return read_strings(type.get(), element_count(space.get(), attr_label), attr_label,
                        [&](hid_t mem_type, void* buf) { return H5Aread(attr.get(), mem_type, buf); });
  }

  // Reads a scalar attribute of integer class as T, refusing values T cannot hold (e.g. a uint64 seed >= 2^63 as
  // int64) instead of letting HDF5 clip them.
  template <class T>
  T integer_attribute(const std::string& object_path, const std::string& name) const {
    const h5::Attribute attr = open_attribute(object_path, name);
    const std::string attr_label = label(object_path) + " attribute '" + name + "'";
    const h5::Datatype type(h5::check_id(H5Aget_type(attr.get()), "H5Aget_type", attr_label));
    if (H5Tget_class(type.get()) != H5T_INTEGER) throw std::runtime_error(attr_label + ": is not an integer");
    if (H5Tget_sign(type.get()) == H5T_SGN_NONE) {
      std::uint64_t v = 0;
      h5::check(H5Aread(attr.get(), H5T_NATIVE_UINT64, &v), "H5Aread", attr_label);
      if (v > static_cast<std::uint64_t>(std::numeric_limits<T>::max())) {
        throw std::runtime_error(attr_label + ": value " + std::to_string(v) + " does not fit");
      }
      return static_cast<T>(v);
    }
    std::int64_t v = 0;
    h5::check(H5Aread(attr.get(), H5T_NATIVE_INT64, &v), "H5Aread", attr_label);
    if (v < 0 && std::numeric_limits<T>::min() == 0) {
      throw std::runtime_error(attr_label + ": value " + std::to_string(v) + " is negative");
    }
    return static_cast<T>(v);
  }

  // Dimensions of a float64 dataset of the expected rank, then its whole contents.
  std::vector<double> read_doubles(const std::string& object_path, int rank, std::vector<hsize_t>& dims) const {
    const h5::Dataset ds = open_dataset(object_path);
    const std::string ds_label = label(object_path);
    const h5::Dataspace space(h5::check_id(H5Dget_space(ds.get()), "H5Dget_space", ds_label));
    const int actual = h5::check(H5Sget_simple_extent_ndims(space.get()), "H5Sget_simple_extent_ndims", ds_label);
    if (actual != rank) {
      throw std::runtime_error(ds_label + ": has rank " + std::to_string(actual) + ", expected " +
                               std::to_string(rank));
    }
    dims.assign(static_cast<std::size_t>(rank), 0);
    h5::check(H5Sget_simple_extent_dims(space.get(), dims.data(), nullptr), "H5Sget_simple_extent_dims", ds_label);
    std::vector<double> values(element_count(space.get(), ds_label));
    if (!values.empty()) {
      h5::check(H5Dread(ds.get(), H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()), "H5Dread",
                ds_label);
    }
    return values;
  }

  std::string text_dataset(const std::string& object_path) const {
    const h5::Dataset ds = open_dataset(object_path);
    const std::string ds_label = label(object_path);
    const h5::Datatype type(h5::check_id(H5Dget_type(ds.get()), "H5Dget_type", ds_label));
    const h5::Dataspace space(h5::check_id(H5Dget_space(ds.get()), "H5Dget_space", ds_label));
    if (element_count(space.get(), ds_label) != 1) throw std::runtime_error(ds_label + ": is not a single string");
    return read_strings(type.get(), 1, ds_label, [&](hid_t mem_type, void* buf) {
             return H5Dread(ds.get(), mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf);
           }).front();
  }

  // Rows of a 1-D compound table read through `mem_type` (fields matched by name).
  template <class Row>
  std::vector<Row> table_rows(const std::string& object_path, const h5::Dataset& ds, hid_t mem_type) const {
    const std::string ds_label = label(object_path);
    const h5::Dataspace space(h5::check_id(H5Dget_space(ds.get()), "H5Dget_space", ds_label));
    std::vector<Row> rows(element_count(space.get(), ds_label));
    if (!rows.empty()) {
      h5::check(H5Dread(ds.get(), mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, rows.data()), "H5Dread", ds_label);
    }
    return rows;
  }
};

ResultsReader::ResultsReader(const std::filesystem::path& path) : impl_(std::make_unique<Impl>()) {
  impl_->path = path;
  if (!std::filesystem::is_regular_file(path)) {
    throw std::runtime_error("results file '" + path.string() + "' does not exist");
  }
  const h5::QuietErrors quiet;
  if (H5Fis_hdf5(path.c_str()) <= 0) throw std::runtime_error("results file '" + path.string() + "' is not HDF5");
  impl_->file = h5::File(h5::check_id(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), "H5Fopen", path.string()));
}

ResultsReader::~ResultsReader() {
  if (impl_) {
    const h5::QuietErrors quiet;
    impl_.reset();
  }
}
ResultsReader::ResultsReader(ResultsReader&&) noexcept = default;
ResultsReader& ResultsReader::operator=(ResultsReader&&) noexcept = default;

const std::filesystem::path& ResultsReader::path() const { return impl_->path; }

bool ResultsReader::has_object(const std::string& object_path) const {
  const h5::QuietErrors quiet;
  return impl_->has_object(object_path);
}

std::string ResultsReader::string_attribute(const std::string& object_path, const std::string& name) const {
  const h5::QuietErrors quiet;
  std::vector<std::string> values = impl_->attribute_strings(object_path, name);
  if (values.size() != 1) {
    throw std::runtime_error(impl_->label(object_path) + " attribute '" + name + "': is not a single string");
  }
  return std::move(values.front());
}

std::vector<std::string> ResultsReader::string_array_attribute(const std::string& object_path,
                                                               const std::string& name) const {
  const h5::QuietErrors quiet;
  return impl_->attribute_strings(object_path, name);
}

std::int64_t ResultsReader::int_attribute(const std::string& object_path, const std::string& name) const {
  const h5::QuietErrors quiet;
  return impl_->integer_attribute<std::int64_t>(object_path, name);
}

std::uint64_t ResultsReader::uint_attribute(const std::string& object_path, const std::string& name) const {
  const h5::QuietErrors quiet;
  return impl_->integer_attribute<std::uint64_t>(object_path, name);
}

double ResultsReader::double_attribute(const std::string& object_path, const std::string& name) const {
  const h5::QuietErrors quiet;
  const h5::Attribute attr = impl_->open_attribute(object_path, name);
  const std::string attr_label = impl_->label(object_path) + " attribute '" + name + "'";
  double v = 0.0;
  h5::check(H5Aread(attr.get(), H5T_NATIVE_DOUBLE, &v), "H5Aread", attr_label);
  return v;
}

NamedTable ResultsReader::table(const std::string& dataset_path) const {
  const h5::QuietErrors quiet;
  const std::string object = impl_->label(dataset_path);
  const h5::Dataset ds = impl_->open_dataset(dataset_path);
  const h5::Datatype type(h5::check_id(H5Dget_type(ds.get()), "H5Dget_type", object));
  if (H5Tget_class(type.get()) != H5T_COMPOUND) throw std::runtime_error(object + ": is not a table");
  const h5::Dataspace space(h5::check_id(H5Dget_space(ds.get()), "H5Dget_space", object));
  const std::size_t rows = element_count(space.get(), object);
  const int members = h5::check(H5Tget_nmembers(type.get()), "H5Tget_nmembers", object);
  std::vector<std::string> units;
  if (H5Aexists(ds.get(), "units") > 0) units = impl_->attribute_strings(dataset_path, "units");
  NamedTable out;
  if (H5Aexists(ds.get(), "long_name") > 0) out.long_name = string_attribute(dataset_path, "long_name");
  for (int m = 0; m < members; ++m) {
    char* raw_name = H5Tget_member_name(type.get(), static_cast<unsigned>(m));
    if (raw_name == nullptr) h5::throw_error("H5Tget_member_name", object);
    TableColumn col;
    col.name = raw_name;
    H5free_memory(raw_name);
    if (static_cast<std::size_t>(m) < units.size()) col.units = units[static_cast<std::size_t>(m)];
    const h5::Datatype member(h5::check_id(H5Tget_member_type(type.get(), static_cast<unsigned>(m)),
                                           "H5Tget_member_type", object));
    // A one-field compound memory type reads that column alone (HDF5 matches compound fields by name).
    const bool text = H5Tget_class(member.get()) == H5T_STRING;
    if (text && h5::check(H5Tis_variable_str(member.get()), "H5Tis_variable_str", object) > 0) {
      throw std::runtime_error(object + ": column '" + col.name + "' is a variable-length string (not supported)");
    }
    const std::size_t width = text ? H5Tget_size(member.get()) : sizeof(double);
    h5::Datatype mem(h5::check_id(H5Tcreate(H5T_COMPOUND, width), "H5Tcreate", object));
    layout::insert_field(mem.get(), col.name.c_str(), 0, text ? member.get() : H5T_NATIVE_DOUBLE, object);
    std::vector<char> buf(std::max<std::size_t>(1, rows * width), '\0');
    if (rows > 0) h5::check(H5Dread(ds.get(), mem.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, buf.data()), "H5Dread", object);
    col.is_text = text;
    for (std::size_t r = 0; r < rows; ++r) {
      const char* field = buf.data() + r * width;
      if (text) {
        col.text.emplace_back(field, strnlen(field, width));
      } else {
        double v = 0.0;
        std::memcpy(&v, field, sizeof v);
        col.values.push_back(v);
      }
    }
    out.columns.push_back(std::move(col));
  }
  return out;
}

std::string ResultsReader::units(const std::string& dataset_path) const {
  return string_attribute(dataset_path, "units");
}

std::vector<double> ResultsReader::time_s() const {
  const h5::QuietErrors quiet;
  std::vector<hsize_t> dims;
  return impl_->read_doubles("/timeseries/time_s", 1, dims);
}

std::vector<std::string> ResultsReader::series_names() const {
  const h5::QuietErrors quiet;
  const std::string group_label = impl_->label("/timeseries");
  if (!impl_->has_object("/timeseries")) throw std::runtime_error(group_label + ": no such group");
  const h5::Group group(
      h5::check_id(H5Gopen2(impl_->file.get(), "/timeseries", H5P_DEFAULT), "H5Gopen2", group_label));
  H5G_info_t info{};
  h5::check(H5Gget_info(group.get(), &info), "H5Gget_info", group_label);
  std::vector<std::string> names;
  for (hsize_t i = 0; i < info.nlinks; ++i) {
    // First call asks for the length, second fills the name (index order: by name, ascending).
    const ssize_t length = h5::check(
        H5Lget_name_by_idx(group.get(), ".", H5_INDEX_NAME, H5_ITER_INC, i, nullptr, 0, H5P_DEFAULT),
        "H5Lget_name_by_idx", group_label);
    std::string name(static_cast<std::size_t>(length) + 1, '\0');
    h5::check(H5Lget_name_by_idx(group.get(), ".", H5_INDEX_NAME, H5_ITER_INC, i, name.data(), name.size(),
                                 H5P_DEFAULT),
              "H5Lget_name_by_idx", group_label);
    name.resize(static_cast<std::size_t>(length));
    if (name != "time_s") names.push_back(std::move(name));
  }
  return names;
}

SeriesData ResultsReader::series(const std::string& name) const {
  const h5::QuietErrors quiet;
  std::vector<hsize_t> dims;
  SeriesData out;
  out.values = impl_->read_doubles("/timeseries/" + name, 2, dims);
  out.replications = static_cast<std::size_t>(dims[0]);
  out.steps = static_cast<std::size_t>(dims[1]);
  return out;
}

std::vector<KpiRow> ResultsReader::kpis() const {
  const h5::QuietErrors quiet;
  const h5::Dataset ds = impl_->open_dataset("/kpis");
  const h5::Datatype mem_type = layout::make_kpi_memory_type(impl_->label("/kpis"));
  const auto rows = impl_->table_rows<layout::KpiRowFixed>("/kpis", ds, mem_type.get());
  std::vector<KpiRow> out;
  out.reserve(rows.size());
  for (const auto& r : rows) {
    out.push_back(KpiRow{layout::fixed_to_string(r.name), layout::fixed_to_string(r.units),
                         layout::fixed_to_string(r.long_name), r.mean, r.p10, r.p50, r.p90,
                         static_cast<long long>(r.replications_defined)});
  }
  return out;
}

EventTable ResultsReader::events() const {
  const h5::QuietErrors quiet;
  const std::string ds_label = impl_->label("/events");
  const h5::Dataset ds = impl_->open_dataset("/events");
  const h5::Datatype file_type(h5::check_id(H5Dget_type(ds.get()), "H5Dget_type", ds_label));
  if (H5Tget_class(file_type.get()) != H5T_COMPOUND) throw std::runtime_error(ds_label + ": is not a table");
  const int kind_index = H5Tget_member_index(file_type.get(), "kind");
  if (kind_index < 0) throw std::runtime_error(ds_label + ": has no 'kind' column");
  const h5::Datatype file_kind(h5::check_id(H5Tget_member_type(file_type.get(), static_cast<unsigned>(kind_index)),
                                            "H5Tget_member_type", ds_label + " field kind"));

  EventTable out;
  // Rebuild the file's enum over a native int32, whatever integer the file used underneath: enum-to-enum
  // conversion maps by name, so each kind arrives as its value in the file.
  h5::Datatype mem_kind(h5::check_id(H5Tenum_create(H5T_NATIVE_INT32), "H5Tenum_create", ds_label + " field kind"));
  if (H5Tget_class(file_kind.get()) == H5T_ENUM) {
    const h5::Datatype base(
        h5::check_id(H5Tget_super(file_kind.get()), "H5Tget_super", ds_label + " field kind"));
    const int members = h5::check(H5Tget_nmembers(file_kind.get()), "H5Tget_nmembers", ds_label + " field kind");
    out.kind_names.assign(static_cast<std::size_t>(members), std::string());
    for (int i = 0; i < members; ++i) {
      char* raw_name = H5Tget_member_name(file_kind.get(), static_cast<unsigned>(i));
      if (raw_name == nullptr) h5::throw_error("H5Tget_member_name", ds_label + " field kind");
      const std::string name(raw_name);
      H5free_memory(raw_name);
      // The member value comes in the base integer type; H5Tconvert turns it into int32 in place (the buffer must
      // hold the larger of the two).
      alignas(8) unsigned char value[16] = {};
      h5::check(H5Tget_member_value(file_kind.get(), static_cast<unsigned>(i), value), "H5Tget_member_value",
                ds_label + " kind '" + name + "'");
      h5::check(H5Tconvert(base.get(), H5T_NATIVE_INT32, 1, value, nullptr, H5P_DEFAULT), "H5Tconvert",
                ds_label + " kind '" + name + "'");
      std::int32_t v = 0;
      std::memcpy(&v, value, sizeof v);
      if (v < 0 || v >= members || !out.kind_names[static_cast<std::size_t>(v)].empty()) {
        throw std::runtime_error(ds_label + ": kind enum values are not 0.." + std::to_string(members - 1));
      }
      out.kind_names[static_cast<std::size_t>(v)] = name;
      h5::check(H5Tenum_insert(mem_kind.get(), name.c_str(), &v), "H5Tenum_insert", ds_label + " kind '" + name + "'");
    }
  }
  // A plain integer kind column (another writer's file) is read as int32, with no names.
  const hid_t kind_type = H5Tget_class(file_kind.get()) == H5T_ENUM ? mem_kind.get() : H5T_NATIVE_INT32;
  const h5::Datatype mem_type = layout::make_event_memory_type(kind_type, ds_label);
  const auto rows = impl_->table_rows<layout::EventRow>("/events", ds, mem_type.get());
  out.events.reserve(rows.size());
  for (const auto& r : rows) {
    out.events.push_back(
        EventRecord{r.replication, r.time_s, r.kind, layout::fixed_to_string(r.component), r.id, r.duration_s, r.value});
  }
  return out;
}

std::string ResultsReader::scenario_json() const {
  const h5::QuietErrors quiet;
  return impl_->text_dataset("/inputs/scenario");
}

std::string ResultsReader::catalog_json() const {
  const h5::QuietErrors quiet;
  return impl_->text_dataset("/inputs/catalog");
}

}  // namespace aidc
