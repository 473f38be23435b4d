#include "support/testdata.hpp"

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace karpenter::testing {

std::filesystem::path testdataDir() {
  if (const char* dir = std::getenv("KARPENTER_TESTDATA")) {
    return dir;
  }
  return KARPENTER_TESTDATA_DIR;
}

std::string readFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw std::runtime_error("cannot read " + path.string());
  }
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

nlohmann::json readTestdataJson(const std::string& relativePath) {
  return nlohmann::json::parse(readFile(testdataDir() / relativePath));
}

}  // namespace karpenter::testing
