#pragma once
// A named table (results_writer.hpp's NamedTable) written whole into an open HDF5 file: one packed compound dataset
// with text and float64 columns in the given order, attrs units (aligned with the fields), long_name and the
// table's own attributes. ResultsWriter::write_table calls it; groups on the path are created as needed.

#include <string>

#include <hdf5.h>

#include "core/io/results_writer.hpp"

namespace aidc {

// `object_path` is relative to the root ("economics/cash_flows"); `object` names it in error messages.
void write_named_table(hid_t file, const std::string& object_path, const std::string& object, const NamedTable& table);

}  // namespace aidc
