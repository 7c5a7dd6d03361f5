#include "engine/contrastive_dataset.h"

#include "engine/errors.h"
#include "engine/file_util.h"
#include "engine/sha256.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <optional>

namespace sb {

const char* datasetFormatName(DatasetFormat f)
{
    switch (f) {
    case DatasetFormat::Auto: return "auto";
    case DatasetFormat::Jsonl: return "jsonl";
    case DatasetFormat::Json: return "json";
    case DatasetFormat::Csv: return "csv";
    }
    return "?";
}

bool isValidUtf8(std::string_view s)
{
    std::size_t i = 0;
    const std::size_t n = s.size();
    while (i < n) {
        const auto c = static_cast<unsigned char>(s[i]);
        if (c < 0x80) {
            ++i;
            continue;
        }
        int len;
        uint32_t cp;
        if ((c & 0xE0) == 0xC0) {
            len = 2;
            cp = c & 0x1F;
        } else if ((c & 0xF0) == 0xE0) {
            len = 3;
            cp = c & 0x0F;
        } else if ((c & 0xF8) == 0xF0) {
            len = 4;
            cp = c & 0x07;
        } else {
            return false;
        }
        if (i + static_cast<std::size_t>(len) > n)
            return false;
        for (int k = 1; k < len; ++k) {
            const auto cc = static_cast<unsigned char>(s[i + static_cast<std::size_t>(k)]);
            if ((cc & 0xC0) != 0x80)
                return false;
            cp = (cp << 6) | (cc & 0x3F);
        }
        if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || cp > 0x10FFFF ||
            (cp >= 0xD800 && cp <= 0xDFFF))
            return false;
        i += static_cast<std::size_t>(len);
    }
    return true;
}

namespace {

bool isSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

std::string_view trim(std::string_view s)
{
    while (!s.empty() && isSpace(s.front()))
        s.remove_prefix(1);
    while (!s.empty() && isSpace(s.back()))
        s.remove_suffix(1);
    return s;
}

std::string lower(std::string_view s)
{
    std::string r(s);
    for (auto& c : r)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return r;
}

/// Joins a CAA answer to its question with one space when neither side has one.
std::string caaContinuation(const std::string& question, const std::string& answer)
{
    if (!question.empty() && !answer.empty() && !isSpace(question.back()) && !isSpace(answer.front()))
        return " " + answer;
    return answer;
}

/// Field values of one record, by either schema. Returns a reason on failure.
struct RecordFields {
    std::optional<std::string> prompt, positive, negative;
};

std::optional<std::string> checkAndAdd(const RecordFields& f, int64_t line, std::vector<ContrastivePair>& out)
{
    if (!f.prompt || !f.positive || !f.negative)
        return std::string("internal: incomplete record");
    for (const auto* s : {&*f.prompt, &*f.positive, &*f.negative})
        if (!isValidUtf8(*s))
            return std::string("text is not valid UTF-8");
    if (trim(*f.positive).empty())
        return std::string("the positive continuation is empty");
    if (trim(*f.negative).empty())
        return std::string("the negative continuation is empty");
    if (*f.positive == *f.negative)
        return std::string("positive and negative are identical (no contrast)");
    out.push_back({*f.prompt, *f.positive, *f.negative, line});
    return std::nullopt;
}

/// One JSON record (either schema) -> pairs (a CAA list answer gives one pair per combination).
std::optional<std::string> addJsonRecord(const nlohmann::json& j, int64_t line, std::vector<ContrastivePair>& out)
{
    if (!j.is_object())
        return std::string("expected a JSON object, got ") + j.type_name();
    auto str = [&](const char* key, std::optional<std::string>& dst) -> std::optional<std::string> {
        auto it = j.find(key);
        if (it == j.end() || it->is_null())
            return std::string("missing field '") + key + "'";
        if (!it->is_string())
            return std::string("field '") + key + "' must be a string, got " + it->type_name();
        dst = it->get<std::string>();
        return std::nullopt;
    };
    if (j.contains("prompt") || j.contains("positive") || j.contains("negative")) {
        RecordFields f;
        for (auto [key, dst] : {std::pair<const char*, std::optional<std::string>*>{"prompt", &f.prompt},
                                {"positive", &f.positive},
                                {"negative", &f.negative}})
            if (auto err = str(key, *dst))
                return err;
        return checkAndAdd(f, line, out);
    }
    if (j.contains("question") || j.contains("answer_matching_behavior")) {
        std::optional<std::string> question;
        if (auto err = str("question", question))
            return err;
        auto answers = [&](const char* key, std::vector<std::string>& dst) -> std::optional<std::string> {
            auto it = j.find(key);
            if (it == j.end() || it->is_null())
                return std::string("missing field '") + key + "'";
            if (it->is_string()) {
                dst.push_back(it->get<std::string>());
                return std::nullopt;
            }
            if (it->is_array() && !it->empty()) {
                for (const auto& e : *it) {
                    if (!e.is_string())
                        return std::string("field '") + key + "' must hold strings, got " + e.type_name();
                    dst.push_back(e.get<std::string>());
                }
                return std::nullopt;
            }
            return std::string("field '") + key + "' must be a string or a non-empty list of strings, got " +
                   it->type_name();
        };
        std::vector<std::string> pos, neg;
        if (auto err = answers("answer_matching_behavior", pos))
            return err;
        if (auto err = answers("answer_not_matching_behavior", neg))
            return err;
        for (const auto& p : pos)
            for (const auto& n : neg) {
                RecordFields f{question, caaContinuation(*question, p), caaContinuation(*question, n)};
                if (auto err = checkAndAdd(f, line, out))
                    return err;
            }
        return std::nullopt;
    }
    return std::string("no known fields (expected prompt/positive/negative or question/answer_matching_behavior/"
                       "answer_not_matching_behavior)");
}

/// The reason for a record nlohmann::json refuses: a syntax error (parse_error)
/// or a number past the double range such as 1e999 (out_of_range 406), without
/// the library's "[json.exception.…]" prefix. problemSummary() adds file and line.
std::string jsonProblem(const nlohmann::json::exception& e)
{
    std::string what = e.what();
    const std::size_t close = what.find("] ");
    if (close != std::string::npos)
        what = what.substr(close + 2);
    if (e.id == 406) // out_of_range: number overflow
        return "invalid JSON (" + what + "; expected a number within the double range)";
    return "invalid JSON (" + what + ")";
}

void parseJsonl(std::string_view text, ContrastiveDataset& d)
{
    int64_t line = 0;
    std::size_t pos = 0;
    while (pos <= text.size()) {
        std::size_t end = text.find('\n', pos);
        if (end == std::string_view::npos)
            end = text.size();
        ++line;
        std::string_view l = text.substr(pos, end - pos);
        pos = end + 1;
        if (trim(l).empty()) {
            if (end == text.size())
                break;
            continue;
        }
        nlohmann::json j;
        try {
            j = nlohmann::json::parse(l);
        } catch (const nlohmann::json::exception& e) {
            d.problems.push_back({line, jsonProblem(e)});
            continue;
        }
        if (auto err = addJsonRecord(j, line, d.pairs))
            d.problems.push_back({line, *err});
        if (end == text.size())
            break;
    }
}

/// A JSON array of records. Each top-level element is located by a small
/// scanner (strings and nesting) so that its line can be reported and one bad
/// record does not hide the others.
void parseJsonArray(std::string_view text, ContrastiveDataset& d, const std::string& where)
{
    std::size_t i = 0;
    int64_t line = 1;
    auto advance = [&](std::size_t to) {
        for (; i < to; ++i)
            if (text[i] == '\n')
                ++line;
    };
    while (i < text.size() && isSpace(text[i]))
        advance(i + 1);
    if (i >= text.size() || text[i] != '[')
        throw FormatError(where + ": expected a JSON array of records at line " + std::to_string(line));
    advance(i + 1);
    bool closed = false;
    while (i < text.size()) {
        while (i < text.size() && (isSpace(text[i]) || text[i] == ','))
            advance(i + 1);
        if (i >= text.size())
            break;
        if (text[i] == ']') {
            closed = true;
            advance(i + 1);
            break;
        }
        const std::size_t start = i;
        const int64_t startLine = line;
        int depth = 0;
        bool inString = false, escape = false;
        std::size_t j = i;
        for (; j < text.size(); ++j) {
            const char c = text[j];
            if (inString) {
                if (escape)
                    escape = false;
                else if (c == '\\')
                    escape = true;
                else if (c == '"')
                    inString = false;
                continue;
            }
            if (c == '"')
                inString = true;
            else if (c == '{' || c == '[')
                ++depth;
            else if (c == '}' || c == ']') {
                if (depth == 0)
                    break; // the array's own ']'
                if (--depth == 0) {
                    ++j;
                    break;
                }
            } else if (c == ',' && depth == 0)
                break;
        }
        if (inString || depth != 0)
            throw FormatError(where + ": JSON array is not closed (record starting at line " +
                              std::to_string(startLine) + " never ends)");
        // A '}' or ']' that closes nothing (e.g. "[}]", "[1}]"): the scanner stopped
        // without consuming a byte, so the array cannot be split into records.
        if (j == start)
            throw FormatError(where + ": line " + std::to_string(startLine) + ": unexpected '" + text[j] +
                              "' in the JSON array (expected a record, ',' or ']')");
        std::string_view rec = text.substr(start, j - start);
        advance(j);
        nlohmann::json js;
        try {
            js = nlohmann::json::parse(rec);
        } catch (const nlohmann::json::exception& e) {
            d.problems.push_back({startLine, jsonProblem(e)});
            continue;
        }
        if (auto err = addJsonRecord(js, startLine, d.pairs))
            d.problems.push_back({startLine, *err});
    }
    if (!closed)
        throw FormatError(where + ": JSON array is not closed with ']'");
    while (i < text.size() && isSpace(text[i]))
        advance(i + 1);
    if (i < text.size())
        throw FormatError(where + ": unexpected text after the JSON array at line " + std::to_string(line));
}

struct CsvRecord {
    int64_t line = 0;
    std::vector<std::string> fields;
    std::string error; ///< set when the record is malformed
};

std::vector<CsvRecord> splitCsv(std::string_view text)
{
    std::vector<CsvRecord> records;
    std::size_t i = 0;
    int64_t line = 1;
    const std::size_t n = text.size();
    while (i < n) {
        CsvRecord rec;
        rec.line = line;
        std::string field;
        bool recordDone = false;
        // A record with only whitespace on its line is skipped (blank line).
        {
            std::size_t k = i;
            while (k < n && (text[k] == ' ' || text[k] == '\t'))
                ++k;
            if (k < n && (text[k] == '\n' || text[k] == '\r')) {
                i = k + (text[k] == '\r' && k + 1 < n && text[k + 1] == '\n' ? 2 : 1);
                ++line;
                continue;
            }
            if (k >= n)
                break;
        }
        while (!recordDone) {
            field.clear();
            if (i < n && text[i] == '"') {
                ++i;
                bool closed = false;
                while (i < n) {
                    char c = text[i];
                    if (c == '"') {
                        if (i + 1 < n && text[i + 1] == '"') {
                            field.push_back('"');
                            i += 2;
                            continue;
                        }
                        ++i;
                        closed = true;
                        break;
                    }
                    if (c == '\n')
                        ++line;
                    field.push_back(c);
                    ++i;
                }
                if (!closed) {
                    rec.error = "unterminated quoted field";
                    records.push_back(rec);
                    return records;
                }
                // After a closing quote only a separator or the end of the record may follow.
                if (i < n && text[i] != ',' && text[i] != '\n' && text[i] != '\r') {
                    if (rec.error.empty())
                        rec.error = "text after a closing quote in field " + std::to_string(rec.fields.size() + 1);
                    while (i < n && text[i] != ',' && text[i] != '\n' && text[i] != '\r')
                        ++i;
                }
            } else {
                while (i < n && text[i] != ',' && text[i] != '\n' && text[i] != '\r') {
                    if (text[i] == '"' && rec.error.empty())
                        rec.error = "stray quote inside unquoted field " + std::to_string(rec.fields.size() + 1);
                    field.push_back(text[i]);
                    ++i;
                }
            }
            rec.fields.push_back(field);
            if (i >= n) {
                recordDone = true;
            } else if (text[i] == ',') {
                ++i;
            } else {
                i += (text[i] == '\r' && i + 1 < n && text[i + 1] == '\n') ? 2 : 1;
                ++line;
                recordDone = true;
            }
        }
        records.push_back(std::move(rec));
    }
    return records;
}

void parseCsv(std::string_view text, ContrastiveDataset& d, const std::string& where)
{
    auto records = splitCsv(text);
    if (records.empty())
        throw FormatError(where + ": empty CSV file (expected a header row)");
    const CsvRecord& header = records.front();
    if (!header.error.empty())
        throw FormatError(where + ": header row (line " + std::to_string(header.line) + "): " + header.error);
    auto column = [&](const char* name) -> int {
        for (std::size_t c = 0; c < header.fields.size(); ++c)
            if (lower(trim(header.fields[c])) == name)
                return static_cast<int>(c);
        return -1;
    };
    int cp = column("prompt"), cpos = column("positive"), cneg = column("negative");
    bool caa = false;
    if (cp < 0 || cpos < 0 || cneg < 0) {
        cp = column("question");
        cpos = column("answer_matching_behavior");
        cneg = column("answer_not_matching_behavior");
        caa = true;
    }
    if (cp < 0 || cpos < 0 || cneg < 0)
        throw FormatError(where + ": the CSV header must name the columns prompt, positive, negative (or question, "
                                  "answer_matching_behavior, answer_not_matching_behavior)");
    for (std::size_t r = 1; r < records.size(); ++r) {
        const auto& rec = records[r];
        if (!rec.error.empty()) {
            d.problems.push_back({rec.line, rec.error});
            continue;
        }
        if (rec.fields.size() != header.fields.size()) {
            d.problems.push_back({rec.line, "expected " + std::to_string(header.fields.size()) + " fields, got " +
                                                std::to_string(rec.fields.size())});
            continue;
        }
        RecordFields f;
        f.prompt = rec.fields[static_cast<std::size_t>(cp)];
        f.positive = rec.fields[static_cast<std::size_t>(cpos)];
        f.negative = rec.fields[static_cast<std::size_t>(cneg)];
        if (caa) {
            f.positive = caaContinuation(*f.prompt, *f.positive);
            f.negative = caaContinuation(*f.prompt, *f.negative);
        }
        if (auto err = checkAndAdd(f, rec.line, d.pairs))
            d.problems.push_back({rec.line, *err});
    }
}

std::string baseName(const std::string& path)
{
    auto slash = path.rfind('/');
    std::string b = slash == std::string::npos ? path : path.substr(slash + 1);
    auto dot = b.rfind('.');
    if (dot != std::string::npos && dot > 0)
        b = b.substr(0, dot);
    return b;
}

std::string extension(const std::string& path)
{
    auto slash = path.rfind('/');
    auto dot = path.rfind('.');
    if (dot == std::string::npos || (slash != std::string::npos && dot < slash))
        return {};
    return lower(path.substr(dot + 1));
}

} // namespace

std::string ContrastiveDataset::hash() const
{
    Sha256 h;
    for (const auto& p : pairs) {
        h.update(p.prompt);
        h.update("\x1f");
        h.update(p.positive);
        h.update("\x1f");
        h.update(p.negative);
        h.update("\x1e");
    }
    return h.hexDigest();
}

std::string ContrastiveDataset::toJsonl() const
{
    std::string out;
    for (const auto& p : pairs) {
        nlohmann::ordered_json j;
        j["prompt"] = p.prompt;
        j["positive"] = p.positive;
        j["negative"] = p.negative;
        out += j.dump();
        out += '\n';
    }
    return out;
}

std::string ContrastiveDataset::problemSummary(std::size_t maxLines) const
{
    std::string s;
    for (std::size_t i = 0; i < problems.size() && i < maxLines; ++i)
        s += (path.empty() ? name : path) + ": line " + std::to_string(problems[i].line) + ": " + problems[i].reason +
             "\n";
    if (problems.size() > maxLines)
        s += "... and " + std::to_string(problems.size() - maxLines) + " more\n";
    return s;
}

ContrastiveDataset parseContrastiveDataset(std::string_view text, DatasetFormat format, const std::string& where)
{
    if (text.size() >= 3 && static_cast<unsigned char>(text[0]) == 0xEF && static_cast<unsigned char>(text[1]) == 0xBB &&
        static_cast<unsigned char>(text[2]) == 0xBF)
        text.remove_prefix(3); // UTF-8 byte order mark
    if (format == DatasetFormat::Auto) {
        std::string_view t = trim(text);
        if (t.empty())
            throw FormatError(where + ": the file is empty (expected contrastive pairs)");
        format = t.front() == '[' ? DatasetFormat::Json : t.front() == '{' ? DatasetFormat::Jsonl : DatasetFormat::Csv;
    }
    ContrastiveDataset d;
    d.name = baseName(where);
    d.format = format;
    switch (format) {
    case DatasetFormat::Jsonl: parseJsonl(text, d); break;
    case DatasetFormat::Json: {
        std::string_view t = trim(text);
        if (!t.empty() && t.front() == '{')
            parseJsonl(text, d); // a .json file holding one object a line
        else
            parseJsonArray(text, d, where);
        break;
    }
    case DatasetFormat::Csv: parseCsv(text, d, where); break;
    case DatasetFormat::Auto: break;
    }
    return d;
}

ContrastiveDataset readContrastiveDataset(const std::string& path, const DatasetReadOptions& options)
{
    const std::string text = readWholeFile(path);
    DatasetFormat format = options.format;
    if (format == DatasetFormat::Auto) {
        const std::string ext = extension(path);
        if (ext == "jsonl")
            format = DatasetFormat::Jsonl;
        else if (ext == "json")
            format = DatasetFormat::Json;
        else if (ext == "csv")
            format = DatasetFormat::Csv;
    }
    ContrastiveDataset d = parseContrastiveDataset(text, format, path);
    d.path = path;
    d.name = baseName(path);
    if (options.strict && !d.problems.empty())
        throw FormatError(std::to_string(d.problems.size()) + " bad record(s):\n" + d.problemSummary());
    if (d.pairs.empty()) {
        if (!d.problems.empty())
            throw FormatError(path + ": no usable contrastive pair; every record has a problem:\n" + d.problemSummary());
        throw FormatError(path + ": no contrastive pairs (expected " + datasetFormatName(d.format) +
                          " records with prompt/positive/negative)");
    }
    return d;
}

DatasetSplit splitDataset(const ContrastiveDataset& dataset, double heldOutFraction, uint64_t seed)
{
    if (!(heldOutFraction >= 0.0 && heldOutFraction < 1.0))
        throw InputError("held-out fraction must be in [0, 1), got " + std::to_string(heldOutFraction));
    const int64_t n = static_cast<int64_t>(dataset.pairs.size());
    int64_t nHeld = static_cast<int64_t>(std::llround(static_cast<double>(n) * heldOutFraction));
    if (heldOutFraction > 0.0) {
        if (n < 2)
            throw InputError(dataset.name + ": " + std::to_string(n) +
                             " pair(s) cannot be split into train and held-out parts (need at least 2)");
        nHeld = std::clamp<int64_t>(nHeld, 1, n - 1);
    }
    std::vector<int64_t> perm(static_cast<std::size_t>(n));
    for (int64_t i = 0; i < n; ++i)
        perm[static_cast<std::size_t>(i)] = i;
    uint64_t state = seed;
    auto next = [&state]() {
        uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        return z ^ (z >> 31);
    };
    for (int64_t i = n - 1; i > 0; --i) {
        const auto j = static_cast<int64_t>(next() % static_cast<uint64_t>(i + 1));
        std::swap(perm[static_cast<std::size_t>(i)], perm[static_cast<std::size_t>(j)]);
    }
    DatasetSplit s;
    s.seed = seed;
    s.heldOutFraction = heldOutFraction;
    s.heldOutIndices.assign(perm.begin(), perm.begin() + nHeld);
    s.trainIndices.assign(perm.begin() + nHeld, perm.end());
    std::sort(s.heldOutIndices.begin(), s.heldOutIndices.end());
    std::sort(s.trainIndices.begin(), s.trainIndices.end());
    for (auto* part : {&s.train, &s.heldOut}) {
        part->name = dataset.name;
        part->path = dataset.path;
        part->format = dataset.format;
    }
    for (int64_t i : s.trainIndices)
        s.train.pairs.push_back(dataset.pairs[static_cast<std::size_t>(i)]);
    for (int64_t i : s.heldOutIndices)
        s.heldOut.pairs.push_back(dataset.pairs[static_cast<std::size_t>(i)]);
    return s;
}

} // namespace sb
