#include "engine/evaluation.h"

#include "engine/contrastive_dataset.h"
#include "engine/errors.h"
#include "engine/file_util.h"
#include "engine/model.h"
#include "engine/tokenizer.h"

#include <ATen/ATen.h>
#include <c10/core/InferenceMode.h>
#include <nlohmann/json.hpp>
#include <zlib.h>

#include <algorithm>
#include <cmath>

namespace sb {

double PairScores::gapPerToken(std::size_t i) const
{
    return logProbPositive[i] / static_cast<double>(std::max<int64_t>(tokensPositive[i], 1)) -
           logProbNegative[i] / static_cast<double>(std::max<int64_t>(tokensNegative[i], 1));
}

namespace {

uint64_t splitmix(uint64_t& state)
{
    uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

ForwardOptions forwardOptions(const TokenBatch& batch, const HookSet* hooks, const std::function<bool()>& keepGoing)
{
    ForwardOptions fo;
    fo.hooks = hooks;
    fo.keepGoing = keepGoing;
    if (batch.padded)
        fo.attentionMask = batch.mask;
    return fo;
}

} // namespace

at::Tensor sequenceLogProbs(const TransformerModel& model, const TokenBatch& batch,
                            const std::vector<std::pair<int64_t, int64_t>>& ranges, const HookSet* hooks,
                            const std::function<bool()>& keepGoing)
{
    const int64_t B = batch.ids.size(0);
    if (static_cast<int64_t>(ranges.size()) != B)
        throw ShapeError("sequence log-probs: " + std::to_string(ranges.size()) + " ranges for a batch of " +
                         std::to_string(B));
    at::Tensor logits = model.forward(batch.ids, forwardOptions(batch, hooks, keepGoing)); // [B, S, V]
    at::Tensor logp = at::log_softmax(logits, -1);
    std::vector<int64_t> rows, cols, toks;
    auto ids = batch.ids.accessor<int64_t, 2>();
    for (int64_t b = 0; b < B; ++b) {
        const int64_t pad = batch.padding[static_cast<std::size_t>(b)];
        const auto [begin, end] = ranges[static_cast<std::size_t>(b)];
        if (begin < 1)
            throw InputError("sequence log-probs: token 0 of a sequence has no context to be scored from");
        for (int64_t i = begin; i < end; ++i) {
            rows.push_back(b);
            cols.push_back(pad + i - 1);
            toks.push_back(ids[b][pad + i]);
        }
    }
    at::Tensor r = at::tensor(rows, at::kLong), c = at::tensor(cols, at::kLong), t = at::tensor(toks, at::kLong);
    at::Tensor picked = logp.index({r, c, t}); // [N]
    return at::zeros({B}, picked.options()).index_add(0, r, picked);
}

PairScores scorePairs(const TransformerModel& model, const std::vector<TokenizedPair>& pairs, const HookSet* hooks,
                      const ScoreOptions& options)
{
    c10::InferenceMode guard;
    PairScores s;
    const auto n = static_cast<int64_t>(pairs.size());
    s.logProbPositive.resize(static_cast<std::size_t>(n));
    s.logProbNegative.resize(static_cast<std::size_t>(n));
    s.tokensPositive.resize(static_cast<std::size_t>(n));
    s.tokensNegative.resize(static_cast<std::size_t>(n));
    const int64_t total = 2 * n;
    const int64_t bs = std::max<int64_t>(options.batchSize, 1);
    for (int64_t start = 0; start < total; start += bs) {
        const int64_t end = std::min(total, start + bs);
        std::vector<const std::vector<int64_t>*> seqs;
        std::vector<std::pair<int64_t, int64_t>> ranges;
        for (int64_t k = start; k < end; ++k) {
            const auto& p = pairs[static_cast<std::size_t>(k / 2)];
            const TokenizedText& t = k % 2 == 0 ? p.positive : p.negative;
            seqs.push_back(&t.ids);
            ranges.emplace_back(t.scoreBegin, t.scoreEnd);
        }
        TokenBatch batch = makeLeftPaddedBatch(seqs);
        at::Tensor lp = sequenceLogProbs(model, batch, ranges, hooks, options.keepGoing).to(at::kDouble);
        auto acc = lp.accessor<double, 1>();
        for (int64_t k = start; k < end; ++k) {
            const auto i = static_cast<std::size_t>(k / 2);
            const auto& range = ranges[static_cast<std::size_t>(k - start)];
            if (k % 2 == 0) {
                s.logProbPositive[i] = acc[k - start];
                s.tokensPositive[i] = range.second - range.first;
            } else {
                s.logProbNegative[i] = acc[k - start];
                s.tokensNegative[i] = range.second - range.first;
            }
        }
    }
    return s;
}

namespace {
/// r.low / r.high: the central `level` of the resampled means (linear
/// interpolation between order statistics). Sorts `means`.
void setPercentileInterval(std::vector<double>& means, double level, MeanWithCi& r)
{
    std::sort(means.begin(), means.end());
    auto quantile = [&](double q) {
        const double pos = q * static_cast<double>(means.size() - 1);
        const auto lo = static_cast<std::size_t>(std::floor(pos));
        const auto hi = std::min(lo + 1, means.size() - 1);
        const double w = pos - static_cast<double>(lo);
        return means[lo] * (1.0 - w) + means[hi] * w;
    };
    const double tail = (1.0 - level) / 2.0;
    r.low = quantile(tail);
    r.high = quantile(1.0 - tail);
}
} // namespace

MeanWithCi bootstrapMean(const std::vector<double>& values, uint64_t seed, int resamples, double level)
{
    MeanWithCi r;
    r.n = static_cast<int64_t>(values.size());
    if (values.empty())
        return r;
    double sum = 0.0;
    for (double v : values)
        sum += v;
    r.mean = sum / static_cast<double>(values.size());
    if (values.size() == 1 || resamples < 2) {
        r.low = r.high = r.mean;
        return r;
    }
    uint64_t state = seed;
    const auto n = static_cast<uint64_t>(values.size());
    std::vector<double> means(static_cast<std::size_t>(resamples));
    for (auto& m : means) {
        double s = 0.0;
        for (uint64_t k = 0; k < n; ++k)
            s += values[static_cast<std::size_t>(splitmix(state) % n)];
        m = s / static_cast<double>(n);
    }
    setPercentileInterval(means, level, r);
    return r;
}

MeanWithCi bootstrapMeanTwoLevel(const std::vector<std::vector<double>>& values, uint64_t seed, int resamples,
                                 double level)
{
    MeanWithCi r;
    const auto d = static_cast<uint64_t>(values.size());
    if (d == 0 || values.front().empty())
        return r;
    const auto n = static_cast<uint64_t>(values.front().size());
    for (const auto& row : values)
        if (row.size() != n)
            throw InputError("bootstrap: every draw must score the same " + std::to_string(n) + " pairs (one has " +
                             std::to_string(row.size()) + ")");
    r.n = static_cast<int64_t>(n);
    double sum = 0.0;
    for (const auto& row : values)
        for (double v : row)
            sum += v;
    r.mean = sum / static_cast<double>(d * n);
    if (d * n == 1 || resamples < 2) {
        r.low = r.high = r.mean;
        return r;
    }
    uint64_t state = seed;
    std::vector<double> means(static_cast<std::size_t>(resamples));
    std::vector<std::size_t> rows(static_cast<std::size_t>(d));
    for (auto& m : means) {
        for (auto& row : rows)
            row = static_cast<std::size_t>(splitmix(state) % d);
        double s = 0.0;
        for (uint64_t k = 0; k < n; ++k) {
            const auto col = static_cast<std::size_t>(splitmix(state) % n);
            for (std::size_t row : rows)
                s += values[row][col];
        }
        m = s / static_cast<double>(d * n);
    }
    setPercentileInterval(means, level, r);
    return r;
}

// --- side effects ---

namespace {
/// Real positions c (columns) of row b that predict a next real token: [pad, S - 1).
at::Tensor nextTokenMask(const TokenBatch& batch)
{
    const int64_t S = batch.ids.size(1);
    at::Tensor m = batch.mask.to(at::kBool);
    at::Tensor pred = at::zeros_like(m);
    if (S > 1)
        pred.narrow(1, 0, S - 1).copy_(m.narrow(1, 0, S - 1).logical_and(m.narrow(1, 1, S - 1)));
    return pred;
}

at::Tensor nextTokenNll(const at::Tensor& logp, const TokenBatch& batch)
{
    const int64_t S = batch.ids.size(1);
    at::Tensor next = at::cat({batch.ids.narrow(1, 1, S - 1), at::zeros({batch.ids.size(0), 1}, at::kLong)}, 1);
    return -logp.gather(2, next.unsqueeze(2)).squeeze(2); // [B, S]
}
} // namespace

NeutralBaseline::NeutralBaseline(const TransformerModel& model, std::vector<TokenizedText> texts, int64_t batchSize)
    : m_model(model), m_texts(std::move(texts)), m_batchSize(std::max<int64_t>(batchSize, 1))
{
    c10::InferenceMode guard;
    const int64_t vocab = model.spec().vocabSize;
    int64_t tokens = 0;
    for (const auto& t : m_texts)
        tokens += static_cast<int64_t>(t.ids.size());
    // Keep the unsteered distributions when they fit in 256 MB; else recompute them per measurement.
    const bool keep = static_cast<double>(tokens) * static_cast<double>(vocab) * 4.0 < 256.0 * 1024 * 1024;
    for (std::size_t start = 0; start < m_texts.size(); start += static_cast<std::size_t>(m_batchSize)) {
        std::vector<const std::vector<int64_t>*> seqs;
        for (std::size_t k = start; k < std::min(m_texts.size(), start + static_cast<std::size_t>(m_batchSize)); ++k)
            seqs.push_back(&m_texts[k].ids);
        TokenBatch batch = makeLeftPaddedBatch(seqs);
        at::Tensor logp = at::log_softmax(model.forward(batch.ids, forwardOptions(batch, nullptr, {})), -1);
        at::Tensor mask = nextTokenMask(batch);
        at::Tensor nll = nextTokenNll(logp, batch);
        m_nll += nll.masked_select(mask).to(at::kDouble).sum().item<double>();
        m_count += mask.sum().item<int64_t>();
        m_logProbs.push_back(keep ? logp : at::Tensor());
        m_batches.push_back(std::move(batch));
    }
}

SideEffects NeutralBaseline::measure(const HookSet* hooks) const
{
    c10::InferenceMode guard;
    SideEffects s;
    if (m_count == 0)
        return s;
    double kl = 0.0, nll = 0.0;
    for (std::size_t i = 0; i < m_batches.size(); ++i) {
        const TokenBatch& batch = m_batches[i];
        at::Tensor base = m_logProbs[i].defined()
                              ? m_logProbs[i]
                              : at::log_softmax(m_model.forward(batch.ids, forwardOptions(batch, nullptr, {})), -1);
        at::Tensor steered = at::log_softmax(m_model.forward(batch.ids, forwardOptions(batch, hooks, {})), -1);
        at::Tensor mask = nextTokenMask(batch);
        at::Tensor klPos = (base.exp() * (base - steered)).sum(-1); // [B, S]
        kl += klPos.masked_select(mask).to(at::kDouble).sum().item<double>();
        nll += nextTokenNll(steered, batch).masked_select(mask).to(at::kDouble).sum().item<double>();
    }
    s.positions = m_count;
    s.kl = kl / static_cast<double>(m_count);
    s.pplUnsteered = std::exp(m_nll / static_cast<double>(m_count));
    s.pplSteered = std::exp(nll / static_cast<double>(m_count));
    return s;
}

std::vector<std::string> readNeutralTexts(const std::string& path, int maxTexts, int maxChars)
{
    std::string raw;
    if (path.size() > 3 && path.compare(path.size() - 3, 3, ".gz") == 0) {
        gzFile gz = gzopen(path.c_str(), "rb");
        if (!gz)
            throw ResourceError(path + ": cannot open file");
        char buf[1 << 16];
        int got;
        while ((got = gzread(gz, buf, sizeof buf)) > 0)
            raw.append(buf, static_cast<std::size_t>(got));
        const bool bad = got < 0;
        gzclose(gz);
        if (bad)
            throw FormatError(path + ": not a valid gzip file");
    } else {
        raw = readWholeFile(path);
    }
    // Documents: split at <|endoftext|> when present, else at blank lines.
    std::vector<std::string> docs;
    const std::string marker = "<|endoftext|>";
    auto splitOn = [&](const std::string& sep) {
        std::size_t pos = 0;
        while (pos <= raw.size()) {
            std::size_t next = raw.find(sep, pos);
            if (next == std::string::npos)
                next = raw.size();
            docs.push_back(raw.substr(pos, next - pos));
            pos = next + sep.size();
        }
    };
    if (raw.find(marker) != std::string::npos)
        splitOn(marker);
    else
        splitOn("\n\n");
    std::vector<std::string> out;
    for (auto& d : docs) {
        std::string t;
        bool space = false;
        for (char c : d) {
            if (c == '\n' || c == '\r' || c == '\t' || c == ' ') {
                space = !t.empty();
                continue;
            }
            if (space)
                t.push_back(' ');
            space = false;
            t.push_back(c);
        }
        if (t.empty() || !isValidUtf8(t))
            continue;
        if (static_cast<int>(t.size()) > maxChars) {
            std::size_t cut = t.find_first_of(".!?", static_cast<std::size_t>(maxChars));
            if (cut != std::string::npos) {
                t.resize(cut + 1);
                // keep a closing quote with its sentence
                if (cut + 1 < d.size() && d[cut + 1] == '"')
                    t.push_back('"');
            }
        }
        out.push_back(t);
        if (static_cast<int>(out.size()) >= maxTexts)
            break;
    }
    if (out.empty())
        throw FormatError(path + ": no text found for the neutral probe");
    return out;
}

std::vector<TokenizedText> tokenizeNeutralTexts(const Tokenizer& tok, const std::vector<std::string>& texts,
                                                int64_t maxTokens)
{
    std::vector<TokenizedText> out;
    for (const auto& s : texts) {
        Encoding e = tok.encode(s, true);
        TokenizedText t;
        t.ids = e.ids;
        t.special = e.special;
        if (t.special.size() != t.ids.size())
            t.special.assign(t.ids.size(), false);
        if (static_cast<int64_t>(t.ids.size()) > maxTokens) {
            t.ids.resize(static_cast<std::size_t>(maxTokens));
            t.special.resize(static_cast<std::size_t>(maxTokens));
        }
        if (t.ids.size() < 2)
            continue;
        t.scoreBegin = 1;
        t.scoreEnd = static_cast<int64_t>(t.ids.size());
        out.push_back(std::move(t));
    }
    return out;
}

// --- the whole comparison ---

const ConditionResult* EvaluationReport::find(const std::string& label, double alpha) const
{
    for (const auto& c : conditions)
        if (c.label == label && c.alpha == alpha)
            return &c;
    return nullptr;
}

std::optional<double> EvaluationReport::transferEfficiency(double alpha) const
{
    const auto* v = find("vector", alpha);
    const auto* n = find("native", alpha);
    if (!v || !n || n->shift.mean == 0.0)
        return std::nullopt;
    return v->shift.mean / n->shift.mean;
}

namespace {
nlohmann::json ciJson(const MeanWithCi& m) { return nlohmann::json::array({m.low, m.high}); }
} // namespace

nlohmann::json EvaluationReport::toJson() const
{
    nlohmann::json j;
    j["model"] = model;
    j["num_pairs"] = numPairs;
    j["unsteered"] = {{"gap", unsteeredGap.mean},
                      {"ci", ciJson(unsteeredGap)},
                      {"gap_per_token", unsteeredGapPerToken.mean},
                      {"ci_per_token", ciJson(unsteeredGapPerToken)}};
    j["conditions"] = nlohmann::json::array();
    for (const auto& c : conditions) {
        nlohmann::json cj;
        cj["label"] = c.label;
        cj["alpha"] = c.alpha;
        cj["shift"] = c.shift.mean;
        cj["ci"] = ciJson(c.shift);
        cj["shift_per_token"] = c.shiftPerToken.mean;
        cj["ci_per_token"] = ciJson(c.shiftPerToken);
        if (c.sideEffects) {
            cj["kl"] = c.sideEffects->kl;
            cj["ppl_unsteered"] = c.sideEffects->pplUnsteered;
            cj["ppl_steered"] = c.sideEffects->pplSteered;
            cj["ppl_change"] = c.sideEffects->pplChange();
        }
        if (!c.drawShifts.empty())
            cj["draw_shifts"] = c.drawShifts;
        j["conditions"].push_back(cj);
    }
    if (cosineToNative)
        j["cosine_to_native"] = *cosineToNative;
    nlohmann::json eff = nlohmann::json::object();
    for (const auto& c : conditions)
        if (c.label == "vector")
            if (auto e = transferEfficiency(c.alpha))
                eff[std::to_string(c.alpha)] = *e;
    if (!eff.empty())
        j["transfer_efficiency"] = eff;
    j["notes"] = notes;
    return j;
}

EvaluationReport evaluateSteering(const TransformerModel& model, const std::vector<TokenizedPair>& heldOut,
                                  const std::vector<SteeringTerm>& vector, const std::vector<SteeringTerm>& native,
                                  const NeutralBaseline* neutral, const EvaluationOptions& opt)
{
    if (heldOut.empty())
        throw InputError("evaluation needs at least one held-out pair");
    if (vector.empty())
        throw InputError("evaluation needs a vector to test");
    if (opt.alphas.empty())
        throw InputError("evaluation needs at least one alpha");
    EvaluationReport rep;
    rep.model = model.name();
    rep.numPairs = static_cast<int64_t>(heldOut.size());
    const bool side = opt.sideEffects && neutral && !neutral->empty();
    const int draws = std::max(opt.randomDraws, 0);
    const double steps = 1.0 + static_cast<double>(opt.alphas.size()) * (1.0 + (native.empty() ? 0 : 1) + draws);
    double done = 0.0;
    auto tick = [&](const std::string& what) {
        if (opt.progress && !opt.progress(done / steps, what))
            throw Cancelled();
        done += 1.0;
    };
    ScoreOptions so;
    so.batchSize = opt.batchSize;
    tick("unsteered");
    const PairScores base = scorePairs(model, heldOut, nullptr, so);
    std::vector<double> gaps, gapsPerToken;
    for (std::size_t i = 0; i < base.size(); ++i) {
        gaps.push_back(base.gap(i));
        gapsPerToken.push_back(base.gapPerToken(i));
    }
    rep.unsteeredGap = bootstrapMean(gaps, opt.seed, opt.bootstrapResamples, opt.ciLevel);
    rep.unsteeredGapPerToken = bootstrapMean(gapsPerToken, opt.seed, opt.bootstrapResamples, opt.ciLevel);

    auto shifts = [&](const PairScores& s, std::vector<double>& sum, std::vector<double>& perTok) {
        sum.resize(s.size());
        perTok.resize(s.size());
        for (std::size_t i = 0; i < s.size(); ++i) {
            sum[i] = s.gap(i) - base.gap(i);
            perTok[i] = s.gapPerToken(i) - base.gapPerToken(i);
        }
    };
    auto finish = [&](ConditionResult& c, const std::vector<double>& sum, const std::vector<double>& perTok) {
        c.perPairShift = sum;
        c.shift = bootstrapMean(sum, opt.seed, opt.bootstrapResamples, opt.ciLevel);
        c.shiftPerToken = bootstrapMean(perTok, opt.seed, opt.bootstrapResamples, opt.ciLevel);
    };
    std::vector<std::vector<SteeringTerm>> randoms;
    for (int d = 0; d < draws; ++d)
        randoms.push_back(randomTermsLike(vector, opt.seed + 1000003ULL * static_cast<uint64_t>(d + 1)));

    for (double alpha : opt.alphas) {
        auto run = [&](const std::string& label, const std::vector<SteeringTerm>& terms) {
            tick(label + " at alpha " + std::to_string(alpha));
            Steering st{terms, alpha, {}};
            HookSet hooks = st.hooks();
            ConditionResult c;
            c.label = label;
            c.alpha = alpha;
            std::vector<double> sum, perTok;
            shifts(scorePairs(model, heldOut, &hooks, so), sum, perTok);
            finish(c, sum, perTok);
            if (side)
                c.sideEffects = neutral->measure(&hooks);
            rep.conditions.push_back(std::move(c));
        };
        run("vector", vector);
        if (!native.empty())
            run("native", native);
        if (draws > 0) {
            ConditionResult c;
            c.label = "random";
            c.alpha = alpha;
            std::vector<double> sumAcc(heldOut.size(), 0.0), tokAcc(heldOut.size(), 0.0);
            std::vector<std::vector<double>> sumDraws, tokDraws;
            SideEffects seAcc;
            for (int d = 0; d < draws; ++d) {
                tick("random vector " + std::to_string(d + 1) + " at alpha " + std::to_string(alpha));
                Steering st{randoms[static_cast<std::size_t>(d)], alpha, {}};
                HookSet hooks = st.hooks();
                std::vector<double> sum, perTok;
                shifts(scorePairs(model, heldOut, &hooks, so), sum, perTok);
                double m = 0.0;
                for (std::size_t i = 0; i < sum.size(); ++i) {
                    sumAcc[i] += sum[i] / draws;
                    tokAcc[i] += perTok[i] / draws;
                    m += sum[i];
                }
                c.drawShifts.push_back(m / static_cast<double>(sum.size()));
                sumDraws.push_back(sum);
                tokDraws.push_back(perTok);
                if (side) {
                    SideEffects se = neutral->measure(&hooks);
                    seAcc.kl += se.kl / draws;
                    seAcc.pplSteered += se.pplSteered / draws;
                    seAcc.pplUnsteered = se.pplUnsteered;
                    seAcc.positions = se.positions;
                }
            }
            // perPairShift: the mean over draws; the interval resamples draws
            // and pairs, so it covers the spread between random directions
            // too (it dominates with few draws), not only between pairs.
            c.perPairShift = sumAcc;
            c.shift = bootstrapMeanTwoLevel(sumDraws, opt.seed, opt.bootstrapResamples, opt.ciLevel);
            c.shiftPerToken = bootstrapMeanTwoLevel(tokDraws, opt.seed, opt.bootstrapResamples, opt.ciLevel);
            if (side)
                c.sideEffects = seAcc;
            rep.conditions.push_back(std::move(c));
        }
    }
    if (!native.empty()) {
        double cs = 0.0;
        int matched = 0;
        for (const auto& v : vector)
            for (const auto& n : native)
                if (v.point == n.point && v.vector.numel() == n.vector.numel()) {
                    cs += cosineSimilarity(v.vector, n.vector);
                    ++matched;
                }
        if (matched > 0)
            rep.cosineToNative = cs / matched;
        else
            rep.notes.push_back("no native vector at the same point and width: cosine to native not computed");
    }
    bool allZero = true;
    for (const auto& v : vector)
        allZero = allZero && v.vector.abs().max().item<double>() == 0.0;
    if (allZero)
        rep.notes.push_back("the vector is zero: every shift is exactly zero by construction");
    if (draws > 0)
        rep.notes.push_back("random: " + std::to_string(draws) +
                            " random directions of equal norm, per-pair shifts averaged over the draws");
    if (opt.progress && !opt.progress(1.0, "done"))
        throw Cancelled();
    return rep;
}

} // namespace sb
