// `pixelwarden filter`: one message through the engine offline, exactly as the milter
// would decide it. Writes the delivered form and the verdict JSON.
#include <chrono>
#include <cstdio>

#include "cli/cli.hpp"
#include "cli/common.hpp"

namespace pixelwarden::cli {
namespace {

constexpr const char* k_filter_usage =
    "usage: pixelwarden filter [--config FILE | --rules FILE] [--mail-from ADDR] [--rcpt ADDR]...\n"
    "                          [--client-ip IP] [--helo NAME] [--auth USER] [-o OUT]\n"
    "                          [--verdict FILE] [IN]\n"
    "Runs one message (IN or stdin) through the pipeline. Writes the message as the milter\n"
    "would leave it to OUT (default stdout; empty when refused) and the verdict JSON to FILE\n"
    "(default stderr; '-' for stdout when -o is given).\n";

ArgSpec filter_spec() {
  ArgSpec spec;
  spec.valued = {"--config", "--rules", "--mail-from", "--rcpt",   "--client-ip",
                 "--helo",   "--auth",  "--output",    "--verdict"};
  spec.flags = {"--help"};
  spec.aliases = {{"-o", "--output"}, {"-h", "--help"}};
  return spec;
}

}  // namespace

int filter_command(const std::vector<std::string>& argv) {
  const auto parsed = Args::parse(argv, filter_spec());
  if (!parsed.ok() || parsed->positional().size() > 1) {
    std::fprintf(stderr, "pixelwarden filter: %s\n%s",
                 parsed.ok() ? "at most one input file" : parsed.error().message.c_str(),
                 k_filter_usage);
    return k_exit_usage;
  }
  const Args& args = parsed.value();
  if (args.has("--help")) {
    std::fputs(k_filter_usage, stdout);
    return 0;
  }
  if (args.has("--config") && args.has("--rules")) {
    std::fprintf(stderr, "pixelwarden filter: --config and --rules exclude each other\n");
    return k_exit_usage;
  }
  const std::string out_path = args.get("--output").value_or("-");
  const std::string verdict_path = args.get("--verdict").value_or("");
  if (verdict_path == "-" && out_path == "-") {
    std::fprintf(stderr, "pixelwarden filter: --verdict - needs -o\n");
    return k_exit_usage;
  }
  auto setup = engine_setup(args);
  if (!setup.ok()) {
    std::fprintf(stderr, "pixelwarden filter: %s\n", setup.error().to_string().c_str());
    return 1;
  }
  const std::string in_path = args.positional().empty() ? "-" : args.positional()[0];
  auto message = read_input(in_path);
  if (!message.ok()) {
    std::fprintf(stderr, "pixelwarden filter: %s\n", message.error().message.c_str());
    return 1;
  }
  auto rules = load_rules_or_report(setup->rules_path);
  if (!rules) return 1;

  engine::Envelope env;
  env.mail_from = args.get("--mail-from").value_or("");
  env.rcpt = args.all("--rcpt");
  env.client_ip = args.get("--client-ip").value_or("");
  env.helo = args.get("--helo").value_or("");
  env.auth_user = args.get("--auth").value_or("");

  const auto start = std::chrono::steady_clock::now();
  engine::Limits limits = setup->limits;
  limits.refuse_at_data = setup->refuse_at_data;  // decide as the configured milter would
  engine::Verdict verdict = engine::inspect(*message, env, rules, limits);
  const std::string out = engine::apply_verdict(*message, verdict);
  verdict.elapsed_us =
      static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(
                                     std::chrono::steady_clock::now() - start)
                                     .count());

  if (auto st = write_output(out_path, out); !st.ok()) {
    std::fprintf(stderr, "pixelwarden filter: %s\n", st.error().message.c_str());
    return 1;
  }
  const std::string json = engine::to_json(verdict) + "\n";
  if (verdict_path.empty()) {
    std::fputs(json.c_str(), stderr);
  } else if (auto st = write_output(verdict_path, json); !st.ok()) {
    std::fprintf(stderr, "pixelwarden filter: %s\n", st.error().message.c_str());
    return 1;
  }
  return 0;
}

}  // namespace pixelwarden::cli
