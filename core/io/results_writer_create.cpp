// Creating the results file's datasets and root attributes (ResultsWriter::Impl, results_writer_impl.hpp).
#include "core/io/results_writer_impl.hpp"

namespace aidc {

using namespace results_writer_detail;

void ResultsWriter::Impl::create(const RunMetadata& meta, std::span<const double> time_s) {
  // SEMI: H5Fclose fails while any object is still open, instead of quietly deferring the close. commit() then
  // cannot rename a file that HDF5 has not finished writing.
  h5::PropList fapl(h5::check_id(H5Pcreate(H5P_FILE_ACCESS), "H5Pcreate", label("file access")));
  h5::check(H5Pset_fclose_degree(fapl.get(), H5F_CLOSE_SEMI), "H5Pset_fclose_degree", label("file access"));
  file = h5::File(h5::check_id(H5Fcreate(tmp_path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, fapl.get()), "H5Fcreate",
                               tmp_path.string()));

  create_root_attributes(meta);
  inputs_group = h5::Group(h5::check_id(H5Gcreate2(file.get(), "inputs", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
                                        "H5Gcreate2", label("/inputs")));
  create_timeseries(time_s);
  create_events();
  create_kpis();
}

void ResultsWriter::Impl::create_root_attributes(const RunMetadata& meta) {
  const hid_t root = file.get();
  const std::string object = label("/");
  h5::write_string_attribute(root, "schema", layout::kSchema, object);
  h5::write_scalar_attribute<std::int32_t>(root, "schema_version", layout::kSchemaVersion, object);
  h5::write_string_attribute(root, "software_version", meta.software_version, object);
  h5::write_string_attribute(root, "git_sha", meta.git_sha, object);
  h5::write_string_attribute(root, "created_utc", meta.created_utc, object);
  h5::write_scalar_attribute<std::uint64_t>(root, "seed", meta.seed, object);
  // The constructor's count is the one the series are shaped by, so it is the one recorded.
  h5::write_scalar_attribute<std::int32_t>(root, "replications", replications, object);
  h5::write_string_attribute(root, "backend", meta.backend, object);
  h5::write_string_attribute(root, "device", meta.device, object);
  h5::write_string_attribute(root, "scenario_name", meta.scenario_name, object);
}

void ResultsWriter::Impl::create_timeseries(std::span<const double> time_s) {
  timeseries_group = h5::Group(h5::check_id(
      H5Gcreate2(file.get(), "timeseries", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), "H5Gcreate2",
      label("/timeseries")));

  {
    const std::string object = label("/timeseries/time_s");
    const hsize_t dims[1] = {static_cast<hsize_t>(steps)};
    const h5::Dataspace space(h5::check_id(H5Screate_simple(1, dims, nullptr), "H5Screate_simple", object));
    h5::Dataset ds(h5::check_id(H5Dcreate2(timeseries_group.get(), "time_s", H5T_IEEE_F64LE, space.get(),
                                           H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
                                "H5Dcreate2", object));
    if (steps > 0) {
      h5::check(H5Dwrite(ds.get(), H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, time_s.data()), "H5Dwrite",
                object);
    }
    h5::write_string_attribute(ds.get(), "units", "s", object);
    h5::write_string_attribute(ds.get(), "long_name", "time since the start of the simulation", object);
    ds.close(object);
  }

  const auto rows = static_cast<hsize_t>(replications);
  const auto cols = static_cast<hsize_t>(steps);
  const hsize_t dims[2] = {rows, cols};
  const layout::Chunk2 chunk = layout::series_chunk(rows, cols);
  series_chunk = chunk;
  series_chunked = rows > 0 && cols > 0;
  const std::size_t bands = series_chunked ? static_cast<std::size_t>((rows + chunk.rows - 1) / chunk.rows) : 0;
  series_chunks.assign(series.size(), SeriesChunks{std::vector<BandState>(bands, BandState::untouched), {}});

  // An unwritten block reads back as NaN, not as a plausible 0.0, so a replication the caller forgot is visible.
  const double fill = std::numeric_limits<double>::quiet_NaN();
  for (const SeriesInfo& info : series) {
    const std::string object = label("/timeseries/" + info.name);
    const h5::Dataspace space(h5::check_id(H5Screate_simple(2, dims, nullptr), "H5Screate_simple", object));
    h5::PropList dcpl(h5::check_id(H5Pcreate(H5P_DATASET_CREATE), "H5Pcreate", object));
    h5::check(H5Pset_fill_value(dcpl.get(), H5T_NATIVE_DOUBLE, &fill), "H5Pset_fill_value", object);
    // HDF5 cannot chunk an empty extent (chunk sizes must be positive); an empty series stays contiguous.
    if (rows > 0 && cols > 0) {
      const hsize_t chunk_dims[2] = {chunk.rows, chunk.cols};
      h5::check(H5Pset_chunk(dcpl.get(), 2, chunk_dims), "H5Pset_chunk", object);
      // Shuffle groups the bytes of neighbouring doubles (exponents together), which gzip then compresses far
      // better. Both filters are built into every HDF5, so any reader opens the file without plugins.
      h5::check(H5Pset_shuffle(dcpl.get()), "H5Pset_shuffle", object);
      h5::check(H5Pset_deflate(dcpl.get(), layout::kGzipLevel), "H5Pset_deflate", object);
    }
    h5::Dataset ds(h5::check_id(H5Dcreate2(timeseries_group.get(), info.name.c_str(), H5T_IEEE_F64LE, space.get(),
                                           H5P_DEFAULT, dcpl.get(), H5P_DEFAULT),
                                "H5Dcreate2", object));
    h5::write_string_attribute(ds.get(), "units", info.units, object);
    h5::write_string_attribute(ds.get(), "long_name", info.long_name, object);
    series_datasets.push_back(std::move(ds));
  }
}

h5::Dataset ResultsWriter::Impl::create_table(const char* name, hid_t file_type, std::size_t row_bytes) {
  // Tables are extendible so that write_events/write_kpis can append (one call per replication, say), and exist
  // from the start with zero rows so that a run without events still has the /events a reader expects.
  const std::string object = label(std::string("/") + name);
  const hsize_t dims[1] = {0};
  const hsize_t max_dims[1] = {H5S_UNLIMITED};
  const h5::Dataspace space(h5::check_id(H5Screate_simple(1, dims, max_dims), "H5Screate_simple", object));
  h5::PropList dcpl(h5::check_id(H5Pcreate(H5P_DATASET_CREATE), "H5Pcreate", object));
  const hsize_t chunk_dims[1] = {layout::table_chunk_rows(row_bytes)};
  h5::check(H5Pset_chunk(dcpl.get(), 1, chunk_dims), "H5Pset_chunk", object);
  h5::check(H5Pset_shuffle(dcpl.get()), "H5Pset_shuffle", object);
  h5::check(H5Pset_deflate(dcpl.get(), layout::kGzipLevel), "H5Pset_deflate", object);
  return h5::Dataset(h5::check_id(
      H5Dcreate2(file.get(), name, file_type, space.get(), H5P_DEFAULT, dcpl.get(), H5P_DEFAULT), "H5Dcreate2",
      object));
}

void ResultsWriter::Impl::create_events() {
  const std::string object = label("/events");
  // The kind column is an HDF5 enum: h5py, h5dump and HDFView show the names, and the stored integers stay
  // compact and sortable. Native int32 base: the memory and file representations agree on little-endian hosts.
  h5::Datatype kind_type(h5::check_id(H5Tenum_create(H5T_NATIVE_INT32), "H5Tenum_create", object));
  for (std::size_t i = 0; i < event_kind_names.size(); ++i) {
    const auto value = static_cast<std::int32_t>(i);
    h5::check(H5Tenum_insert(kind_type.get(), event_kind_names[i].c_str(), &value), "H5Tenum_insert",
              object + " kind '" + event_kind_names[i] + "'");
  }
  event_mem_type = layout::make_event_memory_type(kind_type.get(), object);
  const h5::Datatype file_type = packed_copy(event_mem_type.get(), object);
  events = create_table("events", file_type.get(), H5Tget_size(file_type.get()));

  // Direct chunk writes store rows in the packed file layout, which HDF5 would otherwise produce by converting each
  // row: the offsets come from the file type itself, so they follow whatever H5Tpack decided. Each member has the
  // same (native) type in memory and in the file, so converting is copying the bytes.
  const hid_t ft = file_type.get();
  auto field_offset = [&](const char* name, std::size_t bytes) {
    const int index = h5::check(H5Tget_member_index(ft, name), "H5Tget_member_index", object + " field " + name);
    const h5::Datatype member(
        h5::check_id(H5Tget_member_type(ft, static_cast<unsigned>(index)), "H5Tget_member_type", object));
    if (H5Tget_size(member.get()) != bytes) {
      throw std::logic_error("ResultsWriter: /events field " + std::string(name) + " is " +
                             std::to_string(H5Tget_size(member.get())) + " bytes in the file, " +
                             std::to_string(bytes) + " in memory");
    }
    return H5Tget_member_offset(ft, static_cast<unsigned>(index));
  };
  event_layout.replication = field_offset("replication", sizeof(std::int32_t));
  event_layout.time_s = field_offset("time_s", sizeof(double));
  event_layout.kind = field_offset("kind", sizeof(std::int32_t));
  event_layout.component = field_offset("component", layout::kComponentBytes);
  event_layout.id = field_offset("id", sizeof(std::int64_t));
  event_layout.duration_s = field_offset("duration_s", sizeof(double));
  event_layout.value = field_offset("value", sizeof(double));
  event_layout.row_bytes = H5Tget_size(ft);
  event_chunk_rows = layout::table_chunk_rows(event_layout.row_bytes);

  // Units as one string array aligned with the compound's fields, so in h5py
  // dict(zip(ds.dtype.names, ds.attrs["units"])) gives each column's units. "" marks a column that is not a
  // physical quantity; `value`'s units depend on the event kind and are documented by the model that emits it.
  std::vector<std::string> units(layout::kEventFields.size());
  for (std::size_t i = 0; i < layout::kEventFields.size(); ++i) units[i] = layout::kEventUnits[i];
  h5::write_string_array_attribute(events.get(), "units", units, object);
  h5::write_string_attribute(events.get(), "long_name", "discrete events of every replication", object);
}

void ResultsWriter::Impl::create_kpis() {
  const std::string object = label("/kpis");
  kpi_mem_type = layout::make_kpi_memory_type(object);
  const h5::Datatype file_type = packed_copy(kpi_mem_type.get(), object);
  kpis = create_table("kpis", file_type.get(), H5Tget_size(file_type.get()));
  h5::write_string_attribute(kpis.get(), "long_name",
                             "key performance indicators over replications; each row's units in its units column",
                             object);
}

void ResultsWriter::Impl::append_rows(h5::Dataset& dataset, std::string_view object, hid_t mem_type,
                                      const void* rows, std::size_t count) {
  if (count == 0) return;
  const std::string name = label(object);
  hsize_t old_rows = 0;
  {
    const h5::Dataspace space(h5::check_id(H5Dget_space(dataset.get()), "H5Dget_space", name));
    h5::check(H5Sget_simple_extent_dims(space.get(), &old_rows, nullptr), "H5Sget_simple_extent_dims", name);
  }
  const hsize_t added = count;
  const hsize_t new_rows = old_rows + added;
  h5::check(H5Dset_extent(dataset.get(), &new_rows), "H5Dset_extent", name);
  const h5::Dataspace file_space(h5::check_id(H5Dget_space(dataset.get()), "H5Dget_space", name));
  h5::check(H5Sselect_hyperslab(file_space.get(), H5S_SELECT_SET, &old_rows, nullptr, &added, nullptr),
            "H5Sselect_hyperslab", name);
  const h5::Dataspace mem_space(h5::check_id(H5Screate_simple(1, &added, nullptr), "H5Screate_simple", name));
  h5::check(H5Dwrite(dataset.get(), mem_type, mem_space.get(), file_space.get(), H5P_DEFAULT, rows), "H5Dwrite",
            name);
}

void ResultsWriter::Impl::write_series_rows_plain(std::size_t series_index, hsize_t first, hsize_t count,
                                                  const double* values) {
  const std::string object = label("/timeseries/" + series[series_index].name);
  const hid_t ds = series_datasets[series_index].get();
  const h5::Dataspace file_space(h5::check_id(H5Dget_space(ds), "H5Dget_space", object));
  const hsize_t start[2] = {first, 0};
  const hsize_t block[2] = {count, static_cast<hsize_t>(steps)};
  h5::check(H5Sselect_hyperslab(file_space.get(), H5S_SELECT_SET, start, nullptr, block, nullptr),
            "H5Sselect_hyperslab", object);
  const h5::Dataspace mem_space(h5::check_id(H5Screate_simple(2, block, nullptr), "H5Screate_simple", object));
  h5::check(H5Dwrite(ds, H5T_NATIVE_DOUBLE, mem_space.get(), file_space.get(), H5P_DEFAULT, values), "H5Dwrite",
            object);
}

}  // namespace aidc
