#include "karpenter/cloudprovider/aws/nodeclass_hash.hpp"

#include "karpenter/api/codec.hpp"

namespace karpenter::cloudprovider::aws {

uint64_t fnv1a64(std::string_view data) {
  uint64_t hash = 14695981039346656037ULL;
  for (unsigned char c : data) {
    hash ^= c;
    hash *= 1099511628211ULL;
  }
  return hash;
}

std::string nodeClassHash(const api::EC2NodeClassSpec& spec) {
  nlohmann::json encoded = api::encodeJson(spec);
  for (const char* ignored : {"subnetSelectorTerms", "securityGroupSelectorTerms",
                              "capacityReservationSelectorTerms", "amiSelectorTerms"}) {
    encoded.erase(ignored);
  }
  // nlohmann::json objects are std::map-ordered, so dump() is canonical.
  return std::to_string(fnv1a64(encoded.dump()));
}

}  // namespace karpenter::cloudprovider::aws
