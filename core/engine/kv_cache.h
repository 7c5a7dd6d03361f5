#pragma once
// Key/value cache for incremental decoding: per layer, K and V of shape
// [batch, kv_heads, capacity, head_dim], filled up to `length` slots.

#include <ATen/Tensor.h>

#include <cstdint>
#include <vector>

namespace sb {

struct KvCache {
    std::vector<at::Tensor> keys;
    std::vector<at::Tensor> values;
    int64_t length = 0;   ///< slots filled
    int64_t capacity = 0; ///< slots allocated
    /// [batch, capacity] 1 = real token, 0 = padding; covers slots [0, length).
    at::Tensor keyMask;
    bool empty() const { return length == 0; }
};

} // namespace sb
