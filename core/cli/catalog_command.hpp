#pragma once
// `aidcsim catalog [NAME]`: what the built-in catalogs hold (or those of --catalog), so a user finds the names the
// scenario and the estimate commands take without opening the JSON: without NAME each catalog with its entry count,
// with NAME (models, accelerators, systems, countries or any catalog's file name) one line per entry with its key
// figures.

#include <string>

namespace aidc {

struct CatalogCliOptions {
  std::string name;         // empty: the list of catalogs
  std::string catalog_dir;  // empty: the built-in catalogs
};

int run_catalog(const CatalogCliOptions& o);

}  // namespace aidc
