#include "session/engine_convert.h"

#include "engine/errors.h"

namespace sb {

ContrastiveDataset toContrastiveDataset(const PairDataset& d)
{
    ContrastiveDataset out;
    out.name = d.name.isEmpty() ? std::string("pairs") : d.name.toStdString();
    for (const PairText& p : d.pairs)
        out.pairs.push_back({p.prompt.toStdString(), p.positive.toStdString(), p.negative.toStdString(), p.line});
    if (out.pairs.size() < 2)
        throw InputError("the dataset '" + out.name + "' has " + std::to_string(out.pairs.size()) +
                         " pairs; at least two are needed (one to train, one held out)");
    return out;
}

void setExtractionChoice(ExtractionRequest& req, const QString& method, const QString& policy)
{
    const auto m = parseExtractionMethod(method.toStdString());
    if (!m)
        throw InputError("unknown extraction method '" + method.toStdString() + "' (mean, pca or probe)");
    const auto p = parsePositionPolicy(policy.toStdString());
    if (!p)
        throw InputError("unknown position policy '" + policy.toStdString() + "' (last, mean or all)");
    req.method = *m;
    req.policy = *p;
}

} // namespace sb
