#pragma once
// Typed engine errors. Every message names the file, the field or tensor, and
// what was expected, so the session can show it to the user unchanged.

#include <stdexcept>
#include <string>

namespace sb {

/// Base of every error the engine throws on purpose.
class Error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// A file does not follow its format (safetensors, config.json, tokenizer.json, pairs, HDF5, GGUF).
class FormatError : public Error {
public:
    using Error::Error;
};

/// A tensor or vector has the wrong shape for where it is used.
class ShapeError : public Error {
public:
    using Error::Error;
};

/// The input is valid but asks for something SteerBridge does not support (unknown model_type...).
class UnsupportedError : public Error {
public:
    using Error::Error;
};

/// Not enough memory / disk, or a file cannot be opened or written.
class ResourceError : public Error {
public:
    using Error::Error;
};

/// A value is out of its allowed range (token id past the vocabulary, sequence past the context...).
class InputError : public Error {
public:
    using Error::Error;
};

/// A computation produced NaN or Inf (activations, scores): the message names
/// where (hook point, token position) so the user can find the cause.
class NumericError : public Error {
public:
    using Error::Error;
};

/// The user cancelled a running job. Not an error to report, but it unwinds like one.
class Cancelled : public Error {
public:
    Cancelled() : Error("cancelled") {}
};

} // namespace sb
