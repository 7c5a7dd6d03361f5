#pragma once
// Conversions between the experiment store's NumericArray and at::Tensor.
// Engine-only (the store's own header stays free of torch for the session).

#include "engine/experiment_store.h"

#include <ATen/Tensor.h>

namespace sb {

/// Copies a tensor (any device-less dtype among float32/64, int32/64, uint8,
/// bool -> uint8; float16/bfloat16 -> float32) into a NumericArray of the same shape.
NumericArray toNumericArray(const at::Tensor& t);
/// A new contiguous CPU tensor with the array's dtype and shape.
at::Tensor toTensor(const NumericArray& a);

} // namespace sb
