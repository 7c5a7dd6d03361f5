#include "engine/layer_mapping.h"

#include "engine/errors.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace sb {

const char* stageName(FunctionalStage s)
{
    switch (s) {
    case FunctionalStage::FeatureExtraction: return "feature_extraction";
    case FunctionalStage::Representation: return "representation";
    case FunctionalStage::DecisionMaking: return "decision_making";
    }
    return "?";
}

std::optional<FunctionalStage> parseStage(const std::string& name)
{
    for (FunctionalStage s : allStages())
        if (name == stageName(s))
            return s;
    return std::nullopt;
}

const std::vector<FunctionalStage>& allStages()
{
    static const std::vector<FunctionalStage> stages = {FunctionalStage::FeatureExtraction,
                                                        FunctionalStage::Representation,
                                                        FunctionalStage::DecisionMaking};
    return stages;
}

double stageDepth(FunctionalStage s)
{
    switch (s) {
    case FunctionalStage::FeatureExtraction: return 0.10;
    case FunctionalStage::Representation: return 0.60;
    case FunctionalStage::DecisionMaking: return 0.90;
    }
    return 0.5;
}

int64_t layerAtDepth(double fraction, int64_t numLayers)
{
    if (numLayers < 1)
        throw InputError("layer mapping: a model needs at least one layer, got " + std::to_string(numLayers));
    if (!(fraction >= 0.0 && fraction <= 1.0))
        throw InputError("layer mapping: relative depth must be in [0, 1], got " + std::to_string(fraction));
    // The small epsilon keeps 0.6 * 5 = 3.0000000000000004 and 0.1 * 10 on their exact layer.
    const auto layer = static_cast<int64_t>(std::floor(fraction * static_cast<double>(numLayers) + 1e-9));
    return std::clamp<int64_t>(layer, 0, numLayers - 1);
}

int64_t functionalLayer(FunctionalStage stage, int64_t numLayers) { return layerAtDepth(stageDepth(stage), numLayers); }

int64_t LayerMapping::targetOf(int64_t sourceLayer) const
{
    for (const auto& [s, t] : pairs)
        if (s == sourceLayer)
            return t;
    throw InputError("layer mapping (" + method + "): source layer " + std::to_string(sourceLayer) +
                     " is not mapped (the source model has " + std::to_string(sourceLayers) + " layers)");
}

bool LayerMapping::isMonotone() const
{
    for (std::size_t i = 1; i < pairs.size(); ++i)
        if (pairs[i].second < pairs[i - 1].second)
            return false;
    return true;
}

LayerMapping depthMapping(int64_t sourceLayers, int64_t targetLayers)
{
    if (sourceLayers < 1 || targetLayers < 1)
        throw InputError("layer mapping: both models need at least one layer (got " + std::to_string(sourceLayers) +
                         " and " + std::to_string(targetLayers) + ")");
    LayerMapping m;
    m.method = "depth";
    m.sourceLayers = sourceLayers;
    m.targetLayers = targetLayers;
    for (int64_t i = 0; i < sourceLayers; ++i) {
        // Centre of source block i is at depth (2i+1)/(2Ls); exact integer floor.
        const int64_t t = std::min(targetLayers - 1, ((2 * i + 1) * targetLayers) / (2 * sourceLayers));
        m.pairs.emplace_back(i, t);
    }
    for (FunctionalStage s : allStages())
        m.stages.push_back({s, stageDepth(s), functionalLayer(s, sourceLayers), functionalLayer(s, targetLayers)});
    return m;
}

LayerMatrix::LayerMatrix(int64_t r, int64_t c, double fill)
    : rows(r), cols(c), values(static_cast<std::size_t>(std::max<int64_t>(0, r * c)), fill)
{
}

std::vector<std::vector<double>> LayerMatrix::toRows() const
{
    std::vector<std::vector<double>> out(static_cast<std::size_t>(rows));
    for (int64_t r = 0; r < rows; ++r)
        out[static_cast<std::size_t>(r)].assign(values.begin() + r * cols, values.begin() + (r + 1) * cols);
    return out;
}

LayerMatrix LayerMatrix::fromRows(const std::vector<std::vector<double>>& rows)
{
    LayerMatrix m(static_cast<int64_t>(rows.size()), rows.empty() ? 0 : static_cast<int64_t>(rows[0].size()));
    for (std::size_t r = 0; r < rows.size(); ++r) {
        if (static_cast<int64_t>(rows[r].size()) != m.cols)
            throw ShapeError("layer matrix: row " + std::to_string(r) + " has " + std::to_string(rows[r].size()) +
                             " values, expected " + std::to_string(m.cols));
        std::copy(rows[r].begin(), rows[r].end(), m.values.begin() + static_cast<std::ptrdiff_t>(r) * m.cols);
    }
    return m;
}

namespace {

void checkMatrix(const LayerMatrix& s, const char* what)
{
    if (s.rows < 1 || s.cols < 1 || s.values.size() != static_cast<std::size_t>(s.rows * s.cols))
        throw ShapeError(std::string(what) + ": the similarity matrix must be at least 1 x 1 with rows*cols values (got " +
                         std::to_string(s.rows) + " x " + std::to_string(s.cols) + ", " +
                         std::to_string(s.values.size()) + " values)");
    for (double v : s.values)
        if (!std::isfinite(v))
            throw InputError(std::string(what) + ": the similarity matrix contains NaN or Inf");
}

void addStagesFromPath(LayerMapping& m)
{
    for (FunctionalStage st : allStages()) {
        const int64_t src = functionalLayer(st, m.sourceLayers);
        m.stages.push_back({st, stageDepth(st), src, m.targetOf(src)});
    }
}

} // namespace

LayerMapping bestMatchMapping(const LayerMatrix& s)
{
    checkMatrix(s, "best-match mapping");
    LayerMapping m;
    m.method = "best_match";
    m.sourceLayers = s.rows;
    m.targetLayers = s.cols;
    for (int64_t i = 0; i < s.rows; ++i) {
        int64_t best = 0;
        for (int64_t j = 1; j < s.cols; ++j)
            if (s.at(i, j) > s.at(i, best))
                best = j;
        m.pairs.emplace_back(i, best);
    }
    addStagesFromPath(m);
    return m;
}

LayerMapping monotoneMapping(const LayerMatrix& s)
{
    checkMatrix(s, "monotone mapping");
    const int64_t R = s.rows, C = s.cols;
    // total[i][j]: best score of a monotone path over rows 0..i ending at (i, j).
    // from[i][j]: the column of row i-1 on that path (the lowest on ties).
    std::vector<double> total(static_cast<std::size_t>(R * C));
    std::vector<int64_t> from(static_cast<std::size_t>(R * C), -1);
    for (int64_t j = 0; j < C; ++j)
        total[static_cast<std::size_t>(j)] = s.at(0, j);
    for (int64_t i = 1; i < R; ++i) {
        double prefixBest = -std::numeric_limits<double>::infinity();
        int64_t prefixArg = 0;
        for (int64_t j = 0; j < C; ++j) {
            const double prev = total[static_cast<std::size_t>((i - 1) * C + j)];
            if (prev > prefixBest) {
                prefixBest = prev;
                prefixArg = j;
            }
            total[static_cast<std::size_t>(i * C + j)] = s.at(i, j) + prefixBest;
            from[static_cast<std::size_t>(i * C + j)] = prefixArg;
        }
    }
    int64_t j = 0;
    for (int64_t c = 1; c < C; ++c)
        if (total[static_cast<std::size_t>((R - 1) * C + c)] > total[static_cast<std::size_t>((R - 1) * C + j)])
            j = c;
    std::vector<int64_t> path(static_cast<std::size_t>(R));
    for (int64_t i = R - 1; i >= 0; --i) {
        path[static_cast<std::size_t>(i)] = j;
        if (i > 0)
            j = from[static_cast<std::size_t>(i * C + j)];
    }
    LayerMapping m;
    m.method = "measured";
    m.sourceLayers = R;
    m.targetLayers = C;
    for (int64_t i = 0; i < R; ++i)
        m.pairs.emplace_back(i, path[static_cast<std::size_t>(i)]);
    addStagesFromPath(m);
    return m;
}

double pathScore(const LayerMatrix& s, const LayerMapping& m)
{
    double sum = 0.0;
    for (const auto& [i, j] : m.pairs) {
        if (i < 0 || i >= s.rows || j < 0 || j >= s.cols)
            throw ShapeError("layer mapping pair [" + std::to_string(i) + ", " + std::to_string(j) +
                             "] is outside the " + std::to_string(s.rows) + " x " + std::to_string(s.cols) +
                             " similarity matrix");
        sum += s.at(i, j);
    }
    return sum;
}

double meanAlongMapping(const LayerMatrix& s, const LayerMapping& m)
{
    if (m.pairs.empty())
        return 0.0;
    return pathScore(s, m) / static_cast<double>(m.pairs.size());
}

std::vector<MappingDisagreement> compareMappings(const LayerMapping& a, const LayerMapping& b)
{
    std::vector<MappingDisagreement> out;
    for (const auto& [src, t] : a.pairs) {
        for (const auto& [src2, t2] : b.pairs)
            if (src2 == src && t2 != t)
                out.push_back({"layer " + std::to_string(src), src, t, t2});
    }
    for (const auto& sa : a.stages)
        for (const auto& other : b.stages)
            if (sa.stage == other.stage && sa.sourceLayer == other.sourceLayer && sa.targetLayer != other.targetLayer)
                out.push_back({std::string("stage ") + stageName(sa.stage), sa.sourceLayer, sa.targetLayer,
                               other.targetLayer});
    return out;
}

} // namespace sb
