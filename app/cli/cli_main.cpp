// steerbridge-cli: dispatches to the registered commands. Every failure is a
// non-zero exit and one line on stderr.

#include "cli.h"

#include "engine/system_info.h"

#include <algorithm>
#include <cstring>
#include <iostream>
#include <new>

namespace {
void printUsage(std::ostream& out)
{
    auto cmds = sb::cli::registry();
    std::sort(cmds.begin(), cmds.end(), [](const auto& a, const auto& b) { return std::strcmp(a.name, b.name) < 0; });
    out << "usage: steerbridge-cli COMMAND [ARGS]\n\ncommands:\n";
    for (const auto& c : cmds)
        out << "  " << c.usage << "\n      " << c.summary << "\n";
}

std::string oneLine(std::string s)
{
    std::replace(s.begin(), s.end(), '\n', ' ');
    return s;
}
} // namespace

int main(int argc, char** argv)
{
    if (argc < 2 || !std::strcmp(argv[1], "--help") || !std::strcmp(argv[1], "-h") || !std::strcmp(argv[1], "help")) {
        printUsage(argc < 2 ? std::cerr : std::cout);
        return argc < 2 ? 2 : 0;
    }
    const std::string name = argv[1];
    const auto& cmds = sb::cli::registry();
    auto it = std::find_if(cmds.begin(), cmds.end(), [&](const auto& c) { return name == c.name; });
    if (it == cmds.end()) {
        std::cerr << "steerbridge-cli: error: unknown command '" << name << "' (see steerbridge-cli --help)\n";
        return 2;
    }
    std::vector<std::string> args(argv + 2, argv + argc);
    // `steerbridge-cli COMMAND --help`: the command's usage and summary, exit 0.
    // (-h only right after the command, so that a prompt text "-h" still works.)
    if ((!args.empty() && args[0] == "-h") || std::find(args.begin(), args.end(), "--help") != args.end()) {
        std::cout << "usage: steerbridge-cli " << it->usage << "\n  " << it->summary
                  << "\n(man steerbridge-cli for every option)\n";
        return 0;
    }
    try {
        sb::configureThreads();
        if (!std::getenv("SB_QUIET")) {
            auto blas = sb::detectBlas();
            if (!blas.optimized)
                std::cerr << "steerbridge-cli: warning: " << blas.warning << "\n";
        }
        return it->run(args);
    } catch (const sb::cli::UsageError& e) {
        std::cerr << "steerbridge-cli: error: " << oneLine(e.what()) << "\nusage: steerbridge-cli " << it->usage << "\n";
        return 2;
    } catch (const sb::Cancelled&) {
        std::cerr << "steerbridge-cli: error: cancelled\n";
        return 130;
    } catch (const std::bad_alloc&) {
        std::cerr << "steerbridge-cli: error: out of memory\n";
        return 1;
    } catch (const std::exception& e) {
        std::cerr << "steerbridge-cli: error: " << oneLine(e.what()) << "\n";
        return 1;
    } catch (...) {
        std::cerr << "steerbridge-cli: error: unknown failure\n";
        return 1;
    }
}
