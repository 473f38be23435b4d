// Replays each fuzz target's seed corpus (tests/fuzz/corpus/<target>/) plus 20,000 seeded random
// mutations of every seed, under the normal toolchain. Deterministic: the same inputs every run.
// A broken invariant aborts inside the target; an escaping exception fails the test.

#include <algorithm>
#include <array>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "fuzz/fuzz_targets.hpp"

namespace karpenter::fuzz {
namespace {

constexpr int kMutationsPerSeed = 20'000;

using Target = int (*)(const uint8_t*, size_t);
using Bytes = std::vector<uint8_t>;

std::vector<Bytes> loadCorpus(const std::string& target) {
  const std::filesystem::path dir = std::filesystem::path(KARPENTER_FUZZ_CORPUS_DIR) / target;
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.is_regular_file()) {
      files.push_back(entry.path());
    }
  }
  std::sort(files.begin(), files.end());  // directory order is not stable
  std::vector<Bytes> seeds;
  for (const auto& file : files) {
    std::ifstream in(file, std::ios::binary);
    seeds.emplace_back(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  return seeds;
}

// Fragments worth splicing into JSON, quantities and selectors.
const std::array<std::string, 24> kTokens = {
    "{",       "}",     "[",  "]", "\"",  ":", ",",     "null", "true", "-1",    "1e999", "0",
    "\\u0000", "\"\":", "Gi", "m", "e-9", ".", " in (", ")",    "!",    "notin", "==",    "\xff"};

// One random edit of `input`: bit flip, byte set, insert, delete a range, duplicate a range,
// splice a token, or truncate.
void mutateOnce(Bytes& input, std::mt19937_64& rng) {
  auto pick = [&rng](size_t bound) {
    return bound == 0 ? size_t{0} : std::uniform_int_distribution<size_t>(0, bound - 1)(rng);
  };
  const size_t at = pick(input.size() + 1);
  switch (pick(7)) {
    case 0:
      if (!input.empty()) {
        input[pick(input.size())] ^= static_cast<uint8_t>(1U << pick(8));
      }
      break;
    case 1:
      if (!input.empty()) {
        input[pick(input.size())] = static_cast<uint8_t>(pick(256));
      }
      break;
    case 2:
      input.insert(input.begin() + static_cast<std::ptrdiff_t>(at),
                   static_cast<uint8_t>(pick(256)));
      break;
    case 3: {
      const size_t length = std::min(input.size() - std::min(at, input.size()), pick(16) + 1);
      input.erase(input.begin() + static_cast<std::ptrdiff_t>(std::min(at, input.size())),
                  input.begin() + static_cast<std::ptrdiff_t>(std::min(at, input.size()) + length));
      break;
    }
    case 4: {
      if (input.empty()) {
        break;
      }
      const size_t from = pick(input.size());
      const size_t length = std::min(input.size() - from, pick(32) + 1);
      const Bytes chunk(input.begin() + static_cast<std::ptrdiff_t>(from),
                        input.begin() + static_cast<std::ptrdiff_t>(from + length));
      input.insert(input.begin() + static_cast<std::ptrdiff_t>(at), chunk.begin(), chunk.end());
      break;
    }
    case 5: {
      const std::string& token = kTokens[pick(kTokens.size())];
      input.insert(input.begin() + static_cast<std::ptrdiff_t>(at), token.begin(), token.end());
      break;
    }
    default:
      input.resize(at);
      break;
  }
}

void replay(const std::string& name, Target target, uint64_t seed) {
  const std::vector<Bytes> corpus = loadCorpus(name);
  ASSERT_FALSE(corpus.empty()) << "no seeds in corpus/" << name;
  std::mt19937_64 rng(seed);
  size_t runs = 0;
  for (size_t s = 0; s < corpus.size(); ++s) {
    ASSERT_NO_THROW(target(corpus[s].data(), corpus[s].size())) << name << " seed " << s;
    ++runs;
    for (int i = 0; i < kMutationsPerSeed; ++i) {
      Bytes input = corpus[s];
      const size_t edits = 1 + std::uniform_int_distribution<size_t>(0, 3)(rng);
      for (size_t e = 0; e < edits; ++e) {
        mutateOnce(input, rng);
      }
      ASSERT_NO_THROW(target(input.data(), input.size()))
          << name << " seed " << s << " mutation " << i;
      ++runs;
    }
  }
  EXPECT_EQ(runs, corpus.size() * (kMutationsPerSeed + 1));
}

TEST(FuzzCorpusReplay, AdmissionReview) {
  replay("admission_review", admissionReview, 1);
}
TEST(FuzzCorpusReplay, ExtenderArgs) {
  replay("extender_args", extenderArgs, 2);
}
TEST(FuzzCorpusReplay, QuantityParse) {
  replay("quantity_parse", quantityParse, 3);
}
TEST(FuzzCorpusReplay, LabelSelectorParse) {
  replay("label_selector_parse", labelSelectorParse, 4);
}

}  // namespace
}  // namespace karpenter::fuzz
