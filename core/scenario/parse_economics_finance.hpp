#pragma once
// The lenders' part of the "economics" section (core/scenario/parse_economics.cpp calls these): financing and debt
// sizing, construction, the IT refresh's funding and the debt service reserve, with their defaults from
// scenarios/catalog/economics_defaults.json, bad input as problems and implausible input as warnings.

#include <functional>
#include <string>

#include <nlohmann/json.hpp>

#include "core/scenario/json_reader.hpp"
#include "core/scenario/scenario.hpp"

namespace aidc {

using EconomicsDefault = std::function<double(const char*)>;

// Reads "financing", "construction", "refresh" and "dsra" of the economics reader `r` into `e` (horizon and asset
// lives already read).
void read_economics_finance(JsonObjectReader& r, const EconomicsDefault& d, EconomicsSpec& e);

// Their resolved form, every value explicit (added to economics_to_json's object).
void finance_to_json(const EconomicsSpec& e, nlohmann::json& out);

}  // namespace aidc
