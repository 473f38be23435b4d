#include "karpenter/api/yaml.hpp"

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

namespace karpenter::api {
namespace {

using nlohmann::json;

TEST(Manifests, TypesScalarsLikeKubectl) {
  auto docs = parseManifests(R"(
apiVersion: v1
kind: Pod
metadata:
  name: web
  labels: {version: "1.0", enabled: "true", port: "80"}
spec:
  hostNetwork: true
  priority: -5
  terminationGracePeriodSeconds: 0x1e
  nodeName: ~
  containers:
  - name: app
    resources: {requests: {cpu: 0.5, memory: 1Gi}}
    args: [yes, no, on, "off", 1e3, .5, 010]
)");
  ASSERT_TRUE(docs.ok()) << docs.error().message;
  ASSERT_EQ(docs->size(), 1u);
  const json& pod = (*docs)[0];
  EXPECT_EQ(pod["metadata"]["labels"]["version"], "1.0");
  EXPECT_EQ(pod["metadata"]["labels"]["enabled"], "true");
  EXPECT_EQ(pod["spec"]["hostNetwork"], true);
  EXPECT_EQ(pod["spec"]["priority"], -5);
  EXPECT_EQ(pod["spec"]["terminationGracePeriodSeconds"], 30);
  EXPECT_TRUE(pod["spec"]["nodeName"].is_null());
  EXPECT_EQ(pod["spec"]["containers"][0]["resources"]["requests"]["cpu"], 0.5);
  EXPECT_EQ(pod["spec"]["containers"][0]["resources"]["requests"]["memory"], "1Gi");
  // YAML 1.2 core schema: yes/no/on/off are strings; 010 is decimal 10.
  EXPECT_EQ(pod["spec"]["containers"][0]["args"],
            json::parse(R"(["yes", "no", "on", "off", 1000.0, 0.5, 10])"));
}

TEST(Manifests, SplitsDocumentsAndFlattensLists) {
  auto docs = parseManifests(R"(
---
apiVersion: v1
kind: List
items:
- {apiVersion: v1, kind: Pod, metadata: {name: a}}
- {apiVersion: v1, kind: Pod, metadata: {name: b}}
---
---
{"apiVersion": "v1", "kind": "Node", "metadata": {"name": "n1"}}
)");
  ASSERT_TRUE(docs.ok()) << docs.error().message;
  ASSERT_EQ(docs->size(), 3u);
  EXPECT_EQ((*docs)[0]["metadata"]["name"], "a");
  EXPECT_EQ((*docs)[1]["metadata"]["name"], "b");
  EXPECT_EQ((*docs)[2]["kind"], "Node");
}

TEST(Manifests, ErrorsNameSourceAndLine) {
  auto bad = parseManifests("a: b\nc: [d\n", "pods.yaml");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message.rfind("pods.yaml:", 0), 0u) << bad.error().message;
  auto scalar = parseManifests("just text\n", "x.yaml");
  ASSERT_FALSE(scalar.ok());
  EXPECT_EQ(scalar.error().message, "x.yaml:1: a manifest must be an object, got string");
}

TEST(Manifests, ReadsDirectoriesInPathOrder) {
  auto dir = std::filesystem::temp_directory_path() / ("manifests-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir / "sub");
  std::ofstream(dir / "b.yaml") << "kind: B\n";
  std::ofstream(dir / "a.json") << R"({"kind": "A"})";
  std::ofstream(dir / "sub" / "c.yml") << "kind: C\n";
  std::ofstream(dir / "notes.txt") << "ignored";
  auto docs = readManifests(dir);
  std::filesystem::remove_all(dir);
  ASSERT_TRUE(docs.ok()) << docs.error().message;
  ASSERT_EQ(docs->size(), 3u);
  EXPECT_EQ((*docs)[0]["kind"], "A");
  EXPECT_EQ((*docs)[1]["kind"], "B");
  EXPECT_EQ((*docs)[2]["kind"], "C");
  auto missing = readManifests(dir / "nope");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().kind, ErrorKind::kNotFound);
}

}  // namespace
}  // namespace karpenter::api
