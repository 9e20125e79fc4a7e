#include "core/io/catalog_folder.hpp"

#include <algorithm>
#include <vector>

#include "core/io/text_file.hpp"
#include "core/scenario/input_error.hpp"

namespace aidc {

namespace {
// The largest built-in catalog is about 40 kB; 16 MiB is far beyond any catalog.
constexpr std::uintmax_t kMaxCatalogFileBytes = 16u << 20;
}  // namespace

Catalog read_catalog_folder(const std::filesystem::path& dir) {
  if (!std::filesystem::is_directory(dir)) {
    throw BadInput(dir.string(), "", "not a folder", "a folder of catalog *.json files");
  }
  // In name order, so that the same folder gives the same catalog (and the same first error) everywhere.
  std::vector<std::filesystem::path> files;
  for (const auto& f : std::filesystem::directory_iterator(dir)) {
    if (f.path().extension() == ".json") files.push_back(f.path());
  }
  std::sort(files.begin(), files.end());
  Catalog c;
  for (const std::filesystem::path& f : files) {
    c.add(f.stem().string(), read_text_file(f, "a catalog JSON file", kMaxCatalogFileBytes), f.string());
  }
  return c;
}

}  // namespace aidc
