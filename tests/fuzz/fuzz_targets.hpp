#pragma once

// The fuzz targets as plain functions, so the same code runs under libFuzzer (each *_fuzz.cpp
// adds LLVMFuzzerTestOneInput when built with KARPENTER_LIBFUZZER) and under the g++ corpus
// replay test. Each returns 0 and aborts (std::abort) when an invariant breaks; an exception
// escaping is a failure too.

#include <cstddef>
#include <cstdint>

namespace karpenter::fuzz {

// Byte 0 picks one of the six admission paths, the rest is the HTTP body; routed through a
// Router with addAdmissionRoutes. Invariants: never a 500 (a handler threw), a 200 is an
// AdmissionReview whose response.uid is the request's.
int admissionReview(const uint8_t* data, size_t size);

// The body of a filter/prioritize request → scanExtenderArgs (the streaming decoder the routes
// use) and, differentially, nlohmann + decodeExtenderArgs: both must accept the same JSON and the
// same ExtenderArgs (same error message otherwise), and decode the same NodeNames and pod facts.
int extenderArgs(const uint8_t* data, size_t size);

// Quantity::parse; a parsed value prints to a string that parses back to an equal value.
int quantityParse(const uint8_t* data, size_t size);

// parseSelector; a parsed selector prints to a string that parses back to an equal selector.
int labelSelectorParse(const uint8_t* data, size_t size);

}  // namespace karpenter::fuzz

// Each target file ends with KARPENTER_FUZZ_ENTRY(function): the libFuzzer entry point when
// KARPENTER_LIBFUZZER is defined, nothing otherwise.
#ifdef KARPENTER_LIBFUZZER
#define KARPENTER_FUZZ_ENTRY(function)                                      \
  extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) { \
    return karpenter::fuzz::function(data, size);                           \
  }
#else
#define KARPENTER_FUZZ_ENTRY(function)
#endif
