// Contrastive pair datasets: the three formats, bad records reported by line
// and reason, the content hash (checked against Qt's own SHA-256), and the
// seeded split.

#include "common/test_util.h"

#include "engine/contrastive_dataset.h"
#include "engine/errors.h"
#include "engine/sha256.h"
#include "engine/preference_vector.h"
#include "engine/vector_workflow.h"

#include <QCryptographicHash>
#include <QTemporaryDir>

#include <set>

using namespace sb;

namespace {
std::string reasonAt(const ContrastiveDataset& d, int64_t line)
{
    for (const auto& p : d.problems)
        if (p.line == line)
            return p.reason;
    return {};
}

/// The canonical bytes the hash is documented to cover, built here independently.
QByteArray canonical(const std::vector<std::array<const char*, 3>>& pairs)
{
    QByteArray b;
    for (const auto& p : pairs) {
        b += p[0];
        b += '\x1f';
        b += p[1];
        b += '\x1f';
        b += p[2];
        b += '\x1e';
    }
    return b;
}
} // namespace

class TestContrastiveDataset : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void sha256KnownVectors()
    {
        // FIPS 180-2 appendix B examples.
        QCOMPARE(QString::fromStdString(sha256Hex("abc")),
                 QStringLiteral("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
        QCOMPARE(QString::fromStdString(sha256Hex("")),
                 QStringLiteral("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
        QCOMPARE(QString::fromStdString(sha256Hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")),
                 QStringLiteral("248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"));
        Sha256 h;
        const std::string chunk(1000, 'a');
        for (int i = 0; i < 1000; ++i)
            h.update(chunk);
        QCOMPARE(QString::fromStdString(h.hexDigest()),
                 QStringLiteral("cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"));
        // Lengths around the 55/56/64-byte padding boundaries against Qt's implementation.
        for (int n : {55, 56, 57, 63, 64, 65, 119, 120, 200}) {
            const std::string s(static_cast<std::size_t>(n), 'x');
            QCOMPARE(QByteArray::fromStdString(sha256Hex(s)),
                     QCryptographicHash::hash(QByteArray::fromStdString(s), QCryptographicHash::Sha256).toHex());
        }
    }

    void jsonlGoodAndBadLines()
    {
        const std::string text = R"({"prompt": "A", "positive": " x", "negative": " y"}

{"prompt": "B", "positive": " x", "negative": " y"
{"prompt": "C", "positive": " x"}
{"prompt": "D", "positive": 5, "negative": " y"}
{"prompt": "E", "positive": "  ", "negative": " y"}
{"prompt": "F", "positive": " same", "negative": " same"}
["not", "an", "object"]
)" + std::string("{\"prompt\": \"G\", \"positive\": \" \xff\", \"negative\": \" y\"}\n") +
                                 R"({"prompt": "H", "positive": " ok", "negative": " fine"})";
        ContrastiveDataset d = parseContrastiveDataset(text, DatasetFormat::Jsonl, "t.jsonl");
        QCOMPARE(d.pairs.size(), std::size_t(2));
        QCOMPARE(QString::fromStdString(d.pairs[0].prompt), QStringLiteral("A"));
        QCOMPARE(d.pairs[0].line, int64_t(1));
        QCOMPARE(QString::fromStdString(d.pairs[1].prompt), QStringLiteral("H"));
        QCOMPARE(d.pairs[1].line, int64_t(10));
        QCOMPARE(d.problems.size(), std::size_t(7)); // every non-blank bad line, none dropped silently
        QVERIFY(reasonAt(d, 3).find("invalid JSON") != std::string::npos);
        QVERIFY(reasonAt(d, 4).find("missing field 'negative'") != std::string::npos);
        QVERIFY(reasonAt(d, 5).find("'positive' must be a string") != std::string::npos);
        QVERIFY(reasonAt(d, 6).find("positive continuation is empty") != std::string::npos);
        QVERIFY(reasonAt(d, 7).find("identical") != std::string::npos);
        QVERIFY(reasonAt(d, 8).find("expected a JSON object") != std::string::npos);
        QVERIFY(reasonAt(d, 9).find("UTF-8") != std::string::npos);
        QVERIFY(d.problemSummary().find("line 3:") != std::string::npos);
    }

    void caaJsonArrayAndLists()
    {
        const std::string text = R"J([
  {"question": "Is it good?\n\nChoices:\n (A) Yes\n (B) No",
   "answer_matching_behavior": "(A)", "answer_not_matching_behavior": "(B)"},
  {"question": "Pick one. Answer:", "answer_matching_behavior": " (B)",
   "answer_not_matching_behavior": ["(A)", "(C)"]},
  {"question": "Broken", "answer_matching_behavior": 3, "answer_not_matching_behavior": "(B)"},
  {"question": "Next line\n",
   "answer_matching_behavior": "(A)", "answer_not_matching_behavior": "(B)"}
])J";
        ContrastiveDataset d = parseContrastiveDataset(text, DatasetFormat::Auto, "caa.json");
        QCOMPARE(d.format, DatasetFormat::Json);
        QCOMPARE(d.pairs.size(), std::size_t(4));
        // A space joins an answer to a question that does not end in whitespace.
        QCOMPARE(QString::fromStdString(d.pairs[0].positive), QStringLiteral(" (A)"));
        QCOMPARE(QString::fromStdString(d.pairs[0].negative), QStringLiteral(" (B)"));
        QCOMPARE(d.pairs[0].line, int64_t(2));
        // A list answer gives one pair per element; an answer with its own space is kept as is.
        QCOMPARE(QString::fromStdString(d.pairs[1].positive), QStringLiteral(" (B)"));
        QCOMPARE(QString::fromStdString(d.pairs[1].negative), QStringLiteral(" (A)"));
        QCOMPARE(QString::fromStdString(d.pairs[2].negative), QStringLiteral(" (C)"));
        QCOMPARE(d.pairs[2].line, int64_t(4));
        // A question ending in a newline needs no space.
        QCOMPARE(QString::fromStdString(d.pairs[3].positive), QStringLiteral("(A)"));
        QCOMPARE(d.pairs[3].line, int64_t(7));
        QCOMPARE(d.problems.size(), std::size_t(1));
        QCOMPARE(d.problems[0].line, int64_t(6));
        QVERIFY(d.problems[0].reason.find("answer_matching_behavior") != std::string::npos);

        // CAA records as JSONL work too.
        ContrastiveDataset l = parseContrastiveDataset(
            R"J({"question": "Q?", "answer_matching_behavior": "(A)", "answer_not_matching_behavior": "(B)"})J",
            DatasetFormat::Auto, "caa.jsonl");
        QCOMPARE(l.pairs.size(), std::size_t(1));
        QCOMPARE(QString::fromStdString(l.pairs[0].negative), QStringLiteral(" (B)"));

        sbtest::expectThrowContaining<FormatError>(
            [] { parseContrastiveDataset("[{\"question\": \"x\"", DatasetFormat::Json, "open.json"); },
            {"open.json", "never ends"});
    }

    void fuzzFindings()
    {
        // A '}' or ']' that closes nothing used to stop the array scanner without
        // consuming a byte: "[}]" looped forever (fuzz_pairs). Now a FormatError
        // with file, line and what was expected; the record before it is not lost.
        sbtest::expectThrowContaining<FormatError>(
            [] { parseContrastiveDataset("[}]", DatasetFormat::Auto, "brace.json"); },
            {"brace.json: line 1: unexpected '}' in the JSON array (expected a record, ',' or ']')"});
        sbtest::expectThrowContaining<FormatError>(
            [] {
                parseContrastiveDataset("[{\"prompt\": \"a\", \"positive\": \" b\", \"negative\": \" c\"},\n 1}]",
                                        DatasetFormat::Json, "late.json");
            },
            {"late.json: line 2: unexpected '}'"});
        // A number past the double range is nlohmann's out_of_range 406, not a
        // parse_error: it escaped both readers. Now a problem on its line.
        const std::string good = R"({"prompt": "a", "positive": " b", "negative": " c"})";
        ContrastiveDataset l =
            parseContrastiveDataset(good + "\n{\"prompt\": \"a\", \"weight\": 1e999}\n", DatasetFormat::Jsonl, "n.jsonl");
        QCOMPARE(l.pairs.size(), std::size_t(1));
        QCOMPARE(QString::fromStdString(reasonAt(l, 2)),
                 QStringLiteral("invalid JSON (number overflow parsing '1e999'; expected a number within the double "
                                "range)"));
        ContrastiveDataset a = parseContrastiveDataset("[" + good + ",\n  {\"prompt\": -1e999}]", DatasetFormat::Json,
                                                       "n.json");
        QCOMPARE(a.pairs.size(), std::size_t(1));
        QVERIFY(reasonAt(a, 2).find("number overflow parsing '-1e999'") != std::string::npos);
    }

    void csvQuotingAndLines()
    {
        const std::string text = "prompt,positive,negative,note\r\n"
                                 "\"Tom said, \"\"hi\"\".\",\" He smiled.\",\" He cried.\",x\r\n"
                                 "\"A story\nover two lines.\", Yes, No,y\n"
                                 "only,two\n"
                                 "\n"
                                 "P, bad\"quote, n,z\n"
                                 "Last, up, down,w\n"
                                 "\"never closed, a, b\n";
        ContrastiveDataset d = parseContrastiveDataset(text, DatasetFormat::Csv, "t.csv");
        QCOMPARE(d.pairs.size(), std::size_t(3));
        QCOMPARE(QString::fromStdString(d.pairs[0].prompt), QStringLiteral("Tom said, \"hi\"."));
        QCOMPARE(QString::fromStdString(d.pairs[0].positive), QStringLiteral(" He smiled."));
        QCOMPARE(d.pairs[0].line, int64_t(2));
        QCOMPARE(QString::fromStdString(d.pairs[1].prompt), QStringLiteral("A story\nover two lines."));
        QCOMPARE(d.pairs[1].line, int64_t(3));
        QCOMPARE(QString::fromStdString(d.pairs[2].prompt), QStringLiteral("Last"));
        QCOMPARE(d.pairs[2].line, int64_t(8));
        QCOMPARE(d.problems.size(), std::size_t(3));
        QVERIFY(reasonAt(d, 5).find("expected 4 fields, got 2") != std::string::npos);
        QVERIFY(reasonAt(d, 7).find("stray quote") != std::string::npos);
        QVERIFY(reasonAt(d, 9).find("unterminated") != std::string::npos);

        ContrastiveDataset caa = parseContrastiveDataset(
            "question,answer_matching_behavior,answer_not_matching_behavior\n\"Q? (A) y (B) n\",(A),(B)\n",
            DatasetFormat::Csv, "caa.csv");
        QCOMPARE(caa.pairs.size(), std::size_t(1));
        QCOMPARE(QString::fromStdString(caa.pairs[0].positive), QStringLiteral(" (A)"));

        sbtest::expectThrowContaining<FormatError>(
            [] { parseContrastiveDataset("a,b,c\n1,2,3\n", DatasetFormat::Csv, "cols.csv"); },
            {"cols.csv", "prompt, positive, negative"});
    }

    void hashIsFormatIndependentAndMatchesQt()
    {
        ContrastiveDataset j = parseContrastiveDataset(
            "{\"prompt\": \"P1\", \"positive\": \" a\", \"negative\": \" b\"}\n"
            "{\"negative\": \" d\", \"prompt\": \"P2\", \"positive\": \" c\"}\n",
            DatasetFormat::Jsonl, "x.jsonl");
        ContrastiveDataset c =
            parseContrastiveDataset("negative,prompt,positive\n\" b\",P1,\" a\"\n\" d\",P2,\" c\"\n", DatasetFormat::Csv,
                                    "x.csv");
        QCOMPARE(QString::fromStdString(j.hash()), QString::fromStdString(c.hash()));
        const QByteArray expected =
            QCryptographicHash::hash(canonical({{"P1", " a", " b"}, {"P2", " c", " d"}}), QCryptographicHash::Sha256)
                .toHex();
        QCOMPARE(QByteArray::fromStdString(j.hash()), expected);
        // Order matters; a one-character change matters.
        ContrastiveDataset swapped = j;
        std::swap(swapped.pairs[0], swapped.pairs[1]);
        QVERIFY(swapped.hash() != j.hash());
        ContrastiveDataset edited = j;
        edited.pairs[1].negative = " e";
        QVERIFY(edited.hash() != j.hash());
        // The stored content parses back to the same pairs.
        ContrastiveDataset back = parseContrastiveDataset(j.toJsonl(), DatasetFormat::Jsonl, "back.jsonl");
        QCOMPARE(QString::fromStdString(back.hash()), QString::fromStdString(j.hash()));
    }

    void bundledDatasetsAreClean()
    {
        for (const char* name : {"happy_vs_sad", "dog_vs_cat", "summary_preference"}) {
            const std::string path =
                sbtest::resourceDir().toStdString() + "/pairs/" + std::string(name) + ".jsonl";
            DatasetReadOptions strict;
            strict.strict = true;
            ContrastiveDataset d = readContrastiveDataset(path, strict);
            QVERIFY2(d.problems.empty(), name);
            QCOMPARE(QString::fromStdString(d.name), QString::fromUtf8(name));
            QVERIFY2(d.pairs.size() >= 40, name);
            for (const auto& p : d.pairs) {
                QVERIFY(!p.positive.empty() && p.positive[0] == ' ');
                QVERIFY(!p.negative.empty() && p.negative[0] == ' ');
            }
        }
        QCOMPARE(readContrastiveDataset(sbtest::resourceDir().toStdString() + "/pairs/happy_vs_sad.jsonl").pairs.size(),
                 std::size_t(60));
    }

    void readErrors()
    {
        QTemporaryDir dir;
        const QString bad = dir.filePath(QStringLiteral("bad.jsonl"));
        sbtest::writeBytes(bad, "{\"prompt\": 1}\nnot json\n");
        sbtest::expectThrowContaining<FormatError>([&] { readContrastiveDataset(bad.toStdString()); },
                                                   {"bad.jsonl", "no usable", "line 2"});
        const QString mixed = dir.filePath(QStringLiteral("mixed.jsonl"));
        sbtest::writeBytes(mixed, "{\"prompt\": \"a\", \"positive\": \" b\", \"negative\": \" c\"}\n{oops\n");
        QCOMPARE(readContrastiveDataset(mixed.toStdString()).problems.size(), std::size_t(1));
        DatasetReadOptions strict;
        strict.strict = true;
        sbtest::expectThrowContaining<FormatError>([&] { readContrastiveDataset(mixed.toStdString(), strict); },
                                                   {"mixed.jsonl", "line 2"});
        sbtest::expectThrowContaining<ResourceError>(
            [&] { readContrastiveDataset(dir.filePath(QStringLiteral("none.jsonl")).toStdString()); }, {"none.jsonl"});
        const QString empty = dir.filePath(QStringLiteral("empty.csv"));
        sbtest::writeBytes(empty, "");
        sbtest::expectThrowContaining<FormatError>([&] { readContrastiveDataset(empty.toStdString()); }, {"empty.csv"});
    }

    void seededSplit()
    {
        ContrastiveDataset d;
        d.name = "n";
        for (int i = 0; i < 60; ++i)
            d.pairs.push_back({"p" + std::to_string(i), " a", " b", i + 1});
        DatasetSplit s = splitDataset(d, 0.5, 2024);
        QCOMPARE(s.heldOut.pairs.size(), std::size_t(30));
        QCOMPARE(s.train.pairs.size(), std::size_t(30));
        std::set<int64_t> all(s.trainIndices.begin(), s.trainIndices.end());
        for (auto i : s.heldOutIndices)
            QVERIFY(all.insert(i).second); // disjoint
        QCOMPARE(all.size(), std::size_t(60));
        QVERIFY(std::is_sorted(s.heldOutIndices.begin(), s.heldOutIndices.end()));
        for (std::size_t k = 0; k < s.heldOut.pairs.size(); ++k)
            QCOMPARE(s.heldOut.pairs[k].line, s.heldOutIndices[k] + 1);
        // Reproducible, seed-dependent, and not simply the first or last half.
        QCOMPARE(splitDataset(d, 0.5, 2024).heldOutIndices, s.heldOutIndices);
        QVERIFY(splitDataset(d, 0.5, 2025).heldOutIndices != s.heldOutIndices);
        QVERIFY(s.heldOutIndices.front() < 30 && s.heldOutIndices.back() >= 30);
        QCOMPARE(splitDataset(d, 0.25, 1).heldOut.pairs.size(), std::size_t(15));
        QCOMPARE(splitDataset(d, 0.0, 1).train.pairs.size(), std::size_t(60));
        ContrastiveDataset two;
        two.pairs = {d.pairs[0], d.pairs[1]};
        DatasetSplit t = splitDataset(two, 0.9, 3);
        QCOMPARE(t.heldOut.pairs.size(), std::size_t(1)); // at least one left to train on
        sbtest::expectThrowContaining<InputError>([&] { splitDataset(d, 1.0, 1); }, {"fraction"});
        ContrastiveDataset one;
        one.pairs = {d.pairs[0]};
        sbtest::expectThrowContaining<InputError>([&] { splitDataset(one, 0.5, 1); }, {"at least 2"});
    }
    void evaluationPairSelection()
    {
        ContrastiveDataset d;
        d.name = "n";
        for (int i = 0; i < 20; ++i)
            d.pairs.push_back({"p" + std::to_string(i), " a", " b", i + 1});
        ContrastiveDataset other = d;
        other.pairs[0].negative = " c"; // another hash
        PreferenceVector own;
        own.datasetHash = d.hash();
        own.splitSeed = 7;
        own.heldOutFraction = 0.25;
        auto lines = [](const std::vector<ContrastivePair>& ps) {
            std::vector<int64_t> out;
            for (const auto& p : ps)
                out.push_back(p.line - 1);
            return out;
        };
        std::string why;
        // Auto: the vector's own split when it came from this dataset...
        QCOMPARE(lines(evaluationPairs(d, own, PairSelection{}, &why)), splitDataset(d, 0.25, 7).heldOutIndices);
        QVERIFY(why.find("held-out") != std::string::npos && why.find("other 15") != std::string::npos);
        // ...all pairs of a dataset it was not extracted from.
        QCOMPARE(evaluationPairs(other, own, PairSelection{}, &why).size(), std::size_t(20));
        QVERIFY(why.find("not extracted") != std::string::npos);
        PairSelection all;
        all.mode = PairSelection::Mode::All;
        QCOMPARE(evaluationPairs(d, own, all, &why).size(), std::size_t(20));
        QVERIFY(why.find("includes the pairs") != std::string::npos);
        // HeldOut: the asked split, whatever the vector's origin.
        PairSelection held;
        held.mode = PairSelection::Mode::HeldOut;
        held.splitSeed = 3;
        held.heldOutFraction = 0.5;
        QCOMPARE(lines(evaluationPairs(other, own, held, &why)), splitDataset(other, 0.5, 3).heldOutIndices);
        QVERIFY(why.find("seed 3") != std::string::npos);
    }
};

QTEST_GUILESS_MAIN(TestContrastiveDataset)
#include "test_contrastive_dataset.moc"
