#pragma once
// A user's catalog folder (`--catalog DIR`): every *.json in it, one catalog per file, named by the file's stem
// (systems.json -> "systems"). The built-in catalogs need no file (Catalog::embedded()).

#include <filesystem>

#include "core/scenario/catalog.hpp"

namespace aidc {

// Throws BadInput naming the folder when it is not one, and naming the file when a catalog file cannot be read or
// is not a catalog document.
Catalog read_catalog_folder(const std::filesystem::path& dir);

}  // namespace aidc
