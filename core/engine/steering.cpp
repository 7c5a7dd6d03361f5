#include "engine/steering.h"

#include "engine/errors.h"

#include <ATen/ATen.h>

#include <cmath>

namespace sb {

void Steering::install(HookSet& hooks) const
{
    for (const auto& t : terms) {
        if (!t.vector.defined() || t.vector.dim() != 1)
            throw ShapeError("steering vector at " + t.point.name() + " must be one-dimensional");
        hooks.add(t.point, addVectorHook(t.vector, alpha, positions));
    }
}

HookSet Steering::hooks() const
{
    HookSet h;
    install(h);
    return h;
}

at::Tensor randomVectorLike(const at::Tensor& like, uint64_t seed)
{
    if (!like.defined() || like.dim() != 1)
        throw ShapeError("random vector: the reference must be one-dimensional");
    const int64_t n = like.size(0);
    uint64_t state = seed ^ 0x5eedf00dULL;
    auto next = [&state]() {
        uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        return z ^ (z >> 31);
    };
    auto uniform = [&]() { return (static_cast<double>(next() >> 11) + 0.5) * 0x1.0p-53; };
    std::vector<double> g(static_cast<std::size_t>(n));
    for (int64_t i = 0; i < n; i += 2) {
        const double r = std::sqrt(-2.0 * std::log(uniform()));
        const double th = 2.0 * M_PI * uniform();
        g[static_cast<std::size_t>(i)] = r * std::cos(th);
        if (i + 1 < n)
            g[static_cast<std::size_t>(i + 1)] = r * std::sin(th);
    }
    at::Tensor v = at::tensor(g, at::kDouble);
    const double norm = like.to(at::kDouble).norm().item<double>();
    v = v / v.norm() * norm;
    return v.to(at::kFloat);
}

std::vector<SteeringTerm> randomTermsLike(const std::vector<SteeringTerm>& terms, uint64_t seed)
{
    std::vector<SteeringTerm> out;
    for (std::size_t i = 0; i < terms.size(); ++i)
        out.push_back({terms[i].point, randomVectorLike(terms[i].vector, seed + 7919 * i)});
    return out;
}

double cosineSimilarity(const at::Tensor& a, const at::Tensor& b)
{
    if (a.numel() != b.numel())
        throw ShapeError("cosine similarity: vectors of " + std::to_string(a.numel()) + " and " +
                         std::to_string(b.numel()) + " elements");
    at::Tensor x = a.reshape({-1}).to(at::kDouble), y = b.reshape({-1}).to(at::kDouble);
    const double nx = x.norm().item<double>(), ny = y.norm().item<double>();
    if (nx == 0.0 || ny == 0.0)
        return 0.0;
    return x.dot(y).item<double>() / (nx * ny);
}

} // namespace sb
