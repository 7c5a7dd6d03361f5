#pragma once
// Tiny command framework for steerbridge-cli: commands register themselves
// with SB_CLI_COMMAND; arguments are parsed strictly (unknown options are
// usage errors, every error is one line on stderr and a non-zero exit).

#include "engine/errors.h"

#include <nlohmann/json.hpp>

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace sb::cli {

/// Wrong command line: exit status 2 with the usage line.
class UsageError : public sb::Error {
public:
    using sb::Error::Error;
};

class Args {
public:
    /// `flags` take no value; `options` take one ("--out F" or "--out=F").
    Args(const std::vector<std::string>& argv, std::set<std::string> flags, std::set<std::string> options);

    std::size_t positionalCount() const { return m_positional.size(); }
    const std::string& positional(std::size_t i, const char* what) const;
    bool flag(const std::string& name) const { return m_flags.count(name) != 0; }
    std::optional<std::string> option(const std::string& name) const;
    std::string required(const std::string& name) const;
    int64_t integer(const std::string& name, int64_t def) const;
    double number(const std::string& name, double def) const;
    /// Requires exactly n positionals.
    void expectPositionals(std::size_t n) const;

private:
    std::vector<std::string> m_positional;
    std::set<std::string> m_flags;
    std::map<std::string, std::string> m_options;
};

struct Command {
    const char* name;
    const char* usage;
    const char* summary;
    int (*run)(const std::vector<std::string>& argv);
};

std::vector<Command>& registry();

struct Registrar {
    explicit Registrar(const Command& c) { registry().push_back(c); }
};

/// "1,2,3" -> ids; UsageError on anything else.
std::vector<int64_t> parseIdList(const std::string& s, const char* option);

/// Prints JSON compactly with a newline.
void printJson(const nlohmann::json& j);

} // namespace sb::cli

#define SB_CLI_CONCAT2(a, b) a##b
#define SB_CLI_CONCAT(a, b) SB_CLI_CONCAT2(a, b)
#define SB_CLI_COMMAND(...) static ::sb::cli::Registrar SB_CLI_CONCAT(sbCliRegistrar_, __LINE__){::sb::cli::Command{__VA_ARGS__}};

namespace sb::cli {

/// Shared state of one `steerbridge-cli bench` run. Every section reports its
/// figures against the machine baselines measured at the start of the same run.
struct BenchContext {
    bool json = false;
    double gemmGflops = 0.0;  ///< f32 GEMM throughput measured at start (torch, all threads)
    double memcpyGBs = 0.0;   ///< single-stream memcpy bandwidth measured at start
    std::string workDir;      ///< scratch directory for synthetic files (removed afterwards)
    std::string fixturesDir;  ///< --fixtures: reference model folders (empty = the source tree's, if any)
    std::vector<std::string> modelFilter; ///< --models a,b: only these model names (empty = all)
    nlohmann::json results = nlohmann::json::object(); ///< section name -> its figures
    /// Prints one human-readable line (suppressed with --json).
    void line(const std::string& text) const;
};

struct BenchSection {
    const char* name;
    const char* summary;
    void (*run)(BenchContext& ctx, nlohmann::json& out);
};

std::vector<BenchSection>& benchRegistry();

struct BenchRegistrar {
    explicit BenchRegistrar(const BenchSection& s) { benchRegistry().push_back(s); }
};

} // namespace sb::cli

/// Registers a benchmark section: SB_BENCH_SECTION("name", "summary", fn)
/// with fn(BenchContext&, nlohmann::json& out) filling `out` with its figures.
#define SB_BENCH_SECTION(...) static ::sb::cli::BenchRegistrar SB_CLI_CONCAT(sbBenchRegistrar_, __LINE__){::sb::cli::BenchSection{__VA_ARGS__}};
