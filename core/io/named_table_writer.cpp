#include "core/io/named_table_writer.hpp"

#include <algorithm>
#include <cstring>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/io/h5_handle.hpp"
#include "core/io/results_layout.hpp"

namespace aidc {

const TableColumn& NamedTable::column(const std::string& name) const {
  for (const TableColumn& c : columns) {
    if (c.name == name) return c;
  }
  throw std::out_of_range("NamedTable: no column '" + name + "'");
}

void write_named_table(hid_t file, const std::string& object_path, const std::string& object, const NamedTable& table) {
  if (object_path.empty() || object_path.front() == '/' || object_path.back() == '/') {
    throw std::invalid_argument("ResultsWriter::write_table: path '" + object_path +
                                "' must be relative to the root, like 'economics/cash_flows'");
  }
  if (table.columns.empty()) throw std::invalid_argument("ResultsWriter::write_table: '" + object_path + "' has no columns");
  const std::size_t rows = table.rows();
  std::set<std::string> names;
  for (const TableColumn& c : table.columns) {
    layout::validate_name(c.name, "table column");
    if (!names.insert(c.name).second) {
      throw std::invalid_argument("ResultsWriter::write_table: column '" + c.name + "' is used twice in " + object_path);
    }
    if (c.size() != rows) {
      throw std::invalid_argument("ResultsWriter::write_table: column '" + c.name + "' of " + object_path + " has " +
                                  std::to_string(c.size()) + " rows, the first column " + std::to_string(rows));
    }
  }
  const h5::QuietErrors quiet;

  // One packed compound type serves as memory and file type, so HDF5 copies the rows without conversion.
  std::vector<std::size_t> offsets, widths;
  std::vector<h5::Datatype> string_types;
  std::size_t row_bytes = 0;
  for (const TableColumn& c : table.columns) {
    std::size_t width = sizeof(double);
    if (c.is_text) {
      width = 2;
      for (const std::string& t : c.text) width = std::max(width, t.size() + 1);
    }
    offsets.push_back(row_bytes);
    widths.push_back(width);
    row_bytes += width;
  }
  h5::Datatype type(h5::check_id(H5Tcreate(H5T_COMPOUND, row_bytes), "H5Tcreate", object));
  for (std::size_t i = 0; i < table.columns.size(); ++i) {
    const TableColumn& c = table.columns[i];
    if (c.is_text) {
      string_types.push_back(h5::make_fixed_utf8_type(widths[i]));
      layout::insert_field(type.get(), c.name.c_str(), offsets[i], string_types.back().get(), object);
    } else {
      layout::insert_field(type.get(), c.name.c_str(), offsets[i], H5T_NATIVE_DOUBLE, object);
    }
  }
  std::vector<unsigned char> buffer(std::max<std::size_t>(1, rows * row_bytes), 0);
  for (std::size_t r = 0; r < rows; ++r) {
    for (std::size_t i = 0; i < table.columns.size(); ++i) {
      const TableColumn& c = table.columns[i];
      unsigned char* field = buffer.data() + r * row_bytes + offsets[i];
      if (c.is_text) std::memcpy(field, c.text[r].data(), c.text[r].size());
      else std::memcpy(field, &c.values[r], sizeof(double));
    }
  }

  h5::PropList lcpl(h5::check_id(H5Pcreate(H5P_LINK_CREATE), "H5Pcreate", object));
  h5::check(H5Pset_create_intermediate_group(lcpl.get(), 1), "H5Pset_create_intermediate_group", object);
  const hsize_t dims[1] = {static_cast<hsize_t>(rows)};
  const h5::Dataspace space(h5::check_id(H5Screate_simple(1, dims, nullptr), "H5Screate_simple", object));
  h5::Dataset ds(h5::check_id(H5Dcreate2(file, object_path.c_str(), type.get(), space.get(), lcpl.get(),
                                         H5P_DEFAULT, H5P_DEFAULT),
                              "H5Dcreate2", object));
  if (rows > 0) {
    h5::check(H5Dwrite(ds.get(), type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, buffer.data()), "H5Dwrite", object);
  }
  std::vector<std::string> units;
  for (const TableColumn& c : table.columns) units.push_back(c.units);
  h5::write_string_array_attribute(ds.get(), "units", units, object);
  h5::write_string_attribute(ds.get(), "long_name", table.long_name, object);
  for (const auto& [name, value] : table.text_attributes) h5::write_string_attribute(ds.get(), name, value, object);
  for (const auto& [name, value] : table.number_attributes) {
    h5::write_scalar_attribute<double>(ds.get(), name, value, object);
  }
  ds.close(object);
}

}  // namespace aidc
