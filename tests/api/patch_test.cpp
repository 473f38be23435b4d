// Replays the public JSON Patch suite (json-patch/json-patch-tests: tests.json and
// spec_tests.json from ../shared/testdata/json-patch). Cases skipped, with reasons:
// - every case marked "disabled" in the suite itself (3 in tests.json, 1 in spec_tests.json):
//   the suite's authors mark them as not testable; the duplicate-key ones cannot be represented
//   after any JSON parser has read the file.
#include "karpenter/api/patch.hpp"

#include <gtest/gtest.h>

#include "support/testdata.hpp"

namespace karpenter::api {
namespace {

using nlohmann::json;

struct SuiteCount {
  int passed = 0;
  int skipped = 0;
};

SuiteCount replaySuite(const std::string& file) {
  SuiteCount count;
  const json cases = testing::readTestdataJson("json-patch/" + file);
  for (size_t i = 0; i < cases.size(); ++i) {
    const json& testCase = cases[i];
    SCOPED_TRACE(file + " case " + std::to_string(i) + ": " + testCase.value("comment", ""));
    if (testCase.value("disabled", false)) {
      ++count.skipped;
      continue;
    }
    const json document = testCase.value("doc", json());
    auto patched = applyJsonPatch(document, testCase.at("patch"));
    if (testCase.contains("error")) {
      EXPECT_FALSE(patched.ok()) << "expected error: " << testCase["error"];
    } else {
      if (!patched.ok()) {
        ADD_FAILURE() << patched.error().message;
        continue;
      }
      if (testCase.contains("expected")) {
        EXPECT_EQ(*patched, testCase["expected"]);
      }
      // Generation: the diff of the two documents must reproduce the result.
      auto regenerated = applyJsonPatch(document, createJsonPatch(document, *patched));
      EXPECT_TRUE(regenerated.ok() && *regenerated == *patched)
          << createJsonPatch(document, *patched);
    }
    ++count.passed;
  }
  return count;
}

TEST(JsonPatchSuite, TestsJson) {
  SuiteCount count = replaySuite("tests.json");
  EXPECT_EQ(count.skipped, 3);
  EXPECT_EQ(count.passed, 92);
  RecordProperty("replayed", count.passed);
}

TEST(JsonPatchSuite, SpecTestsJson) {
  SuiteCount count = replaySuite("spec_tests.json");
  EXPECT_EQ(count.skipped, 1);
  EXPECT_EQ(count.passed, 16);
}

TEST(JsonPatch, ErrorsNameTheOperation) {
  auto bad = applyJsonPatch(json::object(), json::parse(R"([{"op": "add", "path": "/a"}])"));
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message, "operation 0 (add): missing \"value\"");
  auto notArray = applyJsonPatch(json::object(), json::object());
  ASSERT_FALSE(notArray.ok());
  EXPECT_EQ(notArray.error().kind, ErrorKind::kInvalid);
}

TEST(JsonPatch, LeavesTheDocumentUntouchedOnFailure) {
  const json document = json::parse(R"({"a": 1})");
  auto failed =
      applyJsonPatch(document, json::parse(R"([{"op": "replace", "path": "/a", "value": 2},
                                                          {"op": "test", "path": "/a", "value": 3}])"));
  EXPECT_FALSE(failed.ok());
  EXPECT_EQ(document, json::parse(R"({"a": 1})"));
}

// RFC 7386 appendix A, all fifteen examples.
TEST(MergePatch, Rfc7386Examples) {
  const json examples = json::parse(R"([
    [{"a":"b"}, {"a":"c"}, {"a":"c"}],
    [{"a":"b"}, {"b":"c"}, {"a":"b","b":"c"}],
    [{"a":"b"}, {"a":null}, {}],
    [{"a":"b","b":"c"}, {"a":null}, {"b":"c"}],
    [{"a":["b"]}, {"a":"c"}, {"a":"c"}],
    [{"a":"c"}, {"a":["b"]}, {"a":["b"]}],
    [{"a":{"b":"c"}}, {"a":{"b":"d","c":null}}, {"a":{"b":"d"}}],
    [{"a":[{"b":"c"}]}, {"a":[1]}, {"a":[1]}],
    [["a","b"], ["c","d"], ["c","d"]],
    [{"a":"b"}, ["c"], ["c"]],
    [{"a":"foo"}, null, null],
    [{"a":"foo"}, "bar", "bar"],
    [{"e":null}, {"a":1}, {"e":null,"a":1}],
    [[1,2], {"a":"b","c":null}, {"a":"b"}],
    [{}, {"a":{"bb":{"ccc":null}}}, {"a":{"bb":{}}}]
  ])");
  for (const auto& example : examples) {
    SCOPED_TRACE(example.dump());
    EXPECT_EQ(applyMergePatch(example[0], example[1]), example[2]);
  }
}

TEST(MergePatch, CreateRoundTrips) {
  const json from = json::parse(R"({"metadata": {"labels": {"a": "1", "b": "2"}}, "spec": [1]})");
  const json to = json::parse(R"({"metadata": {"labels": {"a": "1", "c": "3"}}, "spec": [2],
                                  "status": {"phase": "Running"}})");
  const json patch = createMergePatch(from, to);
  EXPECT_EQ(patch, json::parse(R"({"metadata": {"labels": {"b": null, "c": "3"}}, "spec": [2],
                                   "status": {"phase": "Running"}})"));
  EXPECT_EQ(applyMergePatch(from, patch), to);
  EXPECT_EQ(createMergePatch(to, to), json::object());
}

}  // namespace
}  // namespace karpenter::api
