#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace karpenter::state {

struct StateNode;

// Names to state entries in a flat open-addressing hash table (linear probing, at most half
// full), built once per snapshot publication and then only read. The extender looks up thousands
// of names per request: a lookup here reads one 8-byte slot that holds a hash tag (so a miss or a
// collision never compares strings) and compares against a key copied into one contiguous
// buffer, where std::unordered_map chases a bucket, a node and a string elsewhere in the heap.
// Thread safety: insert() is not; once built, find() is safe from any number of threads.
class NodeNameTable final {
 public:
  // Sizes the table for `count` names so that building it does not rehash.
  void reserve(size_t count);
  // Adds `name` → `entry` unless `name` is present already (the first entry wins, as with
  // std::unordered_map::emplace); returns whether it was added. The name is copied.
  bool insert(std::string_view name, const StateNode* entry);
  // The entry of `name`, or null.
  const StateNode* find(std::string_view name) const;
  size_t size() const { return entries_.size(); }

 private:
  struct Slot {
    uint32_t tag = 0;    // high half of the name's hash; its low bits pick the home slot
    uint32_t entry = 0;  // index into entries_ plus one; 0 marks an empty slot
  };
  struct Entry {
    uint32_t keyOffset;  // into keys_
    uint32_t keyLength;
    const StateNode* value;
  };

  static uint32_t tagOf(std::string_view name);
  std::string_view keyOf(const Entry& entry) const {
    return std::string_view(keys_).substr(entry.keyOffset, entry.keyLength);
  }
  // The slot holding `name`, or the empty slot where it would go.
  size_t probe(std::string_view name, uint32_t tag) const;
  void rehash(size_t slotCount);

  std::vector<Slot> slots_;  // a power of two in size, or empty
  std::vector<Entry> entries_;
  std::string keys_;  // every name back to back, in insertion order
};

}  // namespace karpenter::state
