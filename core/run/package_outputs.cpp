#include "core/run/package_outputs.hpp"

namespace aidc {

namespace {

TableColumn text_column(const char* name, std::vector<std::string> values) {
  return TableColumn{name, "", true, std::move(values), {}};
}

std::string join(const std::vector<std::string>& v) {
  std::string out;
  for (std::size_t i = 0; i < v.size(); ++i) out += (i ? "; " : "") + v[i];
  return out;
}

}  // namespace

std::vector<std::pair<std::string, NamedTable>> package_tables(const PackageSpec& p) {
  std::vector<std::pair<std::string, NamedTable>> out;

  NamedTable summary;
  summary.long_name = "the full-stack package offered: " + p.title;
  const std::vector<std::pair<std::string, std::string>> fields = {
      {"title", p.title},
      {"target_country", p.target_country},
      {"business_model", p.business_model},
      {"hardware", p.hardware},
      {"data_center", p.data_center},
      {"data_pipelines", p.data_pipelines},
      {"models", join(p.models)},
      {"cybersecurity_controls", join(p.cybersecurity_controls)}};
  std::vector<std::string> names, values;
  for (const auto& [k, v] : fields) {
    names.push_back(k);
    values.push_back(v);
  }
  summary.columns = {text_column("field", names), text_column("value", values)};
  summary.text_attributes = {{"title", p.title}, {"target_country", p.target_country},
                             {"business_model", p.business_model}};
  out.emplace_back("package/summary", std::move(summary));

  NamedTable consortium;
  consortium.long_name = "consortium members and their roles";
  std::vector<std::string> name, role, country;
  for (const ConsortiumMember& m : p.consortium) {
    name.push_back(m.name);
    role.push_back(m.role);
    country.push_back(m.country);
  }
  consortium.columns = {text_column("name", name), text_column("role", role), text_column("country", country)};
  out.emplace_back("package/consortium", std::move(consortium));

  NamedTable applications;
  applications.long_name = "applications delivered and their sectors";
  std::vector<std::string> app, sector;
  for (const PackageApplication& a : p.applications) {
    app.push_back(a.name);
    sector.push_back(a.sector);
  }
  applications.columns = {text_column("name", app), text_column("sector", sector)};
  out.emplace_back("package/applications", std::move(applications));

  NamedTable support;
  support.long_name = "federal support requested";
  std::vector<std::string> agency, instrument, note;
  std::vector<double> amount;
  double total = 0.0;
  for (const FederalSupport& f : p.federal_support) {
    agency.push_back(f.agency);
    instrument.push_back(f.instrument);
    amount.push_back(f.amount_usd);
    note.push_back(f.note);
    total += f.amount_usd;
  }
  support.columns = {text_column("agency", agency), text_column("instrument", instrument),
                     TableColumn{"amount_usd", "USD", false, {}, amount}, text_column("note", note)};
  support.number_attributes = {{"total_usd", total}};
  out.emplace_back("package/federal_support", std::move(support));
  return out;
}

}  // namespace aidc
