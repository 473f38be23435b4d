// The deployment manifests (manifests/, webhooks/) as a whole: every file parses, the expected
// objects exist, the webhook configurations, the Service, the Deployment and the scheduler
// extender agree on names and ports, the webhook paths are exactly the six the server serves,
// and RBAC grants what the controller needs and nothing the comments say it must not have.

#include <algorithm>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "manifests/manifest_files.hpp"

namespace karpenter::testing {
namespace {

using nlohmann::json;

constexpr const char* kNamespace = "karpenter";
constexpr const char* kServiceAccount = "karpenter";

// The six admission paths the webhook server implements (issue 3; fixed).
const std::set<std::string> kWebhookPaths = {
    "/validate/karpenter.sh/nodepools",           "/validate/karpenter.sh/nodeclaims",
    "/validate/karpenter.k8s.aws/ec2nodeclasses", "/default/karpenter.sh/nodepools",
    "/default/karpenter.sh/nodeclaims",           "/default/karpenter.k8s.aws/ec2nodeclasses",
};

class ManifestsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { documents_ = new std::vector(allDeploymentDocuments()); }
  static void TearDownTestSuite() {
    delete documents_;
    documents_ = nullptr;
  }

  static json object(const std::string& kind, const std::string& name, const std::string& ns = "") {
    return findObject(*documents_, kind, name, ns);
  }
  static json container() {
    return object("Deployment", "karpenter",
                  kNamespace)["spec"]["template"]["spec"]["containers"][0];
  }
  static std::string env(const std::string& name) {
    const json c = container();
    for (const auto& variable : c["env"]) {
      if (variable["name"] == name) {
        return variable.value("value", "");
      }
    }
    return "";
  }
  // The container port with this name; 0 when there is none.
  static int containerPort(const std::string& name) {
    const json c = container();
    for (const auto& port : c["ports"]) {
      if (port["name"] == name) {
        return port["containerPort"].get<int>();
      }
    }
    return 0;
  }
  static json servicePort(const std::string& name) {
    const json service = object("Service", "karpenter", kNamespace);
    for (const auto& port : service["spec"]["ports"]) {
      if (port["name"] == name) {
        return port;
      }
    }
    return nullptr;
  }
  // The container port a Service port sends to (targetPort by number or by name).
  static int targetContainerPort(const json& servicePort) {
    const json& target = servicePort["targetPort"];
    return target.is_string() ? containerPort(target.get<std::string>()) : target.get<int>();
  }

  static std::vector<ManifestDocument>* documents_;
};

std::vector<ManifestDocument>* ManifestsTest::documents_ = nullptr;

TEST_F(ManifestsTest, EveryDocumentHasApiVersionKindAndName) {
  ASSERT_GE(documents_->size(), 16u);
  for (const auto& document : *documents_) {
    SCOPED_TRACE(document.file.string());
    const json& object = document.object;
    ASSERT_TRUE(object.is_object());
    EXPECT_TRUE(object.contains("apiVersion"));
    ASSERT_TRUE(object.contains("kind"));
    const std::string kind = object["kind"];
    if (kind == "Kustomization" || kind == "KubeSchedulerConfiguration") {
      continue;  // configuration files, not API objects
    }
    EXPECT_FALSE(object["metadata"].value("name", "").empty()) << kind;
  }
}

TEST_F(ManifestsTest, ExpectedObjectsExistOnce) {
  struct Expected {
    std::string apiVersion, kind, name, ns;
  };
  const std::vector<Expected> expected = {
      {"v1", "Namespace", "karpenter", ""},
      {"v1", "ServiceAccount", "karpenter", kNamespace},
      {"rbac.authorization.k8s.io/v1", "ClusterRole", "karpenter", ""},
      {"rbac.authorization.k8s.io/v1", "ClusterRoleBinding", "karpenter", ""},
      {"rbac.authorization.k8s.io/v1", "Role", "karpenter", kNamespace},
      {"rbac.authorization.k8s.io/v1", "RoleBinding", "karpenter", kNamespace},
      {"rbac.authorization.k8s.io/v1", "Role", "karpenter", "kube-node-lease"},
      {"rbac.authorization.k8s.io/v1", "RoleBinding", "karpenter", "kube-node-lease"},
      {"apps/v1", "Deployment", "karpenter", kNamespace},
      {"v1", "Service", "karpenter", kNamespace},
      {"policy/v1", "PodDisruptionBudget", "karpenter", kNamespace},
      {"apiextensions.k8s.io/v1", "CustomResourceDefinition", "nodepools.karpenter.sh", ""},
      {"apiextensions.k8s.io/v1", "CustomResourceDefinition", "nodeclaims.karpenter.sh", ""},
      {"apiextensions.k8s.io/v1", "CustomResourceDefinition", "ec2nodeclasses.karpenter.k8s.aws",
       ""},
      {"admissionregistration.k8s.io/v1", "ValidatingWebhookConfiguration", "karpenter-validation",
       ""},
      {"admissionregistration.k8s.io/v1", "MutatingWebhookConfiguration", "karpenter-defaulting",
       ""},
  };
  for (const auto& e : expected) {
    SCOPED_TRACE(e.kind + " " + e.ns + "/" + e.name);
    json found;
    ASSERT_NO_THROW(found = object(e.kind, e.name, e.ns));
    EXPECT_EQ(found["apiVersion"], e.apiVersion);
    EXPECT_EQ(found["metadata"].value("namespace", ""), e.ns);
  }
  EXPECT_EQ(findKind(*documents_, "KubeSchedulerConfiguration")["apiVersion"],
            "kubescheduler.config.k8s.io/v1");
}

TEST_F(ManifestsTest, KustomizationListsEveryManifestAndOnlyExistingOnes) {
  const auto dir = sourceDir() / "manifests";
  const json kustomization = findKind(*documents_, "Kustomization");
  EXPECT_FALSE(kustomization.contains("namespace")) << "would move the kube-node-lease Role";
  std::set<std::string> listed;
  for (const auto& resource : kustomization["resources"]) {
    listed.insert(resource.get<std::string>());
    EXPECT_TRUE(std::filesystem::exists(dir / resource.get<std::string>())) << resource;
  }
  for (const auto& file : yamlFilesBelow(dir)) {
    const auto relative = std::filesystem::relative(file, dir).string();
    if (relative != "kustomization.yaml") {
      EXPECT_TRUE(listed.count(relative)) << relative << " is not in kustomization.yaml";
    }
  }
}

TEST_F(ManifestsTest, ServiceAndDeploymentAgreeOnPorts) {
  EXPECT_EQ(env("WEBHOOK_PORT"), "8443");
  EXPECT_EQ(env("METRICS_PORT"), "8080");
  EXPECT_EQ(env("HEALTH_PROBE_PORT"), "8081");
  EXPECT_EQ(containerPort("https-webhook"), std::stoi(env("WEBHOOK_PORT")));
  EXPECT_EQ(containerPort("http-metrics"), std::stoi(env("METRICS_PORT")));
  EXPECT_EQ(containerPort("http-health"), std::stoi(env("HEALTH_PROBE_PORT")));

  json webhook = servicePort("https-webhook");
  json metrics = servicePort("http-metrics");
  ASSERT_FALSE(webhook.is_null());
  ASSERT_FALSE(metrics.is_null());
  EXPECT_EQ(webhook["port"], 8443);
  EXPECT_EQ(targetContainerPort(webhook), std::stoi(env("WEBHOOK_PORT")));
  EXPECT_EQ(metrics["port"], 8080);
  EXPECT_EQ(targetContainerPort(metrics), std::stoi(env("METRICS_PORT")));
  // Probes only ever come from the kubelet: the health port is not exposed by the Service.
  EXPECT_TRUE(servicePort("http-health").is_null());

  const json container = ManifestsTest::container();
  for (const auto& [probe, path] :
       {std::pair{"livenessProbe", "/healthz"}, std::pair{"readinessProbe", "/readyz"}}) {
    SCOPED_TRACE(probe);
    const json& get = container[probe]["httpGet"];
    EXPECT_EQ(get["path"], path);
    const int port = get["port"].is_string() ? containerPort(get["port"]) : get["port"].get<int>();
    EXPECT_EQ(port, std::stoi(env("HEALTH_PROBE_PORT")));
  }
}

TEST_F(ManifestsTest, SelectorsMatchThePodTemplate) {
  const json deployment = object("Deployment", "karpenter", kNamespace);
  const json& podLabels = deployment["spec"]["template"]["metadata"]["labels"];
  auto selects = [&](const json& matchLabels) {
    for (const auto& [key, value] : matchLabels.items()) {
      if (!podLabels.contains(key) || podLabels[key] != value) {
        return false;
      }
    }
    return !matchLabels.empty();
  };
  EXPECT_TRUE(selects(deployment["spec"]["selector"]["matchLabels"]));
  EXPECT_TRUE(selects(object("Service", "karpenter", kNamespace)["spec"]["selector"]));
  const json pdb = object("PodDisruptionBudget", "karpenter", kNamespace);
  EXPECT_TRUE(selects(pdb["spec"]["selector"]["matchLabels"]));
  EXPECT_EQ(pdb["spec"]["maxUnavailable"], 1);
}

TEST_F(ManifestsTest, DeploymentIsHardened) {
  const json deployment = object("Deployment", "karpenter", kNamespace);
  const json& pod = deployment["spec"]["template"]["spec"];
  EXPECT_EQ(deployment["spec"]["replicas"], 2);
  EXPECT_EQ(pod["serviceAccountName"], kServiceAccount);
  EXPECT_EQ(pod["priorityClassName"], "system-cluster-critical");
  EXPECT_EQ(pod["securityContext"]["runAsNonRoot"], true);
  EXPECT_EQ(pod["securityContext"]["seccompProfile"]["type"], "RuntimeDefault");
  EXPECT_EQ(pod["topologySpreadConstraints"][0]["topologyKey"], "topology.kubernetes.io/zone");
  EXPECT_EQ(pod["affinity"]["podAntiAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"][0]
               ["topologyKey"],
            "kubernetes.io/hostname");

  const json container = ManifestsTest::container();
  EXPECT_EQ(container["image"], "karpenter:latest");
  EXPECT_EQ(container["args"][0], "controller");
  const json& security = container["securityContext"];
  EXPECT_EQ(security["readOnlyRootFilesystem"], true);
  EXPECT_EQ(security["allowPrivilegeEscalation"], false);
  EXPECT_EQ(security["runAsNonRoot"], true);
  EXPECT_EQ(security["capabilities"]["drop"], json({"ALL"}));
  EXPECT_EQ(security["seccompProfile"]["type"], "RuntimeDefault");
  EXPECT_TRUE(container["resources"]["requests"].contains("cpu"));
  EXPECT_TRUE(container["resources"]["limits"].contains("memory"));

  // The TLS flags point into the volume that mounts Secret karpenter-cert.
  std::string mountPath;
  for (const auto& mount : container["volumeMounts"]) {
    if (mount["name"] == "certs") {
      mountPath = mount["mountPath"];
      EXPECT_EQ(mount["readOnly"], true);
    }
  }
  EXPECT_EQ(mountPath, "/etc/karpenter/certs");
  bool secretVolume = false;
  for (const auto& volume : pod["volumes"]) {
    secretVolume = secretVolume || (volume["name"] == "certs" &&
                                    volume["secret"]["secretName"] == "karpenter-cert");
  }
  EXPECT_TRUE(secretVolume);
  const auto& args = container["args"];
  for (const char* flag : {"--tls-cert-file=", "--tls-key-file="}) {
    auto it = std::find_if(args.begin(), args.end(), [&](const json& arg) {
      return arg.get<std::string>().starts_with(flag);
    });
    ASSERT_NE(it, args.end()) << flag;
    EXPECT_TRUE(
        it->get<std::string>().substr(std::string(flag).size()).starts_with(mountPath + "/"))
        << *it;
  }
}

TEST_F(ManifestsTest, WebhooksPointAtTheServiceAndCoverExactlyTheSixPaths) {
  const json service = object("Service", "karpenter", kNamespace);
  const json webhookPort = servicePort("https-webhook");
  std::set<std::string> paths;
  std::set<std::string> names;
  for (const auto& [kind, name, prefix] :
       {std::tuple{"ValidatingWebhookConfiguration", "karpenter-validation", "validate"},
        std::tuple{"MutatingWebhookConfiguration", "karpenter-defaulting", "default"}}) {
    const json configuration = object(kind, name);
    ASSERT_EQ(configuration["webhooks"].size(), 3u) << kind;
    for (const auto& webhook : configuration["webhooks"]) {
      SCOPED_TRACE(webhook.value("name", "?"));
      const json& target = webhook["clientConfig"]["service"];
      EXPECT_EQ(target["name"], service["metadata"]["name"]);
      EXPECT_EQ(target["namespace"], service["metadata"]["namespace"]);
      EXPECT_EQ(target["port"], webhookPort["port"]);
      EXPECT_EQ(webhook["clientConfig"]["caBundle"], "${CA_BUNDLE}");

      const std::string path = target["path"];
      EXPECT_TRUE(kWebhookPaths.count(path)) << path;
      EXPECT_TRUE(paths.insert(path).second) << "two webhooks on " << path;
      // /<prefix>/<group>/<plural>, and the webhook is named <verb>.<plural>.<group>.
      const std::string expectedPrefix = "/" + std::string(prefix) + "/";
      ASSERT_TRUE(path.starts_with(expectedPrefix)) << path;
      const std::string rest = path.substr(expectedPrefix.size());
      const std::string group = rest.substr(0, rest.find('/'));
      const std::string plural = rest.substr(rest.find('/') + 1);
      const std::string verb = std::string(prefix) == "validate" ? "validation" : "defaulting";
      EXPECT_EQ(webhook["name"], verb + "." + plural + "." + group);
      EXPECT_TRUE(names.insert(webhook["name"]).second);
      ASSERT_NO_THROW(object("CustomResourceDefinition", plural + "." + group));

      ASSERT_EQ(webhook["rules"].size(), 1u);
      const json& rule = webhook["rules"][0];
      EXPECT_EQ(rule["operations"], json({"CREATE", "UPDATE"}));
      EXPECT_EQ(rule["apiGroups"], json({group}));
      EXPECT_EQ(rule["apiVersions"], json({"v1"}));
      EXPECT_EQ(rule["resources"], json({plural}));  // no subresources: status writes skip it
      EXPECT_EQ(rule["scope"], "Cluster");

      EXPECT_EQ(webhook["failurePolicy"], "Fail");
      EXPECT_EQ(webhook["matchPolicy"], "Equivalent");
      EXPECT_EQ(webhook["sideEffects"], "None");
      EXPECT_EQ(webhook["admissionReviewVersions"], json({"v1"}));
      EXPECT_EQ(webhook["timeoutSeconds"], 10);
    }
  }
  EXPECT_EQ(paths, kWebhookPaths);
}

TEST_F(ManifestsTest, SchedulerExtenderUsesTheSameServiceAndPort) {
  const json config = findKind(*documents_, "KubeSchedulerConfiguration");
  ASSERT_EQ(config["extenders"].size(), 1u);
  const json& extender = config["extenders"][0];
  const std::string host = std::string("karpenter") + "." + kNamespace + ".svc";
  const std::string port = std::to_string(servicePort("https-webhook")["port"].get<int>());
  EXPECT_EQ(extender["urlPrefix"], "https://" + host + ":" + port + "/scheduler");
  EXPECT_EQ(extender["tlsConfig"]["serverName"], host);
  EXPECT_EQ(extender["tlsConfig"]["caData"], "${CA_BUNDLE}");
  EXPECT_EQ(extender["enableHTTPS"], true);
  EXPECT_EQ(extender["nodeCacheCapable"], true);
  EXPECT_EQ(extender["ignorable"], true);
}

// --- RBAC -----------------------------------------------------------------------------------

// Whether the rules of the roles bound to karpenter/karpenter in `ns` ("" = cluster-wide only)
// allow `verb` on `group`/`resource` (named `name`, when the request names one).
class Rbac {
 public:
  explicit Rbac(const std::vector<ManifestDocument>& documents) {
    for (const auto& document : documents) {
      const json& binding = document.object;
      const std::string kind = binding.value("kind", "");
      if (kind != "ClusterRoleBinding" && kind != "RoleBinding") {
        continue;
      }
      bool boundToUs = false;
      for (const auto& subject : binding["subjects"]) {
        boundToUs =
            boundToUs || (subject["kind"] == "ServiceAccount" &&
                          subject["name"] == kServiceAccount && subject["namespace"] == kNamespace);
      }
      if (!boundToUs) {
        continue;
      }
      const std::string ns = binding["metadata"].value("namespace", "");
      const std::string roleKind = binding["roleRef"]["kind"];
      const json role =
          findObject(documents, roleKind, binding["roleRef"]["name"], roleKind == "Role" ? ns : "");
      for (const auto& rule : role["rules"]) {
        grants_.push_back({ns, rule});
      }
    }
  }

  bool allows(const std::string& ns, const std::string& group, const std::string& resource,
              const std::string& verb, const std::string& name = "") const {
    for (const auto& [grantNamespace, rule] : grants_) {
      if (!grantNamespace.empty() && grantNamespace != ns) {
        continue;
      }
      if (has(rule["apiGroups"], group) && has(rule["resources"], resource) &&
          has(rule["verbs"], verb) &&
          (!rule.contains("resourceNames") ||
           (!name.empty() && has(rule["resourceNames"], name)))) {
        return true;
      }
    }
    return false;
  }

  const std::vector<std::pair<std::string, json>>& grants() const { return grants_; }

 private:
  static bool has(const json& list, const std::string& value) {
    return std::find(list.begin(), list.end(), value) != list.end();
  }
  std::vector<std::pair<std::string, json>> grants_;  // (namespace or "", rule)
};

TEST_F(ManifestsTest, RbacGrantsWhatTheControllerNeeds) {
  struct Need {
    std::string ns, group, resource;
    std::vector<std::string> verbs;
    std::string name;
  };
  const std::vector<Need> needs = {
      {"", "", "nodes", {"get", "list", "watch", "create", "patch", "update", "delete"}},
      {"", "", "pods", {"get", "list", "watch", "delete"}},
      {"", "", "pods/eviction", {"create"}},
      {"", "", "persistentvolumes", {"get", "list", "watch"}},
      {"", "", "persistentvolumeclaims", {"get", "list", "watch"}},
      {"", "", "namespaces", {"get", "list", "watch"}},
      {"", "apps", "daemonsets", {"get", "list", "watch"}},
      {"", "policy", "poddisruptionbudgets", {"get", "list", "watch"}},
      {"", "storage.k8s.io", "storageclasses", {"get", "list", "watch"}},
      {"", "storage.k8s.io", "csinodes", {"get", "list", "watch"}},
      {"", "storage.k8s.io", "volumeattachments", {"get", "list", "watch"}},
      {"", "", "events", {"create", "patch"}},
      {"", "events.k8s.io", "events", {"create", "patch"}},
      {"",
       "karpenter.sh",
       "nodeclaims",
       {"get", "list", "watch", "create", "patch", "update", "delete"}},
      {"", "karpenter.sh", "nodeclaims/status", {"patch", "update"}},
      {"", "karpenter.sh", "nodepools", {"get", "list", "watch"}},
      {"", "karpenter.sh", "nodepools/status", {"patch", "update"}},
      {"", "karpenter.k8s.aws", "ec2nodeclasses", {"get", "list", "watch", "patch"}},
      {"", "karpenter.k8s.aws", "ec2nodeclasses/status", {"patch", "update"}},
      {kNamespace, "coordination.k8s.io", "leases", {"create"}},
      {kNamespace, "coordination.k8s.io", "leases", {"get", "update"}, "karpenter-leader-election"},
      {"kube-node-lease", "coordination.k8s.io", "leases", {"get", "list", "watch"}},
  };
  const Rbac rbac(*documents_);
  ASSERT_FALSE(rbac.grants().empty());
  for (const auto& need : needs) {
    for (const auto& verb : need.verbs) {
      EXPECT_TRUE(rbac.allows(need.ns, need.group, need.resource, verb, need.name))
          << verb << " " << need.group << "/" << need.resource << " in '" << need.ns << "'";
    }
  }
}

TEST_F(ManifestsTest, RbacGrantsNothingBeyondThat) {
  const Rbac rbac(*documents_);
  for (const auto& [ns, rule] : rbac.grants()) {
    for (const char* field : {"apiGroups", "resources", "verbs", "resourceNames"}) {
      for (const auto& entry : rule.value(field, json::array())) {
        EXPECT_NE(entry, "*") << "wildcard in " << field << ": " << rule.dump();
      }
    }
  }
  struct Forbidden {
    std::string ns, group, resource, verb, name;
  };
  const std::vector<Forbidden> forbidden = {
      {kNamespace, "", "secrets", "get", "karpenter-cert"},  // mounted, never read via the API
      {"kube-system", "", "secrets", "list", ""},
      {"", "", "configmaps", "get", ""},
      {"default", "", "pods", "create", ""},
      {"default", "", "pods", "update", ""},
      {"default", "", "pods/binding", "create", ""},  // kube-scheduler binds
      {"", "", "nodes/status", "patch", ""},
      {"", "karpenter.sh", "nodepools", "create", ""},  // user-owned
      {"", "karpenter.sh", "nodepools", "delete", ""},
      {"", "karpenter.k8s.aws", "ec2nodeclasses", "delete", ""},
      {"", "apiextensions.k8s.io", "customresourcedefinitions", "update", ""},
      {"", "admissionregistration.k8s.io", "validatingwebhookconfigurations", "update",
       "karpenter-validation"},
      {"", "rbac.authorization.k8s.io", "clusterroles", "update", ""},
      {kNamespace, "coordination.k8s.io", "leases", "update", "someone-elses-lease"},
      {kNamespace, "coordination.k8s.io", "leases", "delete", "karpenter-leader-election"},
      {"kube-node-lease", "coordination.k8s.io", "leases", "update", "node-1"},
      {"kube-node-lease", "coordination.k8s.io", "leases", "delete", "node-1"},
      {"default", "coordination.k8s.io", "leases", "create", ""},
  };
  for (const auto& f : forbidden) {
    EXPECT_FALSE(rbac.allows(f.ns, f.group, f.resource, f.verb, f.name))
        << f.verb << " " << f.group << "/" << f.resource << " " << f.name << " in '" << f.ns << "'";
  }
}

}  // namespace
}  // namespace karpenter::testing
