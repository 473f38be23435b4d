#include "karpenter/cloudprovider/simulated/simulated_cloud.hpp"

#include <algorithm>
#include <cstdio>
#include <map>
#include <mutex>
#include <random>
#include <thread>

#include <spdlog/spdlog.h>

#include "karpenter/api/well_known.hpp"

namespace karpenter::cloudprovider::simulated {

using Clock = std::chrono::system_clock;

bool PoolSelector::matches(std::string_view type, std::string_view zone_,
                           std::string_view capacityType_) const {
  return (instanceType.empty() || instanceType == type) && (zone.empty() || zone == zone_) &&
         (capacityType.empty() || capacityType == capacityType_);
}

struct SimulatedCloud::State {
  explicit State(Options o)
      : options(std::move(o)),
        unavailable(options.clock),
        instanceTypes(options.catalog.instanceTypes(options.nodeSettings)),
        random(options.seed),
        registrationDelay(options.registrationDelay) {}

  Clock::time_point now() const { return options.clock ? options.clock() : Clock::now(); }

  Options options;
  UnavailableOfferings unavailable;
  // Built once: the catalog never changes, availability is applied per call.
  const std::vector<scheduling::InstanceType> instanceTypes;

  mutable std::mutex mutex;
  std::mt19937_64 random;
  std::map<std::string, SimulatedInstance> instances;  // by providerID
  std::map<std::string, std::string> drifted;          // providerID → reason
  std::vector<PoolSelector> insufficientPools;
  std::vector<Error> createFailures;
  std::vector<Error> deleteFailures;
  std::optional<std::chrono::milliseconds> registrationDelay;
  std::map<std::string, uint32_t> hostsPerZone;
  uint64_t launched = 0;
  uint64_t generation = 0;
};

namespace {

struct Candidate {
  double price;
  const scheduling::InstanceType* type;
  std::string zone;
  std::string capacityType;
};

std::string single(const scheduling::Requirements& requirements, std::string_view key) {
  const auto* r = requirements.find(key);
  return r != nullptr && !r->complement() && r->values().size() == 1 ? r->values().front() : "";
}

// The fault or success of one attempt is decided by EC2; the order of attempts is ours: cheapest
// first, ties broken by name and zone so runs are reproducible.
std::vector<Candidate> candidates(const std::vector<scheduling::InstanceType>& types,
                                  const scheduling::Requirements& requirements,
                                  const api::ResourceList& requests,
                                  const UnavailableOfferings& unavailable) {
  std::vector<Candidate> result;
  for (const auto& type : types) {
    if (!requirements.isCompatible(type.requirements, true) ||
        !api::resources::fits(requests, type.allocatable())) {
      continue;
    }
    for (const auto& offering : type.offerings) {
      if (!requirements.isCompatible(offering.requirements, true)) {
        continue;
      }
      std::string zone = single(offering.requirements, api::kLabelTopologyZone);
      std::string capacityType = single(offering.requirements, api::kCapacityTypeLabelKey);
      if (unavailable.isUnavailable(type.name, zone, capacityType)) {
        continue;
      }
      result.push_back({offering.price, &type, std::move(zone), std::move(capacityType)});
    }
  }
  std::sort(result.begin(), result.end(), [](const Candidate& a, const Candidate& b) {
    return std::tie(a.price, a.type->name, a.zone, a.capacityType) <
           std::tie(b.price, b.type->name, b.zone, b.capacityType);
  });
  return result;
}

std::string rfc3339(Clock::time_point t) {
  const std::time_t seconds = Clock::to_time_t(t);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return buffer;
}

std::string joinTried(const std::vector<std::string>& tried) {
  constexpr size_t kShown = 10;
  std::string text;
  for (size_t i = 0; i < tried.size() && i < kShown; ++i) {
    text += (i == 0 ? "" : ", ") + tried[i];
  }
  if (tried.size() > kShown) {
    text += " and " + std::to_string(tried.size() - kShown) + " more";
  }
  return text;
}

}  // namespace

SimulatedCloud::SimulatedCloud(Options options)
    : state_(std::make_unique<State>(std::move(options))) {}

SimulatedCloud::~SimulatedCloud() = default;

Result<api::NodeClaim> SimulatedCloud::create(const api::NodeClaim& nodeClaim) {
  const std::string who = "creating instance for nodeclaim \"" + nodeClaim.metadata.name + "\"";
  {
    std::lock_guard lock(state_->mutex);
    if (!state_->createFailures.empty()) {
      Error error = state_->createFailures.front();
      state_->createFailures.erase(state_->createFailures.begin());
      return error.withContext(who);
    }
  }
  auto requirements =
      scheduling::Requirements::fromNodeSelectorRequirements(nodeClaim.spec.requirements);
  if (!requirements) {
    return requirements.error().withContext(who + ": spec.requirements");
  }
  if (state_->options.launchDelay.count() > 0) {
    if (state_->options.sleep) {
      state_->options.sleep(state_->options.launchDelay);
    } else {
      std::this_thread::sleep_for(state_->options.launchDelay);
    }
  }
  const auto choices = candidates(state_->instanceTypes, *requirements,
                                  nodeClaim.spec.resources.requests, state_->unavailable);
  if (choices.empty()) {
    return Error{ErrorKind::kInsufficientCapacity,
                 who + ": no available offering satisfies requirements " +
                     requirements->toString() + " and requests " +
                     api::resources::toString(nodeClaim.spec.resources.requests)};
  }

  std::lock_guard lock(state_->mutex);
  std::vector<std::string> tried;
  for (const auto& choice : choices) {
    const bool insufficient =
        std::any_of(state_->insufficientPools.begin(), state_->insufficientPools.end(),
                    [&](const PoolSelector& pool) {
                      return pool.matches(choice.type->name, choice.zone, choice.capacityType);
                    });
    if (insufficient) {
      // As CreateFleet reports InsufficientInstanceCapacity per override and Karpenter caches it.
      state_->unavailable.markUnavailable(choice.type->name, choice.zone, choice.capacityType);
      tried.push_back(
          UnavailableOfferings::key(choice.type->name, choice.zone, choice.capacityType));
      continue;
    }

    const auto& zones = state_->options.catalog.zones();
    const auto zoneIndex =
        static_cast<uint32_t>(std::find(zones.begin(), zones.end(), choice.zone) - zones.begin());
    // AWS keeps the first four addresses of a subnet; hosts start at .4 of the zone's /18.
    const uint32_t host = 4 + state_->hostsPerZone[choice.zone]++;
    char ip[32];
    std::snprintf(ip, sizeof ip, "10.0.%u.%u", (zoneIndex * 64 + host / 256) % 256, host % 256);
    char id[32];
    std::snprintf(id, sizeof id, "i-%017llx",
                  static_cast<unsigned long long>(state_->random() & 0xfffffffffffffffULL));

    SimulatedInstance instance;
    instance.sequence = state_->launched++;
    instance.id = id;
    instance.providerID = "kwok://" + choice.zone + "/" + instance.id;
    std::string dashed = ip;
    std::replace(dashed.begin(), dashed.end(), '.', '-');
    const auto& region = state_->options.catalog.region();
    instance.nodeName = "ip-" + dashed + "." +
                        (region == "us-east-1" ? "ec2.internal" : region + ".compute.internal");
    instance.privateIp = ip;
    instance.instanceType = choice.type->name;
    instance.zone = choice.zone;
    instance.capacityType = choice.capacityType;
    instance.price = choice.price;
    instance.launchTime = state_->now();
    instance.registrationDelay = state_->registrationDelay;

    api::NodeClaim launched = nodeClaim;
    for (const auto& requirement : choice.type->requirements) {
      if (!requirement.complement() && requirement.values().size() == 1) {
        launched.metadata.labels[requirement.key()] = requirement.values().front();
      }
    }
    launched.metadata.labels[std::string(api::kLabelTopologyZone)] = choice.zone;
    launched.metadata.labels[std::string(api::kAwsLabelTopologyZoneId)] =
        zoneId(region, choice.zone);
    launched.metadata.labels[std::string(api::kCapacityTypeLabelKey)] = choice.capacityType;
    if (launched.metadata.creationTimestamp.empty()) {
      launched.metadata.creationTimestamp = rfc3339(instance.launchTime);
    }
    launched.status.providerID = instance.providerID;
    launched.status.capacity = choice.type->capacity;
    launched.status.allocatable = choice.type->allocatable();
    instance.nodeClaim = launched;
    spdlog::debug("kwok: launched {} {} {} in {} for nodeclaim {}", instance.id,
                  instance.capacityType, instance.instanceType, instance.zone,
                  nodeClaim.metadata.name);
    state_->instances.emplace(instance.providerID, std::move(instance));
    ++state_->generation;
    return launched;
  }
  return Error{
      ErrorKind::kInsufficientCapacity,
      who + ": insufficient capacity in every compatible offering, tried " + joinTried(tried)};
}

Result<void> SimulatedCloud::remove(const api::NodeClaim& nodeClaim) {
  std::lock_guard lock(state_->mutex);
  const std::string& providerID = nodeClaim.status.providerID;
  if (!state_->deleteFailures.empty()) {
    Error error = state_->deleteFailures.front();
    state_->deleteFailures.erase(state_->deleteFailures.begin());
    return error.withContext("terminating instance " + providerID);
  }
  if (providerID.empty()) {
    return notFoundError("nodeclaim \"" + nodeClaim.metadata.name +
                         "\" has no status.providerID, so it has no instance");
  }
  if (state_->instances.erase(providerID) == 0) {
    return notFoundError("instance " + providerID + " not found");
  }
  state_->drifted.erase(providerID);
  ++state_->generation;
  return {};
}

Result<api::NodeClaim> SimulatedCloud::get(const std::string& providerID) {
  std::lock_guard lock(state_->mutex);
  auto it = state_->instances.find(providerID);
  if (it == state_->instances.end()) {
    return notFoundError("instance " + providerID + " not found");
  }
  return it->second.nodeClaim;
}

Result<std::vector<api::NodeClaim>> SimulatedCloud::list() {
  std::lock_guard lock(state_->mutex);
  std::vector<api::NodeClaim> result;
  result.reserve(state_->instances.size());
  for (const auto& [id, instance] : state_->instances) {
    result.push_back(instance.nodeClaim);
  }
  return result;
}

Result<std::vector<scheduling::InstanceType>> SimulatedCloud::instanceTypes(
    const api::NodePool& /*nodePool*/) {
  // Every pool sees the whole catalog: the simulated cloud has no node class that narrows it.
  std::vector<scheduling::InstanceType> types = state_->instanceTypes;
  for (auto& type : types) {
    for (auto& offering : type.offerings) {
      offering.available = !state_->unavailable.isUnavailable(
          type.name, single(offering.requirements, api::kLabelTopologyZone),
          single(offering.requirements, api::kCapacityTypeLabelKey));
    }
  }
  return types;
}

Result<std::string> SimulatedCloud::isDrifted(const api::NodeClaim& nodeClaim) {
  std::lock_guard lock(state_->mutex);
  auto it = state_->drifted.find(nodeClaim.status.providerID);
  return it == state_->drifted.end() ? std::string() : it->second;
}

std::vector<RepairPolicy> SimulatedCloud::repairPolicies() const {
  constexpr std::chrono::minutes kToleration{10};
  return {{"Ready", "False", kToleration}, {"Ready", "Unknown", kToleration}};
}

void SimulatedCloud::injectInsufficientCapacity(PoolSelector pool) {
  std::lock_guard lock(state_->mutex);
  state_->insufficientPools.push_back(std::move(pool));
}

void SimulatedCloud::clearInsufficientCapacity() {
  std::lock_guard lock(state_->mutex);
  state_->insufficientPools.clear();
}

void SimulatedCloud::failNextCreates(Error error, int count) {
  std::lock_guard lock(state_->mutex);
  state_->createFailures.insert(state_->createFailures.end(), count, error);
}

void SimulatedCloud::failNextDeletes(Error error, int count) {
  std::lock_guard lock(state_->mutex);
  state_->deleteFailures.insert(state_->deleteFailures.end(), count, error);
}

void SimulatedCloud::setRegistrationDelay(std::optional<std::chrono::milliseconds> delay) {
  std::lock_guard lock(state_->mutex);
  state_->registrationDelay = delay;
}

Result<void> SimulatedCloud::setInstanceRegistrationDelay(
    const std::string& providerID, std::optional<std::chrono::milliseconds> delay) {
  std::lock_guard lock(state_->mutex);
  auto it = state_->instances.find(providerID);
  if (it == state_->instances.end()) {
    return notFoundError("instance " + providerID + " not found");
  }
  it->second.registrationDelay = delay;
  ++state_->generation;
  return {};
}

void SimulatedCloud::setDrifted(const std::string& providerID, std::string reason) {
  std::lock_guard lock(state_->mutex);
  if (reason.empty()) {
    state_->drifted.erase(providerID);
  } else {
    state_->drifted[providerID] = std::move(reason);
  }
}

std::vector<SimulatedInstance> SimulatedCloud::instances() const {
  std::lock_guard lock(state_->mutex);
  std::vector<SimulatedInstance> result;
  result.reserve(state_->instances.size());
  for (const auto& [id, instance] : state_->instances) {
    result.push_back(instance);
  }
  std::sort(result.begin(), result.end(),
            [](const auto& a, const auto& b) { return a.sequence < b.sequence; });
  return result;
}

uint64_t SimulatedCloud::generation() const {
  std::lock_guard lock(state_->mutex);
  return state_->generation;
}

const Catalog& SimulatedCloud::catalog() const {
  return state_->options.catalog;
}

UnavailableOfferings& SimulatedCloud::unavailableOfferings() {
  return state_->unavailable;
}

}  // namespace karpenter::cloudprovider::simulated
