#include "cli.h"

#include <cstdio>
#include <iostream>

namespace sb::cli {

std::vector<Command>& registry()
{
    static std::vector<Command> commands;
    return commands;
}

Args::Args(const std::vector<std::string>& argv, std::set<std::string> flags, std::set<std::string> options)
{
    for (std::size_t i = 0; i < argv.size(); ++i) {
        const std::string& a = argv[i];
        if (a.size() > 2 && a.compare(0, 2, "--") == 0) {
            std::string name = a, value;
            bool inlineValue = false;
            if (auto eq = a.find('='); eq != std::string::npos) {
                name = a.substr(0, eq);
                value = a.substr(eq + 1);
                inlineValue = true;
            }
            if (flags.count(name)) {
                if (inlineValue)
                    throw UsageError("option " + name + " takes no value");
                m_flags.insert(name);
            } else if (options.count(name)) {
                if (!inlineValue) {
                    if (i + 1 >= argv.size())
                        throw UsageError("option " + name + " needs a value");
                    value = argv[++i];
                }
                m_options[name] = value;
            } else {
                throw UsageError("unknown option " + name);
            }
        } else {
            m_positional.push_back(a);
        }
    }
}

const std::string& Args::positional(std::size_t i, const char* what) const
{
    if (i >= m_positional.size())
        throw UsageError(std::string("missing argument ") + what);
    return m_positional[i];
}

std::optional<std::string> Args::option(const std::string& name) const
{
    auto it = m_options.find(name);
    if (it == m_options.end())
        return std::nullopt;
    return it->second;
}

std::string Args::required(const std::string& name) const
{
    auto v = option(name);
    if (!v)
        throw UsageError("option " + name + " is required");
    return *v;
}

int64_t Args::integer(const std::string& name, int64_t def) const
{
    auto v = option(name);
    if (!v)
        return def;
    try {
        std::size_t pos = 0;
        long long r = std::stoll(*v, &pos);
        if (pos != v->size())
            throw std::invalid_argument("trailing");
        return r;
    } catch (const std::exception&) {
        throw UsageError("option " + name + " expects an integer, got '" + *v + "'");
    }
}

double Args::number(const std::string& name, double def) const
{
    auto v = option(name);
    if (!v)
        return def;
    try {
        std::size_t pos = 0;
        double r = std::stod(*v, &pos);
        if (pos != v->size())
            throw std::invalid_argument("trailing");
        return r;
    } catch (const std::exception&) {
        throw UsageError("option " + name + " expects a number, got '" + *v + "'");
    }
}

void Args::expectPositionals(std::size_t n) const
{
    if (m_positional.size() > n)
        throw UsageError("unexpected argument '" + m_positional[n] + "'");
    if (m_positional.size() < n)
        throw UsageError("missing argument(s)");
}

std::vector<int64_t> parseIdList(const std::string& s, const char* option)
{
    std::vector<int64_t> ids;
    std::size_t start = 0;
    while (start <= s.size()) {
        auto comma = s.find(',', start);
        std::string part = s.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
        if (part.empty() || part.find_first_not_of("0123456789-") != std::string::npos)
            throw UsageError(std::string(option) + " expects comma-separated integers, got '" + s + "'");
        try {
            ids.push_back(std::stoll(part));
        } catch (const std::exception&) {
            throw UsageError(std::string(option) + ": '" + part + "' is not an integer");
        }
        if (comma == std::string::npos)
            break;
        start = comma + 1;
    }
    return ids;
}

void printJson(const nlohmann::json& j)
{
    std::cout << j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
}

} // namespace sb::cli
