// Cross-tokenizer alignment by character spans, on hand-built Encodings and on
// two small tokenizers written here (word-level and character-level) that
// implement the engine's Tokenizer interface; vocabulary normalisation; the
// probe corpus reader.

#include "common/test_util.h"

#include "engine/comparison.h"
#include "engine/errors.h"
#include "engine/token_alignment.h"

#include <QTemporaryDir>

#include <map>
#include <set>

using namespace sb;

namespace {

Encoding enc(std::vector<std::pair<std::string, std::pair<int64_t, int64_t>>> toks, std::vector<bool> special = {})
{
    Encoding e;
    for (std::size_t i = 0; i < toks.size(); ++i) {
        e.ids.push_back(static_cast<int64_t>(i));
        e.tokens.push_back(toks[i].first);
        e.offsets.push_back(toks[i].second);
        e.byteOffsets.push_back(toks[i].second);
        e.special.push_back(i < special.size() && special[i]);
        const std::string& t = toks[i].first;
        e.wordStart.push_back(!e.special.back() && (t.rfind("\xe2\x96\x81", 0) == 0 || t.rfind("\xc4\xa0", 0) == 0 || i == 0 ||
                                                     (i == 1 && special.size() > 0 && special[0])));
    }
    return e;
}

const std::string kText = "Once upon a time, Lily smiled.";

// SentencePiece-like, with a BOS; "▁" is U+2581.
Encoding spEncoding()
{
    return enc({{"<s>", {0, 0}},
                {"\xe2\x96\x81Once", {0, 4}},
                {"\xe2\x96\x81up", {4, 7}},
                {"on", {7, 9}},
                {"\xe2\x96\x81" "a", {9, 11}},
                {"\xe2\x96\x81time", {11, 16}},
                {",", {16, 17}},
                {"\xe2\x96\x81L", {17, 19}},
                {"ily", {19, 22}},
                {"\xe2\x96\x81sm", {22, 25}},
                {"iled", {25, 29}},
                {".", {29, 30}}},
               {true});
}

// Byte-level-like ("Ġ" is U+0120), no special tokens, a token across "time,".
Encoding blEncoding()
{
    return enc({{"Once", {0, 4}},
                {"\xc4\xa0upon", {4, 9}},
                {"\xc4\xa0" "a", {9, 11}},
                {"\xc4\xa0ti", {11, 14}},
                {"me,", {14, 17}},
                {"\xc4\xa0Lily", {17, 22}},
                {"\xc4\xa0smiled.", {22, 30}}});
}

/// A tokenizer written for this test: one token per whitespace-separated word
/// (byte-level style, "Ġ" marks a preceding space), or one per character.
class TestTokenizer : public Tokenizer {
public:
    explicit TestTokenizer(bool perCharacter) : m_perChar(perCharacter) {}

    Encoding encode(std::string_view text, bool addSpecialTokens) const override
    {
        Encoding e;
        if (addSpecialTokens && !m_perChar) {
            e.ids.push_back(0);
            e.tokens.push_back("<bos>");
            e.offsets.push_back({0, 0});
            e.byteOffsets.push_back({0, 0});
            e.wordStart.push_back(false);
            e.special.push_back(true);
        }
        // ASCII only in this test: code points == bytes.
        for (std::size_t i = 0; i < text.size();) {
            if (text[i] == ' ') {
                ++i;
                continue;
            }
            std::size_t j = i + 1;
            if (!m_perChar)
                while (j < text.size() && text[j] != ' ')
                    ++j;
            const bool afterSpace = i > 0 && text[i - 1] == ' ';
            const bool startsWord = i == 0 || afterSpace;
            std::string tok = std::string(afterSpace && !m_perChar ? "\xc4\xa0" : "") + std::string(text.substr(i, j - i));
            const int64_t begin = afterSpace && !m_perChar ? static_cast<int64_t>(i - 1) : static_cast<int64_t>(i);
            e.ids.push_back(idFor(tok));
            e.tokens.push_back(tok);
            e.offsets.push_back({begin, static_cast<int64_t>(j)});
            e.byteOffsets.push_back(e.offsets.back());
            e.wordStart.push_back(startsWord);
            e.special.push_back(false);
            i = j;
        }
        return e;
    }
    std::string decode(const std::vector<int64_t>&, bool) const override { return {}; }
    TokenizerKind kind() const override { return m_perChar ? TokenizerKind::SentencePieceBPE : TokenizerKind::ByteLevelBPE; }
    int64_t vocabSize() const override { return static_cast<int64_t>(m_vocab.size()); }
    std::string idToToken(int64_t id) const override { return m_vocab.at(static_cast<std::size_t>(id)); }
    std::optional<int64_t> tokenToId(const std::string& t) const override
    {
        auto it = m_ids.find(t);
        return it == m_ids.end() ? std::nullopt : std::optional<int64_t>(it->second);
    }
    bool isSpecial(int64_t id) const override { return id == 0; }
    std::optional<int64_t> bosId() const override { return 0; }
    std::optional<int64_t> eosId() const override { return std::nullopt; }
    std::vector<std::string> specialTokens() const override { return {"<bos>"}; }
    std::string sourcePath() const override { return "test"; }

    /// Registers tokens up front so vocabSize() covers everything encode() will use.
    void learn(const std::vector<std::string>& sentences)
    {
        for (const auto& s : sentences)
            encode(s, false);
    }

private:
    int64_t idFor(const std::string& t) const
    {
        auto it = m_ids.find(t);
        if (it != m_ids.end())
            return it->second;
        m_vocab.push_back(t);
        return m_ids[t] = static_cast<int64_t>(m_vocab.size() - 1);
    }
    bool m_perChar;
    mutable std::vector<std::string> m_vocab = {"<bos>"};
    mutable std::map<std::string, int64_t> m_ids = {{"<bos>", 0}};
};

} // namespace

class TestTokenAlignment : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void words()
    {
        using P = std::vector<std::pair<int64_t, int64_t>>;
        QCOMPARE(wordSpans(kText), (P{{0, 4}, {5, 9}, {10, 11}, {12, 17}, {18, 22}, {23, 30}}));
        QCOMPARE(wordSpans("  a\tbb\n\nccc  "), (P{{2, 3}, {4, 6}, {8, 11}}));
        QCOMPARE(wordSpans(""), P{});
        // Code points, not bytes: "é" is one position; a no-break space is not whitespace here.
        QCOMPARE(wordSpans("caf\xc3\xa9 au"), (P{{0, 4}, {5, 7}}));
    }

    void alignsLastTokenOfEachWord()
    {
        const Encoding a = spEncoding(), b = blEncoding();
        const WordAlignment w = alignWordEnds(kText, a, b);
        QCOMPARE(w.words, int64_t(6));
        // Word ends 4, 9, 11, 17, 22, 30: SentencePiece tokens 1, 3, 4, 6, 8, 11; byte-level 0, 1, 2, 4, 5, 6.
        using P = std::vector<std::pair<int64_t, int64_t>>;
        QCOMPARE(w.positions, (P{{1, 0}, {3, 1}, {4, 2}, {6, 4}, {8, 5}, {11, 6}}));
        QCOMPARE(lastTokenEndingAt(a, 0), int64_t(-1)); // the BOS ({0, 0}) never aligns
        QCOMPARE(lastTokenEndingAt(a, 7), int64_t(2));
    }

    void tokenAcrossWordEndDropsTheWord()
    {
        // One token covers "a time": the word "a" has no token end in b.
        Encoding b = enc({{"Once", {0, 4}},
                          {"\xc4\xa0upon", {4, 9}},
                          {"\xc4\xa0" "a\xc4\xa0time", {9, 16}},
                          {",", {16, 17}},
                          {"\xc4\xa0Lily", {17, 22}},
                          {"\xc4\xa0smiled.", {22, 30}}});
        const WordAlignment w = alignWordEnds(kText, spEncoding(), b);
        QCOMPARE(w.words, int64_t(6));
        using P = std::vector<std::pair<int64_t, int64_t>>;
        QCOMPARE(w.positions, (P{{1, 0}, {3, 1}, {6, 3}, {8, 4}, {11, 5}}));
    }

    void byteTokensOfOneCharacter()
    {
        // "café": two byte tokens share the span of "é"; the last one is the word's last token.
        const std::string text = "caf\xc3\xa9 au";
        Encoding a = enc({{"\xe2\x96\x81" "caf\xc3\xa9", {0, 4}}, {"\xe2\x96\x81" "au", {4, 7}}});
        Encoding b = enc({{"caf", {0, 3}}, {"<0xC3>", {3, 4}}, {"<0xA9>", {3, 4}}, {"\xc4\xa0" "au", {4, 7}}});
        const WordAlignment w = alignWordEnds(text, a, b);
        using P = std::vector<std::pair<int64_t, int64_t>>;
        QCOMPARE(w.positions, (P{{0, 2}, {1, 3}}));
    }

    void boundaryCounts()
    {
        BoundaryCounts c;
        countBoundaries(kText, spEncoding(), blEncoding(), c);
        // Token ends: a {4,7,9,11,16,17,19,22,25,29,30}, b {4,9,11,14,17,22,30}: 6 shared of 12.
        QCOMPARE(c.tokenEndsBoth, int64_t(6));
        QCOMPARE(c.tokenEndsEither, int64_t(12));
        QCOMPARE(c.tokensA, int64_t(11));
        QCOMPARE(c.tokensB, int64_t(7));
        // Word starts (first non-space character of word-start tokens): a {0,5,10,12,18,23}, b {0,5,10,12,18,23}.
        QCOMPARE(c.wordStartsBoth, int64_t(6));
        QCOMPARE(c.wordStartsEither, int64_t(6));
    }

    void normalisation()
    {
        QCOMPARE(normaliseToken("\xe2\x96\x81the", TokenizerKind::SentencePieceBPE), std::string(" the"));
        QCOMPARE(normaliseToken("\xc4\xa0the", TokenizerKind::ByteLevelBPE), std::string(" the"));
        QCOMPARE(normaliseToken("the", TokenizerKind::ByteLevelBPE), std::string("the"));
        QCOMPARE(normaliseToken("<0x0A>", TokenizerKind::SentencePieceBPE), std::string("\n"));
        QCOMPARE(normaliseToken("\xc4\x8a", TokenizerKind::ByteLevelBPE), std::string("\n")); // "Ċ"
        QCOMPARE(normaliseToken("\xc3\x83\xc2\xa9", TokenizerKind::ByteLevelBPE), std::string("\xc3\xa9")); // "Ã©" -> é
        QCOMPARE(normaliseToken("\xe2\x96\x81\xe2\x96\x81", TokenizerKind::Unigram), std::string("  "));
        QCOMPARE(normaliseToken("caf\xc3\xa9", TokenizerKind::SentencePieceModel), std::string("caf\xc3\xa9"));
        int64_t shared = 0, na = 0, nb = 0;
        const double j = vocabularyOverlap({"a", " the", "x", "a"}, {" the", "a", "y", "z"}, &shared, &na, &nb);
        QCOMPARE(shared, int64_t(2));
        QCOMPARE(na, int64_t(3));
        QCOMPARE(nb, int64_t(4));
        QCOMPARE(j, 2.0 / 5.0);
    }

    void compareTestTokenizers()
    {
        const std::vector<std::string> probe = {"the cat sat", "a dog ran to the cat", "hello there"};
        TestTokenizer words(false), chars(true);
        words.learn(probe);
        chars.learn(probe);
        const TokenizerComparison t = compareTokenizers(words, chars, probe);
        QVERIFY(t.measured);
        // Independent counts: word tokens end at word ends only; character tokens at every
        // non-space character. So ends(words) is a subset and the agreement is words / characters.
        int64_t nWords = 0, nChars = 0;
        std::set<std::string> wordVocab, charVocab;
        for (const auto& s : probe) {
            std::size_t i = 0;
            bool first = true;
            while (i < s.size()) {
                std::size_t j = s.find(' ', i);
                if (j == std::string::npos)
                    j = s.size();
                wordVocab.insert((first ? "" : " ") + s.substr(i, j - i));
                for (std::size_t k = i; k < j; ++k)
                    charVocab.insert(std::string(1, s[k]));
                ++nWords;
                nChars += static_cast<int64_t>(j - i);
                first = false;
                i = j + 1;
            }
        }
        QCOMPARE(t.words, nWords);
        QCOMPARE(t.alignedWords, nWords);
        QCOMPARE(t.sourceTokens, nWords);
        QCOMPARE(t.targetTokens, nChars);
        QCOMPARE(t.boundaryAgreement, static_cast<double>(nWords) / static_cast<double>(nChars));
        QCOMPARE(t.wordStartAgreement, 1.0);
        // Vocabulary: word tokens (with " " for Ġ) vs characters; shared are one-letter words ("a").
        int64_t shared = 0;
        for (const auto& w : wordVocab)
            shared += charVocab.count(w) ? 1 : 0;
        QCOMPARE(t.sharedTokens, shared);
        QCOMPARE(t.sourceVocab, static_cast<int64_t>(wordVocab.size()));
        QCOMPARE(t.targetVocab, static_cast<int64_t>(charVocab.size()));
        QCOMPARE(t.vocabOverlap, static_cast<double>(shared) /
                                     static_cast<double>(wordVocab.size() + charVocab.size() - static_cast<std::size_t>(shared)));
        // Against itself: everything agrees.
        const TokenizerComparison self = compareTokenizers(words, words, probe);
        QCOMPARE(self.vocabOverlap, 1.0);
        QCOMPARE(self.boundaryAgreement, 1.0);
    }

    void alignProbeUsesModelInputs()
    {
        TestTokenizer words(false), chars(true);
        const std::vector<std::string> probe = {"the cat sat", "hi"};
        const AlignedProbe p = alignProbe(words, chars, probe, 512, 512);
        QCOMPARE(p.words, int64_t(4));
        QCOMPARE(p.sourceIds.size(), std::size_t(2));
        // Word model: <bos> the cat sat -> last tokens of the words are 1, 2, 3.
        QCOMPARE(p.sourcePositions[0], (std::vector<int64_t>{1, 2, 3}));
        // Character model: t h e c a t s a t -> word ends at 2, 5, 8.
        QCOMPARE(p.targetPositions[0], (std::vector<int64_t>{2, 5, 8}));
        QCOMPARE(p.sourceIds[0].size(), std::size_t(4));
        QCOMPARE(p.targetIds[0].size(), std::size_t(9));
        // A context of 3 tokens keeps what fits in both.
        const AlignedProbe cut = alignProbe(words, chars, probe, 512, 6);
        QCOMPARE(cut.targetPositions[0], (std::vector<int64_t>{2, 5}));
        QCOMPARE(cut.sourcePositions[0], (std::vector<int64_t>{1, 2}));
        QCOMPARE(cut.targetIds[0].size(), std::size_t(6));
    }

    void probeCorpusFile()
    {
        QTemporaryDir dir;
        const QString path = dir.path() + QStringLiteral("/probe.txt");
        sbtest::writeBytes(path, QByteArray("# a comment\r\n  The cat sat.  \r\n\r\n\tA dog ran.\n# end\nLast line"));
        QCOMPARE(readProbeCorpus(path.toStdString()),
                 (std::vector<std::string>{"The cat sat.", "A dog ran.", "Last line"}));
        sbtest::writeBytes(path, QByteArray("ok\nbad \xff byte\n"));
        sbtest::expectThrowContaining<FormatError>([&] { readProbeCorpus(path.toStdString()); },
                                                   {"probe.txt", "line 2", "UTF-8"});
        sbtest::writeBytes(path, QByteArray("# only comments\n\n"));
        sbtest::expectThrowContaining<FormatError>([&] { readProbeCorpus(path.toStdString()); }, {"no sentences"});
        sbtest::expectThrowContaining<ResourceError>(
            [&] { readProbeCorpus(QString(dir.path() + QStringLiteral("/none.txt")).toStdString()); }, {"none.txt"});
        // The bundled corpus: ~500 sentences, every one with at least three words.
        const auto bundled = readProbeCorpus(QString(sbtest::resourceDir() + QStringLiteral("/corpus/probe.txt")).toStdString());
        QVERIFY(bundled.size() >= 500);
        for (const auto& s : bundled)
            QVERIFY2(wordSpans(s).size() >= 3, s.c_str());
    }

    void fnv()
    {
        // Published FNV-1a 64 test vectors.
        QCOMPARE(fnv1a64Hex(""), std::string("cbf29ce484222325"));
        QCOMPARE(fnv1a64Hex("a"), std::string("af63dc4c8601ec8c"));
        QCOMPARE(fnv1a64Hex("foobar"), std::string("85944171f73967e8"));
    }
};

QTEST_GUILESS_MAIN(TestTokenAlignment)
#include "test_token_alignment.moc"
