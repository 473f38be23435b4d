// The streaming ExtenderArgs decoder against the tree decoder (decodeExtenderArgs) and
// nlohmann's parser: the same verdict on every body, the same names and pod facts, the same
// error messages.
#include "karpenter/extender/args_scanner.hpp"

#include <random>

#include <gtest/gtest.h>

#include "support/testdata.hpp"

namespace karpenter::extender {
namespace {

// A pending pod with a sidecar, a classic init container, overhead and fields the scan drops.
constexpr const char* kPod = R"({"metadata":{"name":"web-1","namespace":"default",
  "uid":"uid-1","labels":{"app":"web"},"managedFields":[{"manager":"kubectl"}]},
  "spec":{"containers":[{"name":"web","image":"web:1","env":[{"name":"A","value":"1"}],
    "resources":{"requests":{"cpu":"500m","memory":"512Mi"},"limits":{"cpu":"1"}}},
   {"name":"side","resources":{"requests":{"cpu":0.25,"memory":"64Mi"}}}],
   "initContainers":[{"name":"mesh","restartPolicy":"Always",
     "resources":{"requests":{"cpu":"100m","memory":"32Mi"}}},
    {"name":"migrate","resources":{"requests":{"cpu":"2","memory":"1Gi"}}}],
   "overhead":{"cpu":"50m"},"nodeSelector":{"a":"b"},"tolerations":[{"operator":"Exists"}]},
  "status":{"phase":"Pending","conditions":[{"type":"PodScheduled","status":"False"}]}})";

std::vector<std::string> names(const NodeNameList& list) {
  std::vector<std::string> out;
  for (const auto& name : list.views()) {
    out.emplace_back(name);
  }
  return out;
}

// Both decoders on one body: agreement on validity, on the error, and on what the decisions read.
void expectAgreement(const std::string& body) {
  SCOPED_TRACE(body);
  const ScanResult scanned = scanExtenderArgs(body);
  const auto tree = WireJson::parse(body, nullptr, /*allow_exceptions=*/false);
  if (tree.is_discarded()) {
    EXPECT_EQ(scanned.outcome, ScanResult::Outcome::kInvalidJson);
    return;
  }
  ASSERT_NE(scanned.outcome, ScanResult::Outcome::kInvalidJson) << scanned.error;
  const auto decoded = decodeExtenderArgs(tree);
  if (!decoded) {
    if (scanned.outcome == ScanResult::Outcome::kOk) {
      // Only a request with Nodes is handed on undecided (the tree decoder reports it).
      EXPECT_TRUE(scanned.args.hasNodes) << decoded.error().message;
    } else {
      EXPECT_EQ(scanned.error, decoded.error().message);
    }
    return;
  }
  ASSERT_EQ(scanned.outcome, ScanResult::Outcome::kOk) << scanned.error;
  EXPECT_EQ(scanned.args.hasNodes, decoded->nodes.has_value());
  if (decoded->nodes) {
    return;
  }
  ASSERT_EQ(scanned.args.nodeNames.has_value(), decoded->nodeNames.has_value());
  if (decoded->nodeNames) {
    EXPECT_EQ(names(*scanned.args.nodeNames), *decoded->nodeNames);
  }
  const PodFacts expected = podFacts(nlohmann::json(decoded->pod));
  EXPECT_EQ(scanned.args.pod.uid, expected.uid);
  EXPECT_EQ(scanned.args.pod.milliCpu, expected.milliCpu);
  EXPECT_EQ(scanned.args.pod.memoryBytes, expected.memoryBytes);
}

TEST(ArgsScanner, ReadsThePodAndTheNamesOfACacheModeRequest) {
  const std::string body =
      std::string(R"({"Pod":)") + kPod + R"(,"Nodes":null,"NodeNames":["a","b\u00e9\n\"q\"","a"]})";
  const ScanResult scanned = scanExtenderArgs(body);
  ASSERT_EQ(scanned.outcome, ScanResult::Outcome::kOk) << scanned.error;
  EXPECT_FALSE(scanned.args.hasNodes);
  ASSERT_TRUE(scanned.args.nodeNames.has_value());
  EXPECT_EQ(names(*scanned.args.nodeNames),
            (std::vector<std::string>{"a", "b\xc3\xa9\n\"q\"", "a"}));
  EXPECT_EQ(scanned.args.pod.uid, "uid-1");
  // Containers 500m + 250m, sidecar 100m → 850m; the 2-CPU init container runs alone beside
  // the sidecar (2100m), which wins; + 50m overhead.
  EXPECT_EQ(scanned.args.pod.milliCpu, 2150);
  EXPECT_EQ(scanned.args.pod.memoryBytes, (1024 + 32) * (int64_t{1} << 20));
  expectAgreement(body);
}

TEST(ArgsScanner, KubeSchedulerGoldenStrings) {
  const std::string golden =
      testing::readFile(testing::testdataDir() / "kube/extender-v1/ExtenderArgs.json");
  // As kube-scheduler sends it in non-cache mode: handed on to the tree decoder.
  const ScanResult nonCache = scanExtenderArgs(golden);
  ASSERT_EQ(nonCache.outcome, ScanResult::Outcome::kOk) << nonCache.error;
  EXPECT_TRUE(nonCache.args.hasNodes);
  expectAgreement(golden);
  // Cache mode: the same with Nodes null.
  auto json = WireJson::parse(golden);
  json["Nodes"] = nullptr;
  const ScanResult cache = scanExtenderArgs(json.dump());
  ASSERT_EQ(cache.outcome, ScanResult::Outcome::kOk) << cache.error;
  EXPECT_FALSE(cache.args.hasNodes);
  EXPECT_EQ(names(*cache.args.nodeNames), std::vector<std::string>{"node1"});
  expectAgreement(json.dump());
}

TEST(ArgsScanner, KeysMatchLikeGoAndLikeTheTreeDecoder) {
  for (const std::string body : {
           R"({"pod":{"metadata":{"uid":"u"}},"nodenames":["x"]})",
           R"({"POD":{},"NodeNames":["x"],"nodeNames":["y"]})",
           R"({"nodeNames":["y"],"NodeNames":["x"],"Pod":{}})",
           R"({"nodenames":["a"],"NODENAMES":["b"],"nodenames":["c"],"Pod":{}})",
           R"({"Pod":{"metadata":{"uid":"1"}},"Pod":{"metadata":{"uid":"2"}},"NodeNames":[]})",
           R"({"pod":{"metadata":{"uid":"1"}},"Pod":null,"NodeNames":[]})",
           R"({"Pod":{},"NodeNames":null})",
           R"({"Pod":{},"Nodes":null})",
           R"({"Pod":{},"Other":{"NodeNames":[1]},"NodeNames":["a"]})",
           R"({"Pod":{"metadata":{"uid":7}},"NodeNames":["a"]})",
           R"({"Pod":{"spec":{"containers":"nope"}},"NodeNames":["a"]})",
       }) {
    expectAgreement(body);
  }
}

TEST(ArgsScanner, ShapeErrorsNameTheFieldLikeTheTreeDecoder) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {R"([1,2])", "expected an object, got array"},
      {R"("x")", "expected an object, got string"},
      {R"({"NodeNames":[]})", "Pod: required"},
      {R"({"Pod":null,"NodeNames":[]})", "Pod: required"},
      {R"({"Pod":[],"NodeNames":[]})", "Pod: expected an object, got array"},
      {R"({"Pod":true})", "Pod: expected an object, got boolean"},
      {R"({"Pod":{},"NodeNames":{"a":1}})", "NodeNames: expected an array, got object"},
      {R"({"Pod":{},"NodeNames":"a"})", "NodeNames: expected an array, got string"},
      {R"({"Pod":{},"NodeNames":["a",7]})", "NodeNames[1]: expected a string, got number"},
      {R"({"Pod":{},"NodeNames":[{},"b",null]})", "NodeNames[0]: expected a string, got object"},
      {R"({"Pod":{},"NodeNames":["a",[],true]})", "NodeNames[1]: expected a string, got array"},
      {R"({"Pod":7,"NodeNames":[1]})", "Pod: expected an object, got number"},
      {R"({"NodeNames":[1]})", "NodeNames[0]: expected a string, got number"},
  };
  for (const auto& [body, message] : cases) {
    const ScanResult scanned = scanExtenderArgs(body);
    EXPECT_EQ(scanned.outcome, ScanResult::Outcome::kInvalidArgs) << body;
    EXPECT_EQ(scanned.error, message) << body;
    expectAgreement(body);
  }
}

TEST(ArgsScanner, RequestsWithNodesAreHandedToTheTreeDecoder) {
  for (const std::string body : {
           R"({"Pod":{},"Nodes":{"items":[{"metadata":{"name":"n"}}]}})",
           R"({"Pod":{},"nodes":{"items":{}}})",
           R"({"Pod":[],"Nodes":5})",
       }) {
    const ScanResult scanned = scanExtenderArgs(body);
    EXPECT_EQ(scanned.outcome, ScanResult::Outcome::kOk) << body;
    EXPECT_TRUE(scanned.args.hasNodes) << body;
    expectAgreement(body);
  }
}

TEST(ArgsScanner, MalformedJsonIsRejectedAsNlohmannRejectsIt) {
  for (const std::string body : {
           std::string(""),
           std::string("{"),
           std::string(R"({"Pod":{})"),
           std::string("{} x"),
           std::string("{},"),
           std::string(R"({"Pod":{},})"),
           std::string(R"({"NodeNames":["a",]})"),
           std::string(R"({"Pod":{"x":1e999}})"),
           std::string(R"({"Pod":{"x":01}})"),
           std::string(R"({"Pod":{"x":"\ud800"}})"),
           std::string("{\"Pod\":{\"x\":\"\xff\"}}"),
           std::string("{\"Pod\":{\"x\":\"a\tb\"}}"),
           std::string(R"({"Pod":{"x":tru}})"),
           std::string(R"({'Pod':{}})"),
           std::string("{\"Pod\":{}} // comment"),
           std::string(R"({"Pod":{"x":"\q"}})"),
           std::string(400, '['),
       }) {
    const ScanResult scanned = scanExtenderArgs(body);
    EXPECT_EQ(scanned.outcome, ScanResult::Outcome::kInvalidJson) << body;
    EXPECT_NE(scanned.error.find("parse error at byte"), std::string::npos) << scanned.error;
    expectAgreement(body);
  }
  // Whitespace around the document is fine, as it is for nlohmann.
  expectAgreement(" \n{\"Pod\":{},\"NodeNames\":[]}\r\n\t ");
  EXPECT_EQ(scanExtenderArgs(" {\"Pod\":{},\"NodeNames\":[]} ").outcome, ScanResult::Outcome::kOk);
}

TEST(ArgsScanner, ANumberTooSmallForADoubleIsZeroNotAnError) {
  // nlohmann (and Go) read these as 0 or a subnormal; from_chars calls them out of range.
  for (const std::string body :
       {std::string(R"({"Pod":{"x":1e-400},"NodeNames":["a"]})"),
        std::string(R"({"Pod":{"x":[-2e-324,4.9e-324]},"NodeNames":[]})"),
        std::string(R"({"Pod":{"x":0.)") + std::string(400, '0') + R"(1},"NodeNames":[]})"}) {
    EXPECT_EQ(scanExtenderArgs(body).outcome, ScanResult::Outcome::kOk) << body;
    expectAgreement(body);
  }
  EXPECT_EQ(scanExtenderArgs(R"({"Pod":{"x":-1e400}})").outcome, ScanResult::Outcome::kInvalidJson);
}

TEST(ArgsScanner, NestingBeyondTheDepthLimitIsRefusedNotACrash) {
  std::string deep = R"({"Pod":{"metadata":)";
  for (int i = 0; i < 100000; ++i) {
    deep += '[';
  }
  const ScanResult scanned = scanExtenderArgs(deep);
  EXPECT_EQ(scanned.outcome, ScanResult::Outcome::kInvalidJson);
}

// Random documents over ExtenderArgs' keys (in several spellings) and every JSON type, and
// random single-byte corruptions of them: both decoders must agree on each.
TEST(ArgsScanner, AgreesWithTheTreeDecoderOnRandomDocuments) {
  std::mt19937 random(20261123);
  const std::vector<std::string> keys = {"Pod",   "pod",       "POD",       "Nodes",
                                         "nodes", "NodeNames", "nodenames", "Other",
                                         "uid",   "metadata",  "spec",      "containers"};
  std::function<std::string(int)> value = [&](int depth) -> std::string {
    switch (random() % (depth > 3 ? 5 : 7)) {
      case 0:
        return "null";
      case 1:
        return random() % 2 ? "true" : "false";
      case 2:
        return std::to_string(static_cast<int>(random() % 2000) - 1000);
      case 3:
        return "1.5e3";
      case 4:
        return "\"n" + std::to_string(random() % 10) + (random() % 4 == 0 ? "\\u00e9\"" : "\"");
      case 5: {
        std::string out = "[";
        for (int i = static_cast<int>(random() % 4); i > 0; --i) {
          out += value(depth + 1) + (i > 1 ? "," : "");
        }
        return out + "]";
      }
      default: {
        std::string out = "{";
        for (int i = static_cast<int>(random() % 4); i > 0; --i) {
          out +=
              "\"" + keys[random() % keys.size()] + "\":" + value(depth + 1) + (i > 1 ? "," : "");
        }
        return out + "}";
      }
    }
  };
  for (int round = 0; round < 1500; ++round) {
    std::string body = "{";
    for (int i = static_cast<int>(random() % 5); i > 0; --i) {
      body += "\"" + keys[random() % 7] + "\":" + value(1) + (i > 1 ? "," : "");
    }
    body += "}";
    expectAgreement(body);
    if (!body.empty()) {
      std::string corrupt = body;
      corrupt[random() % corrupt.size()] = "{}[],:\"\\x1 "[random() % 12];
      expectAgreement(corrupt);
    }
  }
}

}  // namespace
}  // namespace karpenter::extender
