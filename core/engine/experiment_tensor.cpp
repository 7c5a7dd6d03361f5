#include "engine/experiment_tensor.h"

#include "engine/errors.h"

#include <ATen/ATen.h>

#include <cstring>

namespace sb {

namespace {
at::ScalarType scalarType(NumericArray::Type t)
{
    switch (t) {
    case NumericArray::Type::Float32: return at::kFloat;
    case NumericArray::Type::Float64: return at::kDouble;
    case NumericArray::Type::Int32: return at::kInt;
    case NumericArray::Type::Int64: return at::kLong;
    case NumericArray::Type::UInt8: return at::kByte;
    }
    return at::kDouble;
}
} // namespace

NumericArray toNumericArray(const at::Tensor& tIn)
{
    at::Tensor t = tIn.detach().cpu();
    NumericArray::Type type;
    switch (t.scalar_type()) {
    case at::kFloat: type = NumericArray::Type::Float32; break;
    case at::kDouble: type = NumericArray::Type::Float64; break;
    case at::kInt: type = NumericArray::Type::Int32; break;
    case at::kLong: type = NumericArray::Type::Int64; break;
    case at::kByte: type = NumericArray::Type::UInt8; break;
    case at::kBool: type = NumericArray::Type::UInt8; t = t.to(at::kByte); break;
    case at::kHalf:
    case at::kBFloat16: type = NumericArray::Type::Float32; t = t.to(at::kFloat); break;
    default:
        throw UnsupportedError(std::string("experiment store: tensors of dtype ") + c10::toString(t.scalar_type()) +
                               " cannot be stored (float32/64, int32/64, uint8, bool, float16, bfloat16)");
    }
    t = t.contiguous();
    NumericArray a(type, t.sizes().vec());
    if (a.byteSize() > 0)
        std::memcpy(a.data(), t.data_ptr(), a.byteSize());
    return a;
}

at::Tensor toTensor(const NumericArray& a)
{
    at::Tensor t = at::empty(a.shape(), at::TensorOptions().dtype(scalarType(a.type())));
    if (a.byteSize() > 0)
        std::memcpy(t.data_ptr(), a.data(), a.byteSize());
    return t;
}

} // namespace sb
