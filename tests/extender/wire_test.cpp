// Replays kube-scheduler's extender/v1 TestCompatibility golden strings
// (../shared/testdata/kube/extender-v1/*.json): each decodes, re-encodes to the same bytes, and
// decodes again from its lower-cased form (Go decodes keys case-insensitively). No case skipped.
#include "karpenter/extender/wire.hpp"

#include <algorithm>
#include <cctype>
#include <functional>

#include <gtest/gtest.h>

#include "support/testdata.hpp"

namespace karpenter::extender {
namespace {

std::string golden(const std::string& type) {
  return testing::readFile(testing::testdataDir() / "kube/extender-v1" / (type + ".json"));
}

std::string lowered(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

template <typename T>
void expectRoundTrip(const std::string& type,
                     const std::function<Result<T>(const WireJson&)>& decode,
                     const std::function<void(const T&)>& check) {
  SCOPED_TRACE(type);
  const std::string text = golden(type);
  auto decoded = decode(WireJson::parse(text));
  ASSERT_TRUE(decoded.ok()) << decoded.error().message;
  EXPECT_EQ(encode(*decoded).dump(), text);
  check(*decoded);
  auto fromLower = decode(WireJson::parse(lowered(text)));
  ASSERT_TRUE(fromLower.ok()) << fromLower.error().message;
  check(*fromLower);
}

TEST(ExtenderWire, ExtenderArgs) {
  expectRoundTrip<ExtenderArgs>("ExtenderArgs", decodeExtenderArgs, [](const ExtenderArgs& args) {
    EXPECT_EQ(args.pod["metadata"]["name"], "podname");
    ASSERT_TRUE(args.nodes.has_value());
    ASSERT_TRUE(args.nodeNames.has_value());
    EXPECT_EQ(*args.nodeNames, std::vector<std::string>{"node1"});
    auto items = nodeListItems(*args.nodes);
    ASSERT_TRUE(items.ok());
    ASSERT_EQ(items->size(), 1u);
    EXPECT_EQ((*items)[0]->at("metadata").at("name"), "nodename");
  });
}

TEST(ExtenderWire, ExtenderFilterResult) {
  expectRoundTrip<ExtenderFilterResult>(
      "ExtenderFilterResult", decodeExtenderFilterResult, [](const ExtenderFilterResult& result) {
        EXPECT_EQ(result.failedNodes->at("foo"), "bar");
        EXPECT_EQ(result.failedAndUnresolvableNodes->at("baz"), "qux");
        EXPECT_EQ(result.error, "myerror");
      });
}

TEST(ExtenderWire, ExtenderPreemptionArgs) {
  expectRoundTrip<ExtenderPreemptionArgs>(
      "ExtenderPreemptionArgs", decodeExtenderPreemptionArgs,
      [](const ExtenderPreemptionArgs& args) {
        EXPECT_EQ(args.nodeNameToVictims->at("foo").numPDBViolations, 1);
        EXPECT_EQ(args.nodeNameToVictims->at("foo").pods->size(), 1u);
        EXPECT_EQ(args.nodeNameToMetaVictims->at("foo").pods->at(0).uid, "myuid");
      });
}

TEST(ExtenderWire, ExtenderPreemptionResult) {
  expectRoundTrip<ExtenderPreemptionResult>(
      "ExtenderPreemptionResult", decodeExtenderPreemptionResult,
      [](const ExtenderPreemptionResult& result) {
        EXPECT_EQ(result.nodeNameToMetaVictims->at("foo").numPDBViolations, 1);
      });
}

TEST(ExtenderWire, ExtenderBindingArgs) {
  expectRoundTrip<ExtenderBindingArgs>("ExtenderBindingArgs", decodeExtenderBindingArgs,
                                       [](const ExtenderBindingArgs& args) {
                                         EXPECT_EQ(args.podName, "mypodname");
                                         EXPECT_EQ(args.podNamespace, "mypodnamespace");
                                         EXPECT_EQ(args.podUID, "mypoduid");
                                         EXPECT_EQ(args.node, "mynode");
                                       });
}

TEST(ExtenderWire, ExtenderBindingResult) {
  expectRoundTrip<ExtenderBindingResult>(
      "ExtenderBindingResult", decodeExtenderBindingResult,
      [](const ExtenderBindingResult& result) { EXPECT_EQ(result.error, "myerror"); });
}

TEST(ExtenderWire, HostPriority) {
  expectRoundTrip<HostPriority>("HostPriority", decodeHostPriority, [](const HostPriority& p) {
    EXPECT_EQ(p.host, "myhost");
    EXPECT_EQ(p.score, 1);
  });
}

TEST(ExtenderWire, NilSlicesAndMapsAreNullLikeGo) {
  // Cache mode as kube-scheduler sends it, and the reply shape real extenders give.
  auto args = decodeExtenderArgs(
      WireJson::parse(R"({"Pod":{"metadata":{"name":"p"}},"Nodes":null,"NodeNames":["a","b"]})"));
  ASSERT_TRUE(args.ok()) << args.error().message;
  EXPECT_FALSE(args->nodes.has_value());
  EXPECT_EQ(args->candidateNames(), (std::vector<std::string>{"a", "b"}));
  ExtenderFilterResult result{.nodeNames = std::vector<std::string>{"a"},
                              .failedNodes = std::map<std::string, std::string>{}};
  EXPECT_EQ(encode(result).dump(), R"({"Nodes":null,"NodeNames":["a"],"FailedNodes":{},)"
                                   R"("FailedAndUnresolvableNodes":null,"Error":""})");
  EXPECT_EQ(encode(HostPriorityList{}).dump(), "[]");
}

TEST(ExtenderWire, NonCacheModeNamesComeFromTheNodeList) {
  auto args = decodeExtenderArgs(WireJson::parse(
      R"({"Pod":{},"Nodes":{"items":[{"metadata":{"name":"n1"}},{"metadata":{"name":"n2"}}]}})"));
  ASSERT_TRUE(args.ok()) << args.error().message;
  EXPECT_EQ(args->candidateNames(), (std::vector<std::string>{"n1", "n2"}));
}

TEST(ExtenderWire, ErrorsNameTheField) {
  auto badNames = decodeExtenderArgs(WireJson::parse(R"({"Pod":{},"NodeNames":["a",7]})"));
  ASSERT_FALSE(badNames.ok());
  EXPECT_EQ(badNames.error().message, "NodeNames[1]: expected a string, got number");
  auto noPod = decodeExtenderArgs(WireJson::parse(R"({"NodeNames":[]})"));
  ASSERT_FALSE(noPod.ok());
  EXPECT_EQ(noPod.error().message, "Pod: required");
  auto badItems = decodeExtenderArgs(WireJson::parse(R"({"Pod":{},"Nodes":{"items":{}}})"));
  ASSERT_FALSE(badItems.ok());
  EXPECT_EQ(badItems.error().message, "Nodes.items: expected an array, got object");
  auto badScore = decodeHostPriorityList(WireJson::parse(R"([{"Host":"a","Score":"9"}])"));
  ASSERT_FALSE(badScore.ok());
  EXPECT_EQ(badScore.error().message, "[0]: Score: expected an integer, got string");
  auto badVictim = decodeExtenderPreemptionResult(
      WireJson::parse(R"({"NodeNameToMetaVictims":{"n":{"Pods":[{"UID":1}]}}})"));
  ASSERT_FALSE(badVictim.ok());
  EXPECT_EQ(badVictim.error().message,
            "NodeNameToMetaVictims.n.Pods[0].UID: expected a string, got number");
  auto notObject = decodeExtenderBindingArgs(WireJson::parse("[]"));
  ASSERT_FALSE(notObject.ok());
  EXPECT_EQ(notObject.error().message, "expected an object, got array");
}

}  // namespace
}  // namespace karpenter::extender
