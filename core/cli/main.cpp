// The `aidcsim` command. Subcommands arrive with their issues; see README.md.
#include <CLI/CLI.hpp>

int main(int argc, char** argv) {
  CLI::App app{"aidcsim: AI data-center deployment simulator"};
  app.require_subcommand(1);
  app.add_subcommand("run", "simulate a scenario");
  CLI11_PARSE(app, argc, argv);
  return 0;
}
